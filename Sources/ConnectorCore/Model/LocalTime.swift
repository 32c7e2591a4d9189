/// A wall-clock time of day as minutes since midnight (0 ... 1440; 1440 is only valid as an end).
public struct MinuteOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let minutes: Int

  public init(_ minutes: Int) { self.minutes = minutes }

  public init?(hour: Int, minute: Int) {
    guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
    minutes = hour * 60 + minute
  }

  /// Parses strictly `HH:MM` (24-hour, two digits each side), the form PPMP stores appointments in.
  public init?(hhmm text: some StringProtocol) {
    let u = Array(text.utf8)
    guard u.count == 5, u[2] == UInt8(ascii: ":"),
      let h = LocalDate.digits(u[0..<2]), let m = LocalDate.digits(u[3..<5])
    else { return nil }
    self.init(hour: h, minute: m)
  }

  public var hour: Int { minutes / 60 }
  public var minute: Int { minutes % 60 }

  /// `HH:MM`, 24-hour.
  public var description: String { LocalDate.pad(hour, 2) + ":" + LocalDate.pad(minute, 2) }

  public static func < (a: MinuteOfDay, b: MinuteOfDay) -> Bool { a.minutes < b.minutes }
}

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
