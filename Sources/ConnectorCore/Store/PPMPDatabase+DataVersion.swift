import GRDB

extension PPMPDatabase {
  /// SQLite's `PRAGMA data_version` on the connector's own long-lived connection: it changes
  /// when another connection (PPMP, a reception desk, a script) commits to the book, and not for
  /// the connector's own writes. `watch` compares it between polls to publish others' changes.
  public func dataVersion() throws -> Int64 {
    do {
      return try queue.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    } catch let error as DatabaseError {
      throw StoreError.from(error, "reading the data version of", path)
    }
  }

  /// `PRAGMA data_version` inside the caller's transaction: it starts the transaction's read,
  /// so the value describes the snapshot the rest of the transaction sees.
  public static func dataVersion(_ db: Database) throws -> Int64 {
    try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
  }
}
