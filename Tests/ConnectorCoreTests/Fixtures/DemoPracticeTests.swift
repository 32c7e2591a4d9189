import ConnectorCore
import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@Suite struct DemoPracticeTests {
  /// A Wednesday, a Saturday, a Sunday and a Monday: the demo must work whatever today is.
  static let todays = ["2026-03-04", "2026-03-07", "2026-03-08", "2026-03-09"]

  /// Builds the demo in a fresh database pinned to `today` and runs `body` on it.
  private func withDemo<T>(today: String, _ body: (Database) throws -> T) throws -> T {
    let folder = try TemporaryFolder()
    let queue = try DatabaseQueue(path: folder.child("demo.sqlite"))
    try queue.write { db in
      try db.execute(sql: PPMPBundledSQL.schema())
      try db.execute(sql: PPMPBundledSQL.demo(today: LocalDate(today)!))
    }
    return try queue.read(body)
  }

  @Test(arguments: todays)
  func schemaAndDemoLoadWithEveryTableFilled(today: String) throws {
    let counts = try withDemo(today: today) { db in
      try ppmpTables.map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? 0 }
    }
    #expect(counts.count == ppmpTables.count)
    #expect(counts.allSatisfy { $0 > 0 }, "row counts \(counts)")
  }

  @Test func demoLeavesNoTemporaryTablesOrDanglingReferences() throws {
    try withDemo(today: "2026-03-04") { db in
      #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.sqlite_master") == 0)
      #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
      let settings = try String.fetchAll(db, sql: "SELECT key FROM settings ORDER BY key")
      #expect(settings == ["he_colour", "ppmp_version", "practice_name", "timezone"])
      #expect(try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = 'timezone'") == "Australia/Perth")
    }
  }

  @Test func demoHasTheSpecialPractitioners() throws {
    try withDemo(today: "2026-03-04") { db in
      func staff(_ sql: String) throws -> [Int64] { try Int64.fetchAll(db, sql: sql) }

      // A plain diary with a lunch gap: two rows a day, Monday to Friday.
      #expect(!(try staff("""
        SELECT staff_id FROM diary_times GROUP BY staff_id
        HAVING count(*) = 10 AND min(weekday) = 1 AND max(weekday) = 5 AND count(DISTINCT interval_minutes) = 1
        """)).isEmpty)
      // An alternate roster anchored on a Monday with alternate rows.
      let rostered = try staff("""
        SELECT DISTINCT s.id FROM staff AS s JOIN diary_times AS d ON d.staff_id = s.id
         WHERE s.roster_anchor IS NOT NULL AND strftime('%w', s.roster_anchor) = '1' AND d.diary = 'alternate'
        """)
      #expect(rostered.count >= 2)
      // Two columns, with appointments in the second.
      #expect(!(try staff("""
        SELECT DISTINCT s.id FROM staff AS s JOIN appointments AS a ON a.staff_id = s.id
         WHERE s.columns = 2 AND a.column_no = 2
        """)).isEmpty)
      // 12-hour diary times, noon included.
      #expect(!(try staff("""
        SELECT DISTINCT staff_id FROM diary_times
         WHERE start_time LIKE '%am' AND end_time = '12:00pm'
        """)).isEmpty)
      // The three invalid spellings, in both diaries of one practitioner, beside valid rows.
      for diary in ["main", "alternate"] {
        let invalid = try String.fetchAll(
          db,
          sql: """
            SELECT DISTINCT start_time FROM diary_times
             WHERE diary = ? AND start_time IN ('9:00', '9:00 am', '0900') ORDER BY 1
            """, arguments: [diary])
        #expect(invalid == ["0900", "9:00", "9:00 am"], "\(diary) diary")
      }
      #expect(!(try staff("""
        SELECT staff_id FROM diary_times GROUP BY staff_id
        HAVING sum(start_time = '0900') > 0 AND sum(start_time GLOB '[0-2][0-9]:[0-5][0-9]') > 0
        """)).isEmpty)
      #expect(!(try staff("SELECT id FROM staff WHERE slot_duration <> 0")).isEmpty)
      #expect(!(try staff("SELECT id FROM staff WHERE active = 0")).isEmpty)
      #expect(!(try staff("SELECT id FROM staff WHERE online_booking = 0 AND active = 1")).isEmpty)
      // Inconsistent interval lengths across one practitioner's rows.
      #expect(!(try staff("""
        SELECT staff_id FROM diary_times GROUP BY staff_id HAVING count(DISTINCT interval_minutes) > 1
        """)).isEmpty)
      // A trailing partial slot (24-hour rows only, so plain arithmetic works).
      #expect(!(try staff("""
        SELECT staff_id FROM diary_times
         WHERE start_time GLOB '[0-2][0-9]:[0-5][0-9]' AND end_time GLOB '[0-2][0-9]:[0-5][0-9]'
           AND ((substr(end_time, 1, 2) * 60 + substr(end_time, 4, 2))
                - (substr(start_time, 1, 2) * 60 + substr(start_time, 4, 2))) % interval_minutes <> 0
        """)).isEmpty)
    }
  }

  @Test(arguments: todays)
  func demoDatesFollowToday(today: String) throws {
    try withDemo(today: today) { db in
      let inThirtyDays = try Int.fetchOne(
        db, sql: "SELECT count(*) FROM holidays WHERE holiday_date > ? AND holiday_date <= date(?, '+30 days')",
        arguments: [today, today])
      #expect(inThirtyDays == 1)
      let latest = try String.fetchOne(
        db, sql: "SELECT max(appt_date) FROM appointments WHERE status = 'booked'")
      let horizon = try String.fetchOne(db, sql: "SELECT date(?, '+25 days')", arguments: [today])
      #expect(latest! >= horizon!)
      let pastStatuses = try String.fetchAll(
        db, sql: "SELECT DISTINCT status FROM appointments WHERE appt_date < ? ORDER BY 1", arguments: [today])
      #expect(pastStatuses == ["cancelled", "completed", "dna"])
      let futureStatuses = try String.fetchAll(
        db, sql: "SELECT DISTINCT status FROM appointments WHERE appt_date > ? ORDER BY 1", arguments: [today])
      #expect(futureStatuses == ["booked", "cancelled"])
      let badTimes = try Int.fetchOne(
        db, sql: "SELECT count(*) FROM appointments WHERE start_time NOT GLOB '[0-2][0-9]:[0-5][0-9]'")
      #expect(badTimes == 0)
      let anchors = try String.fetchAll(db, sql: "SELECT roster_anchor FROM staff WHERE roster_anchor IS NOT NULL")
      #expect(anchors.allSatisfy { LocalDate($0)?.weekday == 1 && $0 <= today })
    }
  }

  @Test func weekdayDemoHasArrivedPatients() throws {
    let arrived = try withDemo(today: "2026-03-04") { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM appointments WHERE status = 'arrived' AND appt_date = '2026-03-04'")
    }
    #expect((arrived ?? 0) > 0)
  }

  @Test func demoHasHealthengineBookingsWithAndWithoutTokens() throws {
    try withDemo(today: "2026-03-04") { db in
      let tokens = try String.fetchAll(
        db,
        sql: "SELECT substr(comments, instr(comments, 'HE_MSG_ID:')) FROM appointments WHERE comments LIKE '%HE_MSG_ID:%'")
      #expect(tokens.count >= 5)
      #expect(Set(tokens).count == tokens.count)
      #expect(tokens.allSatisfy { $0.hasPrefix("HE_MSG_ID:he-demo-") })
      let tokenRemoved = try Int.fetchOne(
        db,
        sql: "SELECT count(*) FROM appointments WHERE comments LIKE '%Healthengine%' AND comments NOT LIKE '%HE_MSG_ID:%'")
      #expect(tokenRemoved == 1)
      let cancelledWithToken = try Int.fetchOne(
        db, sql: "SELECT count(*) FROM appointments WHERE status = 'cancelled' AND comments LIKE '%HE_MSG_ID:%'")
      #expect((cancelledWithToken ?? 0) >= 1)
    }
  }

  @Test func demoHasPatientsWithTheSameNameAndBirthDate() throws {
    try withDemo(today: "2026-03-04") { db in
      let patients = try Int.fetchOne(db, sql: "SELECT count(*) FROM patients") ?? 0
      #expect(patients >= 300)
      let exactPairs = try Int.fetchOne(
        db,
        sql: """
          SELECT count(*) FROM (SELECT 1 FROM patients GROUP BY first_name, last_name, dob HAVING count(*) > 1)
          """)
      #expect((exactPairs ?? 0) >= 3)
      let foldedPairs = try Int.fetchOne(
        db,
        sql: """
          SELECT count(*) FROM (SELECT 1 FROM patients
            GROUP BY lower(trim(first_name)), lower(trim(last_name)), dob HAVING count(*) > 1)
          """)
      #expect((foldedPairs ?? 0) > (exactPairs ?? 0))
    }
  }

  @Test func pinningTodayReplacesOnlyTheClockLine() throws {
    let original = try PPMPBundledSQL.demo()
    let pinned = try PPMPBundledSQL.demo(today: LocalDate(year: 2031, month: 12, day: 31)!)
    #expect(original.contains("SELECT date('now') AS today; \(PPMPBundledSQL.demoClockMarker)"))
    #expect(pinned.contains("SELECT '2031-12-31' AS today; \(PPMPBundledSQL.demoClockMarker)"))
    let changed = zip(original.split(separator: "\n"), pinned.split(separator: "\n")).filter { $0 != $1 }
    #expect(changed.count == 1)
  }

  @Test func connectorIndexesApplyToAnExistingDatabaseAgain() throws {
    let folder = try TemporaryFolder()
    let queue = try DatabaseQueue(path: folder.child("existing.sqlite"))
    let indexes = try queue.write { db in
      try db.execute(sql: PPMPBundledSQL.tables())
      let before = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'ppmpc_%'")
      #expect(before == 0)
      try db.execute(sql: PPMPBundledSQL.connectorIndexes())
      try db.execute(sql: PPMPBundledSQL.connectorIndexes())
      return try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'ppmpc_%'")
    }
    #expect((indexes ?? 0) >= 3)
  }

  @Test func schemaDeclaresTheSpecColumns() throws {
    let folder = try TemporaryFolder()
    let queue = try DatabaseQueue(path: folder.child("schema.sqlite"))
    let columns = try queue.write { db in
      try db.execute(sql: PPMPBundledSQL.schema())
      return try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('appointments') ORDER BY cid")
    }
    #expect(
      columns == [
        "id", "staff_id", "column_no", "appt_date", "start_time", "duration_minutes", "patient_id", "type_id",
        "status", "comments", "colour", "created_at", "updated_at",
      ])
  }
}
