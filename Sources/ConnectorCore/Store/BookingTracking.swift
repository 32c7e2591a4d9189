import GRDB

/// The PPMP change check's memory (`tracked_booking`) and the events documents it fills
/// (`appointment_event`, `change_request`, `events_sealed`).
extension ConnectorState {
  private static let trackedColumns = "he_msg_id, booking_id, appointment_id, resource_id, start, status, in_horizon, closed_by"

  private static func tracked(_ row: Row) -> TrackedBooking {
    TrackedBooking(
      heMsgId: row[0], bookingId: row[1], appointmentID: row[2],
      last: AppointmentSighting(resourceID: row[3], start: row[4], status: row[5]), inHorizon: row[6],
      closedBy: (row[7] as String?).flatMap(TrackedBooking.Closure.init(rawValue:)))
  }

  /// Confirmed bookings of the journal the check does not track yet: (heMsgId, bookingId, appointment).
  public func untrackedBookings() throws -> [(heMsgId: String, bookingId: String, appointmentID: Int64)] {
    try read("reading the journal in") { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT m.msg_key, COALESCE(m.booking_id, ''), m.appointment_id FROM message m
          WHERE m.kind = 'booking' AND m.outcome = 'confirmInsert' AND m.appointment_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM tracked_booking t WHERE t.he_msg_id = m.msg_key)
          ORDER BY m.msg_key
          """
      ).map { ($0[0], $0[1], $0[2]) }
    }
  }

  /// The open tracked bookings inside the horizon now (dates from `today`) or at the last check.
  public func trackedBookingsToCheck(today: String) throws -> [TrackedBooking] {
    try read("reading tracked bookings in") { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT \(Self.trackedColumns) FROM tracked_booking WHERE closed_by IS NULL AND (in_horizon = 1 OR start >= ?)
          ORDER BY he_msg_id
          """,
        arguments: [today]
      ).map(Self.tracked)
    }
  }

  /// Tracked bookings by heMsgId.
  public func trackedBookings(heMsgIds: [String]) throws -> [String: TrackedBooking] {
    try read("reading tracked bookings in") { db in
      let statement = try db.cachedStatement(sql: "SELECT \(Self.trackedColumns) FROM tracked_booking WHERE he_msg_id = ?")
      var found: [String: TrackedBooking] = [:]
      for id in heMsgIds {
        if let row = try Row.fetchOne(statement, arguments: [id]) { found[id] = Self.tracked(row) }
      }
      return found
    }
  }

  /// Of `heMsgIds`, those a Healthengine cancellation was confirmed for.
  public func cancelledByHealthengine(_ heMsgIds: [String]) throws -> Set<String> {
    guard !heMsgIds.isEmpty else { return [] }
    return try read("reading the journal in") { db in
      let statement = try db.cachedStatement(
        sql: "SELECT 1 FROM message WHERE he_msg_id = ? AND kind = 'cancellation' AND outcome = 'confirmUpdate' LIMIT 1")
      return Set(try heMsgIds.filter { try Bool.fetchOne(statement, arguments: [$0]) != nil })
    }
  }

  /// Remembers tracked bookings (new ones, or changed ones) in one transaction; with `sequence`,
  /// `events` are sealed into that events document in the same transaction, so an event is
  /// never remembered as reported without being kept for its file.
  public func saveTracking(_ bookings: [TrackedBooking], events: [AppointmentEvent] = [], sealing sequence: Int64? = nil) throws {
    guard !bookings.isEmpty || sequence != nil else { return }
    try write("recording tracked bookings in") { db in
      let upsert = try db.cachedStatement(
        sql: """
          INSERT INTO tracked_booking (\(Self.trackedColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT(he_msg_id) DO UPDATE SET appointment_id = excluded.appointment_id, resource_id = excluded.resource_id,
            start = excluded.start, status = excluded.status, in_horizon = excluded.in_horizon, closed_by = excluded.closed_by
          """)
      for b in bookings {
        try upsert.execute(arguments: [
          b.heMsgId, b.bookingId, b.appointmentID, b.last.resourceID, b.last.start, b.last.status, b.inHorizon,
          b.closedBy?.rawValue,
        ])
      }
      guard let sequence else { return }
      let insert = try db.cachedStatement(
        sql: """
          INSERT INTO appointment_event (sequence, ordinal, name, he_msg_id, booking_id, appointment_id, reason, from_start,
                                         to_start, resource_id, request_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      for (i, e) in events.enumerated() {
        var reason: String?
        var from: String?
        var to: String?
        var resource: Int64?
        switch e.kind {
        case .cancel(let r): reason = r.rawValue
        case .moved(let f, let t, let id): (from, to, resource) = (f, t, id)
        case .didNotAttend, .noChange: break
        }
        try insert.execute(arguments: [
          sequence, i, e.kind.name, e.heMsgId, e.bookingId, e.appointmentID, reason, from, to, resource, e.requestId,
        ])
      }
      try db.execute(sql: "INSERT OR IGNORE INTO events_sealed (sequence) VALUES (?)", arguments: [sequence])
    }
  }

  /// Events documents reserved and not yet finished, oldest first, with whether each is sealed
  /// (its events decided and kept) or still open to change requests.
  public func pendingEventDocuments() throws -> [(record: PublicationRecord, sealed: Bool)] {
    let pending = try publications(status: .pending, kind: .events)
    guard !pending.isEmpty else { return [] }
    let sealed = try read("reading events in") { db in
      Set(try Int64.fetchAll(db, sql: "SELECT sequence FROM events_sealed"))
    }
    return pending.map { ($0, sealed.contains($0.sequence)) }
  }

  /// The events sealed into document `sequence`, in order.
  public func events(in sequence: Int64) throws -> [AppointmentEvent] {
    try read("reading events in") { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT name, he_msg_id, booking_id, appointment_id, reason, from_start, to_start, resource_id, request_id
          FROM appointment_event WHERE sequence = ? ORDER BY ordinal
          """, arguments: [sequence]
      ).compactMap { row in
        let kind: AppointmentEvent.Kind
        switch row[0] as String {
        case "cancel":
          guard let reason = TrackedBooking.Closure(rawValue: row[4] ?? "") else { return nil }
          kind = .cancel(reason: reason)
        case "didNotAttend": kind = .didNotAttend
        case "pmsAppointmentMoved": kind = .moved(from: row[5] ?? "", to: row[6] ?? "", resourceID: row[7] ?? 0)
        case "noPmsAppointmentChange": kind = .noChange
        default: return nil
        }
        return AppointmentEvent(kind: kind, heMsgId: row[1], bookingId: row[2], appointmentID: row[3], requestId: row[8])
      }
    }
  }

  /// Adds change requests (requestId, heMsgId) to the open events document `sequence`.
  public func addChangeRequests(_ requests: [(requestID: String, heMsgId: String)], to sequence: Int64) throws {
    guard !requests.isEmpty else { return }
    try write("recording a change request in") { db in
      let statement = try db.cachedStatement(
        sql: "INSERT OR IGNORE INTO change_request (sequence, request_id, he_msg_id) VALUES (?, ?, ?)")
      for r in requests { try statement.execute(arguments: [sequence, r.requestID, r.heMsgId]) }
    }
  }

  /// The change requests document `sequence` answers, in the order they came.
  public func changeRequests(_ sequence: Int64) throws -> [(requestID: String, heMsgId: String)] {
    try read("reading change requests in") { db in
      try Row.fetchAll(
        db, sql: "SELECT request_id, he_msg_id FROM change_request WHERE sequence = ? ORDER BY rowid", arguments: [sequence]
      ).map { ($0[0], $0[1]) }
    }
  }
}
