/// Field checks of a booking message. Pure: no database.
public enum BookingChecks {
  static let maxNameLength = 100

  public static func check(_ m: BookingMessage) -> Result<BookingRequest, MessageRejection> {
    func invalid(_ detail: String) -> Result<BookingRequest, MessageRejection> {
      .failure(MessageRejection(.invalidMessage, detail))
    }
    // A schema violation (a required attribute missing, a value too long) comes first: the
    // values below may be absent or cut short because of it.
    if let problem = m.problem { return invalid(problem) }
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
    if let problem = nameProblem(first) { return invalid("patient firstname \(problem)") }
    if let problem = nameProblem(last) { return invalid("patient lastname \(problem)") }
    guard let dobText = m.dob?.trimmingWhitespace, !dobText.isEmpty else { return invalid("patient dob is missing") }
    guard let dob = LocalDate(dobText), dob.year >= 1900, dob <= start.date else {
      // The value is not echoed: `validate` prints these details, and logs never show a date of birth.
      return invalid("patient dob is not an existing date YYYY-MM-DD before the appointment")
    }
    var phone = m.phone?.trimmingWhitespace
    if phone?.isEmpty == true { phone = nil }
    if let p = phone, !isPhoneNumber(p) {
      return invalid("patient phone is not a phone number (6 to 20 characters: ASCII digits, spaces, + ( ) -)")
    }
    var email = m.email?.trimmingWhitespace
    if email?.isEmpty == true { email = nil }
    if let e = email, !isEmailAddress(e) {
      return invalid("patient email is not an email address (one @, no spaces or control characters, at most 254 characters)")
    }
    let reason = m.reason?.trimmingWhitespace
    return .success(
      BookingRequest(
        heMsgId: m.heMsgId, bookingId: m.bookingId, resourceID: resourceID, appointmentTypeCode: m.pmsAppointmentTypeId,
        start: start, lengthMinutes: seconds / 60, firstName: first, lastName: last, dob: dob, phone: phone, email: email,
        reason: reason?.isEmpty == true ? nil : reason, contentSHA256: m.contentSHA256))
  }

  /// Why `name` (trimmed) cannot be a patient's name, or nil. Names are shown to staff and
  /// matched against PPMP: each needs a letter, and none may hold a control character (C0, DEL,
  /// C1), a line or paragraph separator, a noncharacter, or an invisible format character such as
  /// a bidirectional override, which can make a name display as something else. Zero-width
  /// joiner and non-joiner stay allowed next to letters: some scripts need them.
  static func nameProblem(_ name: String) -> String? {
    var hasLetter = false
    for scalar in name.unicodeScalars {
      let category = scalar.properties.generalCategory
      switch category {
      case .control, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
        return "holds control or unassigned characters"
      case .format where scalar.value != 0x200C && scalar.value != 0x200D:
        return "holds invisible formatting characters (such as bidirectional overrides)"
      default:
        if scalar.properties.isNoncharacterCodePoint { return "holds control or unassigned characters" }
        if scalar.properties.isAlphabetic && category != .nonspacingMark && category != .enclosingMark
          && category != .spacingMark
        {
          hasLetter = true
        }
      }
    }
    return hasLetter ? nil : "has no letter"
  }

  /// 6 to 20 characters of ASCII digits, spaces and `+ ( ) -`, with at least 6 digits. Other
  /// Unicode numbers (`①`, `½`, `Ⅻ`, Arabic-Indic digits) are refused: PPMP stores what staff dial.
  static func isPhoneNumber(_ phone: String) -> Bool {
    let bytes = Array(phone.unicodeScalars)
    guard bytes.count <= 20 else { return false }
    var digits = 0
    for scalar in bytes {
      switch scalar {
      case "0"..."9": digits += 1
      case " ", "+", "(", ")", "-": continue
      default: return false
      }
    }
    return digits >= 6
  }

  /// At most 254 characters, exactly one `@` with something either side, and no whitespace,
  /// control or format character anywhere (a newline in an address could split a log line or
  /// a mail header).
  static func isEmailAddress(_ email: String) -> Bool {
    guard email.count <= 254 else { return false }
    let parts = email.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
    return email.unicodeScalars.allSatisfy { scalar in
      switch scalar.properties.generalCategory {
      case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .surrogate, .privateUse, .unassigned:
        false
      default:
        !scalar.properties.isNoncharacterCodePoint
      }
    }
  }

  /// `YYYY-MM-DDTHH:MM:SSZ` (or with a space instead of T, as Healthengine's API writes it).
  static func isUTCTimestamp(_ s: String) -> Bool { utcEpochSeconds(s) != nil }

  /// Seconds since 1970-01-01T00:00:00Z of a `YYYY-MM-DDTHH:MM:SSZ` stamp (`T` or a space
  /// between date and time), or nil when `s` is not one.
  static func utcEpochSeconds(_ s: String) -> Int64? {
    let u = Array(s.utf8)
    guard u.count == 20, u[19] == UInt8(ascii: "Z"), u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: " "),
      let date = LocalDate(String(decoding: u[0..<10], as: UTF8.self)),
      let time = MinuteOfDay(hhmm: String(decoding: u[11..<16], as: UTF8.self)), u[16] == UInt8(ascii: ":"),
      let sec = LocalDate.digits(u[17..<19]), sec < 60
    else { return nil }
    return Int64(date.dayNumber) * 86_400 + Int64(time.minutes) * 60 + Int64(sec)
  }
}
