import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `run`: one whole batch, as cron or a systemd timer runs it.
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "One batch: recover work/, ingest drops, export + diff, archive when due, write state/status.json.",
      discussion: """
        SIGTERM or SIGINT finishes the message in hand (a drop being read or applied stays claimed \
        for the next run), leaves everything consistent and exits 128+signal; the next run carries on. Exit status 1 when a drop or message was rejected.
        """)

    @OptionGroup var common: CommonOptions

    func run() throws {
      do {
        try runBatch()
      } catch let exit as ExitCode {
        common.writeMetrics(exitCode: exit.rawValue)
        throw exit
      }
      common.writeMetrics(exitCode: ExitStatus.success)
    }

    private func runBatch() throws {
      try Console.run {
        let signals = StopSignals()
        defer { withExtendedLifetime(signals) {} }
        let stop = signals.flag

        let log = StepLog(quiet: common.quiet)
        let started = Date()
        let context: ConnectorContext
        do {
          context = try common.makeContext(printingWarnings: false)
        } catch {
          common.recordFailedStart(error, startedAt: started)
          throw error
        }
        let runner = BatchRunner(context: context, stop: stop, exitStatus: ExitStatus.code(for:))
        runner.onStep = { step, fields in log.step(step, fields) }
        runner.onProgress = { done, total in Console.progress("ingest: drops", done, total) }
        if common.verbose { runner.onMessage = { drop, outcome, patient in log.message(drop: drop, outcome, patient: patient) } }
        let status = try runner.run()
        for w in status.warnings ?? [] { Console.err("warning: \(w)") }
        for e in status.errors { Console.err("error: \(e)") }
        // After the batch and outside it: a page that cannot be written is a warning, never a
        // failed run.
        common.writeReportPage(context)
        Console.leaveToExit(context, runner)
        log.step(
          "run",
          [("outcome", status.outcome.rawValue), ("exit", "\(status.exitCode)"), ("ms", "\(status.durationMilliseconds)"),
           ("inbox", "\(status.queue.inbox)"), ("work", "\(status.queue.work)")])
        return status.exitCode
      }
    }
  }
}
