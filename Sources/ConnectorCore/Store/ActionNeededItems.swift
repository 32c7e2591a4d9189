import GRDB

extension ActionNeededItem {
  /// The `action_needed` table (migration `v7-action-needed`): one row per message key; a later
  /// rejection of the same key opens it again.
  static let tableSQL = """
    CREATE TABLE action_needed (
      kind TEXT NOT NULL,
      msg_key TEXT NOT NULL,
      he_msg_id TEXT NOT NULL,
      cause TEXT NOT NULL,
      reason TEXT NOT NULL,
      appointment_id INTEGER,
      practitioner_id INTEGER,
      date TEXT,
      raised_at TEXT NOT NULL,
      acknowledged_at TEXT,
      PRIMARY KEY (kind, msg_key)
    );
    CREATE INDEX action_needed_he ON action_needed(he_msg_id);
    -- Rejections journalled before this table existed that need a person: still open.
    INSERT INTO action_needed (kind, msg_key, he_msg_id, cause, reason, appointment_id, raised_at)
      SELECT kind, msg_key, he_msg_id,
             CASE reason WHEN 'unknown-resource' THEN 'unknown-practitioner' ELSE 'unknown-booking' END,
             reason, NULL, processed_at
      FROM message WHERE outcome IN ('rejectInsert', 'rejectUpdate') AND reason IN ('unknown-booking', 'unknown-resource');
    """
}

extension ConnectorState {
  private static let actionColumns =
    "kind, msg_key, he_msg_id, cause, reason, appointment_id, practitioner_id, date, raised_at, acknowledged_at"

  private static func actionItem(_ row: Row) -> ActionNeededItem {
    ActionNeededItem(
      kind: MessageKind(rawValue: row[0]) ?? .booking, key: row[1], heMsgId: row[2],
      cause: ActionNeededItem.Cause(rawValue: row[3]) ?? .unknownBooking,
      reason: RejectReason(rawValue: row[4]) ?? .invalidMessage, appointmentId: row[5], practitionerId: row[6],
      date: row[7], raisedAt: row[8], acknowledgedAt: row[9])
  }

  /// Records items raised by one drop. A key raised again for the same cause (Healthengine
  /// re-sending a message that is rejected the same way) keeps its acknowledgement; for another
  /// cause it is open again. Either way it holds what the later rejection knew.
  public func raiseActionNeeded(_ items: [ActionNeededItem]) throws {
    guard !items.isEmpty else { return }
    try write("recording action-needed items in") { db in
      let statement = try db.cachedStatement(
        sql: """
          INSERT INTO action_needed (\(Self.actionColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
          ON CONFLICT(kind, msg_key) DO UPDATE SET he_msg_id = excluded.he_msg_id, cause = excluded.cause,
            reason = excluded.reason, appointment_id = excluded.appointment_id,
            practitioner_id = excluded.practitioner_id, date = excluded.date,
            raised_at = CASE WHEN action_needed.acknowledged_at IS NOT NULL AND action_needed.cause = excluded.cause
              THEN action_needed.raised_at ELSE excluded.raised_at END,
            acknowledged_at = CASE WHEN action_needed.cause = excluded.cause THEN action_needed.acknowledged_at END
          """)
      for i in items {
        try statement.execute(
          arguments: [
            i.kind.rawValue, i.key, i.heMsgId, i.cause.rawValue, i.reason.rawValue, i.appointmentId, i.practitionerId, i.date,
            i.raisedAt,
          ])
      }
    }
  }

  /// Items not acknowledged yet, oldest first.
  public func openActionNeeded() throws -> [ActionNeededItem] {
    try read("reading action-needed items in") { db in
      try Row.fetchAll(
        db,
        sql: "SELECT \(Self.actionColumns) FROM action_needed WHERE acknowledged_at IS NULL ORDER BY raised_at, kind, msg_key"
      ).map(Self.actionItem)
    }
  }

  /// Marks every open item handled at `time` (after an upgrade listed old rejections, say);
  /// returns them.
  public func acknowledgeAllActionNeeded(at time: String) throws -> [ActionNeededItem] {
    let open = try openActionNeeded()
    try write("acknowledging action-needed items in") { db in
      try db.execute(sql: "UPDATE action_needed SET acknowledged_at = ? WHERE acknowledged_at IS NULL", arguments: [time])
    }
    return open.map { item in
      var done = item
      done.acknowledgedAt = time
      return done
    }
  }

  /// Marks every item whose heMsgId or key is `id` handled at `time`. Idempotent: an item
  /// already acknowledged keeps its first acknowledgement time.
  public func acknowledgeActionNeeded(_ id: String, at time: String) throws -> ActionNeededAcknowledgement {
    try write("acknowledging action-needed items in") { db in
      let items = try Row.fetchAll(
        db, sql: "SELECT \(Self.actionColumns) FROM action_needed WHERE he_msg_id = ? OR msg_key = ? ORDER BY raised_at, kind, msg_key",
        arguments: [id, id]
      ).map(Self.actionItem)
      var result = ActionNeededAcknowledgement()
      for var item in items {
        if item.acknowledgedAt != nil {
          result.alreadyAcknowledged.append(item)
          continue
        }
        try db.execute(
          sql: "UPDATE action_needed SET acknowledged_at = ? WHERE kind = ? AND msg_key = ?",
          arguments: [time, item.kind.rawValue, item.key])
        item.acknowledgedAt = time
        result.acknowledged.append(item)
      }
      return result
    }
  }
}

extension PPMPBookingRows {
  /// Who and when an appointment is, for an action-needed item (no patient column is read).
  public static func practitionerAndDate(_ db: Database, appointmentID: Int64) throws -> (staffID: Int64, date: String, start: String)? {
    try Row.fetchOne(db, sql: "SELECT staff_id, appt_date, start_time FROM appointments WHERE id = ?", arguments: [appointmentID])
      .map { ($0[0] ?? 0, $0[1] ?? "", $0[2] ?? "") }
  }
}
