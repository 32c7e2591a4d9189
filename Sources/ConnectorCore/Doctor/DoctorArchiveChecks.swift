extension Doctor {
  /// Whether the archive chain verifies, as `audit verify` would say.
  func checkArchive(_ spool: SpoolLayout, state: ConnectorState?) -> [DoctorFinding] {
    guard FileSystem.fileInfo(spool.archive) != nil else { return [] }
    let limits = BagLimits(maxMemberBytes: configuration.maxExtractBytes)
    let report = ArchiveAuditor(archiveFolder: spool.archive, state: state, limits: limits).verify()
    guard let first = report.problems.first else { return [] }
    return [
      DoctorFinding(
        .error, "archive-chain-broken",
        what: "The archive chain does not verify (\(report.problems.count) problem(s)); the first: \(first).",
        where: .init(file: spool.archive),
        fix: "Run `ppmp-connector audit verify` for every problem. Restore altered or missing archives from backup; "
          + "never edit archives by hand.")
    ]
  }

  /// A run with a clock (or `--as-of`) far in the future leaves its archive dated there. The
  /// cadence no longer waits for that date (`ArchiveSchedule`), but the clock that did it should
  /// be found: compared with this machine's clock, with a day's margin for time zones.
  func checkArchiveClock(state: ConnectorState?) -> [DoctorFinding] {
    guard let schedule = try? ArchiveSchedule.read(configuration.archiveEvery, state: state),
      let last = schedule.lastArchiveMinutes
    else { return [] }
    let reference = asOf?.absoluteMinutes ?? Int(now.timeIntervalSince1970 / 60)
    guard last > reference + 1440 else { return [] }
    let dated = LocalDateTime(absoluteMinutes: last)
    return [
      DoctorFinding(
        .warning, "clock-ahead",
        what: "The last archive is dated \(dated) (practice time), more than a day after this machine's clock: a run had a "
          + "clock or --as-of in the future. Archiving goes on at its cadence, but anything that run published is dated there too.",
        where: .init(file: "state/connector.sqlite"),
        fix: "Check the machine's clock (timedatectl; NTP) and that no timer or script passes --as-of; the next archive "
          + "resets the cadence.")
    ]
  }
}
