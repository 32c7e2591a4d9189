import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// The connector's patient key index follows PPMP: staff edits, new rows and deleted rows made
/// after the connector last looked are seen by the next ingest pass, and a hit is re-checked
/// against the live row.
@Suite struct PatientIndexTests {
  func answer(_ p: IngestTestPractice, _ drop: String) throws -> (match: String, patient: Int64) {
    let a = try #require(try p.answers("receipt-\(drop)").first)
    return (a["patientMatch"] ?? "", Int64(a["pmsPatientId"] ?? "") ?? -1)
  }

  /// The practice's PPMP database and a key index just compared with it.
  func levelIndex(_ p: IngestTestPractice) throws -> (PPMPDatabase, PatientIndex) {
    let database = try PPMPDatabase(path: p.databasePath)
    let index = PatientIndex(state: try ConnectorState(path: p.spool.stateDatabase))
    try index.refresh(database)
    return (database, index)
  }

  @Test func staffEditsBetweenPassesAreMatchedOnTheNewValues() throws {
    let p = try IngestTestPractice("index-edits")
    // First pass builds the index (Alice Smith is 1; Carol Twin is 3 and 4).
    try p.drop("a.xml", bookings: [IngestTestPractice.booking("e1", first: "Alice", last: "Smith", dob: "1980-01-01")])
    try p.ingest()
    #expect(try answer(p, "a.xml") == ("matched", 1))

    // Staff rename Alice, tell the twins apart, add a file and delete another.
    try p.write("UPDATE patients SET first_name = 'Alicia', last_name = 'Smyth-Brown' WHERE id = 1")
    try p.write("UPDATE patients SET first_name = 'Caroline' WHERE id = 4")
    try p.write(
      "INSERT INTO patients (id, first_name, last_name, dob, created_at) VALUES (50, 'Noah', 'O’Hara', '2010-10-10', 'x')")
    try p.write("DELETE FROM appointments WHERE patient_id = 2; DELETE FROM patients WHERE id = 2")
    try p.drop(
      "b.xml",
      bookings: [
        IngestTestPractice.booking("e2", at: "2026-03-03T09:00", first: "alicia", last: "Smyth Brown", dob: "1980-01-01"),
        IngestTestPractice.booking("e3", at: "2026-03-03T10:30", first: "Alice", last: "Smith", dob: "1980-01-01"),
        IngestTestPractice.booking("e4", at: "2026-03-03T11:00", first: "Carol", last: "Twin", dob: "1990-02-02"),
        IngestTestPractice.booking("e5", at: "2026-03-03T11:30", first: "Noah", last: "O'Hara", dob: "2010-10-10"),
        IngestTestPractice.booking("e6", at: "2026-03-04T09:00", first: "Bob", last: "Jones", dob: "1970-05-05", phone: nil),
      ])
    try p.ingest()
    let answers = try p.answers("receipt-b.xml").map { ($0["patientMatch"] ?? "", Int64($0["pmsPatientId"] ?? "") ?? -1) }
    try #require(answers.count == 5)
    #expect(answers[0] == ("matched", 1), "the new spelling matches")
    #expect(answers[1].0 == "created-no-match", "the old spelling no longer does")
    #expect(answers[2] == ("matched", 3), "one Carol left once the other is Caroline")
    #expect(answers[3] == ("matched", 50), "a file added since the last pass")
    #expect(answers[4].0 == "created-no-match" && answers[4].1 != 2, "a deleted file is never matched")
    #expect(
      try PatientKeyReader(path: p.spool.stateDatabase).patientIDs(first: "bob", last: "jones", dob: "1970-05-05")
        == [answers[4].1], "2 left the index")
  }

  @Test func aHitIsRecheckedAgainstTheLiveRow() throws {
    let p = try IngestTestPractice("index-live")
    let (database, index) = try levelIndex(p)
    // Edited after this pass compared: the index still says Alice Smith, PPMP no longer does.
    try p.write("UPDATE patients SET first_name = 'Alicia' WHERE id = 1")
    let options = AvailabilityOptions(
      asOf: LocalDateTime(IngestTestPractice.asOf)!, horizonDays: 14, leadMinutes: 120,
      timeZone: TimeZone(identifier: "Australia/Perth")!, multiColumn: [:])
    let book = try AppointmentBook(database: database, options: options, patients: index)
    let request = try BookingChecks.check(
      IngestTestPractice.booking("live", first: "Alice", last: "Smith", dob: "1980-01-01")).get()
    let confirmation = try book.book(request).get()
    #expect(confirmation.match == .createdNoMatch && confirmation.patientID != 1)
    #expect(confirmation.candidates.map(\.patientID) == [1], "offered for review on its live row")
  }

  /// `watch` runs many ingest passes in one process: the context keeps one index, and a pass
  /// compares it with every PPMP patient only when another connection has committed since.
  @Test func aCycleWithNoOutsideChangeSkipsTheComparisonAndAnOutsideEditIsSeen() throws {
    let p = try IngestTestPractice("index-cycles")
    let context = try ConnectorContext(configuration: p.configuration, asOf: LocalDateTime(IngestTestPractice.asOf)!)
    func cycle(_ drop: String, _ booking: BookingMessage) throws -> (match: String, patient: Int64) {
      try p.drop(drop, bookings: [booking])
      _ = try context.makeIngestor().run()
      return try answer(p, drop)
    }
    let first = try cycle("a.xml", IngestTestPractice.booking("c1", first: "Dan", last: "New", dob: "1999-09-09"))
    #expect(first.match == "created-no-match")
    #expect(context.patientIndex.comparisons == 1)

    // Only the connector wrote to PPMP since: no comparison, and its own new file still matches.
    let second = try cycle(
      "b.xml", IngestTestPractice.booking("c2", at: "2026-03-03T09:00", first: "Dan", last: "New", dob: "1999-09-09"))
    #expect(second == ("matched", first.patient))
    #expect(context.patientIndex.comparisons == 1, "the second cycle skipped the comparison")

    // Another connection renames Alice: the next cycle compares and matches the new name.
    try p.write("UPDATE patients SET first_name = 'Alicia' WHERE id = 1")
    let third = try cycle(
      "c.xml", IngestTestPractice.booking("c3", at: "2026-03-03T09:30", first: "Alicia", last: "Smith", dob: "1980-01-01"))
    #expect(context.patientIndex.comparisons == 2, "an outside edit moves the data version")
    #expect(third == ("matched", 1))
  }

  /// A drop's new files reach the stored index while the drop is still being applied, in
  /// batches written by the prefetch thread once its lookups are over, and `flush` leaves the
  /// index level with PPMP: the next comparison finds nothing to add or change.
  @Test func filesNotedDuringADropAreWrittenBehindItAndLeaveTheIndexLevel() throws {
    let p = try IngestTestPractice("index-behind")
    let (database, index) = try levelIndex(p)
    // The files a drop's bookings would create, already in PPMP.
    let files = 2 * BookingPrefetch.batch + 50
    try p.write(
      """
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(files))
      INSERT INTO patients (id, first_name, last_name, dob, mobile, created_at, created_by)
        SELECT 1000 + i, 'First' || i, 'Last' || i, '2000-01-01', '0400 111 ' || (100 + i), 'x', 'healthengine' FROM n
      """)
    var config = Configuration()
    config.busyMode = .timeout(5)
    let reader = try DatabaseQueue(path: p.spool.stateDatabase, configuration: config)
    func stored() throws -> Int {
      try reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM patient_key WHERE patient_id > 1000") ?? 0 }
    }

    // Enough bookings for the thread (smaller drops are prepared inline and written at the end).
    let messages = (0..<BookingPrefetch.threadFrom).map {
      IngestTestPractice.booking("w\($0)", first: "Alice", last: "Smith", dob: "1980-01-01")
    }
    let prefetch = BookingPrefetch(messages, index: index)
    index.writeBehind = prefetch
    #expect(try prefetch.take(messages.count - 1).lookup?.exact == [1])
    prefetch.endOfLookups()
    for i in 1...files {
      index.note(
        PatientRow(
          id: Int64(1000 + i), firstName: "First\(i)", lastName: "Last\(i)", dob: "2000-01-01", mobile: "0400 111 \(100 + i)",
          createdBy: "healthengine"))
    }
    // Once a batch's worth is queued it is written without waiting for the end of the drop
    // (whatever is queued when the thread wakes; less than a batch waits for `flush`).
    var written = try stored()
    for _ in 0..<500 where written < BookingPrefetch.batch {
      usleep(10_000)
      written = try stored()
    }
    #expect(written >= BookingPrefetch.batch)
    try index.flush()
    #expect(try stored() == files)
    #expect(index.writeBehind == nil)
    index.forget()
    let again = try index.refresh(database)
    #expect(again.changed == 0 && again.gone == 0)
    prefetch.finish()
  }
}
