/// The practice's live hours (`[liveness]` in connector.toml): when Healthengine may expect the
/// connector to be answering, per weekday, and whether public holidays (PPMP's `holidays`) are
/// live too. Outside these hours a silent connector means "closed", not "broken".
public struct LivenessHours: Sendable, Equatable {
  /// Lower-case English weekday names, Monday first: the TOML keys and the document's elements.
  public static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

  /// One live period of a day, `[start, end)`; `end` may be 24:00.
  public struct Range: Sendable, Equatable {
    public var start: MinuteOfDay
    public var end: MinuteOfDay

    public init(start: MinuteOfDay, end: MinuteOfDay) {
      self.start = start
      self.end = end
    }

    /// Parses `HH:MM-HH:MM` with start before end.
    public init?(_ text: String) {
      let parts = text.split(separator: "-", omittingEmptySubsequences: false)
      guard parts.count == 2, let s = MinuteOfDay(range: String(parts[0])), let e = MinuteOfDay(range: String(parts[1])),
        s.minutes < 1440, s < e
      else { return nil }
      self.init(start: s, end: e)
    }

    public var description: String { "\(start)-\(end.minutes == 1440 ? "24:00" : end.description)" }
  }

  /// Index 0 = Monday … 6 = Sunday; an empty day is not live.
  public var days: [[Range]] = Array(repeating: [], count: 7)
  /// `public_holidays = "open"`: holidays keep their weekday's hours; `"closed"` (the default):
  /// a holiday is not live at all.
  public var publicHolidaysOpen = false

  public init(days: [[Range]] = Array(repeating: [], count: 7), publicHolidaysOpen: Bool = false) {
    self.days = days
    self.publicHolidaysOpen = publicHolidaysOpen
  }

  /// Whether `time` on `date` is inside live hours (`holiday`: PPMP lists the date as a holiday).
  public func isLive(on date: LocalDate, at time: MinuteOfDay, holiday: Bool) -> Bool {
    if holiday && !publicHolidaysOpen { return false }
    return days[date.weekday - 1].contains { $0.start <= time && time < $0.end }
  }
}
