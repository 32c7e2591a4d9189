import GRDB

extension ConnectorState {
  /// Queues bookings for review; an heMsgId already queued keeps its first item (a re-delivery
  /// never reopens or changes it).
  public func enqueueReview(_ items: [ReviewItem]) throws {
    guard !items.isEmpty else { return }
    try write("queueing bookings for review in") { db in
      let item = try DirectStatement(
        db,
        sql: """
          INSERT OR IGNORE INTO review_item (he_msg_id, appointment_id, new_patient_id, patient_match, queued_at, status)
          VALUES (?, ?, ?, ?, ?, 'open')
          """)
      let candidate = try DirectStatement(
        db, sql: "INSERT INTO review_candidate (he_msg_id, rank, patient_id, score, agreement) VALUES (?, ?, ?, ?, ?)")
      for i in items {
        try item.run { p in
          p.add(i.heMsgId)
          p.add(i.appointmentID)
          p.add(i.newPatientID)
          p.add(i.match.rawValue)
          p.add(i.queuedAt)
        }
        guard db.changesCount > 0 else { continue }
        for (rank, c) in i.candidates.enumerated() {
          try candidate.run { p in
            p.add(i.heMsgId)
            p.add(rank + 1)
            p.add(c.patientID)
            p.add(c.score)
            p.add(c.agreement.codes.joined(separator: ","))
          }
        }
      }
    }
  }

  /// Review items, oldest first (then by heMsgId); only open ones unless `all`.
  public func reviewItems(all: Bool = false) throws -> [ReviewItem] {
    try read("reading the review queue in") { db in
      let rows = try Row.fetchAll(
        db,
        sql: "SELECT \(Self.reviewColumns) FROM review_item" + (all ? "" : " WHERE status = 'open'")
          + " ORDER BY queued_at, he_msg_id")
      return try rows.map { try Self.reviewItem($0, db) }
    }
  }

  /// One review item by heMsgId.
  public func reviewItem(heMsgId: String) throws -> ReviewItem? {
    try read("reading the review queue in") { db in
      try Row.fetchOne(db, sql: "SELECT \(Self.reviewColumns) FROM review_item WHERE he_msg_id = ?", arguments: [heMsgId])
        .map { try Self.reviewItem($0, db) }
    }
  }

  /// Open items queued before `time` (practice time `YYYY-MM-DD HH:MM`), and all open items.
  public func openReviewCounts(queuedBefore time: String) throws -> (older: Int, open: Int) {
    try read("reading the review queue in") { db in
      let row = try Row.fetchOne(
        db,
        sql: "SELECT COALESCE(SUM(queued_at < ?), 0), COUNT(*) FROM review_item WHERE status = 'open'",
        arguments: [time])
      return (row?[0] ?? 0, row?[1] ?? 0)
    }
  }

  /// Closes an open item.
  public func closeReview(heMsgId: String, status: ReviewItem.Status, linkedPatientID: Int64?, at time: String) throws {
    try write("closing a review item in") { db in
      try db.execute(
        sql: """
          UPDATE review_item SET status = ?, linked_patient_id = ?, resolved_at = ?
          WHERE he_msg_id = ? AND status = 'open'
          """, arguments: [status.rawValue, linkedPatientID, time, heMsgId])
    }
  }

  private static let reviewColumns =
    "he_msg_id, appointment_id, new_patient_id, patient_match, queued_at, status, resolved_at, linked_patient_id"

  private static func reviewItem(_ row: Row, _ db: Database) throws -> ReviewItem {
    let id: String = row[0]
    let candidates = try Row.fetchAll(
      db.cachedStatement(
        sql: "SELECT patient_id, score, agreement FROM review_candidate WHERE he_msg_id = ? ORDER BY rank"),
      arguments: [id]
    ).map { ReviewCandidate(patientID: $0[0], score: $0[1], agreement: MatchAgreement(codes: ($0[2] as String).split(separator: ","))) }
    return ReviewItem(
      heMsgId: id, appointmentID: row[1], newPatientID: row[2],
      match: PatientMatch(rawValue: row[3]) ?? .createdNoMatch, queuedAt: row[4],
      status: ReviewItem.Status(rawValue: row[5]) ?? .open, resolvedAt: row[6], linkedPatientID: row[7],
      candidates: candidates)
  }
}
