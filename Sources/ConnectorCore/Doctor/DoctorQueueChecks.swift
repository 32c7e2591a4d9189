import Foundation

extension Doctor {
  /// Drops waiting too long, dated in the future, claimed in work/ or rejected.
  func checkQueue(_ spool: SpoolLayout, state: ConnectorState?) -> [DoctorFinding] {
    guard FileSystem.fileInfo(spool.inbox) != nil else { return [] }
    var findings: [DoctorFinding] = []
    let nowSeconds = Int64(now.timeIntervalSince1970)
    let sightings = (try? state?.inboxSightings()) ?? [:]
    if let inbox = try? Inbox.list(spool.inbox),
      let queue = try? BatchRunner.queueDepths(spool, now: nowSeconds, sightings: sightings, inbox: inbox)
    {
      let waited = { (f: SpoolFile) in Inbox.waitingSeconds(f, now: nowSeconds, sighting: sightings[f.rawName]) }
      let old = inbox.filter { waited($0) > Self.waitingThresholdSeconds }.sorted { waited($0) > waited($1) }
      let ahead = inbox.filter { $0.mtime > nowSeconds + Inbox.futureMtimeToleranceSeconds }
      if let first = ahead.first {
        findings.append(
          DoctorFinding(
            .warning, "drop-mtime-in-future",
            what: "\(ahead.count) inbox file(s) have a modification time in the future (\(first.name): "
              + "\((first.mtime - nowSeconds) / 60) minutes ahead of this machine's clock). They are claimed once the "
              + "connector has seen them unchanged for settle_seconds, but the sender's clock is wrong.",
            where: .init(file: spool.inbox + "/" + first.name),
            fix: "Correct the clock of the machine that writes the drops (NTP), or have the transfer job set the "
              + "modification time on arrival (plain cp, not cp -p or rsync -t)."))
      }
      if let oldest = old.first {
        // Counted from when the connector first saw the drop, never its mtime (cp -p, rsync -a).
        let live = isInsideLiveHours()
        findings.append(
          DoctorFinding(
            live ? .error : .warning, "drops-waiting",
            what: "\(old.count) drop(s) have waited in the inbox for more than 10 minutes (oldest \(oldest.name), "
              + "\(waited(oldest) / 60) minutes): the batch is not running, is failing, or cannot claim them."
              + (live
                ? " This is inside the practice's live hours: Healthengine may mark the integration unhealthy and hide "
                  + "the practice's appointments." : ""),
            where: .init(file: spool.inbox + "/" + oldest.name),
            fix: "Check the timer or cron job runs `ppmp-connector run` every minute and read `ppmp-connector status`; "
              + "an in-flight name (.tmp, .part, leading dot) is never claimed."))
      }
      if queue.work > 0 {
        findings.append(
          DoctorFinding(
            .info, "drops-in-work",
            what: "\(queue.work) drop(s) are claimed in work/: a run is in progress, or they are being retried after an error.",
            where: .init(file: spool.work), fix: "Nothing to do unless they stay; the next run processes work/ first."))
      }
      if queue.rejected > 0 {
        findings.append(
          DoctorFinding(
            .info, "drops-rejected",
            what: "\(queue.rejected) drop(s) in rejected/ could not be read; each has a NAME.reason.txt beside it.",
            where: .init(file: spool.rejected),
            fix: "Read the reasons; ask the sender to resend a corrected file. Move them away once handled."))
      }
    }
    return findings
  }

  /// The outcome the last batch recorded in state/status.json.
  func checkLastRun(_ spool: SpoolLayout) -> [DoctorFinding] {
    let status: RunStatus?
    do {
      status = try RunStatus.load(from: spool.statusFile)
    } catch {
      return [
        DoctorFinding(
          .error, "status-unreadable", what: "\(error)", where: .init(file: spool.statusFile),
          fix: "Remove the file; the next run writes a new one.")
      ]
    }
    guard let status else {
      return [
        DoctorFinding(
          .info, "no-run-yet", what: "No batch has run on this spool yet.", where: .init(file: spool.statusFile),
          fix: "Schedule `ppmp-connector run` every minute (see docs/operations.md).")
      ]
    }
    var findings: [DoctorFinding] = []
    if let watch = status.watch {
      let age = status.heartbeatAt.flatMap(MetricsFile.epochSeconds).map { max(0, Int64(now.timeIntervalSince1970 - $0)) }
      let watcher = SpoolStatus.watcherState(watch, heartbeatAge: age)
      if watcher.health == .stale {
        findings.append(
          DoctorFinding(
            .error, "watch-heartbeat-stale",
            what: "The watcher (pid \(watch.pid), started \(watch.since)) last wrote its heartbeat "
              + (age.map { "\($0) seconds ago" } ?? "never") + " and did not record a stop: it was killed, crashed or hangs, "
              + "and no drop is being answered.",
            where: .init(file: spool.statusFile),
            fix: "Check the service (`systemctl status ppmp-connector-watch@…`, its journal) and restart it; nothing is "
              + "lost: the next `watch` or `run` finishes work/ first."))
      }
    }
    return findings + lastOutcomeFindings(status, spool)
  }

  private func lastOutcomeFindings(_ status: RunStatus, _ spool: SpoolLayout) -> [DoctorFinding] {
    switch status.outcome {
    case .failed:
      return [
        DoctorFinding(
          .error, "last-run-failed",
          what: "The last run (started \(status.startedAt)) failed with exit status \(status.exitCode): "
            + (status.errors.last ?? "no message recorded") + ".",
          where: .init(file: spool.statusFile),
          fix: "Fix the cause named in the message, then run `ppmp-connector run`; nothing is lost, work/ is retried first.")
      ]
    case .interrupted:
      return [
        DoctorFinding(
          .warning, "last-run-interrupted",
          what: "The last run (started \(status.startedAt)) was stopped by a signal before it finished.",
          where: .init(file: spool.statusFile),
          fix: "Nothing to fix if it was a shutdown: the next run finishes the work. Check the scheduler's timeout otherwise.")
      ]
    default:
      return []
    }
  }
}
