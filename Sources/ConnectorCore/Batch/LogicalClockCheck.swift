/// Notices a run dated well before an earlier one: the machine's clock went back, or someone ran
/// with an `--as-of` in the past (or earlier with one in the future). Such a run still does its
/// work, and the archive cadence copes (`ArchiveSchedule.isDue`); this only makes it visible, in
/// the run's warnings (`status`) and in `doctor` (`clock-behind`).
///
/// The latest logical time any run used is kept in the state's meta table.
public enum LogicalClockCheck {
  /// How far back a run may be dated before it is reported: more than a daylight-saving shift
  /// (practice time repeats an hour when the clocks go back).
  public static let toleranceMinutes = 120

  static let latestKey = "latest_run_as_of"

  /// Records a run at `asOf`; returns the warning when it is dated well before the latest run.
  public static func observe(_ asOf: LocalDateTime, in state: ConnectorState) throws -> String? {
    let latest = try latestRun(in: state)
    guard let latest, latest.absoluteMinutes > asOf.absoluteMinutes else {
      try state.setMeta(latestKey, "\(asOf.absoluteMinutes)")
      return nil
    }
    guard latest.absoluteMinutes - asOf.absoluteMinutes > toleranceMinutes else { return nil }
    return "this run is dated \(asOf), before an earlier run dated \(latest) (practice time): the machine's clock went "
      + "back, or a run had --as-of in the past or in the future. Availability was published as of \(asOf); "
      + "check the clock (timedatectl; NTP) and that no timer or script passes --as-of"
  }

  /// The latest logical time a run used, if any run recorded one.
  public static func latestRun(in state: ConnectorState) throws -> LocalDateTime? {
    try state.meta(latestKey).flatMap(Int.init).map(LocalDateTime.init(absoluteMinutes:))
  }
}
