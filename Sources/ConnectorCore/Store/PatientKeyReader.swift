import GRDB

/// Looks patients up in the connector's key index (`patient_key` in state/connector.sqlite) on a
/// read-only connection of its own, inside one read transaction held from the first lookup
/// until `end()`: a drop's thousands of lookups then share one lock and one page cache, where
/// each lookup in a transaction of its own took the file lock and re-checked the file.
/// `end()` must come before the state is written (the journal, the review queue, the index).
public final class PatientKeyReader {
  public let path: String
  private var queue: DatabaseQueue?
  private var isReading = false

  public init(path: String) { self.path = path }

  /// Ends the read transaction (nothing to do when none is open).
  public func end() throws {
    guard isReading, let queue else { return }
    isReading = false
    try guarded("ending a read of") { _ in try queue.inDatabase { try $0.commit() } }
  }

  /// Frees the connection's page cache between lookups (`watch`, after each cycle); nothing
  /// while a read is open.
  public func releaseMemory() {
    guard !isReading, let queue else { return }
    queue.releaseMemory()
  }

  /// Ids of indexed patients whose keys are exactly these, lowest first: one index lookup.
  public func patientIDs(first: String, last: String, dob: String) throws -> [Int64] {
    try read("matching patients in") { db in
      try Int64.fetchAll(
        db.cachedStatement(
          sql: "SELECT patient_id FROM patient_key WHERE dob_key = ? AND last_key = ? AND first_key = ? ORDER BY patient_id"),
        arguments: [dob, last, first])
    }
  }

  /// Indexed patients that could be near matches: the same date of birth, the same names with
  /// one of `nearDOBs` (at most three: the dates the ranker counts as near), or the same mobile. A patient found twice comes twice, in no set order: the caller merges
  /// (a distinct, sorted UNION, like an IN list, cost a temporary table per booking). Same names with any other
  /// date of birth can never qualify, and a common name has hundreds of files.
  public func nearPatients(first: String, last: String, dob: String, nearDOBs: [String], mobile: String?) throws -> [PatientKeyHit] {
    precondition(nearDOBs.count <= 3, "nearPatients takes at most three near dates of birth")
    // The statement has three near-date branches: fewer dates repeat one (or the date itself).
    var near = nearDOBs
    while near.count < 3 { near.append(near.last ?? dob) }
    return try read("finding near matches in") { db in
      // A cursor hands out each row in place; fetchAll copied every one first.
      var hits: [PatientKeyHit] = []
      let rows = try Row.fetchCursor(
        db.cachedStatement(
          sql: """
            SELECT patient_id, first_key, last_key, dob_key, mobile_key FROM patient_key WHERE dob_key = ?
            UNION ALL SELECT patient_id, first_key, last_key, dob_key, mobile_key FROM patient_key
              WHERE dob_key = ? AND last_key = ? AND first_key = ?
            UNION ALL SELECT patient_id, first_key, last_key, dob_key, mobile_key FROM patient_key
              WHERE dob_key = ? AND last_key = ? AND first_key = ?
            UNION ALL SELECT patient_id, first_key, last_key, dob_key, mobile_key FROM patient_key
              WHERE dob_key = ? AND last_key = ? AND first_key = ?
            UNION ALL SELECT patient_id, first_key, last_key, dob_key, mobile_key FROM patient_key WHERE mobile_key = ?
            """),
        arguments: [dob, near[0], last, first, near[1], last, first, near[2], last, first, mobile])
      while let row = try rows.next() {
        hits.append(PatientKeyHit(patientID: row[0], first: row[1], last: row[2], dob: row[3], mobile: row[4]))
      }
      return hits
    }
  }

  private func read<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
    try guarded(what) { queue in
      try queue.inDatabase { db in
        if !isReading {
          try db.beginTransaction(.deferred)
          isReading = true
        }
        return try body(db)
      }
    }
  }

  private func guarded<T>(_ what: String, _ body: (DatabaseQueue) throws -> T) throws -> T {
    do {
      if queue == nil {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        config.label = "patient-keys"
        // The read transaction deliberately outlives each `inDatabase` call.
        config.allowsUnsafeTransactions = true
        // A drop's lookups land all over the index (tens of MB at 200,000 patients): with
        // SQLite's 2 MiB default each one re-read its pages from the OS. Bounded, like PPMP's.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -32768") }
        queue = try SQLiteSettings.openQueue(path: path, configuration: config)
      }
      return try body(queue!)
    } catch let error as DatabaseError {
      throw StoreError.from(error, what, path)
    }
  }
}
