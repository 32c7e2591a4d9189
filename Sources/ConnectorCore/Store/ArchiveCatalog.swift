import Foundation
import GRDB
import GRDBSQLite

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

  /// Records an archive and its heMsgId index, in one transaction.
  public func recordArchive(_ a: ArchiveRecord, index: ArchiveMessageIndex) throws {
    try write("recording an archive in") { db in
      try Self.insertIndex(db, sequence: a.sequence, index)
      try Self.insertArchive(db, a)
    }
  }

  /// Records an archive whose index `recordArchiveIndex` already wrote.
  public func recordArchive(_ a: ArchiveRecord) throws {
    try write("recording an archive in") { db in try Self.insertArchive(db, a) }
  }

  /// Writes the heMsgId index of the archive that will get `sequence`, before that archive is
  /// recorded, so the archiver can write it while the archive is still being read back. A row
  /// left by a run that stopped before recording its archive is replaced by the next archive
  /// (or adoption) under that sequence, and `find` only looks up recorded archives. An
  /// incomplete index (see `ArchiveMessageIndex.isComplete`) leaves no row.
  public func recordArchiveIndex(sequence: Int64, _ index: ArchiveMessageIndex) throws {
    try write("indexing an archive in") { db in try Self.insertIndex(db, sequence: sequence, index) }
  }

  private static func insertArchive(_ db: Database, _ a: ArchiveRecord) throws {
    try db.execute(
      sql: "INSERT INTO archive (\(archiveColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      arguments: [
        a.sequence, a.name, a.path, a.codec, a.fileSHA256, a.tarSHA256, a.previousTarSHA256, a.payloadFiles,
        a.payloadBytes, a.fileBytes, a.baggingDate, a.firstFileDate, a.lastFileDate,
      ])
  }

  private static func insertIndex(_ db: Database, sequence: Int64, _ index: ArchiveMessageIndex) throws {
    try db.execute(sql: "DELETE FROM archive_index WHERE sequence = ?", arguments: [sequence])
    guard index.isComplete else { return }
    let insert = try db.makeStatement(sql: "INSERT INTO archive_index (sequence, members, mentions) VALUES (?, ?, ?)")
    try insert.setArguments([sequence, index.memberText, Data()])
    // The entries are bound in place (SQLITE_STATIC, valid for the step) rather than through a
    // Data argument: an archive's index runs to tens of megabytes, and each copy was another
    // that much of peak memory.
    try index.withBlob { blob in
      let code = sqlite3_bind_blob(insert.sqliteStatement, 3, blob.baseAddress, Int32(blob.count), nil)
      guard code == SQLITE_OK else { throw Self.blobError(db, code) }
      try insert.execute()
    }
  }

  /// Recorded archives whose heMsgId index is in the catalog.
  public func indexedArchives() throws -> Set<Int64> {
    try read("reading the archive index in") { db in
      Set(try Int64.fetchAll(db, sql: "SELECT sequence FROM archive_index JOIN archive USING (sequence)"))
    }
  }

  /// Archive members that may mention `heMsgId`, from the index (candidates: see
  /// `ArchiveMessageIndex`). Each archive's entries are searched in place through SQLite's
  /// incremental blob reads, so a lookup reads a few pages per archive, not the whole index.
  public func archiveMembers(heMsgId: String) throws -> [(sequence: Int64, member: String)] {
    try read("reading the archive index in") { db in
      var found: [(Int64, String)] = []
      let rows = try Row.fetchAll(
        db, sql: "SELECT sequence, length(mentions) FROM archive_index JOIN archive USING (sequence) ORDER BY sequence")
      for row in rows {
        let sequence: Int64 = row[0]
        let count = (row[1] as Int) / 8
        guard count > 0 else { continue }
        var blob: OpaquePointer?
        var code = sqlite3_blob_open(db.sqliteConnection, "main", "archive_index", "mentions", sequence, 0, &blob)
        defer { sqlite3_blob_close(blob) }
        guard code == SQLITE_OK else { throw Self.blobError(db, code) }
        var word: UInt64 = 0
        let ordinals = try ArchiveMessageIndex.candidateOrdinals(of: heMsgId, count: count) { i in
          code = sqlite3_blob_read(blob, &word, 8, Int32(i * 8))
          guard code == SQLITE_OK else { throw Self.blobError(db, code) }
          return UInt64(littleEndian: word)
        }
        guard !ordinals.isEmpty else { continue }
        let text = try String.fetchOne(db, sql: "SELECT members FROM archive_index WHERE sequence = ?", arguments: [sequence]) ?? ""
        let members = ArchiveMessageIndex.members(fromText: text)
        for ordinal in ordinals where Int(ordinal) < members.count { found.append((sequence, members[Int(ordinal)])) }
      }
      return found.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }
  }

  private static func blobError(_ db: Database, _ code: Int32) -> DatabaseError {
    DatabaseError(
      resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
      sql: "archive_index.mentions")
  }
}
