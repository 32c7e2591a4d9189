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

extension MinuteOfDay {
  /// `HH:MM`, or `24:00` as the end of a range that runs to midnight.
  init?(range text: String) {
    if text == "24:00" {
      self.init(1440)
    } else {
      self.init(hhmm: text)
    }
  }
}
