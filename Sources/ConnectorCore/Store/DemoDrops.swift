import Foundation
import GRDB

/// Sample drops for the demo spool: what a Healthengine relay might deliver on the demo's first
/// morning, chosen against the demo database so each shows one ingest outcome.
public enum DemoDrops {
  /// Writes the sample drops into `inbox` (files 0600). Slots are picked from what is actually
  /// free at `asOf`, so the demo stays meaningful on any date.
  public static func place(in inbox: String, database path: String, practiceID: String, asOf: LocalDateTime) throws {
    let database = try PPMPDatabase(path: path, readOnly: true)
    let (settings, book) = try database.loadBook(from: asOf.date, days: 14)
    let options = AvailabilityOptions(
      asOf: asOf, horizonDays: 14, timeZone: TimeZone(identifier: settings.timeZoneIdentifier) ?? .current)
    let result = AvailabilityEngine.compute(book, options: options)
    // Free 30-minute-or-longer starts, per practitioner, from the second day on.
    var free: [Int64: [(LocalDate, AvailabilityRange)]] = [:]
    for day in result.days where day.date > asOf.date {
      for r in day.ranges where r.end.minutes - r.start.minutes >= 30 { free[day.resourceID, default: []].append((day.date, r)) }
    }
    let (patient, twin, taken) = try database.guarded("reading the demo") { db -> (Row?, Row?, Row?) in
      (
        try Row.fetchOne(db, sql: "SELECT first_name, last_name, dob FROM patients ORDER BY id LIMIT 1"),
        try Row.fetchOne(
          db,
          sql: """
            SELECT first_name, last_name, dob FROM patients GROUP BY lower(trim(first_name)), lower(trim(last_name)), dob
            HAVING COUNT(*) > 1 ORDER BY MIN(id) LIMIT 1
            """),
        try Row.fetchOne(
          db,
          sql: """
            SELECT staff_id, appt_date, start_time FROM appointments WHERE status = 'booked' AND staff_id = 1
              AND appt_date > ? ORDER BY appt_date, start_time LIMIT 1
            """, arguments: [asOf.date.description])
      )
    }
    let booked = "\(asOf.date)T00:00:00Z"
    func slot(_ staff: Int64, _ index: Int) -> LocalDateTime? {
      guard let list = free[staff], index < list.count else { return nil }
      return LocalDateTime(date: list[index].0, time: list[index].1.start)
    }
    /// Two slots of the practitioner's grid on that day (30 or 40 minutes, say).
    func length(_ staff: Int64, _ index: Int) -> Int {
      guard let list = free[staff], index < list.count else { return 30 }
      return 2 * list[index].1.slotLengthSeconds / 60
    }
    var bookings: [BookingMessage] = []
    if let start = slot(1, 0), let p = patient {
      // An existing patient typed with different case and spacing: matched.
      bookings.append(
        .make(
          heMsgId: "he-sample-1001", bookingId: "1001", resourceID: 1, typeCode: "STD", start: start, lengthMinutes: 30,
          bookedTime: booked, firstName: " " + (p[0] as String).uppercased(), lastName: (p[1] as String).lowercased(),
          dob: p[2], phone: "0400 000 001", reason: "Knee pain after running"))
    }
    if let start = slot(3, 0) {
      bookings.append(
        .make(
          heMsgId: "he-sample-1002", bookingId: "1002", resourceID: 3, typeCode: nil, start: start,
          lengthMinutes: length(3, 0),
          bookedTime: booked, firstName: "Alex", lastName: "Newpatient", dob: "1990-01-31", phone: "0400 000 002",
          email: "alex@example.org", reason: "Back pain", isNewPatient: true))
    }
    if let start = slot(1, 1), let t = twin {
      bookings.append(
        .make(
          heMsgId: "he-sample-1003", bookingId: "1003", resourceID: 1, typeCode: nil, start: start, lengthMinutes: 30,
          bookedTime: booked, firstName: t[0], lastName: t[1], dob: t[2], phone: "0400 000 003"))
    }
    if let t = taken, let date = LocalDate(t[1] as String), let time = MinuteOfDay(hhmm: t[2] as String) {
      bookings.append(
        .make(
          heMsgId: "he-sample-1004", bookingId: "1004", resourceID: t[0], typeCode: "STD",
          start: LocalDateTime(date: date, time: time), lengthMinutes: 30, bookedTime: booked, firstName: "Sam",
          lastName: "Taken", dob: "1985-06-15", phone: "0400 000 004"))
    }
    if let start = slot(1, 2) {
      var bad = BookingMessage.make(
        heMsgId: "he-sample-1005", bookingId: "1005", resourceID: 1, typeCode: "STD", start: start, lengthMinutes: 30,
        bookedTime: booked, firstName: "Robin", lastName: "Baddate", dob: "1990-02-30", phone: "0400 000 005")
      bad.dob = "1990-02-30"
      bookings.append(bad)
    }
    let cancellations = [
      CancellationMessage(heMsgId: "he-demo-0001", requestId: "2001", updatedAt: booked),
      CancellationMessage(heMsgId: "he-sample-9999", requestId: "2002", updatedAt: booked),
    ]
    try FileSystem.writeAtomically(
      to: inbox + "/he-sample-drop-1.xml",
      bytes: try DropWriter.render(practiceID: practiceID, bookings: bookings, cancellations: cancellations))
    // A transfer that broke off half way: not well-formed, rejected whole.
    try FileSystem.writeAtomically(
      to: inbox + "/he-sample-drop-2.xml",
      bytes: Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<drop xmlns=\"\(exchangeNamespace)\" practiceId=\"\(practiceID)\">\n  <booking heMsgId=\"he-sample-1006\" bookingId=\"1006\"".utf8))
    // Delivered "a minute ago", in order, so the settle check lets the first run take them.
    let now = Date().timeIntervalSince1970
    for (i, name) in ["he-sample-drop-1.xml", "he-sample-drop-2.xml"].enumerated() {
      let t = timeval(tv_sec: Int(now) - 120 + i, tv_usec: 0)
      _ = utimes(inbox + "/" + name, [t, t])
    }
  }
}
