import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// Patient matching, the inserted appointment row, cancellation and the publish round trip (SPEC §6).
@Suite struct IngestBookingTests {
  @Test func trimmedCaseFoldedNamesMatchAndFillAMissingMobile() throws {
    let p = try IngestTestPractice("match-fill")
    try p.drop("d.xml", bookings: [IngestTestPractice.booking("m1", first: "  alice ", last: "SMITH", dob: "1980-01-01", phone: "0422 222 222")])
    try p.ingest()
    let answer = try #require(try p.answers("receipt-d.xml").first)
    #expect(answer["patientMatch"] == "matched" && answer["pmsPatientId"] == "1")
    #expect(try p.read { try String.fetchOne($0, sql: "SELECT mobile FROM patients WHERE id = 1") } == "0422 222 222")
    #expect(try p.count("SELECT COUNT(*) FROM patients") == 4)
  }

  @Test func matchedPatientKeepsTheMobileAlreadyOnFile() throws {
    let p = try IngestTestPractice("match-keep")
    try p.drop("d.xml", bookings: [IngestTestPractice.booking("m2", first: "Bob", last: "Jones", dob: "1970-05-05", phone: "0499 999 999")])
    try p.ingest()
    #expect(try p.answers("receipt-d.xml").first?["patientMatch"] == "matched")
    #expect(try p.read { try String.fetchOne($0, sql: "SELECT mobile FROM patients WHERE id = 2") } == "0400 000 000")
  }

  @Test func noMatchCreatesAHealthenginePatientFile() throws {
    let p = try IngestTestPractice("no-match")
    // Same names as Alice but another date of birth: not her.
    try p.drop("d.xml", bookings: [IngestTestPractice.booking("m3", first: "Alice", last: "Smith", dob: "1981-01-01")])
    try p.ingest()
    let answer = try #require(try p.answers("receipt-d.xml").first)
    #expect(answer["patientMatch"] == "created-no-match")
    let row = try #require(try p.read { try Row.fetchOne($0, sql: "SELECT * FROM patients WHERE id = ?", arguments: [Int64(answer["pmsPatientId"] ?? "") ?? -1]) })
    #expect((row["first_name"] as String?) == "Alice" && (row["dob"] as String?) == "1981-01-01" && (row["created_by"] as String?) == "healthengine")
    #expect((row["mobile"] as String?) == "0411 111 111")
  }

  @Test func severalMatchesCreateANewFileRatherThanGuess() throws {
    let p = try IngestTestPractice("multi-match")
    try p.drop("d.xml", bookings: [IngestTestPractice.booking("m4", first: "Carol", last: "Twin", dob: "1990-02-02")])
    try p.ingest()
    let answer = try #require(try p.answers("receipt-d.xml").first)
    #expect(answer["patientMatch"] == "created-multiple-matches")
    let id = Int64(answer["pmsPatientId"] ?? "") ?? -1
    #expect(id > 4)
    #expect(try p.read { try String.fetchOne($0, sql: "SELECT created_by FROM patients WHERE id = ?", arguments: [id]) } == "healthengine")
  }

  @Test func appointmentRowHasLowestFreeColumnTypeStatusColourAndComments() throws {
    let p = try IngestTestPractice("row")
    // Staff 2 column 1 is taken at 10:00 on the 3rd: column 2 is the lowest free one; at 11:00 column 1 is.
    try p.drop("d.xml", bookings: [
      IngestTestPractice.booking("row-a", resource: 2, type: "OWN2", reason: "Back pain"),
      IngestTestPractice.booking("row-b", resource: 2, at: "2026-03-03T11:00", type: nil, reason: nil),
    ])
    try p.ingest()
    let a = try #require(try p.appointments(carrying: "row-a").first)
    #expect((a["column_no"] as Int64?) == 2)
    #expect((a["type_id"] as Int64?) == 2)
    #expect((a["status"] as String?) == "booked")
    #expect((a["colour"] as String?) == "#1E90FF")
    #expect((a["appt_date"] as String?) == "2026-03-03" && (a["start_time"] as String?) == "10:00" && (a["duration_minutes"] as Int64?) == 30)
    let comments: String = a["comments"]
    #expect(comments.contains("Back pain") && comments.contains("HE_MSG_ID:row-a"))
    let b = try #require(try p.appointments(carrying: "row-b").first)
    #expect((b["column_no"] as Int64?) == 1)
    #expect(b["type_id"] == nil as Int64?)
    #expect((b["comments"] as String?) == "HE_MSG_ID:row-b")
    // Both columns now taken at 10:00: a third booking there is refused.
    try p.drop("e.xml", bookings: [IngestTestPractice.booking("row-c", resource: 2)])
    try p.ingest()
    #expect(try p.answers("receipt-e.xml").first?["reason"] == "slot-unavailable")
  }

  @Test(arguments: [("8.21", false), ("8.22", true), ("10.0", true)])
  func colourIsSetOnlyFromPPMP822(version: String, coloured: Bool) throws {
    let p = try IngestTestPractice("colour", ppmpVersion: version)
    try p.drop("d.xml", bookings: [IngestTestPractice.booking("c1")])
    try p.ingest()
    let row = try #require(try p.appointments(carrying: "c1").first)
    #expect((row["colour"] as String?) == (coloured ? "#1E90FF" : nil))
  }

  @Test func reasonCarryingAnotherTokenDoesNotHijackThatMessage() throws {
    let p = try IngestTestPractice("inert")
    try p.drop("d.xml", bookings: [IngestTestPractice.booking("x1", reason: "please note HE_MSG_ID:x2")])
    try p.drop("e.xml", bookings: [IngestTestPractice.booking("x2", at: "2026-03-03T11:00")])
    try p.ingest()
    #expect(try p.appointments(carrying: "x2").count == 1)
    #expect(try p.answers("receipt-e.xml").first?.name == "confirmInsert")
  }

  @Test func reasonTextKeepsEntitiesCDATAAndLineBreaksAndIsTrimmed() throws {
    let p = try IngestTestPractice("reason-text")
    let text = """
      <?xml version="1.0" encoding="UTF-8"?>
      <drop xmlns="urn:ppmp-connector:exchange:1" practiceId="test">
        <booking heMsgId="rt-1" bookingId="b" pmsResourceId="1" pmsAppointmentTime="2026-03-03T10:00" pmsAppointmentLength="1800"
          bookedTime="2026-03-01T23:00:00Z"><patient firstname="Dana" lastname="New" dob="1985-06-07"/><reason>
          Knee &amp; hip <!-- a comment --><![CDATA[<left>]]>&#10;since Monday  </reason></booking>
      </drop>
      """
    try p.rawDrop("r.xml", text)
    try p.ingest()
    #expect(try p.answers("receipt-r.xml").first?.name == "confirmInsert")
    let row = try #require(try p.appointments(carrying: "rt-1").first)
    #expect((row["comments"] as String?) == "Knee & hip <left>\nsince Monday\nHE_MSG_ID:rt-1")
  }

  @Test func cancellationRoundTripFreesTheSlotInTheNextDelta() throws {
    let p = try IngestTestPractice("round-trip")
    let database = try PPMPDatabase(path: p.databasePath)
    let state = try ConnectorState(path: p.spool.stateDatabase)
    let exporter = Exporter(configuration: p.configuration, spool: p.spool, database: database, state: state)
    let asOf = LocalDateTime(IngestTestPractice.asOf)!
    let date = LocalDate("2026-03-06")!
    func offered(_ content: SnapshotContent) -> Bool {
      content.days.first { $0.resourceID == 1 && $0.date == date }?.ranges.contains {
        $0.start.minutes <= 11 * 60 && $0.end.minutes >= 11 * 60 + 30
      } ?? false
    }
    #expect(try exporter.export(asOf: asOf, full: false).outcome == .snapshot)
    #expect(offered(try SnapshotContent(path: p.spool.publishedSnapshot)))

    try p.drop("book.xml", bookings: [IngestTestPractice.booking("rt", at: "2026-03-06T11:00")])
    try p.ingest()
    let taken = try exporter.export(asOf: asOf, full: false)
    #expect(taken.outcome == .delta && taken.changedDays == 1)
    #expect(!offered(try SnapshotContent(path: p.spool.publishedSnapshot)))

    try p.drop("cancel.xml", cancellations: [CancellationMessage(heMsgId: "rt", requestId: "q-rt", updatedAt: "2026-03-02T00:00:00Z")])
    try p.ingest()
    let answer = try #require(try p.answers("receipt-cancel.xml").first)
    #expect(answer.name == "confirmUpdate")
    #expect(try p.appointments(carrying: "rt").first.map { $0["status"] as String } == "cancelled")
    let freed = try exporter.export(asOf: asOf, full: false)
    #expect(freed.outcome == .delta && freed.changedDays == 1)
    let deltaPath = p.spool.outbox + "/" + (freed.outboxFile ?? "")
    let reader = try PublicationReader(path: deltaPath)
    var days: [PublishedDay] = []
    while let d = try reader.nextDay() { days.append(d) }
    #expect(days.map { [$0.day.resourceID, Int64($0.day.date.days(since: date))] } == [[1, 0]])
    #expect(offered(try SnapshotContent(path: p.spool.publishedSnapshot)))
  }

  @Test func removedTokenIsUnknownBookingAndAlreadyCancelledConfirmsAgain() throws {
    let p = try IngestTestPractice("token")
    try p.drop("a.xml", bookings: [IngestTestPractice.booking("keep"), IngestTestPractice.booking("lost", at: "2026-03-03T11:00")])
    try p.ingest()
    try p.write("UPDATE appointments SET comments = 'patient rang; moved' WHERE comments LIKE '%HE_MSG_ID:lost%'")
    try p.drop("b.xml", cancellations: [
      CancellationMessage(heMsgId: "keep", requestId: "q1", updatedAt: "2026-03-02T00:00:00Z"),
      CancellationMessage(heMsgId: "lost", requestId: "q2", updatedAt: "2026-03-02T00:00:00Z"),
    ])
    try p.ingest()
    let b = try p.answers("receipt-b.xml")
    #expect(b.map(\.name) == ["confirmUpdate", "rejectUpdate"])
    #expect(b[1]["reason"] == "unknown-booking")
    #expect(b[1]["detail"]?.contains("HE_MSG_ID:lost") == true && b[1]["detail"]?.contains("removed") == true)
    // The same cancellation again, and a new request for it: confirmed again, same appointment.
    try p.drop("c.xml", cancellations: [
      CancellationMessage(heMsgId: "keep", requestId: "q1", updatedAt: "2026-03-02T00:00:00Z"),
      CancellationMessage(heMsgId: "keep", requestId: "q3", updatedAt: "2026-03-02T01:00:00Z"),
    ])
    try p.ingest()
    let c = try p.answers("receipt-c.xml")
    #expect(c.map(\.name) == ["confirmUpdate", "confirmUpdate"])
    #expect(c[0]["pmsAppointmentId"] == b[0]["pmsAppointmentId"] && c[1]["pmsAppointmentId"] == b[0]["pmsAppointmentId"])
    #expect(try p.count("SELECT COUNT(*) FROM appointments WHERE status = 'cancelled'") == 1)
  }

  @Test func bookingsAreAppliedBeforeCancellationsWhateverTheDocumentOrder() throws {
    let p = try IngestTestPractice("order")
    // The cancellation comes first in the file.
    let text = """
      <?xml version="1.0" encoding="UTF-8"?>
      <drop xmlns="urn:ppmp-connector:exchange:1" practiceId="test">
        <cancellation heMsgId="late" requestId="q-late" updatedAt="2026-03-02T00:00:00Z"/>
        <booking heMsgId="late" bookingId="b-late" pmsResourceId="1" pmsAppointmentTypeId="STD" pmsAppointmentTime="2026-03-03T10:00"
          pmsAppointmentLength="1800" bookedTime="2026-03-01T23:00:00Z"><patient firstname="Dana" lastname="New" dob="1985-06-07"/></booking>
      </drop>
      """
    try p.rawDrop("o.xml", text)
    try p.ingest()
    #expect(try p.answers("receipt-o.xml").map(\.name) == ["confirmInsert", "confirmUpdate"])
    #expect(try p.appointments(carrying: "late").first.map { $0["status"] as String } == "cancelled")
  }
}

/// The tokens a state-loss rebuild of the journal reads back from appointment comments.
@Suite struct HEMessageTokenTests {
  @Test func tokensAreReadAsCarryDelimitsThem() {
    let comments = "Sore knee, HE-MSG-ID:defused\nHE_MSG_ID:m-1 HE_MSG_ID:m-10.a;HE_MSG_ID: HE_MSG_ID:x:y"
    #expect(AppointmentBook.tokens(in: comments) == ["m-1", "m-10.a", "x:y"])
    for id in AppointmentBook.tokens(in: comments) { #expect(AppointmentBook.comments(comments, carry: id)) }
    #expect(AppointmentBook.tokens(in: "no token here").isEmpty)
  }

  /// ASCII comments are searched as bytes, anything else through Foundation: both must delimit
  /// a token the same way.
  @Test func carryDelimitsTheTokenAlikeInASCIIAndInOtherText() {
    let cases: [(comments: String, id: String, carries: Bool)] = [
      ("HE_MSG_ID:m-1", "m-1", true),
      ("HE_MSG_ID:m-10", "m-1", false),
      ("HE_MSG_ID:m-1.", "m-1", false),
      ("HE_MSG_ID:m-1:", "m-1", false),
      ("HE_MSG_ID:m-1_", "m-1", false),
      ("HE_MSG_ID:m-1 ", "m-1", true),
      ("HE_MSG_ID:m-1;HE_MSG_ID:m-2", "m-2", true),
      ("HE_MSG_ID:m-10 then HE_MSG_ID:m-1", "m-1", true),
      ("knee\nHE_MSG_ID:m-1\r\n", "m-1", true),
      ("HE-MSG-ID:m-1", "m-1", false),
      ("he_msg_id:m-1", "m-1", false),
      ("HE_MSG_ID:m-", "m-1", false),
      ("", "m-1", false),
      ("Genou, réservé: HE_MSG_ID:m-1", "m-1", true),
      ("HE_MSG_ID:m-1é", "m-1", false),
      ("HE_MSG_ID:m-1 é", "m-1", true),
      ("HE_MSG_ID:ré-1", "ré-1", true),
      ("HE_MSG_ID:ré-10", "ré-1", false),
    ]
    for c in cases {
      #expect(AppointmentBook.comments(c.comments, carry: c.id) == c.carries, "\(c.comments) carries \(c.id)")
    }
  }
}
