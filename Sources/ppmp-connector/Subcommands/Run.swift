import ArgumentParser
import ConnectorCore
import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

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
        writeMetrics(exitCode: exit.rawValue)
        throw exit
      }
      writeMetrics(exitCode: ExitStatus.success)
    }

    /// Rewrites the metrics file from what the run left (and this cycle's exit status), so a
    /// cycle that failed before recording a run is still visible. A run that found the lock held
    /// writes nothing: the run holding it will. Failing to write is a warning, not a failed run.
    private func writeMetrics(exitCode: Int32) {
      guard exitCode != ExitStatus.tempFail, let configuration = try? common.loadConfiguration(),
        FileSystem.fileInfo(SpoolLayout(root: configuration.spoolPath).state) != nil,
        SpoolLayout(root: configuration.spoolPath).foreignOwnerForRoot() == nil
      else { return }
      do {
        try MetricsFile.write(configuration: configuration, cycleExitCode: exitCode)
      } catch {
        Console.err("warning: metrics file not written: \(error)")
      }
    }

    /// A run that fails before it starts (missing or locked database, low disk, a bad spool)
    /// still says so in status.json; a run that found the lock held (exit 75) writes nothing.
    private func recordFailedStart(_ error: Error, startedAt: Date) {
      let code = ExitStatus.code(for: error)
      guard code != ExitStatus.tempFail, let configuration = try? common.loadConfiguration() else { return }
      BatchRunner.recordFailedStart(
        spool: SpoolLayout(root: configuration.spoolPath), error: error, exitCode: code, startedAt: startedAt,
        asOf: common.asOfValue)
    }

    private func runBatch() throws {
      try Console.run {
        let stop = StopFlag()
        let sources = [SIGTERM, SIGINT].map { sig -> DispatchSourceSignal in
          signal(sig, SIG_IGN)
          let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
          source.setEventHandler { stop.request(sig) }
          source.resume()
          return source
        }
        defer { sources.forEach { $0.cancel() } }

        let log = StepLog(quiet: common.quiet)
        let started = Date()
        let context: ConnectorContext
        do {
          context = try common.makeContext(printingWarnings: false)
        } catch {
          recordFailedStart(error, startedAt: started)
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
        if let page = context.configuration.reportHTMLPath {
          do {
            try FrontDeskReport.gather(configuration: context.configuration, asOf: context.asOf).write(to: page)
          } catch {
            Console.err("warning: report_html: \(error)")
          }
        }
        log.step(
          "run",
          [("outcome", status.outcome.rawValue), ("exit", "\(status.exitCode)"), ("ms", "\(status.durationMilliseconds)"),
           ("inbox", "\(status.queue.inbox)"), ("work", "\(status.queue.work)")])
        return status.exitCode
      }
    }
  }
}
