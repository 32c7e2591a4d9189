/// The engine's output: the snapshot's availability plus what it had to skip.
public struct AvailabilityResult: Sendable {
  /// Every published practitioner (active and online) × every date of the horizon, sorted by
  /// `resourceID` then `date`; days with nothing free have empty `ranges`.
  public var days: [DayAvailability]
  /// Problems found, ordered by practitioner id, diary (main, alternate, then blocks), weekday and
  /// row id (blocks: date, block id); each bad row or block is reported once.
  public var diagnostics: [AvailabilityDiagnostic]

  /// Creates a result.
  public init(days: [DayAvailability], diagnostics: [AvailabilityDiagnostic]) {
    self.days = days
    self.diagnostics = diagnostics
  }
}
