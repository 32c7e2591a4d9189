import GRDB

/// What went wrong with one of the two databases (PPMP's appointment book or
/// `state/connector.sqlite`), with the SQLite result code where SQLite reported one.
///
/// Only `Store/` throws these: callers tell "retry later" (`.unavailable`, category I/O) from
/// "this file will not work" (everything else) without reading the message.
public enum StoreError: CategorizedError, Sendable, Equatable {
  /// The configured PPMP database file does not exist.
  case missingDatabase(path: String)
  /// The file exists but SQLite could not open it as a database.
  case cannotOpen(path: String, message: String)
  /// The database lacks tables or columns of the documented PPMP model.
  case notPPMP(path: String, missing: [String])
  /// PPMP's `settings.timezone` is not an IANA time zone.
  case unknownTimeZone(String)
  /// `state/connector.sqlite` is not a database (or is corrupt): a retry will not help.
  case damagedState(path: String, detail: String)
  /// `state/connector.sqlite` could not be opened or migrated for an I/O reason.
  case stateUnavailable(path: String, message: String)
  /// The bundled SQL could not build the demo database.
  case demoBuildFailed(message: String)
  /// SQLite failed for a reason outside the data — busy, locked, I/O, disk full, read-only,
  /// cannot open — so the same work may succeed on a later run.
  case unavailable(operation: String, path: String, sqliteCode: Int32, message: String)
  /// SQLite refused a statement or the data itself (a constraint, a corrupt page).
  case rejected(operation: String, path: String, sqliteCode: Int32, message: String, sql: String)

  public var category: ConnectorError.Category {
    switch self {
    case .missingDatabase: .configuration
    case .unavailable, .stateUnavailable: .io
    case .cannotOpen, .notPPMP, .unknownTimeZone, .damagedState, .demoBuildFailed, .rejected: .data
    }
  }

  public var description: String {
    switch self {
    case .missingDatabase(let path):
      "PPMP database \(path) does not exist (set database = in connector.toml or pass --database)"
    case .cannotOpen(let path, let message):
      "cannot open PPMP database \(path): \(message)"
    case .notPPMP(let path, let missing):
      "\(path) is not a PPMP database the connector understands: missing \(missing.joined(separator: ", "))"
    case .unknownTimeZone(let identifier):
      "settings.timezone '\(identifier)' is not an IANA time zone (e.g. Australia/Perth)"
    case .damagedState(let path, let detail):
      "connector state \(path) is damaged (\(detail)); move it aside "
        + "(mv \(path) \(path).damaged) and run again: the connector rebuilds the archive catalog from "
        + "archive/, republishes a full snapshot, and PPMP's HE_MSG_ID tokens keep re-delivered bookings from "
        + "being inserted twice"
    case .stateUnavailable(let path, let message):
      "opening connector state \(path): \(message)"
    case .demoBuildFailed(let message):
      "building the demo database: \(message)"
    case .unavailable(let operation, let path, let code, let message):
      "\(operation) \(path): SQLite error \(code): \(message)"
    case .rejected(let operation, let path, let code, let message, let sql):
      "\(operation) \(path): SQLite error \(code): \(message) (\(sql))"
    }
  }

  /// Classifies a GRDB error raised while doing `operation` on the database at `path`.
  static func from(_ error: DatabaseError, _ operation: String, _ path: String) -> StoreError {
    let code = error.resultCode
    let message = error.message ?? ""
    switch code {
    case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_READONLY:
      return .unavailable(operation: operation, path: path, sqliteCode: code.rawValue, message: message)
    default:
      return .rejected(operation: operation, path: path, sqliteCode: code.rawValue, message: message, sql: error.sql ?? "")
    }
  }
}
