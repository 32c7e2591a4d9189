import GRDB

/// What the journal remembers about one message key.
public struct JournalEntry: Sendable, Equatable {
  public var kind: String
  public var key: String
  public var heMsgId: String
  public var contentSHA256: String
  public var outcome: String
  public var reason: String?
  public var appointmentID: Int64?
  public var patientID: Int64?
  public var patientMatch: String?

  /// Marks `contentSHA256` of an entry rebuilt from PPMP's HE_MSG_ID tokens after the state was
  /// lost (`AppointmentBook.journalFromTokens`): such an entry knows where the booking was
  /// placed, not the message's content.
  static let placementPrefix = "ppmp-placement:"

  /// For a rebuilt entry, where the booking was placed (`placement(resourceID:start:minutes:)`).
  public var placement: String? {
    contentSHA256.hasPrefix(Self.placementPrefix) ? String(contentSHA256.dropFirst(Self.placementPrefix.count)) : nil
  }

  /// Practitioner, start and length, as a rebuilt entry records them.
  public static func placement(resourceID: Int64, start: String, minutes: Int) -> String {
    "\(resourceID) \(start) \(minutes)"
  }
}

/// The drop rows of the journal.
public struct DropRecord: Sendable, Equatable {
  public var id: Int64
  public var originalName: String
  public var workName: String
  public var sha256: String
  public var attempts: Int
  public var status: String
  public var answerName: String?
  public var lastError: String?
}

extension ConnectorState {
  public func journalEntry(kind: String, key: String) throws -> JournalEntry? {
    try read("reading the journal in") { db in
      // Cached: looked up once per message of every drop.
      try Row.fetchOne(
        db.cachedStatement(
          sql: """
            SELECT kind, msg_key, he_msg_id, content_sha256, outcome, reason, appointment_id, patient_id, patient_match
            FROM message WHERE kind = ? AND msg_key = ?
            """), arguments: [kind, key]
      ).map {
        JournalEntry(
          kind: $0[0], key: $0[1], heMsgId: $0[2], contentSHA256: $0[3], outcome: $0[4], reason: $0[5],
          appointmentID: $0[6], patientID: $0[7], patientMatch: $0[8])
      }
    }
  }

  /// The journal entries of many keys of one kind, read in one read transaction: ingest looks up
  /// every message of a drop, and one read per message (each a transaction of its own) was a
  /// quarter of ingest's CPU. Keys the journal does not know are absent from the result.
  public func journalEntries(kind: String, keys: [String]) throws -> [String: JournalEntry] {
    guard !keys.isEmpty else { return [:] }
    return try read("reading the journal in") { db in
      let statement = try db.cachedStatement(
        sql: """
          SELECT kind, msg_key, he_msg_id, content_sha256, outcome, reason, appointment_id, patient_id, patient_match
          FROM message WHERE kind = ? AND msg_key = ?
          """)
      var found: [String: JournalEntry] = [:]
      for key in keys where found[key] == nil {
        if let row = try Row.fetchOne(statement, arguments: [kind, key]) {
          found[key] = JournalEntry(
            kind: row[0], key: row[1], heMsgId: row[2], contentSHA256: row[3], outcome: row[4], reason: row[5],
            appointmentID: row[6], patientID: row[7], patientMatch: row[8])
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
      for e in entries {
      try db.cachedStatement(
        sql: """
          INSERT INTO message (kind, msg_key, he_msg_id, content_sha256, outcome, reason, appointment_id, patient_id,
                               patient_match, drop_sha256, processed_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT(kind, msg_key) DO UPDATE SET he_msg_id = excluded.he_msg_id,
            content_sha256 = excluded.content_sha256, outcome = excluded.outcome, reason = excluded.reason,
            appointment_id = excluded.appointment_id, patient_id = excluded.patient_id,
            patient_match = excluded.patient_match, drop_sha256 = excluded.drop_sha256,
            processed_at = excluded.processed_at
          """
      ).execute(
        arguments: [
          e.kind, e.key, e.heMsgId, e.contentSHA256, e.outcome, e.reason, e.appointmentID, e.patientID, e.patientMatch,
          dropSHA256, time,
        ])
      }
    }
  }

  // MARK: drops

  private static func dropRecord(_ row: Row) -> DropRecord {
    DropRecord(
      id: row[0], originalName: row[1], workName: row[2], sha256: row[3], attempts: row[4], status: row[5],
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
        status: "claimed", answerName: nil, lastError: nil)
    }
  }

  public func updateDrop(_ id: Int64, status: String? = nil, answerName: String? = nil, attempts: Int? = nil, lastError: String? = nil) throws {
    try write("recording a drop in") { db in
      try db.execute(
        sql: """
          UPDATE drop_file SET status = COALESCE(?, status), answer_name = COALESCE(?, answer_name),
            attempts = COALESCE(?, attempts), last_error = COALESCE(?, last_error) WHERE id = ?
          """, arguments: [status, answerName, attempts, lastError, id])
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
