import Foundation

/// How and for when availability is computed.
public struct AvailabilityOptions: Sendable {
  /// The practice-local instant the computation is for; the horizon starts on its date.
  public var asOf: LocalDateTime
  /// Number of dates published, starting with `asOf.date`; clamped to 1...90 by the engine.
  public var horizonDays: Int
  /// Slots starting less than this many minutes of elapsed time after `asOf` are not published
  /// (may exceed a day; see `earliestStart`).
  public var leadMinutes: Int
  /// The practice's IANA time zone, used to hide wall-clock times skipped by daylight saving.
  public var timeZone: TimeZone
  /// Per-practitioner column rule (`[practitioner.<id>] multi_column`); missing means `.first`.
  public var multiColumn: [Int64: MultiColumnMode]

  /// Creates options with the spec's defaults (30 days, no lead, first column only).
  public init(
    asOf: LocalDateTime, horizonDays: Int = 30, leadMinutes: Int = 0, timeZone: TimeZone,
    multiColumn: [Int64: MultiColumnMode] = [:]
  ) {
    self.asOf = asOf
    self.horizonDays = horizonDays
    self.leadMinutes = leadMinutes
    self.timeZone = timeZone
    self.multiColumn = multiColumn
  }

  /// The column rule for one practitioner.
  public func multiColumnMode(for practitionerID: Int64) -> MultiColumnMode {
    multiColumn[practitionerID] ?? .first
  }

  /// The earliest wall-clock start that may be published or booked: `asOf` plus `leadMinutes` of
  /// elapsed time, as practice wall-clock minutes (`LocalDateTime.absoluteMinutes`). See
  /// `LeadTime.earliestWallMinute` for the daylight-saving rules.
  public var earliestStart: Int {
    LeadTime.earliestWallMinute(asOf: asOf, leadMinutes: leadMinutes, timeZone: timeZone)
  }

  /// `horizonDays` clamped to the range the spec allows (1...90).
  public var effectiveHorizonDays: Int { min(max(horizonDays, 1), 90) }
}
