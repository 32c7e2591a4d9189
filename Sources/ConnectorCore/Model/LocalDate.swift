/// A calendar date in the practice's wall-clock calendar (`YYYY-MM-DD`), with no time zone.
///
/// Stored as a day number (days since 1970-01-01 in the proleptic Gregorian calendar) so that
/// adding days, comparing and computing weekdays are plain integer arithmetic on the hot path.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Days since 1970-01-01.
  public let dayNumber: Int

  public init(dayNumber: Int) { self.dayNumber = dayNumber }

  /// Creates a date from its parts, or `nil` when the date does not exist (2026-02-30).
  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month),
      day >= 1, day <= LocalDate.daysInMonth(year: year, month: month)
    else { return nil }
    dayNumber = LocalDate.daysFromCivil(year: year, month: month, day: day)
  }

  /// Parses exactly `YYYY-MM-DD`; anything else (or a date that does not exist) is `nil`.
  public init?(_ text: some StringProtocol) {
    let u = Array(text.utf8)
    guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
      let y = LocalDate.digits(u[0..<4]), let m = LocalDate.digits(u[5..<7]),
      let d = LocalDate.digits(u[8..<10])
    else { return nil }
    self.init(year: y, month: m, day: d)
  }

  public var parts: (year: Int, month: Int, day: Int) { LocalDate.civilFromDays(dayNumber) }
  public var year: Int { parts.year }
  public var month: Int { parts.month }
  public var day: Int { parts.day }

  /// ISO weekday: 1 = Monday … 7 = Sunday.
  public var weekday: Int {
    // 1970-01-01 was a Thursday (ISO 4).
    let w = (dayNumber + 3) % 7
    return (w < 0 ? w + 7 : w) + 1
  }

  public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

  /// Whole days from `other` to `self` (negative when `self` is earlier).
  public func days(since other: LocalDate) -> Int { dayNumber - other.dayNumber }

  public var description: String {
    let (y, m, d) = parts
    return LocalDate.pad(y, 4) + "-" + LocalDate.pad(m, 2) + "-" + LocalDate.pad(d, 2)
  }

  public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

  public static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 1, 3, 5, 7, 8, 10, 12: return 31
    case 4, 6, 9, 11: return 30
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    default: return 0
    }
  }

  // Howard Hinnant's days_from_civil / civil_from_days.
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }

  static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
    var value = 0
    for b in bytes {
      guard b >= 48, b <= 57 else { return nil }
      value = value * 10 + Int(b - 48)
    }
    return value
  }

  /// `value` in decimal, zero-padded to `width` digits.
  public static func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  }
}
