import Foundation

/// One batch (SPEC §8 `run`): recover work/ → ingest → export + diff → archive when due →
/// `state/status.json`. The spool lock is held by the context for the whole run.
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
    do {
      let ingestor = try context.makeIngestor()
      ingestor.shouldStop = { [stop] in stop.requested != 0 }
      ingestor.progress = onProgress
      ingestor.onMessage = onMessage
      let ingest = try ingestor.run()
      status.ingest = RunStatus.Ingest(
        drops: ingest.drops, confirmed: ingest.confirmed, rejectedMessages: ingest.rejectedMessages,
        dropsRejected: ingest.dropsRejected, waiting: ingest.waiting, retrying: ingest.retrying)
      status.errors += ingest.errors
      onStep(
        "ingest",
        [("drops", "\(ingest.drops)"), ("confirmed", "\(ingest.confirmed)"), ("rejected_messages", "\(ingest.rejectedMessages)"),
         ("rejected_drops", "\(ingest.dropsRejected)"), ("waiting", "\(ingest.waiting)"), ("retrying", "\(ingest.retrying)")])
      if stop.requested != 0 { return interrupted(&status) }

      let export = try context.makeExporter().export(asOf: context.asOf, full: false)
      if !export.warnings.isEmpty { status.warnings = (status.warnings ?? []) + export.warnings }
      status.export = RunStatus.Export(
        outcome: export.outcome.rawValue, sequence: export.sequence, file: export.outboxFile, changedDays: export.changedDays,
        publishedDays: export.publishedDays, diagnostics: export.diagnostics.count)
      onStep(
        "export",
        [("outcome", export.outcome.rawValue), ("file", export.outboxFile ?? "-"), ("changed_days", "\(export.changedDays)"),
         ("diagnostics", "\(export.diagnostics.count)")])
      let refreshed = try context.makeRefreshPublisher().publish(asOf: context.asOf)
      onStep("refresh", [("files", refreshed.isEmpty ? "-" : refreshed.joined(separator: ","))])
      let events = try context.makeEventPublisher().publish(asOf: context.asOf)
      onStep(
        "events",
        [("tracked", "\(events.tracked)"), ("events", "\(events.events)"), ("ms", String(format: "%.1f", events.milliseconds)),
         ("files", events.files.isEmpty ? "-" : events.files.joined(separator: ","))])
      let liveness = try context.makeLivenessPublisher().publish(asOf: context.asOf, timeZone: context.settings.timeZoneIdentifier)
      onStep("liveness", [("file", liveness ?? "-")])
      if stop.requested != 0 { return interrupted(&status) }

      let archiver = try context.makeArchiver()
      status.archive.stagedFiles = try archiver.stagedCount()
      let schedule = try ArchiveSchedule.read(context.configuration.archiveEvery, state: context.state)
      if schedule.isDue(stagedFiles: status.archive.stagedFiles, at: context.asOf) {
        if let record = try archiver.archive(asOf: context.asOf, timeZone: context.timeZone) {
          status.archive.written = record.path
          status.archive.stagedFiles = 0
          try ArchiveSchedule.recordArchive(at: context.asOf, in: context.state)
        }
      } else {
        try schedule.recordRunWithoutArchive(in: context.state)
      }
      onStep("archive", [("written", status.archive.written ?? "-"), ("staged", "\(status.archive.stagedFiles)")])

      status.queue = try queueDepths()
      status.durationMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
      let rejected = ingest.hadRejections
      status.outcome = rejected ? .rejections : .ok
      status.exitCode = exitStatus(.finished(rejections: rejected))
      return status
    } catch let error as ConnectorError {
      status.outcome = .failed
      status.exitCode = exitStatus(.failed(error))
      status.errors.append("\(error)")
      throw error
    } catch {
      // Anything else (a Foundation error) is an I/O failure to the front end too (exit 74);
      // status.json must not claim the run went well.
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
  public func queueDepths() throws -> RunStatus.Queue {
    try Self.queueDepths(context.spool, sightings: (try? context.state.inboxSightings()) ?? [:])
  }

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
