import Foundation

/// Wall-clock times that do not exist in a time zone because clocks jump forward, found once per
/// horizon from the zone's transitions so that ordinary days need no per-slot time-zone work.
struct DaylightSavingGaps: Sendable {
  /// Half-open gaps in wall-clock minutes since 1970-01-01T00:00 local.
  private(set) var gaps: [(start: Int, end: Int)] = []

  /// Finds the gaps touching days `firstDay ..< firstDay + dayCount` (day numbers).
  init(timeZone: TimeZone, firstDay: Int, dayCount: Int) {
    // A day's wall clock lies within ±1 day of UTC; two days of margin covers any offset.
    var cursor = Date(timeIntervalSince1970: Double(firstDay - 2) * 86_400)
    let limit = Date(timeIntervalSince1970: Double(firstDay + dayCount + 2) * 86_400)
    // Zones change clocks at most a few times a year; the bound only guards against a zone
    // database that keeps returning the same instant.
    for _ in 0..<64 {
      guard let transition = timeZone.nextDaylightSavingTimeTransition(after: cursor), transition < limit,
        transition > cursor
      else { break }
      let before = timeZone.secondsFromGMT(for: transition.addingTimeInterval(-1))
      let after = timeZone.secondsFromGMT(for: transition)
      if after > before {
        let utcSeconds = Int(transition.timeIntervalSince1970.rounded(.down))
        let start = (utcSeconds + before).floorDiv(60)
        let end = (utcSeconds + after).ceilDiv(60)
        gaps.append((start, end))
      }
      cursor = transition
    }
  }

  /// Whether any gap falls on day number `day`.
  func touches(day: Int) -> Bool {
    let dayStart = day * 1440
    return gaps.contains { $0.start < dayStart + 1440 && $0.end > dayStart }
  }

  /// Whether the wall-clock minute (minutes since 1970-01-01T00:00 local) does not exist.
  func skips(wallMinute: Int) -> Bool {
    gaps.contains { $0.start <= wallMinute && wallMinute < $0.end }
  }
}

extension Int {
  fileprivate func floorDiv(_ d: Int) -> Int { self >= 0 ? self / d : (self - d + 1) / d }
  fileprivate func ceilDiv(_ d: Int) -> Int { -(-self).floorDiv(d) }
}
