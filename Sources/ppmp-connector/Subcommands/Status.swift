import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `status [--json]`: the last run, the queues and the archive, for people and monitoring.
  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the last run, its outcome, queue depths, the oldest waiting drop and the last archive.",
      discussion: """
        Only reads: safe while a batch runs. The JSON form (sorted keys) is documented in \
        docs/operations.md; keys with no value yet are left out. Exit status 0 whatever the last \
        run did (read lastRun.exitCode for that).
        """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print the status as JSON (sorted keys).")
    var json = false

    func run() throws {
      try Console.run {
        let status = try SpoolStatus.read(configuration: common.loadConfiguration())
        if json {
          Console.out(try status.json())
        } else {
          Self.printHuman(status)
        }
        return ExitStatus.success
      }
    }

    static func printHuman(_ s: SpoolStatus) {
      if let run = s.lastRun {
        Console.out("last run:  \(run.startedAt) → \(run.finishedAt) (as of \(run.asOf)), \(run.outcome), exit \(run.exitCode), \(run.durationMilliseconds) ms")
        Console.out(
          "  ingest:  \(run.ingest.drops) drop(s), \(run.ingest.confirmed) confirmed, \(run.ingest.rejectedMessages) message(s) rejected, "
            + "\(run.ingest.dropsRejected) drop(s) rejected")
        if run.export.outcome.isEmpty {
          Console.out("  export:  not done (the run " + (run.outcome == .interrupted ? "was interrupted" : "failed") + " before it)")
        } else {
          Console.out(
            "  export:  \(run.export.outcome)" + (run.export.file.map { " \($0)" } ?? "")
              + ", \(run.export.changedDays) changed of \(run.export.publishedDays) day(s), \(run.export.diagnostics) "
              + "diary diagnostic(s)" + (run.export.diagnostics > 0 ? " (see doctor)" : ""))
        }
        for e in run.errors { Console.out("  error:   \(e)") }
        for w in run.warnings ?? [] { Console.out("  warning: \(w)") }
        if let at = s.lastSuccessAt {
          Console.out("last success: \(at)" + (s.lastSuccessAgeSeconds.map { " (\(Self.age($0)) ago)" } ?? ""))
        } else {
          Console.out("last success: never")
        }
      } else {
        Console.out("last run:  no run yet")
      }
      if let w = s.watcher {
        let beat = w.heartbeatAgeSeconds.map { "heartbeat \(Self.age($0)) ago" } ?? "no heartbeat"
        switch w.health {
        case .running:
          Console.out("watcher:   running, pid \(w.pid) since \(w.since), \(beat)"
            + (w.consecutiveFailures > 0 ? ", \(w.consecutiveFailures) failed cycle(s) in a row, retrying" : ""))
        case .stopped: Console.out("watcher:   stopped at \(w.stoppedAt ?? "?") (pid \(w.pid), since \(w.since))")
        case .stale: Console.out("watcher:   NOT RESPONDING: pid \(w.pid) since \(w.since), \(beat) (killed or hung? see doctor)")
        }
      }
      var oldest = s.queue.oldestWaitingSeconds.map { ", oldest waiting \(Self.age($0))" } ?? ""
      if let ahead = s.queue.futureMtime { oldest += " (\(ahead) with a modification time in the future: see doctor)" }
      Console.out("queue:     inbox \(s.queue.inbox)\(oldest), work \(s.queue.work), rejected \(s.queue.rejected)")
      Console.out("review:    \(s.reviewOpen) booking(s) with a new patient file to review")
      let a = s.archive
      if let name = a.lastName {
        Console.out("archive:   \(a.count) archive(s), last \(name)" + (a.lastDate.map { " (\($0))" } ?? "")
          + ", chain " + (a.chainVerified ? "verified" : "BROKEN: \(a.firstProblem ?? "")"))
      } else {
        Console.out("archive:   none yet")
      }
      Console.out("           \(a.stagedFiles) file(s) staged; every \(a.every); next due \(a.nextDue)")
      Console.out("action needed: \(s.actionNeeded)" + (s.actionNeeded > 0 ? " (see `ppmp-connector doctor`; `ppmp-connector ack ID` once handled)" : ""))
      for item in s.actionNeededItems { Console.out("  - \(item.cause.rawValue): \(item.summary)") }
    }

    static func age(_ seconds: Int64) -> String {
      seconds < 120 ? "\(seconds) s" : seconds < 7200 ? "\(seconds / 60) min" : "\(seconds / 3600) h"
    }
  }
}
