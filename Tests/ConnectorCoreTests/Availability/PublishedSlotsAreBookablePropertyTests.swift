import ConnectorTestSupport
import ConnectorFixtures
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// The promise of docs/rules.md as a property: for a random practice, salted with the PPMP rows
/// that surprise (overlapping rows, mixed intervals, duplicated and invalid rows, odd anchors,
/// status values outside the model, unreadable appointments and blocks, daylight-saving zones
/// and lead times), export never fails and every published slot start is bookable for that
/// slot's own length — each booked into a fresh copy of the database, so every one is checked
/// against the same book the snapshot was computed from.
///
/// `make test` runs a few practices; `PPMP_PROPERTY_PRACTICES=200 swift test --filter
/// PublishedSlotsAreBookable` runs more.
@Suite struct PublishedSlotsAreBookablePropertyTests {
  static let seeds: [UInt64] = {
    let count = Int(ProcessInfo.processInfo.environment["PPMP_PROPERTY_PRACTICES"] ?? "") ?? 4
    return (1...UInt64(max(count, 1))).map { $0 }
  }()

  @Test(arguments: seeds)
  func everyPublishedSlotStartIsBookableForItsOwnLength(seed: UInt64) throws {
    var random = SeededRandom(seed: 0x5EED_0000 &+ seed)
    let zone = ["Australia/Perth", "Australia/Sydney", "Australia/Lord_Howe"].randomElement(using: &random)!
    // Near both daylight-saving changes, an ordinary week, and a leap day.
    let asOf = LocalDateTime(
      ["2026-10-03T22:00", "2026-04-04T23:30", "2026-03-02T08:00", "2028-02-28T07:45"].randomElement(using: &random)!)!
    let lead = [0, 0, 45, 150, 1530].randomElement(using: &random)!
    let horizon = 4

    let practice = try IngestTestPractice("property-\(seed)")
    try FileManager.default.removeItem(atPath: practice.databasePath)
    try PracticeFixtureGenerator.generate(
      PracticeFixtureSpec(
        practitioners: 3, days: horizon, patients: 40, bookedFraction: 0.4, seed: seed, start: asOf.date),
      into: practice.databasePath)
    try Self.addSurprises(to: practice, zone: zone, asOf: asOf, random: &random)
    practice.configuration.horizonDays = horizon
    practice.configuration.leadMinutes = lead
    practice.configuration.multiColumn = random.next() % 2 == 0 ? [2: .any] : [:]
    let context = "seed \(seed), \(zone), as of \(asOf), lead \(lead)"

    do {
      let exporter = Exporter(
        configuration: practice.configuration, spool: practice.spool, database: try PPMPDatabase(path: practice.databasePath),
        state: try ConnectorState(path: practice.spool.stateDatabase))
      _ = try exporter.export(asOf: asOf, full: true)
    }
    let snapshot = try SnapshotContent(path: practice.spool.publishedSnapshot)
    let published = 3 - (try Self.unpublished(practice))
    #expect(snapshot.days.count == published * horizon, "\(context)")
    // doctor reads the same surprising book without giving up on it.
    let findings = Doctor(configuration: practice.configuration, asOf: asOf).examine()
    #expect(!findings.contains { $0.code == "ppmp-database-unreadable" }, "\(context): \(findings)")

    let pristine = practice.folder.child("pristine.sqlite")
    try FileManager.default.copyItem(atPath: practice.databasePath, toPath: pristine)
    let copy = practice.folder.child("copy.sqlite")
    let options = AvailabilityOptions(
      asOf: asOf, horizonDays: horizon, leadMinutes: lead, timeZone: TimeZone(identifier: zone)!,
      multiColumn: practice.configuration.multiColumn)
    var booked = 0
    for day in snapshot.days {
      #expect(zip(day.ranges, day.ranges.dropFirst()).allSatisfy { $0.end <= $1.start }, "\(context): \(day)")
      for range in day.ranges {
        let length = range.slotLengthSeconds / 60
        var start = range.start.minutes
        while start + length <= range.end.minutes {
          defer { start += length }
          let at = "\(day.date)T\(MinuteOfDay(start))"
          try? FileManager.default.removeItem(atPath: copy)
          try FileManager.default.copyItem(atPath: pristine, toPath: copy)
          let message = IngestTestPractice.booking("p-\(booked)", resource: day.resourceID, at: at, minutes: length, type: nil)
          let request = try BookingChecks.check(message).get()
          try? FileManager.default.removeItem(atPath: copy + ".state")
          let index = PatientIndex(state: try ConnectorState(path: copy + ".state"))
          let outcome = try AppointmentBook(database: try PPMPDatabase(path: copy), options: options, patients: index)
            .book(request)
          switch outcome {
          case .success(let confirmation):
            #expect(!confirmation.existing, "\(context): \(day.resourceID) \(at)")
          case .failure(let rejection):
            Issue.record("\(context): published slot \(day.resourceID) \(at) for \(length) min refused: \(rejection)")
          }
          booked += 1
        }
      }
    }
    // A holiday, blocks and unreadable appointments may leave nothing free; say so for the record.
    if booked == 0 { print("\(context): nothing published, nothing to book") } else { print("\(context): booked \(booked) slots") }
  }

  /// Practitioners the snapshot leaves out (inactive or not online).
  static func unpublished(_ practice: IngestTestPractice) throws -> Int {
    try practice.count("SELECT count(*) FROM staff WHERE active = 0 OR online_booking = 0")
  }

  /// Rows a real practice's PPMP may hold and the generator never writes.
  static func addSurprises(
    to practice: IngestTestPractice, zone: String, asOf: LocalDateTime, random: inout SeededRandom
  ) throws {
    func pick<T>(_ values: [T]) -> T { values.randomElement(using: &random)! }
    func time(_ minutes: Int, twelveHour: Bool) -> String {
      let m = MinuteOfDay(minutes)
      guard twelveHour else { return m.description }
      let clock = m.hour % 12 == 0 ? 12 : m.hour % 12
      return "\(clock):\(LocalDate.pad(m.minute, 2))\(m.hour < 12 ? "am" : "pm")"
    }
    var sql: [String] = ["UPDATE settings SET value = '\(zone)' WHERE key = 'timezone'"]
    for staff in 1...3 {
      for _ in 0..<(2 + Int(random.next() % 4)) {
        let weekday = 1 + Int(random.next() % 7)
        let diary = random.next() % 4 == 0 ? "alternate" : "main"
        switch random.next() % 6 {
        case 0, 1:
          // A row overlapping whatever is there, with a mixed interval, sometimes 12-hour.
          let start = 5 * 60 + 5 * Int(random.next() % 150)
          let end = min(start + 30 + 5 * Int(random.next() % 60), 23 * 60 + 55)
          let twelve = random.next() % 5 == 0
          sql.append(
            "INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES "
              + "(\(staff), '\(diary)', \(weekday), '\(time(start, twelveHour: twelve))', '\(time(end, twelveHour: twelve))', "
              + "\(pick([10, 15, 20, 25, 30, 45])))")
        case 2:
          // The small hours of a daylight-saving Sunday, and a row ending at the day's last minute.
          sql.append(
            "INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES "
              + "(\(staff), 'main', 7, '00:00', '06:00', \(pick([15, 20, 30]))), (\(staff), 'main', \(weekday), '22:00', '23:59', 15)")
        case 3:
          // A duplicate of an existing row.
          sql.append(
            "INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes) "
              + "SELECT staff_id, diary, weekday, start_time, end_time, interval_minutes FROM diary_times "
              + "WHERE staff_id = \(staff) ORDER BY id LIMIT 1 OFFSET \(random.next() % 3)")
        case 4:
          // Invalid rows: bad text, bad interval, end before start.
          let (s, e, i) = pick([("9:00 am", "12:00", 15), ("25:00", "26:00", 15), ("", "10:00", 15), ("09:00", "12:60", 15),
                                ("09:00", "11:00", 0), ("09:00", "11:00", -15), ("14:00", "09:00", 15), ("09:00", "09:10", 15)])
          sql.append(
            "INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES "
              + "(\(staff), '\(diary)', \(weekday), '\(s)', '\(e)', \(i))")
        default:
          // Odd roster anchors: none, unreadable, not a Monday, in the future.
          let anchor = pick(["NULL", "'next week'", "'\(asOf.date.adding(days: -9))'", "'\(asOf.date.adding(days: 10))'"])
          sql.append("UPDATE staff SET roster_anchor = \(anchor) WHERE id = \(staff)")
        }
      }
      if random.next() % 3 == 0 { sql.append("UPDATE staff SET columns = 3 WHERE id = \(staff)") }
    }
    // Status values outside the model, on a random share of appointments.
    for status in ["Cancelled", "CANCELLED", "no-show", "", " booked", "Booked", "DNA", "pending"] {
      sql.append("UPDATE appointments SET status = '\(status)' WHERE id % 13 = \(random.next() % 13)")
    }
    // Appointments and blocks PPMP stored oddly.
    let day = asOf.date.adding(days: Int(random.next() % 4))
    sql.append(
      """
      INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, status, created_at, updated_at) VALUES
        (1, 1, '\(day)', '9:00', 15, 'booked', 'x', 'x'), (\(1 + random.next() % 3), 1, '\(day)', '', 30, 'booked', 'x', 'x'),
        (3, 0, '\(day)', '10:00', 30, 'booked', 'x', 'x'), (3, 1, '\(day)', '11:00', 0, 'booked', 'x', 'x'),
        (3, 1, '\(day)', '11:30', -20, 'booked', 'x', 'x'), (2, 2, '\(day)', '13:00', 600, 'arrived', 'x', 'x'),
        (1, 1, 'tomorrow', '10:00', 30, 'booked', 'x', 'x'), (1, 1, '\(day)', '23:50', 30, 'booked', 'x', 'x');
      INSERT INTO diary_blocks (staff_id, block_date, start_time, end_time) VALUES
        (\(1 + random.next() % 3), '\(day)', '10:00', NULL), (\(1 + random.next() % 3), '\(day.adding(days: 1))', '9am', '10:00'),
        (\(1 + random.next() % 3), '\(day)', '11:00', '10:00'), (2, '\(day)', '12:15', '12:20');
      INSERT OR IGNORE INTO holidays (holiday_date, name) VALUES ('xmas', 'Unreadable');
      """)
    try practice.write(sql.joined(separator: ";\n"))
  }
}
