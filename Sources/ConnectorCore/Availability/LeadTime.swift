import Foundation

/// The lead-time cut-off (docs/rules.md, "Lead time"): a slot is published, and a booking
/// accepted, only when its start is at least `lead_minutes` of elapsed time after the as-of
/// instant. The cut-off is absolute: a lead longer than what is left of the day reaches into the
/// next dates. Across a daylight-saving change the lead is real elapsed time, not wall-clock
/// arithmetic, so a two-hour lead is two hours however the clocks move.
enum LeadTime {
  /// The first practice wall-clock minute (`LocalDateTime.absoluteMinutes`) whose start instant
  /// is at least `leadMinutes` after `asOf`'s instant; every later wall-clock minute that exists
  /// qualifies too, so callers compare wall-clock minutes with `>=`.
  ///
  /// A wall-clock time that happens twice (clocks going back) stands for its first occurrence;
  /// one that never happens (clocks jumping forward; only possible for `asOf` itself) stands for
  /// the instant it would have been had the clocks not changed yet.
  static func earliestWallMinute(asOf: LocalDateTime, leadMinutes: Int, timeZone: TimeZone) -> Int {
    let cutoff = instant(ofWallSeconds: asOf.absoluteMinutes * 60, in: timeZone) + leadMinutes * 60
    let wall = cutoff + offset(timeZone, cutoff)
    var minute = wall >= 0 ? (wall + 59) / 60 : -((-wall) / 60)
    // Only when the cut-off falls in the second occurrence of a repeated hour do the repeated
    // wall-clock minutes stand for instants before it; skip them (at most the size of the shift).
    var steps = 0
    while instant(ofWallSeconds: minute * 60, in: timeZone) < cutoff, steps < 24 * 60 {
      minute += 1
      steps += 1
    }
    return minute
  }

  /// The UTC instant (seconds since 1970) of a practice wall-clock time given as seconds since
  /// 1970-01-01T00:00 local: its first occurrence, or for a skipped time the instant under the
  /// offset in force before the jump.
  static func instant(ofWallSeconds wall: Int, in timeZone: TimeZone) -> Int {
    // A zone's offset is within ±1 day of UTC, and changes at most once in two days.
    let early = offset(timeZone, wall - 86_400)
    let late = offset(timeZone, wall + 86_400)
    if early == late { return wall - early }
    let underEarly = wall - early
    let underLate = wall - late
    let earlyHolds = offset(timeZone, underEarly) == early
    let lateHolds = offset(timeZone, underLate) == late
    switch (earlyHolds, lateHolds) {
    case (true, true): return min(underEarly, underLate)
    case (false, true): return underLate
    default: return underEarly
    }
  }

  private static func offset(_ timeZone: TimeZone, _ utcSeconds: Int) -> Int {
    timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utcSeconds)))
  }
}
