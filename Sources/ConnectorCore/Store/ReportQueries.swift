import GRDB

/// Messages the journal recorded on one day, grouped by kind, outcome and reason.
public struct JournalDayCount: Sendable, Equatable {
  /// `YYYY-MM-DD`, the practice date of the run that processed them.
  public var day: String
  /// `booking` or `cancellation`.
  public var kind: String
  /// `confirmInsert`, `rejectInsert`, `confirmUpdate`, `rejectUpdate` (or `pending`).
  public var outcome: String
  /// The reject reason code, for rejections.
  public var reason: String?
  public var count: Int
}

/// A drop as the journal recorded its claim.
public struct DropClaim: Sendable, Equatable {
  /// The practice time of the run that claimed it.
  public var claimedAt: String
  public var originalName: String
  /// `claimed`, `answered`, `rejected` or `done`.
  public var status: String
  public var answerName: String?
}

/// The read-only questions the HTML reports ask of the journal.
extension ConnectorState {
  /// Message outcomes per day, oldest day first.
  public func journalCountsByDay() throws -> [JournalDayCount] {
    try read("reading the journal in") { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT substr(processed_at, 1, 10) AS day, kind, outcome, reason, COUNT(*) FROM message
          GROUP BY day, kind, outcome, reason ORDER BY day, kind, outcome, reason
          """
      ).map { JournalDayCount(day: $0[0], kind: $0[1], outcome: $0[2], reason: $0[3], count: $0[4]) }
    }
  }

  /// The last `limit` drop claims, newest first.
  public func recentDropClaims(limit: Int = 50) throws -> [DropClaim] {
    try read("reading drops in") { db in
      try Row.fetchAll(
        db,
        sql: "SELECT claimed_at, original_name, status, answer_name FROM drop_file ORDER BY claimed_at DESC, id DESC LIMIT ?",
        arguments: [limit]
      ).map { DropClaim(claimedAt: $0[0], originalName: $0[1], status: $0[2], answerName: $0[3]) }
    }
  }

  /// Drops claimed per day (`YYYY-MM-DD` → count).
  public func dropClaimsByDay() throws -> [String: Int] {
    try read("reading drops in") { db in
      var out: [String: Int] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT substr(claimed_at, 1, 10), COUNT(*) FROM drop_file GROUP BY 1") {
        out[row[0]] = row[1]
      }
      return out
    }
  }
}
