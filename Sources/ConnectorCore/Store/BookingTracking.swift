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

  /// Confirmed bookings the check has not seen yet (the journal adds them with an empty
  /// `start`): (heMsgId, bookingId, appointment).
  public func untrackedBookings() throws -> [(heMsgId: String, bookingId: String, appointmentID: Int64)] {
    try read("reading tracked bookings in") { db in
      try Row.fetchAll(
        db, sql: "SELECT he_msg_id, booking_id, appointment_id FROM tracked_booking WHERE start = '' ORDER BY he_msg_id"
      ).map { ($0[0], $0[1], $0[2]) }
    }
  }

  /// The open tracked bookings inside the horizon now (dates `today`…`lastDay`) or at the last
  /// check whose PPMP appointment is no longer as last seen (moved, status changed, gone) or which
  /// crossed the horizon's edge, each with what PPMP shows now (nil: the row is gone); and how
  /// many were compared.
  ///
  /// PPMP's file is attached to this connection for the one statement, so the comparison runs
  /// inside SQLite by appointment id and only the changed rows reach Swift: the check's cost
  /// follows the tracked bookings, never the size of the appointment book, and stays a few
  /// milliseconds for ten thousand of them.
  public func changedTrackedBookings(
    ppmpPath: String, today: String, lastDay: String
  ) throws -> (checked: Int, changed: [(booking: TrackedBooking, now: AppointmentSighting?)]) {
    let open = "t.closed_by IS NULL AND (t.in_horizon = 1 OR t.start >= :today)"
    do {
      return try queue.writeWithoutTransaction { db in
        try db.execute(sql: "ATTACH DATABASE ? AS ppmp", arguments: [ppmpPath])
        defer { try? db.execute(sql: "DETACH DATABASE ppmp") }
        var result: (checked: Int, changed: [(booking: TrackedBooking, now: AppointmentSighting?)]) = (0, [])
        try db.inTransaction(.deferred) {
          let arguments: StatementArguments = ["today": today, "lastDay": lastDay]
          result.checked = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tracked_booking t WHERE \(open)", arguments: arguments) ?? 0
          let rows = try Row.fetchCursor(
            db,
            sql: """
              SELECT t.he_msg_id, t.booking_id, t.appointment_id, t.resource_id, t.start, t.status, t.in_horizon, t.closed_by,
                     a.id, a.staff_id, a.appt_date || 'T' || substr(a.start_time, 1, 5), a.status
              FROM tracked_booking t LEFT JOIN ppmp.appointments a ON a.id = t.appointment_id
              WHERE \(open)
                AND (a.id IS NULL OR a.staff_id <> t.resource_id OR a.appt_date || 'T' || substr(a.start_time, 1, 5) <> t.start
                     OR a.status <> t.status OR t.in_horizon <> (substr(t.start, 1, 10) BETWEEN :today AND :lastDay))
              ORDER BY t.he_msg_id
              """, arguments: arguments)
          while let row = try rows.next() {
            let now: AppointmentSighting? =
              (row[8] as Int64?) == nil ? nil : AppointmentSighting(resourceID: row[9], start: row[10], status: row[11] ?? "")
            result.changed.append((Self.tracked(row), now))
          }
          return .commit
        }
        return result
      }
    } catch let error as DatabaseError {
      throw StoreError.from(error, "comparing tracked bookings with PPMP in", path)
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
