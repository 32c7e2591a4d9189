import Foundation

extension Doctor {
  /// A run dated well after this machine's clock now: either that run had a clock or `--as-of`
  /// in the future, or the clock has gone back since. Either way what was published and archived
  /// then is dated wrongly, and the runs now are dated before it.
  func checkRunClock(state: ConnectorState?) -> [DoctorFinding] {
    guard let state, let latest = try? LogicalClockCheck.latestRun(in: state) else { return [] }
    guard let reference = asOf ?? practiceNow(), latest.absoluteMinutes - reference.absoluteMinutes > LogicalClockCheck.toleranceMinutes else { return [] }
    return [
      DoctorFinding(
        .warning, "clock-behind",
        what: "A run was dated \(latest) (practice time), after this machine's clock now (\(reference)): this clock went "
          + "back, or that run had a clock or --as-of in the future. Runs still work and archiving keeps its cadence, "
          + "but availability and archives are dated by the clock that made them.",
        where: .init(file: "state/connector.sqlite"),
        fix: "Check the machine's clock (timedatectl; NTP) and that no timer or script passes --as-of. The finding "
          + "goes once the clock passes \(latest).")
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
