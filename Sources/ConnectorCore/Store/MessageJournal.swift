import GRDB

/// What the journal remembers about one message key: its answer, and what it is compared on
/// when the message comes again.
public struct JournalEntry: Sendable, Equatable {
  public var outcome: MessageOutcome
  /// SHA-256 of the message's content; nil for a booking rebuilt from PPMP's tokens after the
  /// state was lost, whose content is gone.
  public var contentSHA256: String?
  /// Where a rebuilt booking was placed (nil for messages the connector answered itself).
  public var placement: BookingPlacement?

  public init(outcome: MessageOutcome, contentSHA256: String?, placement: BookingPlacement? = nil) {
    self.outcome = outcome
    self.contentSHA256 = contentSHA256
    self.placement = placement
  }
}

/// Where a drop is in its life (the `drop_file.status` column).
public enum DropStatus: String, Sendable {
  /// Claimed into work/, not answered yet.
  case claimed
  /// Its receipt is in the outbox; the bookkeeping after it is not finished.
  case answered
  /// Answered with a rejection notice and moved to rejected/.
  case rejected
  /// Answered and staged: finished.
  case done
}

/// The drop rows of the journal.
public struct DropRecord: Sendable, Equatable {
  public var id: Int64
  public var originalName: String
  public var workName: String
  public var sha256: String
  public var attempts: Int
  public var status: DropStatus
  public var answerName: String?
  public var lastError: String?
}

extension ConnectorState {
  private static let journalColumns =
    "outcome, he_msg_id, msg_key, booking_id, reason, detail, appointment_id, patient_id, patient_match, content_sha256, placement, "
    + "request_kind, answer_file"

  private static func journalEntry(_ row: Row) -> JournalEntry? {
    let heMsgId: String = row[1]
    let key: String = row[2]
    let reason = RejectReason(rawValue: row[4] ?? "") ?? .invalidMessage
    let detail: String = row[5] ?? ""
    let outcome: MessageOutcome
    switch row[0] as String {
    case "confirmInsert":
      outcome = .confirmInsert(
        heMsgId: heMsgId, bookingId: row[3] ?? "", appointmentID: row[6] ?? 0, patientID: row[7] ?? 0,
        match: PatientMatch(rawValue: row[8] ?? "") ?? .matched)
    case "rejectInsert": outcome = .rejectInsert(heMsgId: heMsgId, bookingId: row[3] ?? "", reason: reason, detail: detail)
    case "confirmUpdate": outcome = .confirmUpdate(heMsgId: heMsgId, requestId: key, appointmentID: row[6] ?? 0)
    case "rejectUpdate": outcome = .rejectUpdate(heMsgId: heMsgId, requestId: key, reason: reason, detail: detail)
    case "confirmRequest":
      guard let kind = RequestKind(rawValue: row[11] ?? ""), let file: String = row[12] else { return nil }
      outcome = .confirmRequest(requestId: key, kind: kind, file: file)
    case "rejectRequest": outcome = .rejectRequest(requestId: key, reason: reason, detail: detail)
    default: return nil  // `pending` or an unknown word: nothing to answer from
    }
    let content: String = row[9] ?? ""
    return JournalEntry(
      outcome: outcome, contentSHA256: content.isEmpty ? nil : content,
      placement: (row[10] as String?).flatMap(BookingPlacement.init(text:)))
  }

  /// The journal entries of many keys of one kind, read in one read transaction: ingest looks up
  /// every message of a drop, and one read per message (each a transaction of its own) was a
  /// quarter of ingest's CPU. Keys the journal does not know are absent from the result.
  public func journalEntries(kind: MessageKind, keys: [String]) throws -> [String: JournalEntry] {
    guard !keys.isEmpty else { return [:] }
    // A drop's keys in lists of `chunk`, one statement for all: a statement per key cost more
    // than the lookups themselves.
    let chunk = 256
    return try read("reading the journal in") { db in
      let statement = try db.cachedStatement(
        sql: "SELECT \(Self.journalColumns) FROM message WHERE kind = ? AND msg_key IN (\(databaseQuestionMarks(count: chunk)))")
      var found: [String: JournalEntry] = [:]
      for list in PaddedKeyLists.lists(Array(Set(keys)), size: chunk) {
        let rows = try Row.fetchCursor(statement, arguments: StatementArguments([kind.rawValue] + list))
        while let row = try rows.next() {
          if let entry = Self.journalEntry(row) { found[row[2]] = entry }
        }
      }
      return found
    }
  }

  /// The appointment a confirmed booking with this heMsgId went into, if the journal knows it.
  public func confirmedAppointment(heMsgId: String) throws -> Int64? {
    try read("reading the journal in") { db in
      try Int64.fetchOne(
        db, sql: "SELECT appointment_id FROM message WHERE kind = 'booking' AND msg_key = ? AND outcome = 'confirmInsert'",
        arguments: [heMsgId])
    }
  }

  /// Records the outcomes of one drop's messages in one transaction.
  public func record(_ entries: [JournalEntry], dropSHA256: String, at time: String) throws {
    guard !entries.isEmpty else { return }
    try write("writing the journal in") { db in
      let statement = try DirectStatement(
        db,
        sql: """
          INSERT INTO message (kind, msg_key, he_msg_id, booking_id, content_sha256, placement, outcome, reason, detail,
                               appointment_id, patient_id, patient_match, drop_sha256, processed_at, request_kind, answer_file)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT(kind, msg_key) DO UPDATE SET he_msg_id = excluded.he_msg_id, booking_id = excluded.booking_id,
            content_sha256 = excluded.content_sha256, placement = excluded.placement, outcome = excluded.outcome,
            reason = excluded.reason, detail = excluded.detail, appointment_id = excluded.appointment_id,
            patient_id = excluded.patient_id, patient_match = excluded.patient_match,
            drop_sha256 = excluded.drop_sha256, processed_at = excluded.processed_at,
            request_kind = excluded.request_kind, answer_file = excluded.answer_file
          """)
      let track = try DirectStatement(
        db,
        sql: """
          INSERT OR IGNORE INTO tracked_booking (he_msg_id, booking_id, appointment_id, resource_id, start, status, in_horizon)
          VALUES (?, ?, ?, 0, '', '', 1)
          """)
      for e in entries {
        var bookingID: String?
        var reason: String?
        var detail: String?
        var appointmentID: Int64?
        var patientID: Int64?
        var match: String?
        var requestKind: String?
        var answerFile: String?
        switch e.outcome {
        case .confirmInsert(_, let b, let a, let p, let m):
          (bookingID, appointmentID, patientID, match) = (b, a, p, m.rawValue)
        case .rejectInsert(_, let b, let r, let d): (bookingID, reason, detail) = (b, r.rawValue, d)
        case .confirmUpdate(_, _, let a): appointmentID = a
        case .rejectUpdate(_, _, let r, let d), .rejectRequest(_, let r, let d): (reason, detail) = (r.rawValue, d)
        case .confirmRequest(_, let k, let f): (requestKind, answerFile) = (k.rawValue, f)
        }
        try statement.run { p in
          p.add(e.outcome.kind.rawValue)
          p.add(e.outcome.key)
          p.add(e.outcome.heMsgId)
          p.add(bookingID)
          p.add(e.contentSHA256 ?? "")
          p.add(e.placement?.text)
          p.add(e.outcome.name)
          p.add(reason)
          p.add(detail)
          p.add(appointmentID)
          p.add(patientID)
          p.add(match)
          p.add(dropSHA256)
          p.add(time)
          p.add(requestKind)
          p.add(answerFile)
        }
        // A confirmed booking is tracked from here on; the PPMP change check sees it first.
        if case .confirmInsert(let heMsgId, let bookingId, let appointment, _, _) = e.outcome {
          try track.run { p in
            p.add(heMsgId)
            p.add(bookingId)
            p.add(appointment)
          }
        }
      }
    }
  }

  // MARK: drops

  private static func dropRecord(_ row: Row) -> DropRecord {
    DropRecord(
      id: row[0], originalName: row[1], workName: row[2], sha256: row[3], attempts: row[4],
      status: DropStatus(rawValue: row[5]) ?? .claimed,
      answerName: row[6], lastError: row[7])
  }

  /// The open (not finished) record for a file in work/, if any.
  public func openDrop(workName: String, sha256: String) throws -> DropRecord? {
    try read("reading drops in") { db in
      try Row.fetchOne(
        db,
        sql: """
          SELECT id, original_name, work_name, sha256, attempts, status, answer_name, last_error FROM drop_file
          WHERE work_name = ? AND sha256 = ? AND status IN ('claimed', 'answered') ORDER BY id DESC LIMIT 1
          """, arguments: [workName, sha256]
      ).map(Self.dropRecord)
    }
  }

  public func insertDrop(originalName: String, workName: String, sha256: String, at time: String) throws -> DropRecord {
    try write("recording a drop in") { db in
      try db.execute(
        sql: "INSERT INTO drop_file (original_name, work_name, sha256, claimed_at, status) VALUES (?, ?, ?, ?, 'claimed')",
        arguments: [originalName, workName, sha256, time])
      return DropRecord(
        id: db.lastInsertedRowID, originalName: originalName, workName: workName, sha256: sha256, attempts: 0,
        status: .claimed, answerName: nil, lastError: nil)
    }
  }

  public func updateDrop(_ id: Int64, status: DropStatus? = nil, answerName: String? = nil, attempts: Int? = nil, lastError: String? = nil) throws {
    try write("recording a drop in") { db in
      try db.execute(
        sql: """
          UPDATE drop_file SET status = COALESCE(?, status), answer_name = COALESCE(?, answer_name),
            attempts = COALESCE(?, attempts), last_error = COALESCE(?, last_error) WHERE id = ?
          """, arguments: [status?.rawValue, answerName, attempts, lastError, id])
    }
  }

  /// Every confirmed booking with its appointment, by appointment id (for `doctor`).
  public func confirmedBookingAppointments() throws -> [(heMsgId: String, appointmentID: Int64)] {
    try read("reading the journal in") { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT he_msg_id, appointment_id FROM message
          WHERE kind = 'booking' AND outcome = 'confirmInsert' AND appointment_id IS NOT NULL ORDER BY appointment_id
          """
      ).map { ($0[0], $0[1]) }
    }
  }

  /// Points open records of a file in work/ at its new name there.
  public func renameOpenDrops(workName: String, to newName: String) throws {
    try write("recording a drop in") { db in
      try db.execute(
        sql: "UPDATE drop_file SET work_name = ? WHERE work_name = ? AND status IN ('claimed', 'answered')",
        arguments: [newName, workName])
    }
  }

  /// Every drop record, oldest first (for status and tests).
  public func drops() throws -> [DropRecord] {
    try read("reading drops in") { db in
      try Row.fetchAll(
        db, sql: "SELECT id, original_name, work_name, sha256, attempts, status, answer_name, last_error FROM drop_file ORDER BY id"
      ).map(Self.dropRecord)
    }
  }
}
