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
}
