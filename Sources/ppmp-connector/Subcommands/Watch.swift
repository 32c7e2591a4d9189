import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `watch`: the batch's cycle driven by events, as a long-running service.
  struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run as a service: what `run` does at start, then again on every inbox event, PPMP change and clock step.",
      discussion: """
        Holds the spool lock for its whole life (a `run` meanwhile exits 75). A drop renamed into \
        inbox/ is answered at once; one written in place once closed and left for settle_seconds; \
        the inbox is also scanned, and the PPMP database checked for changes by other programs, \
        every poll interval. Failures that pass (database locked, disk full, read-only outbox) \
        are recorded in state/status.json and retried with a backoff of up to 30 s; watch does not \
        exit for them. status.json carries heartbeatAt, rewritten at least every 30 s. SIGTERM or \
        SIGINT finishes the message in hand, writes status and exits 0. A configuration error at \
        start exits 2, a held lock 75.
        """)

    @OptionGroup var common: CommonOptions

    @Option(
      name: .customLong("poll-interval-ms"),
      help: "Inbox scan and PPMP change check interval in milliseconds (overrides poll_interval_ms; default 1000).")
    var pollIntervalMilliseconds: Int?

    func validate() throws {
      if let pollIntervalMilliseconds, !(10...60_000).contains(pollIntervalMilliseconds) {
        throw ValidationError("--poll-interval-ms must be between 10 and 60000")
      }
    }

    func run() throws {
      try Console.run {
        let signals = StopSignals()
        defer { withExtendedLifetime(signals) {} }
        let stop = signals.flag
        let log = StepLog(quiet: common.quiet)
        guard let context = try open(stop: stop, log: log) else { return ExitStatus.success }
        let pollInterval = pollIntervalMilliseconds ?? context.configuration.pollIntervalMilliseconds
        let watcher = Watcher(
          context: context, stop: stop, options: Watcher.Options(pollIntervalMilliseconds: pollInterval),
          exitStatus: ExitStatus.code(for:))
        if common.asOfValue == nil {
          let zone = context.timeZone
          watcher.clock = { LocalDateTime.now(in: zone) }
        }
        watcher.onStep = { step, fields in log.step(step, fields) }
        if common.verbose { watcher.onMessage = { drop, outcome, patient in log.message(drop: drop, outcome, patient: patient) } }
        var metricsWrittenAt = Date.distantPast
        watcher.onStatus = { status, cycle in
          if cycle {
            for e in status.errors { Console.err("error: \(e)") }
            log.step(
              "cycle",
              [("outcome", status.outcome.rawValue), ("ms", "\(status.durationMilliseconds)"), ("inbox", "\(status.queue.inbox)"),
               ("work", "\(status.queue.work)"), ("failures", "\(status.watch?.consecutiveFailures ?? 0)")])
          }
          // Each cycle, but at most once a second: a burst of drops is not slowed down by
          // rewriting files only monitoring reads.
          if !cycle || Date().timeIntervalSince(metricsWrittenAt) >= 1 {
            metricsWrittenAt = Date()
            common.writeMetrics(exitCode: status.exitCode)
            if cycle { common.writeReportPage(context) }
          }
        }
        log.step("watch", [("pid", "\(ProcessInfo.processInfo.processIdentifier)"), ("poll_interval_ms", "\(pollInterval)")])
        let final = watcher.run()
        log.step("watch", [("stopped", "signal \(stop.requested)"), ("outcome", final.outcome.rawValue)])
        return ExitStatus.success
      }
    }

    /// Opens the spool and takes its lock. A configuration or data error, or a lock another
    /// process holds, ends `watch` with its exit status; a failure that may pass (database
    /// locked, disk full, I/O) is recorded and retried with the backoff. Nil when stopped first.
    private func open(stop: StopFlag, log: StepLog) throws -> ConnectorContext? {
      var failures = 0
      while true {
        let started = Date()
        do {
          let context = try common.makeContext(printingWarnings: false)
          return context
        } catch {
          let code = ExitStatus.code(for: error)
          common.recordFailedStart(error, startedAt: started)
          guard code == ExitStatus.ioError else { throw error }
          failures += 1
          let poll = pollIntervalMilliseconds ?? (try? common.loadConfiguration())?.pollIntervalMilliseconds ?? 1000
          let backoff = Watcher.Options(pollIntervalMilliseconds: poll).backoffSeconds(afterFailures: failures)
          Console.err("error: \(error); retrying in \(String(format: "%.1f", backoff)) s")
          let until = Date().addingTimeInterval(backoff)
          while Date() < until {
            if stop.requested != 0 { return nil }
            Thread.sleep(forTimeInterval: min(0.2, max(0, until.timeIntervalSinceNow)))
          }
        }
      }
    }
  }
}
