import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// Every reject reason of SPEC §5/§6/§10, each in its own drop, answered alone and leaving PPMP untouched.
@Suite struct IngestReasonCodeTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var label: String
    var booking: BookingMessage
    var reason: RejectReason
    /// Words the detail must hold (the field or the cause).
    var detail: String
    var testDescription: String { label }
  }

  static func with(_ id: String, _ change: (inout BookingMessage) -> Void) -> BookingMessage {
    var b = IngestTestPractice.booking(id)
    change(&b)
    return b
  }

  static let cases: [Case] = [
    Case(label: "slot already booked", booking: IngestTestPractice.booking("r1", at: "2026-03-04T10:00"), reason: .slotUnavailable, detail: "already booked"),
    Case(label: "second slot of a 30-minute booking taken", booking: IngestTestPractice.booking("r2", at: "2026-03-04T09:45"), reason: .slotUnavailable, detail: "10:00"),
    Case(label: "whole-day block", booking: IngestTestPractice.booking("r3", at: "2026-03-05T10:00"), reason: .slotUnavailable, detail: "blocked"),
    Case(label: "no session on a Saturday", booking: IngestTestPractice.booking("r4", at: "2026-03-07T10:00"), reason: .slotUnavailable, detail: "no diary session"),
    Case(label: "after the day's session", booking: IngestTestPractice.booking("r4b", at: "2026-03-03T13:00"), reason: .slotUnavailable, detail: "no diary session at 13:00"),
    Case(label: "session ends before the booking", booking: IngestTestPractice.booking("r5", at: "2026-03-03T11:45"), reason: .slotUnavailable, detail: "ends before"),
    Case(label: "unknown practitioner", booking: IngestTestPractice.booking("r6", resource: 99), reason: .unknownResource, detail: "99"),
    Case(label: "inactive practitioner", booking: IngestTestPractice.booking("r7", resource: 3), reason: .unknownResource, detail: "inactive"),
    Case(label: "unknown type", booking: IngestTestPractice.booking("r8", type: "NOPE"), reason: .unknownAppointmentType, detail: "NOPE"),
    Case(label: "type not online", booking: IngestTestPractice.booking("r9", type: "OFF"), reason: .unknownAppointmentType, detail: "OFF"),
    Case(label: "type of another practitioner", booking: IngestTestPractice.booking("r10", type: "OWN2"), reason: .unknownAppointmentType, detail: "belongs to practitioner 2"),
    Case(label: "in the past", booking: IngestTestPractice.booking("r11", at: "2026-02-27T10:00"), reason: .outsideHorizon, detail: "past"),
    Case(label: "inside the lead time", booking: IngestTestPractice.booking("r12", at: "2026-03-02T09:30"), reason: .outsideHorizon, detail: "lead time"),
    Case(label: "beyond the horizon", booking: IngestTestPractice.booking("r13", at: "2026-03-17T10:00"), reason: .outsideHorizon, detail: "horizon"),
    Case(label: "resource not a number", booking: with("r14") { $0.pmsResourceId = "abc" }, reason: .invalidMessage, detail: "pmsResourceId"),
    Case(label: "resource missing", booking: with("r15") { $0.pmsResourceId = nil }, reason: .invalidMessage, detail: "pmsResourceId"),
    Case(label: "impossible date", booking: with("r16") { $0.pmsAppointmentTime = "2026-02-30T10:00" }, reason: .invalidMessage, detail: "pmsAppointmentTime"),
    Case(label: "zero length", booking: with("r17") { $0.pmsAppointmentLength = "0" }, reason: .invalidMessage, detail: "pmsAppointmentLength"),
    Case(label: "length not whole minutes", booking: with("r18") { $0.pmsAppointmentLength = "100" }, reason: .invalidMessage, detail: "pmsAppointmentLength"),
    Case(label: "length not a multiple of the slot", booking: IngestTestPractice.booking("r19", minutes: 20), reason: .invalidMessage, detail: "pmsAppointmentLength"),
    Case(label: "time off the diary grid", booking: IngestTestPractice.booking("r20", at: "2026-03-03T10:05"), reason: .invalidMessage, detail: "diary grid"),
    Case(label: "bookedTime not UTC", booking: with("r21") { $0.bookedTime = "yesterday" }, reason: .invalidMessage, detail: "bookedTime"),
    Case(label: "dob not a date", booking: with("r22") { $0.dob = "1980-13-01" }, reason: .invalidMessage, detail: "dob"),
    Case(label: "blank first name", booking: with("r23") { $0.firstName = "   " }, reason: .invalidMessage, detail: "firstname"),
    Case(label: "blank last name", booking: with("r24") { $0.lastName = "" }, reason: .invalidMessage, detail: "lastname"),
    Case(label: "phone not a number", booking: with("r25") { $0.phone = "call me" }, reason: .invalidMessage, detail: "phone"),
    Case(label: "email without @", booking: with("r26") { $0.email = "nope" }, reason: .invalidMessage, detail: "email"),
    Case(label: "no patient element", booking: with("r27") { $0.hasPatient = false }, reason: .invalidMessage, detail: "patient"),
    Case(label: "isNewPatient not boolean", booking: with("r28") { $0.isNewPatient = "maybe" }, reason: .invalidMessage, detail: "isNewPatient"),
  ]

  @Test(arguments: cases)
  func bookingIsRejectedWithItsReasonAndADetailNamingTheCause(_ c: Case) throws {
    let p = try IngestTestPractice("reason")
    let before = try p.databaseFingerprint()
    // A good booking beside the bad one: one bad message never blocks the others.
    try p.drop("d.xml", bookings: [c.booking, IngestTestPractice.booking("good", at: "2026-03-06T11:00")])
    let summary = try p.ingest()
    #expect(summary.rejectedMessages == 1 && summary.confirmed == 1)
    let answers = try p.answers("receipt-d.xml")
    #expect(answers.map(\.name) == ["rejectInsert", "confirmInsert"])
    #expect(answers[0]["heMsgId"] == c.booking.heMsgId)
    #expect(answers[0]["reason"] == c.reason.rawValue)
    #expect(answers[0]["detail"]?.contains(c.detail) == true, "\(answers[0]["detail"] ?? "")")
    #expect(try p.appointments(carrying: c.booking.heMsgId).isEmpty)
    // Only the good booking changed PPMP.
    try p.write("DELETE FROM appointments WHERE comments LIKE '%HE_MSG_ID:good%'")
    try p.write("DELETE FROM patients WHERE created_by = 'healthengine'")
    #expect(try p.databaseFingerprint() == before)
  }

  @Test func cancellationOfAnUnknownBookingIsUnknownBooking() throws {
    let p = try IngestTestPractice("unknown-booking")
    try p.drop("c.xml", cancellations: [CancellationMessage(heMsgId: "never-booked", requestId: "q1", updatedAt: "2026-03-02T00:00:00Z")])
    let summary = try p.ingest()
    #expect(summary.rejectedMessages == 1)
    let answers = try p.answers("receipt-c.xml")
    #expect(answers.map(\.name) == ["rejectUpdate"])
    #expect(answers.first?["reason"] == "unknown-booking")
  }

  @Test func cancellationWithABadUpdatedAtIsInvalidMessageNamingTheField() throws {
    let p = try IngestTestPractice("bad-updated")
    try p.drop("c.xml", cancellations: [CancellationMessage(heMsgId: "x", requestId: "q1", updatedAt: "soon")])
    try p.ingest()
    let answers = try p.answers("receipt-c.xml")
    #expect(answers.first?["reason"] == "invalid-message")
    #expect(answers.first?["detail"]?.contains("updatedAt") == true)
  }

  @Test func sameHeMsgIdWithDifferentContentIsDuplicateMessageInALaterDropAndInTheSameDrop() throws {
    let p = try IngestTestPractice("duplicate")
    try p.drop("a.xml", bookings: [IngestTestPractice.booking("dup")])
    try p.ingest()
    let changed = IngestTestPractice.booking("dup", at: "2026-03-03T11:00")
    try p.drop("b.xml", bookings: [changed, IngestTestPractice.booking("twice", at: "2026-03-06T09:00"), IngestTestPractice.booking("twice", at: "2026-03-06T10:00")])
    try p.ingest()
    let answers = try p.answers("receipt-b.xml")
    #expect(answers.map(\.name) == ["rejectInsert", "confirmInsert", "rejectInsert"])
    #expect(answers[0]["reason"] == "duplicate-message" && answers[2]["reason"] == "duplicate-message")
    #expect(try p.appointments(carrying: "dup").count == 1)
    #expect(try p.appointments(carrying: "twice").count == 1)
  }

  @Test func dobDetailNamesTheFieldButNeverEchoesTheDate() {
    // `validate` prints these details; a date of birth must not reach a log.
    let b = Self.with("dob") { $0.dob = "1899-05-05" }
    guard case .failure(let r) = BookingChecks.check(b) else {
      Issue.record("a dob before 1900 was accepted")
      return
    }
    #expect(r.reason == .invalidMessage && r.detail.contains("dob") && !r.detail.contains("1899"))
  }

  @Test func everyReasonCodeIsCoveredByThisSuite() {
    let covered = Set(Self.cases.map(\.reason)).union([.unknownBooking, .duplicateMessage])
    #expect(covered == Set(RejectReason.allCases))
  }
}
