import GRDB

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
    try write("recording an archive in") { db in
      try db.execute(
        sql: "INSERT INTO archive (\(Self.archiveColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        arguments: [
          a.sequence, a.name, a.path, a.codec, a.fileSHA256, a.tarSHA256, a.previousTarSHA256, a.payloadFiles,
          a.payloadBytes, a.fileBytes, a.baggingDate, a.firstFileDate, a.lastFileDate,
        ])
      // One prepared statement for the whole index: a bag of receipts holds hundreds of
      // thousands of ids, and parsing the INSERT for each was most of the archive's time.
      let insert = try db.makeStatement(
        sql: "INSERT OR IGNORE INTO archive_message (he_msg_id, sequence, member) VALUES (?, ?, ?)")
      // In key order (SQLite's bytewise order): random ids made every insert land on another
      // index page, and once the index outgrew the page cache each one spilled pages to disk.
      let ordered = messages.sorted {
        $0.heMsgId == $1.heMsgId
          ? $0.member.utf8.lexicographicallyPrecedes($1.member.utf8)
          : $0.heMsgId.utf8.lexicographicallyPrecedes($1.heMsgId.utf8)
      }
      for m in ordered {
        try insert.execute(arguments: [m.heMsgId, a.sequence, m.member])
      }
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
