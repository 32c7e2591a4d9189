import Foundation

extension Doctor {
  /// A run dated well before the run before it, in the last day: the clock went back, or a run
  /// had `--as-of` in the past or in the future. What was published and archived then is dated
  /// by the clock that made it.
  func checkRunClock(state: ConnectorState?) -> [DoctorFinding] {
    guard let state, let step = try? LogicalClockCheck.lastStepBack(in: state),
      let reference = asOf ?? practiceNow(),
      reference.absoluteMinutes - step.to.absoluteMinutes < LogicalClockCheck.reportedMinutes
    else { return [] }
    return [
      DoctorFinding(
        .warning, "clock-behind",
        what: "A run dated \(step.to) (practice time) followed one dated \(step.from): this machine's clock went back, "
          + "or a run had a clock or --as-of in the past or the future. Runs still work and archiving keeps its "
          + "cadence, but availability and archives are dated by the clock that made them.",
        where: .init(file: "state/connector.sqlite"),
        fix: "Check the machine's clock (timedatectl; NTP) and that no timer or script passes --as-of. The finding "
          + "goes a day after \(step.to).")
    ]
  }

  /// Now in the practice's time zone (PPMP's settings); nil when the database cannot say (the
  /// practice checks then report why).
  private func practiceNow() -> LocalDateTime? {
    guard let database = try? PPMPDatabase(path: configuration.databasePath, readOnly: true),
      let settings = try? database.guarded("reading settings of", { try PPMPDatabase.readSettings($0) }),
      let zone = TimeZone(identifier: settings.timeZoneIdentifier)
    else { return nil }
    return LocalDateTime.now(in: zone)
  }
}
