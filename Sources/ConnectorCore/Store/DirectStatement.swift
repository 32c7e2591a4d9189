import GRDB
import GRDBSQLite

/// A cached statement that writes one row per `run`, its parameters bound straight from Swift
/// values. GRDB's `execute(arguments:)` boxes each value twice on the way (an existential, then a
/// `DatabaseValue`): on ingest's writes (a booking's insert, the journal, the key index, the
/// review queue) that was two fifths of the journal's write time and a tenth of each booking's
/// insert. For statements that return no rows and leave the transaction as it is (INSERT,
/// UPDATE), inside a transaction the caller holds.
struct DirectStatement {
  private let statement: Statement

  init(_ db: Database, sql: String) throws {
    statement = try db.cachedStatement(sql: sql)
  }

  /// Binds the parameters in order (`bind` adds each), runs the statement to its end and
  /// resets it, so it is ready for the next run.
  func run(_ bind: (inout Parameters) -> Void) throws {
    let handle = statement.sqliteStatement
    defer { sqlite3_reset(handle) }
    var parameters = Parameters(handle: handle)
    bind(&parameters)
    assert(parameters.next - 1 == sqlite3_bind_parameter_count(handle), "every parameter of \(statement.sql) is bound")
    let code = sqlite3_step(handle)
    guard code == SQLITE_DONE else {
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))),
        sql: statement.sql)
    }
  }

  /// The statement's parameters, bound in order. Text is copied by SQLite as it is bound.
  struct Parameters {
    fileprivate let handle: SQLiteStatement
    fileprivate var next: Int32 = 1

    mutating func add(_ value: Int64?) {
      if let value { sqlite3_bind_int64(handle, next, value) } else { sqlite3_bind_null(handle, next) }
      next += 1
    }

    mutating func add(_ value: Int?) { add(value.map(Int64.init)) }

    mutating func add(_ value: String?) {
      if var value {
        value.withUTF8 { bytes in
          // An empty buffer may have no address, and a null pointer would bind NULL, not ''.
          if let start = bytes.baseAddress {
            _ = start.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
              sqlite3_bind_text(handle, next, $0, Int32(bytes.count), Self.transient)
            }
          } else {
            sqlite3_bind_text(handle, next, "", 0, Self.transient)
          }
        }
      } else {
        sqlite3_bind_null(handle, next)
      }
      next += 1
    }

    /// SQLite's SQLITE_TRANSIENT (copy the value now), which Swift cannot import as a macro.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
  }
}
