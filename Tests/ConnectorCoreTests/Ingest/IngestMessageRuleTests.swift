import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// The message rules docs/rules.md writes down for re-sends, cancellations and tokens, each
/// through the real `Ingestor` on the hand-written practice.
@Suite struct IngestMessageRuleTests {
  /// Counts the statements that read the whole appointment book for HE_MSG_ID tokens.
  final class ScanCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var scans = 0
    func saw(_ sql: String) {
      guard sql.contains("appointments"), sql.contains("LIKE"), !sql.contains("staff_id") else { return }
      lock.lock()
      scans += 1
      lock.unlock()
    }
    var count: Int {
      lock.lock()
      defer { lock.unlock() }
      return scans
    }
  }

  @Test func unknownCancellationsReadTheBookOncePerPassNotOncePerMessage() throws {
    let practice = try IngestTestPractice("cancel-scan")
    try practice.drop("a.xml", bookings: [IngestTestPractice.booking("known-1")])
    try practice.ingest()
    let unknown = (0..<50).map { CancellationMessage(heMsgId: "nobody-\($0)", requestId: "r-\($0)", updatedAt: "2026-03-02T00:00:00Z") }
    try practice.drop("b.xml", cancellations: unknown + [CancellationMessage(heMsgId: "known-1", requestId: "r-k", updatedAt: "2026-03-02T00:00:00Z")])

    let database = try PPMPDatabase(path: practice.databasePath)
    let counter = ScanCounter()
    database.queue.inDatabase { db in db.trace { counter.saw($0.expandedDescription) } }
    let state = try ConnectorState(path: practice.spool.stateDatabase)
    let options = AvailabilityOptions(
      asOf: LocalDateTime(IngestTestPractice.asOf)!, horizonDays: 14, leadMinutes: 120,
      timeZone: TimeZone(identifier: "Australia/Perth")!, multiColumn: practice.configuration.multiColumn)
    let ingestor = Ingestor(
      configuration: practice.configuration, spool: practice.spool, state: state,
      book: try AppointmentBook(database: database, options: options, patients: PatientIndex(state: state)))
    let summary = try ingestor.run()
    #expect(summary.rejectedMessages == 50 && summary.confirmed == 1)
    #expect(counter.count == 1, "\(counter.count) scans of the appointment book for 50 unknown cancellations")
    let answers = try practice.answers("receipt-b.xml")
    #expect(answers.filter { $0["reason"] == "unknown-booking" }.count == 50)
    #expect(answers.last?.name == "confirmUpdate")
  }

  @Test func aRejectedHeMsgIdResentWithOtherContentIsANewAttempt() throws {
    let practice = try IngestTestPractice("resend-after-reject")
    // 10:00 on Wednesday is booked: slot-unavailable. Healthengine re-sends the heMsgId for 11:00.
    try practice.drop("a.xml", bookings: [IngestTestPractice.booking("again-1", at: "2026-03-04T10:00")])
    try practice.ingest()
    #expect(try practice.answers("receipt-a.xml").first?["reason"] == "slot-unavailable")
    try practice.drop("b.xml", bookings: [IngestTestPractice.booking("again-1", at: "2026-03-04T11:00")])
    try practice.ingest()
    #expect(try practice.answers("receipt-b.xml").first?.name == "confirmInsert")
    #expect(try practice.appointments(carrying: "again-1").count == 1)
  }

  @Test func aBookingResentAfterItsCancellationRepeatsItsAnswerAndStaysCancelled() throws {
    let practice = try IngestTestPractice("resend-after-cancel")
    let booking = IngestTestPractice.booking("gone-1")
    try practice.drop("a.xml", bookings: [booking])
    try practice.ingest()
    let first = try #require(try practice.answers("receipt-a.xml").first)
    try practice.drop("b.xml", cancellations: [CancellationMessage(heMsgId: "gone-1", requestId: "r1", updatedAt: "2026-03-02T00:00:00Z")])
    try practice.ingest()
    try practice.drop("c.xml", bookings: [booking])
    try practice.ingest()
    let again = try #require(try practice.answers("receipt-c.xml").first)
    #expect(again.name == "confirmInsert" && again["pmsAppointmentId"] == first["pmsAppointmentId"])
    let rows = try practice.appointments(carrying: "gone-1")
    #expect(rows.count == 1 && (rows[0]["status"] as String) == "cancelled")
  }

  @Test func aTokenCopiedIntoASecondAppointmentCancelsTheOneTheConnectorBooked() throws {
    let practice = try IngestTestPractice("token-twice")
    try practice.drop("a.xml", bookings: [IngestTestPractice.booking("twice-1")])
    try practice.ingest()
    let booked: Int64 = try #require(try practice.appointments(carrying: "twice-1").first?["id"])
    // Reception copies the appointment, comments and all, to another day.
    try practice.write(
      """
      INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, patient_id, status, comments, created_at, updated_at)
      VALUES (1, 1, '2026-03-06', '09:00', 30, 1, 'booked', 'Sore knee' || char(10) || 'HE_MSG_ID:twice-1', 'x', 'x')
      """)
    try practice.drop("b.xml", cancellations: [CancellationMessage(heMsgId: "twice-1", requestId: "r1", updatedAt: "2026-03-02T00:00:00Z")])
    try practice.ingest()
    #expect(try practice.answers("receipt-b.xml").first?["pmsAppointmentId"] == String(booked))
    let statuses = try practice.appointments(carrying: "twice-1").map { ($0["id"] as Int64, $0["status"] as String) }
    #expect(statuses.first { $0.0 == booked }?.1 == "cancelled")
    #expect(statuses.first { $0.0 != booked }?.1 == "booked")
  }

  @Test func aLowerCaseTokenIsNotATokenAndTheCancellationIsUnknown() throws {
    let practice = try IngestTestPractice("token-case")
    try practice.drop("a.xml", bookings: [IngestTestPractice.booking("lower-1")])
    try practice.ingest()
    // Staff retype the comment in lower case: the token is gone as far as the connector can tell.
    try practice.write("UPDATE appointments SET comments = 'he_msg_id:lower-1' WHERE comments LIKE '%HE_MSG_ID:lower-1%'")
    try practice.drop("b.xml", cancellations: [CancellationMessage(heMsgId: "lower-1", requestId: "r1", updatedAt: "2026-03-02T00:00:00Z")])
    try practice.ingest()
    let answer = try #require(try practice.answers("receipt-b.xml").first)
    #expect(answer["reason"] == "unknown-booking")
    #expect(try practice.count("SELECT COUNT(*) FROM appointments WHERE status = 'cancelled'") == 0)
  }
}
