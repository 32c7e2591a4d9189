import ConnectorCore
import ConnectorTestSupport
@testable import ConnectorFixtures
import Foundation
import GRDB
import Testing

private let fixtureStart = LocalDate(year: 2026, month: 3, day: 4)!

@Suite struct PracticeFixtureGeneratorTests {
  private func spec(
    practitioners: Int = 6, days: Int = 21, patients: Int = 120, booked: Double = 0.5, seed: UInt64 = 42
  ) -> PracticeFixtureSpec {
    PracticeFixtureSpec(
      practitioners: practitioners, days: days, patients: patients, bookedFraction: booked, seed: seed,
      start: fixtureStart)
  }

  @Test func sameSpecGivesIdenticalDatabaseContent() throws {
    let folder = try TemporaryFolder()
    let first = try PracticeFixtureGenerator.generate(spec(), into: folder.child("a.sqlite"))
    let second = try PracticeFixtureGenerator.generate(spec(), into: folder.child("b.sqlite"))

    let dumpA = try openReadOnly(folder.child("a.sqlite")).read(dumpTables)
    let dumpB = try openReadOnly(folder.child("b.sqlite")).read(dumpTables)
    #expect(first == second)
    #expect(dumpA.count > 200)
    #expect(dumpA == dumpB)
  }

  @Test func differentSeedsGiveDifferentContent() throws {
    let folder = try TemporaryFolder()
    try PracticeFixtureGenerator.generate(spec(seed: 1), into: folder.child("a.sqlite"))
    try PracticeFixtureGenerator.generate(spec(seed: 2), into: folder.child("b.sqlite"))

    let dumpA = try openReadOnly(folder.child("a.sqlite")).read(dumpTables)
    let dumpB = try openReadOnly(folder.child("b.sqlite")).read(dumpTables)
    #expect(dumpA != dumpB)
  }

  struct Size: Sendable, CustomTestStringConvertible {
    var practitioners: Int
    var days: Int
    var patients: Int
    var booked: Double
    var testDescription: String { "\(practitioners)x\(days) \(patients)p booked \(booked)" }
  }

  @Test(arguments: [
    Size(practitioners: 1, days: 1, patients: 0, booked: 0),
    Size(practitioners: 20, days: 30, patients: 2_000, booked: 0.5),
    Size(practitioners: 40, days: 60, patients: 500, booked: 0.2),
    Size(practitioners: 15, days: 45, patients: 300, booked: 0.9),
    Size(practitioners: 10, days: 30, patients: 100, booked: 1),
  ])
  func countsFollowTheSpec(size: Size) throws {
    let folder = try TemporaryFolder()
    let path = folder.child("practice.sqlite")
    let summary = try PracticeFixtureGenerator.generate(
      spec(practitioners: size.practitioners, days: size.days, patients: size.patients, booked: size.booked),
      into: path)

    try openReadOnly(path).read { db in
      #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM staff") == size.practitioners)
      #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM patients") == size.patients)
      #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments") == summary.appointments)
      #expect(
        try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments WHERE status = 'cancelled'")
          == summary.cancelledAppointments)
      #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM diary_times") == summary.diaryRows)

      let occupied =
        try Int.fetchOne(
          db, sql: "SELECT count(*) FROM appointments WHERE column_no = 1 AND status <> 'cancelled'") ?? -1
      if summary.bookableSlots >= 2_000 {
        let fraction = Double(occupied) / Double(summary.bookableSlots)
        #expect(abs(fraction - size.booked) < 0.03, "booked \(fraction) of \(summary.bookableSlots) slots")
        if size.booked > 0 && size.booked < 1 {
          let cancelled = Double(summary.cancelledAppointments) / Double(summary.appointments)
          #expect(cancelled > 0.02 && cancelled < 0.08, "cancelled share \(cancelled)")
        }
      } else if size.booked == 0 {
        #expect(occupied == 0)
      }
    }
  }

  @Test func appointmentsStayInThePeriodOnFreeSlotsWithoutOverlap() throws {
    let folder = try TemporaryFolder()
    let path = folder.child("practice.sqlite")
    let generated = spec(practitioners: 30, days: 28, patients: 400, booked: 0.6, seed: 7)
    let summary = try PracticeFixtureGenerator.generate(generated, into: path)
    let last = generated.start.adding(days: generated.days - 1)

    try openReadOnly(path).read { db in
      #expect(summary.appointments > 1_000)
      let outside = try Int.fetchOne(
        db, sql: "SELECT count(*) FROM appointments WHERE appt_date < ? OR appt_date > ?",
        arguments: [generated.start.description, last.description])
      #expect(outside == 0)
      let badTimes = try Int.fetchOne(
        db,
        sql: "SELECT count(*) FROM appointments WHERE start_time NOT GLOB '[0-2][0-9]:[0-5][0-9]'")
      #expect(badTimes == 0)
      let onHolidays = try Int.fetchOne(
        db, sql: "SELECT count(*) FROM appointments WHERE appt_date IN (SELECT holiday_date FROM holidays)")
      #expect(onHolidays == 0)
      let onLeave = try Int.fetchOne(
        db,
        sql: """
          SELECT count(*) FROM appointments AS a JOIN diary_blocks AS b
            ON b.staff_id = a.staff_id AND b.block_date = a.appt_date AND b.start_time IS NULL
          """)
      #expect(onLeave == 0)
      let overlaps = try Int.fetchOne(
        db,
        sql: """
          WITH m AS (
            SELECT id, staff_id, column_no, appt_date,
                   substr(start_time, 1, 2) * 60 + substr(start_time, 4, 2) AS s, duration_minutes AS d
              FROM appointments WHERE status <> 'cancelled')
          SELECT count(*) FROM m AS a JOIN m AS b
            ON a.id < b.id AND a.staff_id = b.staff_id AND a.column_no = b.column_no
           AND a.appt_date = b.appt_date AND a.s < b.s + b.d AND b.s < a.s + a.d
          """)
      #expect(overlaps == 0)
      let inactiveBooked = try Int.fetchOne(
        db,
        sql: "SELECT count(*) FROM appointments WHERE staff_id IN (SELECT id FROM staff WHERE active = 0)")
      #expect(inactiveBooked == 0)
      #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
      #expect(try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'timezone'") == "Australia/Perth")
    }
  }

  @Test func healthengineBookingsCarryUniqueTokens() throws {
    let folder = try TemporaryFolder()
    let path = folder.child("practice.sqlite")
    let summary = try PracticeFixtureGenerator.generate(spec(practitioners: 20, days: 30), into: path)

    try openReadOnly(path).read { db in
      let tokens = try String.fetchAll(
        db,
        sql: """
          SELECT substr(comments, instr(comments, 'HE_MSG_ID:')) FROM appointments
           WHERE comments LIKE '%HE_MSG_ID:%'
          """)
      #expect(tokens.count == summary.healthengineAppointments)
      #expect(tokens.count > 20)
      #expect(Set(tokens).count == tokens.count)
      let uncoloured = try Int.fetchOne(
        db, sql: "SELECT count(*) FROM appointments WHERE comments LIKE '%HE_MSG_ID:%' AND colour IS NULL")
      #expect(uncoloured == 0)
    }
  }

  @Test func generatedDatabaseHasTheConnectorIndexes() throws {
    let folder = try TemporaryFolder()
    let path = folder.child("practice.sqlite")
    try PracticeFixtureGenerator.generate(spec(), into: path)
    let indexes = try openReadOnly(path).read { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ppmpc_%'")
    }
    let declared = try PPMPBundledSQL.connectorIndexes().components(separatedBy: "CREATE INDEX").count - 1
    #expect(indexes.count == declared)
    #expect(declared >= 3)
  }

  @Test func refusesToOverwriteAnExistingFile() throws {
    let folder = try TemporaryFolder()
    let path = folder.child("taken.sqlite")
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))

    #expect(throws: PracticeFixtureError.outputExists(path: path)) {
      try PracticeFixtureGenerator.generate(spec(), into: path)
    }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
  }

  @Test(arguments: [
    ("practitioners", PracticeFixtureSpec(
      practitioners: 0, days: 1, patients: 1, bookedFraction: 0.5, seed: 1, start: fixtureStart)),
    ("days", PracticeFixtureSpec(
      practitioners: 1, days: 0, patients: 1, bookedFraction: 0.5, seed: 1, start: fixtureStart)),
    ("days", PracticeFixtureSpec(
      practitioners: 1, days: PracticeFixtureSpec.maxDays + 1, patients: 1, bookedFraction: 0.5, seed: 1,
      start: fixtureStart)),
    ("patients", PracticeFixtureSpec(
      practitioners: 1, days: 1, patients: -1, bookedFraction: 0.5, seed: 1, start: fixtureStart)),
    ("bookedFraction", PracticeFixtureSpec(
      practitioners: 1, days: 1, patients: 1, bookedFraction: 1.5, seed: 1, start: fixtureStart)),
    ("bookedFraction", PracticeFixtureSpec(
      practitioners: 1, days: 1, patients: 1, bookedFraction: .nan, seed: 1, start: fixtureStart)),
  ])
  func rejectsOutOfRangeSpecs(field: String, spec: PracticeFixtureSpec) throws {
    let folder = try TemporaryFolder()
    let path = folder.child("never.sqlite")
    do {
      try PracticeFixtureGenerator.generate(spec, into: path)
      Issue.record("expected \(field) to be rejected")
    } catch let error as PracticeFixtureError {
      guard case .invalidSpec(let rejected, _) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(rejected == field)
    }
    #expect(!FileManager.default.fileExists(atPath: path))
  }
}
