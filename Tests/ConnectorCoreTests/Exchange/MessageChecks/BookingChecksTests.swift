import Foundation
import Testing

@testable import ConnectorCore

/// Field checks of one booking: what a name, phone number and email address may hold.
@Suite struct BookingChecksTests {
  static func message(first: String = "Ann", last: String = "Lee", phone: String? = "0400 000 000", email: String? = nil) -> BookingMessage {
    var m = BookingMessage(heMsgId: "m", bookingId: "b")
    m.pmsResourceId = "1"
    m.pmsAppointmentTime = "2026-03-03T09:00"
    m.pmsAppointmentLength = "1800"
    m.bookedTime = "2026-03-02T00:00:00Z"
    m.hasPatient = true
    (m.firstName, m.lastName, m.dob, m.phone, m.email) = (first, last, "1980-01-02", phone, email)
    return m
  }

  static func detail(_ m: BookingMessage) -> String? {
    if case .failure(let r) = BookingChecks.check(m) { return r.reason == .invalidMessage ? r.detail : "\(r.reason)" }
    return nil
  }

  struct Bad: CustomTestStringConvertible, Sendable {
    var label: String
    var message: BookingMessage
    var field: String
    var testDescription: String { label }
  }

  static let bad: [Bad] = [
    Bad(label: "zero-width characters only", message: message(first: "\u{200B}\u{200C}\u{FEFF}"), field: "patient firstname"),
    Bad(label: "combining characters only", message: message(last: "\u{0301}\u{0308}"), field: "patient lastname"),
    Bad(label: "right-to-left override", message: message(first: "\u{202E}nnA"), field: "patient firstname"),
    Bad(label: "bidi isolate", message: message(last: "Lee\u{2066}x\u{2069}"), field: "patient lastname"),
    Bad(label: "left-to-right mark", message: message(first: "A\u{200E}nn"), field: "patient firstname"),
    Bad(label: "C1 control", message: message(first: "An\u{85}n"), field: "patient firstname"),
    Bad(label: "DEL", message: message(last: "Le\u{7F}e"), field: "patient lastname"),
    Bad(label: "line separator", message: message(last: "Le\u{2028}e"), field: "patient lastname"),
    Bad(label: "circled, fraction and roman numerals as phone digits", message: message(phone: "①½Ⅻ0400"), field: "patient phone"),
    Bad(label: "Arabic-Indic phone digits", message: message(phone: "٠٤٠٠٠٠٠٠٠٠"), field: "patient phone"),
    Bad(label: "phone without enough digits", message: message(phone: "+()-"), field: "patient phone"),
    Bad(label: "email with a newline", message: message(email: "ann@example.org\nBcc: x@evil.example"), field: "patient email"),
    Bad(label: "email with a space", message: message(email: "ann lee@example.org"), field: "patient email"),
    Bad(label: "email with two @", message: message(email: "ann@lee@example.org"), field: "patient email"),
    Bad(label: "email with a bidi override", message: message(email: "ann\u{202E}@example.org"), field: "patient email"),
  ]

  @Test(arguments: bad)
  func invalidFieldIsRejectedNamingTheField(_ c: Bad) {
    let detail = Self.detail(c.message)
    #expect(detail?.hasPrefix(c.field) == true, "\(c.label): \(detail ?? "accepted")")
  }

  @Test(arguments: [
    message(first: "José", last: "Núñez"),
    message(first: "李", last: "小龍"),
    message(first: "Seán", last: "O'Brien-Smith"),
    message(first: "مهر\u{200C}ناز", last: "Ahmadi"),  // a zero-width non-joiner belongs in Persian names
    message(first: "Zoë", last: "Lee", phone: "+61 (0)8 9000 0000"),
    message(first: "Ann", last: "Lee", phone: nil, email: "ann.lee+he@example.org"),
  ])
  func realNamesPhonesAndEmailsAreAccepted(_ m: BookingMessage) {
    #expect(Self.detail(m) == nil, "\(m.firstName ?? "") \(m.lastName ?? ""): \(Self.detail(m) ?? "")")
  }

  /// bookedTime as seconds since the epoch, worked out without a date formatter: the same
  /// instants Foundation reads, and nothing for a stamp the checks refuse.
  @Test func bookedTimeReadsAsTheInstantFoundationReads() {
    let formatter = ISO8601DateFormatter()
    for stamp in ["1970-01-01T00:00:00Z", "2026-03-02T07:59:59Z", "2024-02-29T23:00:01Z", "2000-12-31T12:34:56Z", "1999-01-01T00:00:00Z"] {
      #expect(BookingChecks.utcEpochSeconds(stamp) == formatter.date(from: stamp).map { Int64($0.timeIntervalSince1970) }, "\(stamp)")
    }
    #expect(BookingChecks.utcEpochSeconds("2026-03-02 07:00:00Z") == BookingChecks.utcEpochSeconds("2026-03-02T07:00:00Z"))
    for bad in ["2026-03-02T07:00:00", "2026-02-30T07:00:00Z", "2026-03-02T07:00:60Z", "2026-03-02T07:00Z", ""] {
      #expect(BookingChecks.utcEpochSeconds(bad) == nil, "\(bad)")
    }
  }

  @Test func paddedDateOfBirthIsTrimmedLikeNames() {
    var m = Self.message(first: "  Ann ")
    m.dob = " 1980-01-02 "
    guard case .success(let request) = BookingChecks.check(m) else {
      Issue.record("refused: \(Self.detail(m) ?? "")")
      return
    }
    #expect(request.dob.description == "1980-01-02")
    #expect(request.firstName == "Ann")
  }

  @Test func aSchemaProblemIsTheAnswerAndComesFirst() {
    var m = Self.message(first: "")
    m.problem = "Element 'patient': The attribute 'dob' is required but missing."
    #expect(Self.detail(m) == m.problem)
  }
}
