/// Notices a run dated well before the run before it: the machine's clock went back, or someone
/// ran with an `--as-of` in the past (or the run before had one in the future). Such a run still
/// does its work, and the archive cadence copes (`ArchiveSchedule.isDue`); this only makes it
/// visible, in the run's warnings (`status`) and for a day in `doctor` (`clock-behind`).
///
/// Only the step back is reported, once: the runs after it, going forward again, are normal.
public enum LogicalClockCheck {
  /// How far back a run may be dated before it is reported: more than a daylight-saving shift
  /// (practice time repeats an hour when the clocks go back).
  public static let toleranceMinutes = 120
  /// How long `doctor` keeps reporting a step back, in practice minutes after it.
  public static let reportedMinutes = 1440

  static let lastKey = "last_run_as_of"
  static let stepKey = "clock_went_back"

  /// A run dated `to` that followed a run dated `from`.
  public struct StepBack: Sendable, Equatable {
    public var from: LocalDateTime
    public var to: LocalDateTime
  }

  /// Records a run at `asOf`; returns the warning when it is dated well before the run before it.
  public static func observe(_ asOf: LocalDateTime, in state: ConnectorState) throws -> String? {
    let previous = try state.meta(lastKey).flatMap(Int.init)
    try state.setMeta(lastKey, "\(asOf.absoluteMinutes)")
    guard let previous, previous - asOf.absoluteMinutes > toleranceMinutes else { return nil }
    try state.setMeta(stepKey, "\(previous) \(asOf.absoluteMinutes)")
    let from = LocalDateTime(absoluteMinutes: previous)
    return "this run is dated \(asOf), before the run before it (\(from), practice time): the machine's clock went "
      + "back, or a run had --as-of in the past or in the future. Availability was published as of \(asOf); "
      + "check the clock (timedatectl; NTP) and that no timer or script passes --as-of"
  }

  /// The last step back recorded, if any.
  public static func lastStepBack(in state: ConnectorState) throws -> StepBack? {
    let parts = (try state.meta(stepKey) ?? "").split(separator: " ").compactMap { Int($0) }
    guard parts.count == 2 else { return nil }
    return StepBack(from: LocalDateTime(absoluteMinutes: parts[0]), to: LocalDateTime(absoluteMinutes: parts[1]))
  }
}
