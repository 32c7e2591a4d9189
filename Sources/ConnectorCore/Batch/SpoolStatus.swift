import ConnectorArchive
import Foundation

/// What `status` reports (SPEC §8): the last run from `state/status.json`, the queues as they are
/// now, and the archive. Reading it never takes the spool lock and never creates the state
/// database, so it works while a batch runs and before the first one.
///
/// The JSON form (`status --json`, sorted keys) is stable: keys are only ever added. A key whose
/// value is unknown (no run yet, no archive yet) is left out rather than written as null.
public struct SpoolStatus: Codable, Sendable, Equatable {
  /// The archive side of the status.
  public struct ArchiveState: Codable, Sendable, Equatable {
    /// Number of archives in the archive folder.
    public var count = 0
    /// The newest archive's name (`demo-3`), path relative to `archive/`, sequence and bagging date.
    public var lastName: String?
    public var lastPath: String?
    public var lastSequence: Int64?
    public var lastDate: String?
    /// Whether the chain is intact as the catalog records it (true with no archive): every
    /// recorded archive links to the one before and is on disk at its recorded size, and no
    /// archive file is unrecorded. No archive is read (`ArchiveAuditor.catalogProblems`); the
    /// full check is `doctor` and `audit verify`.
    public var chainVerified = true
    /// The first problem when the chain does not verify.
    public var firstProblem: String?
    /// Files staged for the next archive.
    public var stagedFiles = 0
    /// `archive.every` as configured: "60 minutes", "10 runs".
    public var every = ""
    /// When the next archive is due: a practice-local time (`YYYY-MM-DDTHH:MM`) for a minutes
    /// cadence, "after N more run(s)" for a runs cadence, "next run" when nothing was archived yet.
    public var nextDue = ""
  }

  /// The `watch` process serving the spool, from the status it wrote.
  public struct WatcherState: Codable, Sendable, Equatable {
    /// What its heartbeat says of it.
    public enum Health: String, Codable, Sendable {
      /// The heartbeat is recent.
      case running
      /// It stopped on a signal and said so.
      case stopped
      /// No stop recorded and no heartbeat for `RunStatus.staleHeartbeatSeconds`: killed, crashed
      /// or hung.
      case stale
    }

    public var pid: Int32 = 0
    /// When it started (ISO-8601 UTC).
    public var since = ""
    public var health = Health.running
    /// Seconds since its last heartbeat.
    public var heartbeatAgeSeconds: Int64?
    public var stoppedAt: String?
    /// Cycles that failed in a row; 0 when the last one worked.
    public var consecutiveFailures = 0
  }

  /// Whether a run has ever finished on this spool (false: "no run yet").
  public var hasRun = false
  /// `state/status.json` as the last run left it.
  public var lastRun: RunStatus?
  /// When the last run that finished its work (outcome ok or rejections) ended (ISO-8601 UTC).
  public var lastSuccessAt: String?
  /// Seconds from the end of the last recorded run (whatever its outcome) to now.
  public var lastRunAgeSeconds: Int64?
  /// Seconds from `lastSuccessAt` to now: the number to alert on.
  public var lastSuccessAgeSeconds: Int64?
  /// The last heartbeat of a `watch` (ISO-8601 UTC), and the watcher itself; absent when the
  /// last status was written by `run`.
  public var heartbeatAt: String?
  public var watcher: WatcherState?
  /// Queue depths now (not as the last run left them).
  public var queue = RunStatus.Queue()
  public var archive = ArchiveState()
  /// Rejections a person must handle, not yet acknowledged with `ack` (no patient data).
  public var actionNeeded = 0
  public var actionNeededItems: [ActionNeededItem] = []
  /// Bookings that got a new patient file and wait for a person (`review list`).
  public var reviewOpen = 0

  /// Creates an empty status.
  public init() {}

  /// Reads the status of the spool configured in `configuration`.
  public static func read(configuration: ConnectorConfiguration, now: Date = Date()) throws -> SpoolStatus {
    let spool = SpoolLayout(root: configuration.spoolPath)
    guard FileSystem.fileInfo(spool.root) != nil else {
      throw ConnectorError.configuration(
        "spool folder \(spool.root) is missing; run `ppmp-connector init` (or fix --spool / spool = in connector.toml)")
    }
    var status = SpoolStatus()
    status.lastRun = try RunStatus.load(from: spool.statusFile)
    status.hasRun = status.lastRun != nil
    if let run = status.lastRun {
      func age(_ iso: String) -> Int64? {
        MetricsFile.epochSeconds(iso).map { max(0, Int64(now.timeIntervalSince1970 - $0)) }
      }
      status.lastSuccessAt = run.lastSuccessAt ?? (run.succeeded ? run.finishedAt : nil)
      status.lastRunAgeSeconds = age(run.finishedAt)
      status.lastSuccessAgeSeconds = status.lastSuccessAt.flatMap(age)
      if let watch = run.watch {
        status.heartbeatAt = run.heartbeatAt
        status.watcher = watcherState(watch, heartbeatAge: run.heartbeatAt.flatMap(age))
      }
    }
    let state = FileManager.default.fileExists(atPath: spool.stateDatabase) ? try ConnectorState(path: spool.stateDatabase) : nil
    status.queue = try BatchRunner.queueDepths(
      spool, now: Int64(now.timeIntervalSince1970), sightings: (try? state?.inboxSightings()) ?? [:])
    status.actionNeededItems = try state?.openActionNeeded() ?? []
    status.actionNeeded = status.actionNeededItems.count
    let auditor = ArchiveAuditor(archiveFolder: spool.archive, state: state)
    let files = auditor.archiveFiles()
    status.archive.count = files.count
    status.archive.every = configuration.archiveEvery.description
    if let last = try state?.lastArchive() {
      status.archive.lastName = last.name
      status.archive.lastPath = last.path
      status.archive.lastSequence = last.sequence
      status.archive.lastDate = last.baggingDate
    } else if let path = files.last {
      status.archive.lastPath = path
      status.archive.lastName = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        .replacingOccurrences(of: ".tar", with: "")
    }
    // Reading every archive on each call cost seconds per gigabyte, and a hostile archive in the
    // folder could cost memory; the catalog knows what the archiver verified before recording.
    let problems = auditor.catalogProblems()
    status.archive.chainVerified = problems.isEmpty
    status.archive.firstProblem = problems.first
    if let state, let codec = ArchiveCodec(rawValue: configuration.archiveCodec) {
      let archiver = BagArchiver(
        spool: spool, state: state, practiceID: configuration.practiceID, codec: codec, level: configuration.archiveLevel)
      status.archive.stagedFiles = try archiver.stagedCount()
    }
    status.archive.nextDue = try ArchiveSchedule.read(configuration.archiveEvery, state: state).nextDue
    status.reviewOpen = try state?.openReviewCounts(queuedBefore: "").open ?? 0
    return status
  }

  /// A watcher as its status and the age of its heartbeat describe it.
  public static func watcherState(_ watch: RunStatus.Watch, heartbeatAge: Int64?) -> WatcherState {
    var state = WatcherState()
    state.pid = watch.pid
    state.since = watch.since
    state.heartbeatAgeSeconds = heartbeatAge
    state.stoppedAt = watch.stoppedAt
    state.consecutiveFailures = watch.consecutiveFailures
    if watch.stoppedAt != nil {
      state.health = .stopped
    } else if (heartbeatAge ?? .max) > RunStatus.staleHeartbeatSeconds {
      state.health = .stale
    }
    return state
  }

  /// The JSON form: pretty-printed, sorted keys.
  public func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }
}
