import GRDB
import GRDBSQLite

/// SQLite copies bound text (SQLITE_TRANSIENT, which the Swift importer does not bring over).
private let archiveTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// One archive as the catalog records it.
public struct ArchiveRecord: Sendable, Equatable {
  public var sequence: Int64
  public var name: String
  /// Relative to the spool's `archive/` folder, e.g. `2026-11/demo-3.tar.zst`.
  public var path: String
  public var codec: String
  public var fileSHA256: String
  public var tarSHA256: String
  public var previousTarSHA256: String
  public var payloadFiles: Int
  public var payloadBytes: Int64
  public var fileBytes: Int64
  public var baggingDate: String
  public var firstFileDate: String?
  public var lastFileDate: String?
}

/// The archive catalog in `state/connector.sqlite`: what was archived, the chain hashes, and an
/// index from heMsgId to the archive members that mention it (`audit find`).
extension ConnectorState {
  private static let archiveColumns =
    "sequence, name, path, codec, file_sha256, tar_sha256, previous_tar_sha256, payload_files, payload_bytes, file_bytes, bagging_date, first_file_date, last_file_date"

  private static func archiveRecord(_ r: Row) -> ArchiveRecord {
    ArchiveRecord(
      sequence: r[0], name: r[1], path: r[2], codec: r[3], fileSHA256: r[4], tarSHA256: r[5], previousTarSHA256: r[6],
      payloadFiles: r[7], payloadBytes: r[8], fileBytes: r[9], baggingDate: r[10], firstFileDate: r[11], lastFileDate: r[12])
  }

  public func archives() throws -> [ArchiveRecord] {
    try read("reading the archive catalog in") { db in
      try Row.fetchAll(db, sql: "SELECT \(Self.archiveColumns) FROM archive ORDER BY sequence").map(Self.archiveRecord)
    }
  }

  public func lastArchive() throws -> ArchiveRecord? {
    try read("reading the archive catalog in") { db in
      try Row.fetchOne(db, sql: "SELECT \(Self.archiveColumns) FROM archive ORDER BY sequence DESC LIMIT 1").map(Self.archiveRecord)
    }
  }

  /// Records an archive and its heMsgId index in one transaction.
  public func recordArchive(_ a: ArchiveRecord, messages: [(heMsgId: String, member: String)]) throws {
    try beginArchiveIndex()
    try appendArchiveIndex(messages)
    try recordArchive(a)
  }

  /// Empties the pending heMsgId index (a temporary table of this connection), so an archive
  /// can add its ids in batches while its files stream (`appendArchiveIndex`) and memory stays
  /// flat however many ids a bag holds. Nothing pending is durable: `recordArchive(_:)` moves it
  /// into `archive_message` in the transaction that records the archive.
  public func beginArchiveIndex() throws {
    try write("preparing the archive index in") { db in
      try db.execute(
        sql: "CREATE TEMP TABLE IF NOT EXISTS archive_message_pending (he_msg_id TEXT NOT NULL, member TEXT NOT NULL)")
      try db.execute(sql: "DELETE FROM temp.archive_message_pending")
      // The pending ids (about 50 bytes each) fit in 16 MB per 300,000; beyond that SQLite spills
      // them to a temporary file instead of growing, and a smaller cache spilled every batch.
      try db.execute(sql: "PRAGMA temp.cache_size = -16384")
    }
  }

  /// Adds heMsgId → member pairs to the pending index.
  public func appendArchiveIndex(_ messages: [(heMsgId: String, member: String)]) throws {
    guard !messages.isEmpty else { return }
    try write("indexing an archive in") { db in
      let insert = try db.cachedStatement(sql: "INSERT INTO temp.archive_message_pending (he_msg_id, member) VALUES (?, ?)")
      // Bound through the C API: a bag of receipts holds about a million ids, and GRDB's
      // per-row argument boxing was a fifth of the archive's CPU.
      let handle = insert.sqliteStatement
      for m in messages {
        var code = Self.bindText(handle, 1, m.heMsgId)
        if code == SQLITE_OK { code = Self.bindText(handle, 2, m.member) }
        if code == SQLITE_OK { code = sqlite3_step(handle) }
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
          throw DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
            sql: insert.sql)
        }
      }
      sqlite3_clear_bindings(handle)
    }
  }

  private static func bindText(_ handle: SQLiteStatement, _ index: Int32, _ text: String) -> Int32 {
    var text = text
    return text.withUTF8 { bytes -> Int32 in
      // An empty id is still a value: a nil pointer would bind NULL.
      guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, archiveTransient) }
      return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
        sqlite3_bind_text(handle, index, $0, Int32(bytes.count), archiveTransient)
      }
    }
  }

  /// Records an archive and moves the pending index (`appendArchiveIndex`) into `archive_message`,
  /// in one transaction.
  public func recordArchive(_ a: ArchiveRecord) throws {
    try write("recording an archive in") { db in
      try db.execute(
        sql: "INSERT INTO archive (\(Self.archiveColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        arguments: [
          a.sequence, a.name, a.path, a.codec, a.fileSHA256, a.tarSHA256, a.previousTarSHA256, a.payloadFiles,
          a.payloadBytes, a.fileBytes, a.baggingDate, a.firstFileDate, a.lastFileDate,
        ])
      // In key order (SQLite's bytewise order): random ids made every insert land on another
      // index page, and once the index outgrew the page cache each one spilled pages to disk.
      // SQLite's own sorter orders them, spilling to temporary files rather than holding them.
      try db.execute(
        sql: """
          INSERT OR IGNORE INTO archive_message (he_msg_id, sequence, member)
          SELECT he_msg_id, ?, member FROM temp.archive_message_pending ORDER BY he_msg_id, member
          """,
        arguments: [a.sequence])
      try db.execute(sql: "DELETE FROM temp.archive_message_pending")
    }
  }

  /// Archive members that mention `heMsgId`, from the index.
  public func archiveMembers(heMsgId: String) throws -> [(sequence: Int64, member: String)] {
    try read("reading the archive index in") { db in
      try Row.fetchAll(
        db, sql: "SELECT sequence, member FROM archive_message WHERE he_msg_id = ? ORDER BY sequence, member",
        arguments: [heMsgId]
      ).map { ($0[0], $0[1]) }
    }
  }
}
