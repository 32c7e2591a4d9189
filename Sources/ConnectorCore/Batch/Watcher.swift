import ConnectorPOSIX
import Foundation

/// `watch` (SPEC §13): one long-running process per spool that performs the batch's cycle
/// (`BatchCycle`) whenever there is something to do, instead of once per timer tick.
///
/// It holds the spool lock through its context for its whole life. A cycle runs at start (as
/// `run` does), then whenever a drop is renamed into the inbox (at once: a rename is atomic), a
/// drop written in place has been closed for `settle_seconds`, the folder scan every poll
/// interval finds work, another program changed the PPMP database (`PRAGMA data_version`), or
/// the logical clock crossed a minute, and with it possibly a slot start or the lead-time
/// cut-off. A failed cycle is recorded in status and retried after a backoff; nothing but a
/// stop request ends the loop.
public final class Watcher {
  /// How often to poll and how long to back off.
  public struct Options: Sendable {
    /// Folder scan and PPMP change check interval, also the first backoff step.
    public var pollIntervalMilliseconds: Int
    /// status.json is rewritten at least this often (`heartbeatAt`).
    public var heartbeatSeconds: Double
    /// The longest wait between two attempts after failures.
    public var maximumBackoffSeconds: Double

    public init(pollIntervalMilliseconds: Int, heartbeatSeconds: Double = 30, maximumBackoffSeconds: Double = 30) {
      self.pollIntervalMilliseconds = pollIntervalMilliseconds
      self.heartbeatSeconds = heartbeatSeconds
      self.maximumBackoffSeconds = maximumBackoffSeconds
    }

    /// The wait before the next attempt after `failures` failures in a row: the poll interval,
    /// doubled per failure, capped at `maximumBackoffSeconds`.
    public func backoffSeconds(afterFailures failures: Int) -> Double {
      min(Double(pollIntervalMilliseconds) / 1000 * pow(2, Double(max(failures, 1) - 1)), maximumBackoffSeconds)
    }
  }

  public let context: ConnectorContext
  public let stop: StopFlag
  public let options: Options
  /// The exit status a batch would have had, recorded per cycle in status.json.
  public let exitStatus: (RunEnd) -> Int32
  /// The logical clock, read before each poll and cycle; nil keeps the context's clock fixed
  /// (`--as-of`), so nothing is published for the clock's sake.
  public var clock: (() -> LocalDateTime)?
  /// Cycle steps as `BatchCycle.onStep` reports them.
  public var onStep: (_ step: String, _ fields: [(String, String)]) -> Void = { _, _ in }
  /// Each message's answer with its patient name: set for `--verbose` only.
  public var onMessage: ((_ drop: String, _ outcome: MessageOutcome, _ patient: String?) -> Void)?
  /// Told each status written: after a cycle (`cycle` true) or as a heartbeat.
  public var onStatus: (_ status: RunStatus, _ cycle: Bool) -> Void = { _, _ in }

  /// What the next cycle must do.
  private struct Due {
    var cycle = true
    var export = true
  }

  private var due = Due()
  private var status = RunStatus()
  private var watchState = RunStatus.Watch()
  /// Names renamed into the inbox since the last cycle: claimed without the settle wait.
  private var renamedIn = Set<[UInt8]>()
  private var retryAt = 0.0
  private var lastHeartbeat = 0.0
  /// Inbox events (inotify); nil where the folder scan alone finds drops.
  private var events: FolderEvents?
  /// When the earliest file written in place becomes claimable (`settle_seconds` after close).
  private var settleAt: Double?
  /// Since when an export has been owed without finishing: a drop arriving during an export
  /// may put it off (`ExportYielded`), but never for longer than one poll interval.
  private var exportOwedSince: Double?

  public init(context: ConnectorContext, stop: StopFlag, options: Options, exitStatus: @escaping (RunEnd) -> Int32) {
    self.context = context
    self.stop = stop
    self.options = options
    self.exitStatus = exitStatus
  }

  private var pollInterval: Double { Double(options.pollIntervalMilliseconds) / 1000 }
  private static var uptime: Double { ProcessInfo.processInfo.systemUptime }

  /// Watches until a stop is requested, then writes the final status (with `watch.stoppedAt`)
  /// and returns it. Never throws: every failure is recorded and retried.
  public func run() -> RunStatus {
    events = FolderEvents(folder: context.spool.inbox)
    watchState.pid = ProcessInfo.processInfo.processIdentifier
    watchState.since = RunStatus.timestamp()
    watchState.inboxEvents = events != nil
    status.lastSuccessAt = (try? RunStatus.load(from: context.spool.statusFile))??.lastSuccessAt
    var dataVersion = try? context.database.dataVersion()
    // Availability depends on the clock through the date (the horizon) and the lead-time
    // cut-off, which moves with each minute: when the minute changes a slot may have crossed the
    // cut-off. The export finds out, and publishes nothing when none did.
    var lastMinute = clock.map { $0() }
    var lastScan = Self.uptime

    var prepared = false
    while stop.requested == 0 {
      if due.cycle && Self.uptime >= retryAt { runCycle() }
      if !prepared && watchState.consecutiveFailures == 0 && stop.requested == 0 {
        // A failure here costs nothing but speed: the first drop's pass does the same.
        prepared = true
        try? context.prepareIngest()
        context.releaseMemory()
      }
      if stop.requested != 0 { break }
      if Self.uptime - lastHeartbeat >= options.heartbeatSeconds { heartbeat() }

      // Sleep until the next scan, retry, settle deadline or heartbeat, or until an event.
      var wake = min(lastScan + pollInterval, lastHeartbeat + options.heartbeatSeconds)
      if due.cycle { wake = min(wake, retryAt) }
      if let settleAt { wake = min(wake, settleAt) }
      let timeout = max(0, wake - Self.uptime)
      if let events {
        absorb(events.wait(timeoutMilliseconds: Int32(min(timeout * 1000, 60_000).rounded(.up))))
      } else if timeout > 0 {
        Thread.sleep(forTimeInterval: timeout)
      }
      if let at = settleAt, Self.uptime >= at {
        settleAt = nil
        due.cycle = true
      }
      if Self.uptime - lastScan >= pollInterval {
        lastScan = Self.uptime
        if let waiting = try? Inbox.list(context.spool.inbox).count + Inbox.list(context.spool.work).count, waiting > 0 {
          due.cycle = true
        }
        if let version = try? context.database.dataVersion(), version != dataVersion {
          dataVersion = version
          due = Due(cycle: true, export: true)
        }
        if let clock {
          let now = clock()
          if now != lastMinute {
            lastMinute = now
            due = Due(cycle: true, export: true)
          }
        }
      }
    }

    watchState.stoppedAt = RunStatus.timestamp()
    watchState.retryInSeconds = nil
    status.watch = watchState
    status.heartbeatAt = watchState.stoppedAt
    try? status.save(to: context.spool.statusFile)
    onStatus(status, false)
    return status
  }

  /// Takes in inbox events: a drop renamed in is due at once, one written in place once it has
  /// been left alone for `settle_seconds`. Returns whether a renamed-in drop arrived.
  @discardableResult
  private func absorb(_ read: (events: [FolderEvents.Event], overflowed: Bool)) -> Bool {
    var renamed = false
    for event in read.events where !Inbox.isInFlight(DropName(raw: event.name).safe) {
      if event.movedIn {
        renamedIn.insert(event.name)
        due.cycle = true
        renamed = true
      } else {
        let at = Self.uptime + Double(context.configuration.settleSeconds)
        settleAt = min(settleAt ?? at, at)
      }
    }
    if read.overflowed { due.cycle = true }
    return renamed
  }

  /// Asked by the export between practitioners: a drop renamed in since the cycle began is
  /// answered first (its receipt must not wait for a large practice's export), unless the
  /// export has already been put off for a poll interval.
  private func dropArrivedDuringExport() -> Bool {
    guard let events, let since = exportOwedSince, Self.uptime - since < pollInterval else { return false }
    return absorb(events.wait(timeoutMilliseconds: 0))
  }

  /// One cycle: the spool check first, and after a failure a write probe (a full disk or a
  /// read-only outbox must not cost a drop one of its `max_attempts` per retry), then
  /// `BatchCycle`, then status.json.
  private func runCycle() {
    let started = Date()
    exportOwedSince = exportOwedSince ?? Self.uptime
    if let clock { context.setClock(clock()) }
    var cycleStatus = RunStatus()
    cycleStatus.startedAt = RunStatus.timestamp(started)
    cycleStatus.asOf = context.asOf.description
    if status.watch == nil, !context.recoveryWarnings.isEmpty { cycleStatus.warnings = context.recoveryWarnings }
    let steps = BatchCycle.Steps(export: due.export, archive: true)
    var failed = false
    do {
      try context.spool.check()
      if watchState.consecutiveFailures > 0 { try context.spool.probeWrites() }
      let cycle = BatchCycle(context: context, stop: stop)
      cycle.onStep = onStep
      cycle.onMessage = onMessage
      let known = renamedIn
      cycle.isComplete = { known.contains($0.rawName) }
      cycle.exportShouldYield = { [unowned self] in dropArrivedDuringExport() }
      let end = try cycle.run(into: &cycleStatus, steps: steps)
      switch end {
      case .finished(let rejections):
        cycleStatus.outcome = rejections ? .rejections : .ok
        // A drop that failed for a reason other than its content is retried after the backoff.
        failed = cycleStatus.ingest.retrying > 0
      case .interrupted:
        cycleStatus.outcome = .interrupted
        cycleStatus.errors.append("stopped by signal \(stop.requested); the rest is done by the next watch or run")
      case .failed:
        break
      }
      cycleStatus.exitCode = exitStatus(end)
      if cycle.exportYielded {
        // The drops that arrived are due now, and so is the export they interrupted.
        due = Due(cycle: true, export: true)
        renamedIn.subtract(known)
      } else if !failed && stop.requested == 0 {
        due = Due(cycle: false, export: false)
        // Names that arrived while the cycle ran stay due (`absorb` during the export).
        renamedIn.subtract(known)
        due.cycle = !renamedIn.isEmpty
        exportOwedSince = nil
      }
    } catch {
      cycleStatus.outcome = .failed
      cycleStatus.exitCode = exitStatus(.failed(error))
      cycleStatus.errors.append("\(error)")
      failed = true
    }
    if failed {
      watchState.consecutiveFailures += 1
      let backoff = options.backoffSeconds(afterFailures: watchState.consecutiveFailures)
      watchState.retryInSeconds = backoff
      retryAt = Self.uptime + backoff
      // The export the failed cycle may not have reached is still owed.
      due = Due(cycle: true, export: true)
    } else {
      watchState.consecutiveFailures = 0
      watchState.retryInSeconds = nil
    }
    cycleStatus.finishedAt = RunStatus.timestamp()
    cycleStatus.durationMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
    cycleStatus.queue = (try? context.queueDepths()) ?? cycleStatus.queue
    cycleStatus.carryLastSuccess(from: status)
    if failed { cycleStatus.lastSuccessAt = status.lastSuccessAt }
    cycleStatus.watch = watchState
    cycleStatus.heartbeatAt = cycleStatus.finishedAt
    status = cycleStatus
    save(cycle: true)
    context.releaseMemory()
  }

  /// Rewrites status.json with a fresh `heartbeatAt`. While the last cycle worked and none is
  /// owed, the watcher is caught up as of now, so `lastSuccessAt` moves too: an idle watcher is a
  /// healthy one.
  private func heartbeat() {
    let now = RunStatus.timestamp()
    status.heartbeatAt = now
    if status.succeeded && watchState.consecutiveFailures == 0 && !due.cycle { status.lastSuccessAt = now }
    status.queue = (try? context.queueDepths()) ?? status.queue
    status.watch = watchState
    save(cycle: false)
  }

  private func save(cycle: Bool) {
    lastHeartbeat = Self.uptime
    try? status.save(to: context.spool.statusFile)
    onStatus(status, cycle)
  }

}
