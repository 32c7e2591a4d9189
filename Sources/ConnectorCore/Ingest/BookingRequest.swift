/// A booking whose fields have been checked (SPEC §10): what `AppointmentBook` applies.
public struct BookingRequest: Sendable, Equatable {
  public var heMsgId: String
  public var bookingId: String
  public var resourceID: Int64
  public var appointmentTypeCode: String?
  public var start: LocalDateTime
  public var lengthMinutes: Int
  public var firstName: String
  public var lastName: String
  public var dob: LocalDate
  public var phone: String?
  public var email: String?
  public var reason: String?
  public var contentSHA256: String
}

/// A per-message failure: the reason code and a detail naming the field.
public struct MessageRejection: Error, Sendable, Equatable {
  public var reason: RejectReason
  public var detail: String

  public init(_ reason: RejectReason, _ detail: String) {
    self.reason = reason
    self.detail = detail
  }
}

/// Field checks of a booking message. Pure: no database.
public enum BookingChecks {
  static let maxNameLength = 100

  public static func check(_ m: BookingMessage) -> Result<BookingRequest, MessageRejection> {
    func invalid(_ detail: String) -> Result<BookingRequest, MessageRejection> {
      .failure(MessageRejection(.invalidMessage, detail))
    }
    guard let resourceText = m.pmsResourceId, !resourceText.isEmpty else {
      return invalid("pmsResourceId is missing")
    }
    guard let resourceID = Int64(resourceText), resourceID > 0, resourceText.first != "+", resourceText.first != "0" else {
      return invalid("pmsResourceId '\(resourceText)' is not a positive whole number")
    }
    if let code = m.pmsAppointmentTypeId, code.isEmpty || code.count > 64 || code.contains(" ") {
      return invalid("pmsAppointmentTypeId '\(code)' is not a valid appointment type code")
    }
    guard let timeText = m.pmsAppointmentTime else { return invalid("pmsAppointmentTime is missing") }
    guard let start = LocalDateTime(timeText) else {
      return invalid("pmsAppointmentTime '\(timeText)' is not an existing practice time YYYY-MM-DDTHH:MM")
    }
    guard let lengthText = m.pmsAppointmentLength else { return invalid("pmsAppointmentLength is missing") }
    guard let seconds = Int(lengthText), seconds > 0 else {
      return invalid("pmsAppointmentLength '\(lengthText)' is not a positive number of seconds")
    }
    guard seconds % 60 == 0, seconds <= 12 * 3600 else {
      return invalid("pmsAppointmentLength \(seconds) is not a whole number of minutes up to 12 hours")
    }
    guard let booked = m.bookedTime else { return invalid("bookedTime is missing") }
    guard isUTCTimestamp(booked) else {
      return invalid("bookedTime '\(booked)' is not a UTC time YYYY-MM-DDTHH:MM:SSZ")
    }
    if let flag = m.isNewPatient, !["true", "false", "1", "0"].contains(flag) {
      return invalid("isNewPatient '\(flag)' is not true or false")
    }
    guard m.hasPatient else { return invalid("patient is missing") }
    let first = (m.firstName ?? "").trimmingWhitespace
    let last = (m.lastName ?? "").trimmingWhitespace
    guard !first.isEmpty else { return invalid("patient firstname is empty") }
    guard !last.isEmpty else { return invalid("patient lastname is empty") }
    guard first.count <= maxNameLength, last.count <= maxNameLength else {
      return invalid("patient name is longer than \(maxNameLength) characters")
    }
    guard first.unicodeScalars.allSatisfy({ !$0.properties.isNoncharacterCodePoint && $0.value >= 0x20 }),
      last.unicodeScalars.allSatisfy({ !$0.properties.isNoncharacterCodePoint && $0.value >= 0x20 })
    else { return invalid("patient name holds control characters") }
    guard let dobText = m.dob else { return invalid("patient dob is missing") }
    guard let dob = LocalDate(dobText), dob.year >= 1900, dob <= start.date else {
      // The value is not echoed: `validate` prints these details, and logs never show a date of birth.
      return invalid("patient dob is not an existing date YYYY-MM-DD before the appointment")
    }
    var phone = m.phone?.trimmingWhitespace
    if phone?.isEmpty == true { phone = nil }
    if let p = phone, p.count > 20 || !p.allSatisfy({ $0.isNumber || " +()-".contains($0) }) {
      return invalid("patient phone is not a phone number")
    }
    var email = m.email?.trimmingWhitespace
    if email?.isEmpty == true { email = nil }
    if let e = email, e.count > 254 || !e.contains("@") { return invalid("patient email is not an email address") }
    let reason = m.reason?.trimmingWhitespace
    return .success(
      BookingRequest(
        heMsgId: m.heMsgId, bookingId: m.bookingId, resourceID: resourceID, appointmentTypeCode: m.pmsAppointmentTypeId,
        start: start, lengthMinutes: seconds / 60, firstName: first, lastName: last, dob: dob, phone: phone, email: email,
        reason: reason?.isEmpty == true ? nil : reason, contentSHA256: m.contentSHA256))
  }

  /// `YYYY-MM-DDTHH:MM:SSZ` (or with a space instead of T, as Healthengine's API writes it).
  static func isUTCTimestamp(_ s: String) -> Bool {
    let u = Array(s.utf8)
    guard u.count == 20, u[19] == UInt8(ascii: "Z"), u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: " "),
      LocalDate(String(decoding: u[0..<10], as: UTF8.self)) != nil,
      MinuteOfDay(hhmm: String(decoding: u[11..<16], as: UTF8.self)) != nil, u[16] == UInt8(ascii: ":"),
      let sec = LocalDate.digits(u[17..<19]), sec < 60
    else { return false }
    return true
  }
}

extension String {
  var trimmingWhitespace: String {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s.removeFirst() }
    while let l = s.last, l.isWhitespace { s.removeLast() }
    return String(s)
  }

  /// Trimmed and case-folded, for patient matching.
  var matchKey: String { trimmingWhitespace.lowercased() }
}
