import Foundation

/// What the front-desk page shows (`ppmp-connector report --html`, and `report_html` after every
/// run): health at a glance, recent activity, queues, what needs someone, `doctor`'s findings and
/// the free hours Healthengine is being shown.
///
/// Gathering only reads, like `status` and `doctor`: no spool lock, the PPMP database opened
/// read-only, and the connector state never created. It never reads a drop, a receipt or a
/// patient row, so no patient's name, date of birth or phone number can reach the page.
public struct FrontDeskReport: Sendable {
  public var practiceID: String
  /// The practice time the page describes: `--as-of`, else the last run's, else nil.
  public var asOf: String?
  public var status: SpoolStatus
  /// `doctor`'s findings, errors first. The archive chain is checked from the catalog (as
  /// `status` does), not by reading every archive.
  public var findings: [DoctorFinding]
  /// Message outcomes per day from the journal.
  public var journal: [JournalDayCount] = []
  /// Drops claimed per day.
  public var dropsByDay: [String: Int] = [:]
  /// The last drop claims, newest first.
  public var recentDrops: [DropClaim] = []
  /// Snapshots and deltas whose file reached the outbox, oldest first.
  public var publications: [PublicationRecord] = []
  public var archives: [ArchiveRecord] = []
  /// Rejections a person must handle (a cancellation nobody can apply automatically, a booking
  /// Healthengine had already confirmed, an unknown practitioner), until `ack`.
  public var actionNeeded: [ActionNeededItem] = []
  /// Free hours as published; nil before the first publication.
  public var grid: FreeHoursGrid?
  /// Parts that could not be read, said on the page instead of failing it.
  public var problems: [String] = []

  /// Codes that mark a practitioner in the free-hours grid: their diary rows are skipped, or
  /// their other columns are ignored.
  public static let diaryRowCodes: Set<String> = ["invalid-diary-time", "diary-end-not-after-start", "invalid-diary-interval"]
  public static let multiColumnCode = "multi-column-default-mode"

  /// Reads everything the page shows. `asOf` fixes the clock (`--as-of`): queue ages are then
  /// counted to that instant, so the same spool and `asOf` give the same page.
  public static func gather(configuration: ConnectorConfiguration, asOf: LocalDateTime?) throws -> FrontDeskReport {
    let spool = SpoolLayout(root: configuration.spoolPath)
    var problems: [String] = []
    let zone = practiceTimeZone(configuration)
    let now = asOf.map { Date(timeIntervalSince1970: TimeInterval(BagArchiver.epochSeconds($0, zone))) } ?? Date()
    let status = try SpoolStatus.read(configuration: configuration, now: now)
    let reportAsOf = asOf ?? status.lastRun.flatMap { LocalDateTime($0.asOf) }

    var doctor = Doctor(configuration: configuration, asOf: reportAsOf, now: now)
    doctor.readsArchives = false
    var findings = doctor.examine()
    if !status.archive.chainVerified {
      findings.insert(
        DoctorFinding(
          .error, "archive-chain-broken",
          what: "The archive chain does not verify as the catalog records it: \(status.archive.firstProblem ?? "unknown problem").",
          where: .init(file: spool.archive),
          fix: "Run `ppmp-connector audit verify` for every problem; restore altered or missing archives from backup."),
        at: findings.firstIndex { $0.severity != .error } ?? findings.endIndex)
    }

    var report = FrontDeskReport(
      practiceID: configuration.practiceID, asOf: reportAsOf?.description, status: status, findings: findings)
    if FileManager.default.fileExists(atPath: spool.stateDatabase) {
      do {
        let state = try ConnectorState(path: spool.stateDatabase)
        report.journal = try state.journalCountsByDay()
        report.dropsByDay = try state.dropClaimsByDay()
        report.recentDrops = try state.recentDropClaims(limit: 20)
        report.publications = try state.publications(status: .done)
        report.archives = try state.archives()
        report.actionNeeded = try state.openActionNeeded()
      } catch {
        problems.append("The connector state could not be read: \(error).")
      }
    }
    do {
      report.grid = try FreeHoursGrid.read(path: spool.publishedSnapshot)
    } catch {
      problems.append("The published snapshot could not be read: \(error).")
    }
    report.problems = problems
    return report
  }

  /// The practice's time zone from PPMP's settings; UTC when the database cannot be read (the
  /// doctor findings then say why).
  private static func practiceTimeZone(_ configuration: ConnectorConfiguration) -> TimeZone {
    guard FileManager.default.fileExists(atPath: configuration.databasePath),
      let database = try? PPMPDatabase(path: configuration.databasePath, readOnly: true),
      let settings = try? database.guarded("reading settings of", { try PPMPDatabase.readSettings($0) })
    else { return TimeZone(identifier: "UTC")! }
    return TimeZone(identifier: settings.timeZoneIdentifier) ?? TimeZone(identifier: "UTC")!
  }

  /// The page.
  public func html() -> String {
    FrontDeskPage(report: self).render()
  }

  /// Writes the page to `path` atomically (a reader never sees half a page).
  public func write(to path: String) throws {
    try FileSystem.writeAtomically(to: path, bytes: Array(html().utf8))
  }
}
