import Foundation

/// The Healthengine article's troubleshooting checklist, automated (SPEC §9).
///
/// Doctor only reads: it never takes the spool lock (so it works while a batch runs), opens the
/// PPMP database read-only, and never creates `state/connector.sqlite` when it does not exist yet.
/// Each check that cannot run (a missing database, say) becomes a finding instead of an error, so
/// one broken part never hides the others.
public struct Doctor {
  /// Inbox drops older than this are reported as waiting (SPEC §9: "longer than 10 minutes").
  public static let waitingThresholdSeconds: Int64 = 600

  public let configuration: ConnectorConfiguration
  /// The practice-local time checks are made for (`--as-of`); nil means now in the practice's zone.
  public let asOf: LocalDateTime?
  /// Wall-clock now, for file ages.
  public let now: Date
  /// Whether the archive check reads every archive (the full chain verification). The front-desk
  /// report, written after every run, turns it off and shows the catalog's view of the chain.
  public var readsArchives = true

  /// Creates a doctor for one practice's configuration.
  public init(configuration: ConnectorConfiguration, asOf: LocalDateTime? = nil, now: Date = Date()) {
    self.configuration = configuration
    self.asOf = asOf
    self.now = now
  }

  /// Runs every check; findings come errors first, then warnings, then information, each group in
  /// checklist order.
  public func examine() -> [DoctorFinding] {
    let spool = SpoolLayout(root: configuration.spoolPath)
    var findings = checkSpoolPermissions(spool)
    let state = openState(spool, &findings)
    findings += checkPractice(state: state)
    findings += checkQueue(spool, state: state)
    findings += checkReview(state: state)
    findings += checkLastRun(spool)
    findings += checkActionNeeded(state: state)
    if readsArchives { findings += checkArchive(spool, state: state) }
    findings += checkArchiveClock(state: state)
    findings += checkRunClock(state: state)
    return findings.enumerated().sorted { ($0.element.severity.rank, $0.offset) < ($1.element.severity.rank, $1.offset) }
      .map(\.element)
  }

  // MARK: state

  /// The connector state, only when it already exists: doctor must not create it.
  private func openState(_ spool: SpoolLayout, _ findings: inout [DoctorFinding]) -> ConnectorState? {
    guard FileManager.default.fileExists(atPath: spool.stateDatabase) else { return nil }
    do {
      return try ConnectorState(path: spool.stateDatabase)
    } catch {
      findings.append(
        DoctorFinding(
          .error, "state-unreadable", what: "The connector state cannot be opened: \(error).",
          where: .init(file: spool.stateDatabase),
          fix: "Check the file's owner and mode (0600, the connector's user); restore it from a backup if it is damaged."))
      return nil
    }
  }
}
