import ConnectorCore
import ConnectorTestSupport
import ConnectorFixtures
import Foundation
import GRDB
import Testing

/// A generated practice (no invalid diary rows) with a fresh spool, for doctor checks.
private final class DoctorPractice {
  let folder: TemporaryFolder
  let spool: SpoolLayout
  let databasePath: String
  var configuration = ConnectorConfiguration()
  static let asOf = LocalDateTime("2026-03-02T08:00")!

  init(_ label: String, practitioners: Int = 12) throws {
    folder = try TemporaryFolder("doctor-\(label)")
    spool = SpoolLayout(root: folder.child("spool"))
    try spool.create()
    databasePath = folder.child("ppmp.sqlite")
    try PracticeFixtureGenerator.generate(
      PracticeFixtureSpec(
        practitioners: practitioners, days: 40, patients: 500, bookedFraction: 0.5, seed: 7,
        start: Self.asOf.date.adding(days: -3)),
      into: databasePath)
    configuration.databasePath = databasePath
    configuration.spoolPath = spool.root
    // The generator gives some practitioners two columns; a practice that sees patients side by
    // side configures them, which is what a clean practice looks like.
    let multi = try queue().read { db in try Int64.fetchAll(db, sql: "SELECT id FROM staff WHERE columns > 1") }
    for id in multi { configuration.multiColumn[id] = .any }
  }

  func queue() throws -> DatabaseQueue { try DatabaseQueue(path: databasePath) }

  func sql(_ text: String, _ arguments: StatementArguments = []) throws {
    try queue().write { db in try db.execute(sql: text, arguments: arguments) }
  }

  /// The first published practitioner's id.
  func publishedID() throws -> Int64 {
    try queue().read { db in
      try Int64.fetchOne(db, sql: "SELECT id FROM staff WHERE active = 1 AND online_booking = 1 ORDER BY id")!
    }
  }

  func examine(now: Date = Date()) -> [DoctorFinding] {
    Doctor(configuration: configuration, asOf: Self.asOf, now: now).examine()
  }
}

@Suite struct DoctorTests {
  @Test func cleanGeneratedPracticeHasNoErrorsOrWarnings() throws {
    let practice = try DoctorPractice("clean")
    let findings = practice.examine()
    let serious = findings.filter { $0.severity != .info }
    #expect(serious.isEmpty, "\(serious.map { "\($0.code): \($0.what)" })")
    // Before the first run: reported as information, and the state database is not created.
    #expect(findings.map(\.code) == ["no-run-yet"])
    #expect(!FileManager.default.fileExists(atPath: practice.spool.stateDatabase))
  }

  @Test func multiColumnPractitionerInDefaultModeIsAWarning() throws {
    let practice = try DoctorPractice("columns")
    let id = try practice.publishedID()
    try practice.sql("UPDATE staff SET columns = 3 WHERE id = ?", [id])
    practice.configuration.multiColumn[id] = nil
    let f = practice.examine().filter { $0.code == "multi-column-default-mode" }
    #expect(f.count == 1)
    #expect(f.first?.location.practitionerId == id)
    #expect(f.first?.fix.contains("[practitioner.\(id)] multi_column = \"any\"") == true)
    #expect(f.first?.severity == .warning)
  }

  @Test func invalidTimesInBothDiariesAreErrorsNamingEachRow() throws {
    let practice = try DoctorPractice("times")
    let id = try practice.publishedID()
    try practice.sql(
      """
      INSERT INTO diary_times (id, staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES
        (9001, ?, 'main', 6, '9:00 am', '12:00', 15), (9002, ?, 'alternate', 7, '0900', '12:00', 15)
      """, [id, id])
    let f = practice.examine().filter { $0.code == "invalid-diary-time" }
    #expect(f.map(\.location.rowId) == [9001, 9002])
    #expect(f.map(\.location.diary) == ["main", "alternate"])
    #expect(f.map(\.location.weekday) == ["Saturday", "Sunday"])
    #expect(f.first?.location.rowText == "9:00 am–12:00 every 15 min")
    #expect(f.allSatisfy { $0.severity == .error && $0.location.practitionerId == id && $0.location.practitionerName != nil })
  }

  @Test(arguments: [
    ("no-rows", "has no diary rows at all"),
    ("all-invalid", "every one is invalid"),
    ("holidays", "holidays or diary blocks"),
    ("booked", "fully booked"),
  ])
  func noAvailabilitySaysWhy(_ scenario: String, _ expected: String) throws {
    let practice = try DoctorPractice("none-\(scenario)")
    let id = try practice.publishedID()
    switch scenario {
    case "no-rows": try practice.sql("DELETE FROM diary_times WHERE staff_id = ?", [id])
    case "all-invalid": try practice.sql("UPDATE diary_times SET start_time = '9.00' WHERE staff_id = ?", [id])
    case "holidays":
      for d in 0..<30 {
        try practice.sql(
          "INSERT INTO diary_blocks (staff_id, block_date, reason) VALUES (?, ?, 'Leave')",
          [id, DoctorPractice.asOf.date.adding(days: d).description])
      }
    default:
      for d in 0..<30 {
        try practice.sql(
          """
          INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, status, comments,
                                    created_at, updated_at)
          VALUES (?, 1, ?, '00:00', 1440, 'booked', 'all day', '2026-01-01 00:00:00', '2026-01-01 00:00:00')
          """, [id, DoctorPractice.asOf.date.adding(days: d).description])
      }
    }
    let f = practice.examine().filter { $0.code == "no-availability" }
    #expect(f.count == 1, "\(f)")
    #expect(f.first?.location.practitionerId == id)
    #expect(f.first?.what.contains(expected) == true, "\(f.first?.what ?? "")")
  }

  @Test func oldPPMPVersionGivesBothVersionWarnings() throws {
    let practice = try DoctorPractice("version")
    try practice.sql("UPDATE settings SET value = '8.10' WHERE key = 'ppmp_version'")
    #expect(practice.examine().filter { $0.code.hasPrefix("ppmp-version") }.map(\.code) == [
      "ppmp-version-no-colour", "ppmp-version-new-patient-files",
    ])
    try practice.sql("UPDATE settings SET value = '9.1' WHERE key = 'ppmp_version'")
    #expect(practice.examine().filter { $0.code.hasPrefix("ppmp-version") }.map(\.code) == ["ppmp-version-new-patient-files"])
  }

  @Test func groupOrWorldReadableSpoolIsAnError() throws {
    let practice = try DoctorPractice("perms")
    chmod(practice.spool.inbox, 0o755)
    let file = practice.spool.outbox + "/receipt-x.xml"
    try FileSystem.writeAtomically(to: file, bytes: Array("<x/>".utf8))
    chmod(file, 0o644)
    let f = practice.examine()
    let folder = f.first { $0.code == "spool-permissions" }
    #expect(folder?.location.file == practice.spool.inbox && folder?.severity == .error)
    let files = f.first { $0.code == "spool-file-permissions" }
    #expect(files?.location.file == practice.spool.outbox && files?.what.contains("receipt-x.xml") == true)
    #expect(!f.contains { $0.code == "spool-wrong-owner" || $0.code == "spool-file-owner" })
  }

  @Test func dropsWaitingLongerThanTenMinutesAreReported() throws {
    let practice = try DoctorPractice("waiting")
    let fresh = practice.spool.inbox + "/fresh.xml"
    let old = practice.spool.inbox + "/old.xml"
    try FileSystem.writeAtomically(to: fresh, bytes: Array("<drop/>".utf8))
    try FileSystem.writeAtomically(to: old, bytes: Array("<drop/>".utf8))
    let now = Date()
    let past = timeval(tv_sec: Int(now.timeIntervalSince1970) - 11 * 60, tv_usec: 0)
    _ = utimes(old, [past, past])
    let f = practice.examine(now: now).filter { $0.code == "drops-waiting" }
    #expect(f.count == 1)
    #expect(f.first?.what.contains("1 drop(s)") == true && f.first?.location.file == old)
    // Ten minutes later the fresh one is late too.
    let later = practice.examine(now: now.addingTimeInterval(11 * 60)).filter { $0.code == "drops-waiting" }
    #expect(later.first?.what.contains("2 drop(s)") == true)
  }

  @Test func failedLastRunIsAnErrorAndInterruptedAWarning() throws {
    let practice = try DoctorPractice("last-run")
    var status = RunStatus()
    status.outcome = .failed
    status.exitCode = 74
    status.errors = ["writing spool/outbox/x.xml: No space left on device"]
    try status.save(to: practice.spool.statusFile)
    let failed = practice.examine().first { $0.code == "last-run-failed" }
    #expect(failed?.severity == .error && failed?.what.contains("No space left") == true)
    status.outcome = .interrupted
    try status.save(to: practice.spool.statusFile)
    #expect(practice.examine().first { $0.code == "last-run-interrupted" }?.severity == .warning)
    status.outcome = .ok
    try status.save(to: practice.spool.statusFile)
    #expect(practice.examine().filter { $0.severity != .info }.isEmpty)
  }

  @Test func missingDatabaseIsOneFindingAndTheOtherChecksStillRun() throws {
    let practice = try DoctorPractice("no-db")
    practice.configuration.databasePath = practice.folder.child("missing.sqlite")
    chmod(practice.spool.work, 0o755)
    let codes = practice.examine().map(\.code)
    #expect(codes.contains("ppmp-database-missing"))
    #expect(codes.contains("spool-permissions"))
  }

  @Test func alternateRowsWithoutAnAnchorAreNeverUsedAndSaySo() throws {
    let practice = try DoctorPractice("no-anchor")
    let id = try practice.publishedID()
    try practice.sql("UPDATE staff SET roster_anchor = NULL WHERE id = ?", [id])
    try practice.sql(
      "INSERT INTO diary_times (id, staff_id, diary, weekday, start_time, end_time, interval_minutes) VALUES (9101, ?, 'alternate', 6, '14:00', '15:00', 15)",
      [id])
    let f = practice.examine().filter { $0.code == "alternate-diary-without-anchor" && $0.location.practitionerId == id }
    #expect(f.count == 1)
    #expect(f.first?.severity == .warning && f.first?.what.contains("9101") == true, "\(f)")
    // The same practitioner unpublished: information only, nothing is lost yet.
    try practice.sql("UPDATE staff SET online_booking = 0 WHERE id = ?", [id])
    let hidden = practice.examine().filter { $0.code == "alternate-diary-without-anchor" && $0.location.practitionerId == id }
    #expect(hidden.map(\.severity) == [.info])
  }
}
