import Foundation

extension LocalDateTime {
  /// The current wall-clock minute in `timeZone` (the practice's zone).
  public static func now(in timeZone: TimeZone) -> LocalDateTime {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Date())
    let date = LocalDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1) ?? LocalDate(dayNumber: 0)
    return LocalDateTime(date: date, time: MinuteOfDay(hour: c.hour ?? 0, minute: c.minute ?? 0) ?? MinuteOfDay(0))
  }
}
