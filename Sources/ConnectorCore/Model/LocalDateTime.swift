/// A practice-local date and time to the minute (`YYYY-MM-DDTHH:MM`), as used by `--as-of`
/// and `pmsAppointmentTime`.
public struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let date: LocalDate
  public let time: MinuteOfDay

  public init(date: LocalDate, time: MinuteOfDay) {
    self.date = date
    self.time = time
  }

  /// Parses exactly `YYYY-MM-DDTHH:MM`.
  public init?(_ text: some StringProtocol) {
    let s = String(text)
    guard s.utf8.count == 16, s.utf8[s.utf8.index(s.utf8.startIndex, offsetBy: 10)] == UInt8(ascii: "T"),
      let d = LocalDate(s.prefix(10)), let t = MinuteOfDay(hhmm: s.suffix(5))
    else { return nil }
    self.init(date: d, time: t)
  }

  /// Minutes since 1970-01-01T00:00 wall-clock; handy for ordering and lead-time arithmetic.
  public var absoluteMinutes: Int { date.dayNumber * 1440 + time.minutes }

  public init(absoluteMinutes: Int) {
    let day = absoluteMinutes >= 0 ? absoluteMinutes / 1440 : (absoluteMinutes - 1439) / 1440
    date = LocalDate(dayNumber: day)
    time = MinuteOfDay(absoluteMinutes - day * 1440)
  }

  public var description: String { "\(date)T\(time)" }

  public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool {
    a.absoluteMinutes < b.absoluteMinutes
  }
}
