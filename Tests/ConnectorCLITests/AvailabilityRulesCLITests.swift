import ConnectorCore
import ConnectorTestSupport
import Foundation
import GRDB
import Testing

/// A hand-written PPMP practice and spool in a temp folder, driven through the real
/// `ppmp-connector` binary: each test writes exactly the rows its rule is about.
private final class RulesPractice {
  let folder: TemporaryFolder
  let asOf: String
  private var drops = 0

  var database: String { folder.child("ppmp.sqlite") }
  var outbox: String { folder.child("spool/outbox") }

  /// Staff 1 and 2 ("Ms Ann One", "Mr Ben Two"), one column each, no rows: `sql` adds them.
  init(
    _ label: String, timeZone: String = "Australia/Perth", asOf: String = "2026-03-02T08:00", leadMinutes: Int = 0,
    horizonDays: Int = 14, sql: String
  ) throws {
    folder = try TemporaryFolder("rules-\(label)")
    self.asOf = asOf
    let queue = try DatabaseQueue(path: folder.child("ppmp.sqlite"))
    try queue.write { db in
      try db.execute(sql: try PPMPBundledSQL.schema())
      try db.execute(
        sql: """
          INSERT INTO settings VALUES ('ppmp_version', '9.6'), ('practice_name', 'Rules Practice'), ('timezone', ?),
            ('he_colour', '#1E90FF');
          INSERT INTO staff (id, title, first_name, last_name) VALUES (1, 'Ms', 'Ann', 'One'), (2, 'Mr', 'Ben', 'Two');
          INSERT INTO patients (id, first_name, last_name, dob, created_at) VALUES (1, 'Pat', 'Existing', '1970-01-01', 'x');
          """, arguments: [timeZone])
      try db.execute(sql: sql)
    }
    try queue.close()
    let config = """
      practice_id = "rules"
      database = "ppmp.sqlite"
      spool = "spool"
      horizon_days = \(horizonDays)
      lead_minutes = \(leadMinutes)
      settle_seconds = 0
      """
    try config.write(toFile: folder.child("connector.toml"), atomically: true, encoding: .utf8)
    let r = try run(["init"])
    guard r.status == 0 else { throw HarnessError.failed("init: \(r.stderr)") }
  }

  /// Runs `ppmp-connector` in the practice's folder, with `--as-of` where the command takes it.
  func run(_ arguments: [String]) throws -> CommandResult {
    var args = arguments
    if ["export", "ingest", "run", "doctor"].contains(arguments.first ?? "") { args += ["--as-of", asOf] }
    return try CommandRunner.run("ppmp-connector", args, in: folder.path)
  }

  /// `export --full`, and the snapshot it wrote.
  func snapshot() throws -> (content: SnapshotContent, stderr: String) {
    let r = try run(["export", "--full"])
    guard r.status == 0 else { throw HarnessError.failed("export: \(r.stderr)") }
    let names = try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasPrefix("snapshot-") }
    let newest = try #require(
      names.max { Int($0.dropFirst("snapshot-rules-".count).dropLast(4)) ?? 0 < Int($1.dropFirst("snapshot-rules-".count).dropLast(4)) ?? 0 })
    return (try SnapshotContent(path: outbox + "/" + newest), r.stderr)
  }

  /// One drop of bookings (each a new patient), ingested; the receipt's answers by heMsgId.
  func book(_ bookings: [(id: String, staff: Int64, at: String, minutes: Int)]) throws -> [String: AnswerElement] {
    drops += 1
    let name = "drop-\(drops).xml"
    let messages = bookings.map { b in
      BookingMessage.make(
        heMsgId: b.id, bookingId: "b-" + b.id, resourceID: b.staff, typeCode: nil, start: LocalDateTime(b.at)!,
        lengthMinutes: b.minutes, bookedTime: "2026-03-01T23:00:00Z", firstName: "New", lastName: "Patient" + b.id,
        dob: "1990-01-01", phone: "0400 000 001")
    }
    try FileSystem.write(
      try DropWriter.render(practiceID: "rules", bookings: messages, cancellations: []),
      toNewFile: folder.child("spool/inbox/" + name))
    let r = try run(["ingest"])
    guard r.status == 0 || r.status == 1 else { throw HarnessError.failed("ingest: \(r.status) \(r.stderr)") }
    let answers = try AnswerFile.entries(outbox + "/receipt-" + name)
    return Dictionary(answers.compactMap { a in a["heMsgId"].map { ($0, a) } }, uniquingKeysWith: { a, _ in a })
  }

  /// `doctor --json`: exit status and findings.
  func doctor() throws -> (status: Int32, findings: [[String: Any]]) {
    let r = try run(["doctor", "--json"])
    let array = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], "\(r.stderr)")
    return (r.status, array)
  }
}

/// Ranges of one practitioner-day as `HH:MM-HH:MM/seconds`; nil when the day is missing.
private func ranges(_ snapshot: SnapshotContent, staff: Int64, on date: String) -> [String]? {
  snapshot.days.first { $0.resourceID == staff && $0.date.description == date }
    .map { $0.ranges.map { "\($0.start)-\($0.end)/\($0.slotLengthSeconds)" } }
}

private func location(_ finding: [String: Any]) -> [String: Any] { finding["where"] as? [String: Any] ?? [:] }

private func findings(_ all: [[String: Any]], code: String) -> [[String: Any]] {
  all.filter { $0["code"] as? String == code }
}

/// Every published slot start of `snapshot` as a booking of that slot's own length.
private func everySlotStart(_ snapshot: SnapshotContent) -> [(id: String, staff: Int64, at: String, minutes: Int)] {
  var out: [(id: String, staff: Int64, at: String, minutes: Int)] = []
  for day in snapshot.days {
    for range in day.ranges {
      let length = range.slotLengthSeconds / 60
      var start = range.start.minutes
      while start + length <= range.end.minutes {
        out.append(("s\(day.resourceID)-\(day.date)-\(start)", day.resourceID, "\(day.date)T\(MinuteOfDay(start))", length))
        start += length
      }
    }
  }
  return out
}

/// One test per rule of docs/rules.md, as a practice sees it: snapshot, receipt, doctor.
@Suite struct AvailabilityRulesCLITests {
  // MARK: Overlapping diary rows

  @Test func overlappingDiaryRowsTheEarlierStartingRowWins() throws {
    // Monday 2026-03-02. Staff 1: two offset 30-minute rows. Staff 2: two rows starting
    // together, 15- and 20-minute; row 21 (lower id) wins the shared hour.
    let practice = try RulesPractice(
      "overlap", asOf: "2026-03-02T00:00", horizonDays: 1,
      sql: """
        INSERT INTO diary_times (id, staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES
          (11, 1, 'main', 1, '09:00', '11:00', 30), (12, 1, 'main', 1, '09:15', '11:15', 30),
          (21, 2, 'main', 1, '09:00', '10:00', 15), (22, 2, 'main', 1, '09:00', '11:00', 20);
        """)
    let (snapshot, stderr) = try practice.snapshot()
    #expect(ranges(snapshot, staff: 1, on: "2026-03-02") == ["09:00-11:00/1800"])
    #expect(ranges(snapshot, staff: 2, on: "2026-03-02") == ["09:00-10:00/900", "10:00-11:00/1200"])
    for day in snapshot.days {
      #expect(zip(day.ranges, day.ranges.dropFirst()).allSatisfy { $0.end <= $1.start }, "\(day)")
    }
    #expect(stderr.contains("diary row 12") && stderr.contains("overlaps row 11"), "\(stderr)")

    // Every published slot start is bookable for its own length.
    let starts = everySlotStart(snapshot)
    #expect(starts.count == 4 + 4 + 3)
    let answers = try practice.book(starts)
    for s in starts { #expect(answers[s.id]?.name == "confirmInsert", "\(s) \(String(describing: answers[s.id]))") }

    let doctor = try practice.doctor()
    let overlaps = findings(doctor.findings, code: "overlapping-diary-rows")
    #expect(overlaps.map { location($0)["rowId"] as? Int } == [12, 22])
    for (finding, other) in zip(overlaps, ["row 11", "row 21"]) {
      #expect(finding["severity"] as? String == "warning")
      #expect(location(finding)["diary"] as? String == "main" && location(finding)["weekday"] as? String == "Monday")
      #expect((finding["what"] as? String)?.contains(other) == true, "\(finding)")
    }
    #expect(location(overlaps[0])["practitionerId"] as? Int == 1 && location(overlaps[1])["practitionerId"] as? Int == 2)
    #expect((overlaps[0]["what"] as? String)?.contains("4 of its 4 slots") == true, "\(overlaps[0])")
  }

  // MARK: Bookings

  @Test func bookingAcrossSlotLengthsMustEndOnASlotEnd() throws {
    // A 15-minute session 09:00–10:00 followed by a 20-minute one 10:00–11:00.
    let practice = try RulesPractice(
      "lengths", horizonDays: 2,
      sql: """
        INSERT INTO diary_times (id, staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES
          (1, 1, 'main', 2, '09:00', '10:00', 15), (2, 1, 'main', 2, '10:00', '11:00', 20);
        """)
    #expect(ranges(try practice.snapshot().content, staff: 1, on: "2026-03-03") == ["09:00-10:00/900", "10:00-11:00/1200"])
    let answers = try practice.book([
      ("thirty", 1, "2026-03-03T09:45", 30), ("thirty-five", 1, "2026-03-03T09:45", 35),
      ("off-start", 1, "2026-03-03T10:05", 20),
    ])
    #expect(answers["thirty-five"]?.name == "confirmInsert", "\(String(describing: answers["thirty-five"]))")
    let thirty = try #require(answers["thirty"])
    #expect(thirty.name == "rejectInsert" && thirty["reason"] == "invalid-message")
    #expect(thirty["detail"]?.contains("does not end on a slot boundary") == true, "\(thirty)")
    #expect(thirty["detail"]?.contains("10:00–10:20") == true, "\(thirty)")
    let offStart = try #require(answers["off-start"])
    #expect(offStart["reason"] == "invalid-message" && offStart["detail"]?.contains("does not start on a slot boundary") == true)
    // The accepted booking spans both lengths: 09:45–10:20 has left the snapshot.
    #expect(ranges(try practice.snapshot().content, staff: 1, on: "2026-03-03") == ["09:00-09:45/900", "10:20-11:00/1200"])
  }

  // MARK: Lead time

  @Test func leadTimePastMidnightIsAnAbsoluteCutOff() throws {
    // As of Monday 08:00 with a 25.5-hour lead: nothing on Monday, Tuesday from 09:30.
    let practice = try RulesPractice(
      "lead-midnight", asOf: "2026-03-02T08:00", leadMinutes: 1530, horizonDays: 3,
      sql: """
        INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES
          (1, 'main', 1, '09:00', '12:00', 15), (1, 'main', 2, '09:00', '12:00', 15);
        """)
    let snapshot = try practice.snapshot().content
    #expect(ranges(snapshot, staff: 1, on: "2026-03-02") == [])
    #expect(ranges(snapshot, staff: 1, on: "2026-03-03") == ["09:30-12:00/900"])
    let answers = try practice.book([("early", 1, "2026-03-03T09:15", 15), ("first", 1, "2026-03-03T09:30", 15)])
    #expect(answers["early"]?["reason"] == "outside-horizon" && answers["early"]?["detail"]?.contains("lead time") == true)
    #expect(answers["first"]?.name == "confirmInsert")
  }

  struct LeadCase: Sendable, CustomStringConvertible {
    var zone: String
    var asOf: String
    var lead: Int
    /// First published slot under elapsed time (the rule) …
    var first: String
    /// … the slot before it, which must be refused as inside the lead time …
    var tooSoon: String
    /// … and the first slot wall-clock arithmetic (as-of time plus lead) would have given.
    var wallClock: String
    var description: String { "\(zone) \(asOf) +\(lead)" }
  }

  @Test(arguments: [
    // Clocks forward 02:00 → 03:00: 120 elapsed minutes from 01:00 reach 04:00.
    LeadCase(zone: "Australia/Sydney", asOf: "2026-10-04T01:00", lead: 120, first: "04:00", tooSoon: "03:30", wallClock: "03:00"),
    // Lord Howe forward 02:00 → 02:30: 03:30.
    LeadCase(zone: "Australia/Lord_Howe", asOf: "2026-10-04T01:00", lead: 120, first: "03:30", tooSoon: "03:00", wallClock: "03:00"),
    // Clocks back 03:00 → 02:00: 150 minutes from 01:00 end in the second 02:30; the repeated
    // 02:30 counts as its first occurrence (too soon), so 03:00.
    LeadCase(zone: "Australia/Sydney", asOf: "2026-04-05T01:00", lead: 150, first: "03:00", tooSoon: "02:30", wallClock: "03:30"),
    // Lord Howe back 02:00 → 01:30: 150 minutes from 00:00 reach 02:00.
    LeadCase(zone: "Australia/Lord_Howe", asOf: "2026-04-05T00:00", lead: 150, first: "02:00", tooSoon: "01:30", wallClock: "02:30"),
  ])
  func leadTimeIsElapsedTimeAcrossDaylightSaving(_ c: LeadCase) throws {
    let practice = try RulesPractice(
      "lead-dst", timeZone: c.zone, asOf: c.asOf, leadMinutes: c.lead, horizonDays: 1,
      sql: "INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES (1, 'main', 7, '00:00', '06:00', 30);")
    let date = String(c.asOf.prefix(10))
    let published = try #require(ranges(try practice.snapshot().content, staff: 1, on: date))
    #expect(published == ["\(c.first)-06:00/1800"], "\(c): \(published)")
    #expect(c.first != c.wallClock)
    let answers = try practice.book([("soon", 1, "\(date)T\(c.tooSoon)", 30), ("first", 1, "\(date)T\(c.first)", 30)])
    #expect(answers["soon"]?["reason"] == "outside-horizon", "\(c): \(String(describing: answers["soon"]))")
    #expect(answers["first"]?.name == "confirmInsert", "\(c): \(String(describing: answers["first"]))")
  }

  // MARK: Fortnightly rosters

  @Test func datesBeforeTheRosterAnchorUseTheMainDiary() throws {
    // The roster starts on Monday 2026-03-16, two weeks after "today".
    let practice = try RulesPractice(
      "anchor-future", asOf: "2026-03-02T00:00", horizonDays: 28,
      sql: """
        UPDATE staff SET roster_anchor = '2026-03-16' WHERE id = 1;
        INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES
          (1, 'main', 1, '09:00', '10:00', 15), (1, 'alternate', 1, '14:00', '15:00', 15);
        """)
    let snapshot = try practice.snapshot().content
    for monday in ["2026-03-02", "2026-03-09", "2026-03-16"] {
      #expect(ranges(snapshot, staff: 1, on: monday) == ["09:00-10:00/900"], "\(monday)")
    }
    #expect(ranges(snapshot, staff: 1, on: "2026-03-23") == ["14:00-15:00/900"])
    let future = try #require(findings(try practice.doctor().findings, code: "roster-anchor-in-future").first)
    #expect(future["severity"] as? String == "info" && location(future)["practitionerId"] as? Int == 1)
    #expect((future["what"] as? String)?.contains("2026-03-23") == true, "\(future)")
  }

  @Test func rosterAnchorNotOnAMondayCountsFromTheMondayOfItsWeek() throws {
    // Anchor Wednesday 2026-03-04: weeks count from Monday 2026-03-02.
    let practice = try RulesPractice(
      "anchor-wednesday", asOf: "2026-03-02T00:00", horizonDays: 14,
      sql: """
        UPDATE staff SET roster_anchor = '2026-03-04' WHERE id = 1;
        INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES
          (1, 'main', 1, '09:00', '10:00', 15), (1, 'alternate', 1, '14:00', '15:00', 15),
          (1, 'main', 3, '09:00', '10:00', 15), (1, 'alternate', 3, '14:00', '15:00', 15);
        """)
    let snapshot = try practice.snapshot().content
    #expect(ranges(snapshot, staff: 1, on: "2026-03-02") == ["09:00-10:00/900"])
    #expect(ranges(snapshot, staff: 1, on: "2026-03-04") == ["09:00-10:00/900"])
    #expect(ranges(snapshot, staff: 1, on: "2026-03-09") == ["14:00-15:00/900"])
    #expect(ranges(snapshot, staff: 1, on: "2026-03-11") == ["14:00-15:00/900"])
    let finding = try #require(findings(try practice.doctor().findings, code: "roster-anchor-not-monday").first)
    #expect(finding["severity"] as? String == "warning" && location(finding)["text"] as? String == "2026-03-04")
    #expect((finding["what"] as? String)?.contains("Wednesday") == true)
    #expect((finding["what"] as? String)?.contains("Monday 2026-03-02") == true, "\(finding)")
  }

  @Test func alternateDiaryWithOnlyInvalidRowsPublishesNothingThatDay() throws {
    // 2026-03-02 is an alternate week (anchor a week earlier); its only alternate row is invalid.
    let practice = try RulesPractice(
      "anchor-invalid", asOf: "2026-03-02T00:00", horizonDays: 15,
      sql: """
        UPDATE staff SET roster_anchor = '2026-02-23' WHERE id = 1;
        INSERT INTO diary_times (id, staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES
          (1, 1, 'main', 1, '09:00', '12:00', 15), (2, 1, 'alternate', 1, '9:00 am', '12:00', 15);
        """)
    let snapshot = try practice.snapshot().content
    #expect(ranges(snapshot, staff: 1, on: "2026-03-02") == [])
    #expect(ranges(snapshot, staff: 1, on: "2026-03-09") == ["09:00-12:00/900"])
    #expect(ranges(snapshot, staff: 1, on: "2026-03-16") == [])
    let answers = try practice.book([("alt", 1, "2026-03-02T09:00", 15)])
    #expect(answers["alt"]?["reason"] == "slot-unavailable", "\(String(describing: answers["alt"]))")
    let doctor = try practice.doctor()
    #expect(doctor.status == 1)
    let finding = try #require(findings(doctor.findings, code: "alternate-diary-unusable").first)
    #expect(finding["severity"] as? String == "error")
    #expect(location(finding)["diary"] as? String == "alternate" && location(finding)["weekday"] as? String == "Monday")
    let what = try #require(finding["what"] as? String)
    #expect(what.contains("next: 2026-03-02") && what.contains("main diary is not used instead"), "\(what)")
    #expect(findings(doctor.findings, code: "invalid-diary-time").map { location($0)["rowId"] as? Int } == [2])
  }

  // MARK: Appointment status

  @Test func appointmentStatusesCompareIgnoringCaseAndUnknownOnesOccupy() throws {
    // Tuesday 09:00–11:00 in 15-minute slots with one appointment per slot from 09:00 to 10:15.
    let practice = try RulesPractice(
      "status", horizonDays: 2,
      sql: """
        INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES
          (1, 'main', 2, '09:00', '11:00', 15);
        INSERT INTO appointments (staff_id, appt_date, start_time, duration_minutes, patient_id, status, created_at, updated_at) VALUES
          (1, '2026-03-03', '09:00', 15, 1, 'Cancelled', 'x', 'x'),
          (1, '2026-03-03', '09:15', 15, 1, 'CANCELLED', 'x', 'x'),
          (1, '2026-03-03', '09:30', 15, 1, 'Booked', 'x', 'x'),
          (1, '2026-03-03', '09:45', 15, 1, 'no-show', 'x', 'x'),
          (1, '2026-03-03', '10:00', 15, 1, 'Tentative', 'x', 'x'),
          (1, '2026-03-03', '10:15', 15, 1, 'Tentative', 'x', 'x');
        """)
    #expect(ranges(try practice.snapshot().content, staff: 1, on: "2026-03-03") == ["09:00-09:30/900", "10:30-11:00/900"])
    let answers = try practice.book([("freed", 1, "2026-03-03T09:00", 15), ("unknown", 1, "2026-03-03T09:45", 15)])
    #expect(answers["freed"]?.name == "confirmInsert")
    #expect(answers["unknown"]?["reason"] == "slot-unavailable")
    let unknown = findings(try practice.doctor().findings, code: "unknown-appointment-status")
    #expect(unknown.map { location($0)["text"] as? String } == ["Tentative", "no-show"])
    #expect(unknown.allSatisfy { $0["severity"] as? String == "warning" })
    #expect((unknown.first?["what"] as? String)?.hasPrefix("2 appointment(s)") == true, "\(unknown)")
    #expect((unknown.last?["what"] as? String)?.hasPrefix("1 appointment(s)") == true, "\(unknown)")
  }
}
