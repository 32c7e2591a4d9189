import Foundation

/// One batch (SPEC §8 `run`): one `BatchCycle` (recover work/ → ingest → export + diff →
/// archive when due), then `state/status.json`. The spool lock is held by the context for the
/// whole run.
public final class BatchRunner {
  public let context: ConnectorContext
  public let stop: StopFlag
  /// Called after each step with a short `key=value` summary (never patient data).
  public var onStep: (_ step: String, _ fields: [(String, String)]) -> Void = { _, _ in }
  /// Drop progress during ingest: (done, total).
  public var onProgress: (Int, Int) -> Void = { _, _ in }
  /// Each message's answer with its patient name (`Ingestor.onMessage`): set for `--verbose` only.
  public var onMessage: ((_ drop: String, _ outcome: MessageOutcome, _ patient: String?) -> Void)?

  /// The exit status recorded in status.json for how the run ended: the CLI's table, so exit
  /// codes are decided in one place.
  public let exitStatus: (RunEnd) -> Int32

  public init(context: ConnectorContext, stop: StopFlag = StopFlag(), exitStatus: @escaping (RunEnd) -> Int32) {
    self.context = context
    self.stop = stop
    self.exitStatus = exitStatus
  }

  /// Runs the batch and returns its status (also saved to state/status.json). Errors are
  /// recorded in the status file, then rethrown.
  public func run() throws -> RunStatus {
    let started = Date()
    var status = RunStatus()
    status.startedAt = RunStatus.timestamp(started)
    status.asOf = context.asOf.description
    let previous = try? RunStatus.load(from: context.spool.statusFile)
    defer {
      status.finishedAt = RunStatus.timestamp()
      status.durationMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
      status.queue = (try? queueDepths()) ?? status.queue
      status.carryLastSuccess(from: previous)
      try? status.save(to: context.spool.statusFile)
    }
    if !context.recoveryWarnings.isEmpty { status.warnings = context.recoveryWarnings }
    if let clock = try? LogicalClockCheck.observe(context.asOf, in: context.state) { status.warnings = (status.warnings ?? []) + [clock] }
    do {
      let cycle = BatchCycle(context: context, stop: stop)
      cycle.onStep = onStep
      cycle.onProgress = onProgress
      cycle.onMessage = onMessage
      let end = try cycle.run(into: &status)
      guard case .finished(let rejected) = end else { return interrupted(&status) }

      status.queue = try queueDepths()
      status.durationMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
      status.outcome = rejected ? .rejections : .ok
      status.exitCode = exitStatus(.finished(rejections: rejected))
      return status
    } catch {
      // Whatever the error, status.json must not claim the run went well; the front end's table
      // classifies it (an error without a category, e.g. from Foundation, is an I/O failure).
      status.outcome = .failed
      status.exitCode = exitStatus(.failed(error))
      status.errors.append("\(error)")
      throw error
    }
  }

  private func interrupted(_ status: inout RunStatus) -> RunStatus {
    status.outcome = .interrupted
    status.exitCode = exitStatus(.interrupted(signal: stop.requested))
    status.errors.append("interrupted by signal \(stop.requested); the rest is done by the next run")
    return status
  }

  /// Records a run that failed before it could start (the spool check, the lock or a database
  /// failed to open): `state/status.json` says `failed` with `error` and `exitCode`, and keeps
  /// the previous `lastSuccessAt`. Written only where it cannot mislead or trespass: the state
  /// folder must exist, the lock must be free (a run holding it owns status.json), and root
  /// never writes into a spool another user owns. Returns whether the status was written.
  @discardableResult
  public static func recordFailedStart(
    spool: SpoolLayout, error: Error, exitCode: Int32, startedAt: Date, asOf: LocalDateTime?
  ) -> Bool {
    guard FileSystem.fileInfo(spool.state) != nil, spool.foreignOwnerForRoot() == nil,
      let lock = try? SpoolLock(path: spool.lockFile)
    else { return false }
    defer { withExtendedLifetime(lock) {} }
    var status = RunStatus()
    status.startedAt = RunStatus.timestamp(startedAt)
    status.finishedAt = RunStatus.timestamp()
    status.durationMilliseconds = Int(Date().timeIntervalSince(startedAt) * 1000)
    status.asOf = asOf?.description ?? ""
    status.outcome = .failed
    status.exitCode = exitCode
    status.errors = ["\(error)"]
    status.queue = (try? queueDepths(spool)) ?? status.queue
    status.carryLastSuccess(from: try? RunStatus.load(from: spool.statusFile))
    return (try? status.save(to: spool.statusFile)) != nil
  }

  /// Files waiting in inbox/, work/ and rejected/, and the oldest inbox drop's age.
  public func queueDepths() throws -> RunStatus.Queue { try context.queueDepths() }

  public static func queueDepths(
    _ spool: SpoolLayout, now: Int64 = Int64(Date().timeIntervalSince1970), sightings: [[UInt8]: InboxSighting] = [:],
    inbox listed: [SpoolFile]? = nil
  ) throws -> RunStatus.Queue {
    let inbox = try listed ?? Inbox.list(spool.inbox)
    var q = RunStatus.Queue()
    q.inbox = inbox.count
    q.work = try Inbox.list(spool.work).count
    q.rejected = try Inbox.list(spool.rejected).filter { !$0.name.hasSuffix(".reason.txt") }.count
    q.oldestWaitingSeconds = inbox.map { Inbox.waitingSeconds($0, now: now, sighting: sightings[$0.rawName]) }.max()
    let ahead = inbox.filter { $0.mtime > now + Inbox.futureMtimeToleranceSeconds }.count
    q.futureMtime = ahead > 0 ? ahead : nil
    return q
  }
}
