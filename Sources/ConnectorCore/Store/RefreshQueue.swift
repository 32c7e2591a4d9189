import GRDB

/// The refresh documents waiting to be written and what each must hold (`refresh_item`): ingest
/// adds to the open one, the run's refresh step writes it after the export.
extension ConnectorState {
  /// `refresh_item.sequence` of items that wait for whichever refresh is written next (days put
  /// in unasked need no file name in a receipt, so they reserve no sequence before the export).
  public static let nextRefresh: Int64 = 0

  /// Refreshes reserved and not yet finished, oldest first.
  public func pendingRefreshes() throws -> [PublicationRecord] {
    try publications(status: .pending, kind: .refresh)
  }

  /// Reserves the sequence (the publication counter) of a document outside the delta chain
  /// (refresh, events, liveness) and its free name in `outbox`, `<kind>-<practiceId>-<sequence>.xml`.
  public func reserveDocument(_ kind: PublicationKind, practiceID: String, outbox: String, asOf: String) throws -> PublicationRecord {
    precondition(!kind.isChained, "snapshots and deltas are reserved by the export")
    return try write("reserving a publication sequence in") { db in
      let next = (try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM publication") ?? 0) + 1
      let name = FileSystem.freeName(in: outbox, for: "\(kind.filePrefix)-\(practiceID)-\(next).xml")
      try db.execute(
        sql: "INSERT INTO publication (sequence, kind, status, file, as_of) VALUES (?, ?, 'pending', ?, ?)",
        arguments: [next, kind.rawValue, name, asOf])
      return PublicationRecord(
        sequence: next, kind: kind, status: .pending, file: name, fileSHA256: "", snapshotSHA256: "", asOf: asOf,
        baseSequence: nil)
    }
  }

  /// Adds items to the refresh `sequence`; an item already there for the same request is kept once.
  public func addRefreshItems(_ items: [(item: RefreshItem, requestID: String?)], to sequence: Int64) throws {
    guard !items.isEmpty else { return }
    try write("recording a refresh item in") { db in
      let statement = try db.cachedStatement(
        sql: "INSERT OR IGNORE INTO refresh_item (sequence, item, request_id) VALUES (?, ?, ?)")
      for i in items { try statement.execute(arguments: [sequence, i.item.text, i.requestID ?? ""]) }
    }
  }

  /// Gives the items waiting for the next refresh to refresh `sequence`.
  public func assignWaitingRefreshItems(to sequence: Int64) throws {
    try write("recording a refresh item in") { db in
      try db.execute(
        sql: """
          INSERT OR IGNORE INTO refresh_item (sequence, item, request_id)
            SELECT ?, item, request_id FROM refresh_item WHERE sequence = ?;
          DELETE FROM refresh_item WHERE sequence = ?;
          """, arguments: [sequence, Self.nextRefresh, Self.nextRefresh])
    }
  }

  /// What the refresh `sequence` must hold, and the requests it answers in the order they came.
  public func refreshItems(_ sequence: Int64) throws -> (items: Set<RefreshItem>, requestIDs: [String]) {
    try read("reading refresh items in") { db in
      var items = Set<RefreshItem>()
      var requestIDs: [String] = []
      for row in try Row.fetchAll(
        db, sql: "SELECT item, request_id FROM refresh_item WHERE sequence = ? ORDER BY rowid", arguments: [sequence])
      {
        if let item = RefreshItem(text: row[0]) { items.insert(item) }
        let id: String = row[1]
        if !id.isEmpty, !requestIDs.contains(id) { requestIDs.append(id) }
      }
      return (items, requestIDs)
    }
  }
}
