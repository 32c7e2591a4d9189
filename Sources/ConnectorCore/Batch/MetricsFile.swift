#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// The Prometheus text file `run` rewrites after every cycle (`metrics_file`, default
/// `state/metrics.prom`), for node_exporter's textfile collector.
///
/// Everything comes from what `status` shows (`state/status.json`, the queues, the archive
/// catalog) plus the exit status of the cycle that writes it, so a cycle that failed before it
/// could record a run is still visible. Only counts, times and states: no patient data, no file
/// names. The names and help texts are documented in docs/operations.md; they are only ever added to.
public enum MetricsFile {
  /// One sample: a metric name, its labels and its value.
  public struct Sample: Sendable, Equatable {
    public var labels: [(String, String)]
    public var value: Double

    public init(_ labels: [(String, String)] = [], _ value: Double) {
      self.labels = labels
      self.value = value
    }

    public static func == (a: Sample, b: Sample) -> Bool {
      a.value == b.value && a.labels.map { $0.0 + "=" + $0.1 } == b.labels.map { $0.0 + "=" + $0.1 }
    }
  }

  /// A metric family: `ppmp_connector_<name>`, always a gauge (the values describe the last
  /// run or the spool now, not totals since some start).
  public struct Family: Sendable, Equatable {
    public var name: String
    public var help: String
    public var samples: [Sample]
  }

  static let outcomes: [RunOutcome] = [.ok, .rejections, .interrupted, .failed]
  static let lastSuccessName = "ppmp_connector_last_success_timestamp_seconds"

  /// The families for `status` after a cycle that ended with `cycleExitCode` at `cycleAt`.
  /// `previousLastSuccess` carries the last success time over cycles that did not succeed.
  public static func families(
    status: SpoolStatus, practiceID: String, cycleExitCode: Int32, cycleAt: Date, previousLastSuccess: Double?
  ) -> [Family] {
    func family(_ name: String, _ help: String, _ samples: [Sample]) -> Family {
      Family(name: "ppmp_connector_" + name, help: help, samples: samples)
    }
    func one(_ name: String, _ help: String, _ value: Double) -> Family { family(name, help, [Sample([], value)]) }

    let run = status.lastRun
    let finished = run.flatMap { Self.epochSeconds($0.finishedAt) }
    // status.json carries the last success over failed runs; an older metrics file is the
    // fallback for a spool whose status predates `lastSuccessAt`.
    let lastSuccess = status.lastSuccessAt.flatMap(Self.epochSeconds) ?? previousLastSuccess

    var out: [Family] = [
      family("info", "Always 1; the connector's version and practice id as labels.",
             [Sample([("version", ConnectorVersion.string), ("practice_id", practiceID)], 1)]),
      one("last_cycle_timestamp_seconds", "When the last run cycle ended (Unix time), whatever its outcome.",
          cycleAt.timeIntervalSince1970.rounded()),
      one("last_cycle_exit_code", "Exit status of the last run cycle (0 done, 1 rejections, 2 configuration, 65 data, 74 I/O, 128+n signal).",
          Double(cycleExitCode)),
    ]
    if let lastSuccess {
      out.append(one("last_success_timestamp_seconds", "When the last run that finished its work (outcome ok or rejections) ended (Unix time).", lastSuccess))
    }
    if let run {
      if let finished {
        out.append(one("last_run_timestamp_seconds", "When the last recorded run ended (Unix time).", finished))
      }
      out += [
        one("last_run_duration_seconds", "Duration of the last recorded run.", Double(run.durationMilliseconds) / 1000),
        family("last_run_outcome", "1 for the outcome of the last recorded run, 0 for the others.",
               outcomes.map { Sample([("outcome", $0.rawValue)], run.outcome == $0 ? 1 : 0) }),
        family("last_run_drops", "Drops the last recorded run answered, by result.",
               [Sample([("result", "read")], Double(run.ingest.drops)), Sample([("result", "rejected")], Double(run.ingest.dropsRejected))]),
        family("last_run_messages", "Booking and cancellation messages of the last recorded run, by result.",
               [Sample([("result", "confirmed")], Double(run.ingest.confirmed)),
                Sample([("result", "rejected")], Double(run.ingest.rejectedMessages))]),
        family("last_run_export", "What the last recorded run published: 1 for its kind (snapshot, delta, unchanged).",
               ["snapshot", "delta", "unchanged"].map { Sample([("kind", $0)], run.export.outcome == $0 ? 1 : 0) }),
        one("last_run_changed_dates", "Dates whose availability changed in the last recorded run's publication.", Double(run.export.changedDays)),
        one("last_run_errors", "Errors the last recorded run reported.", Double(run.errors.count)),
      ]
      if let watch = run.watch {
        out.append(one("watch_running", "1 while a watch process serves the spool (no stop recorded; see the heartbeat), 0 after it stopped.",
                       watch.stoppedAt == nil ? 1 : 0))
        if let heartbeat = run.heartbeatAt.flatMap(Self.epochSeconds) {
          out.append(one("watch_heartbeat_timestamp_seconds", "When the watch process last wrote its heartbeat (Unix time); at most 30 s old while it runs.", heartbeat))
        }
      }
    }
    out += [
      family("queue_files", "Drops in each spool folder now (rejected: not counting reason files).",
             [Sample([("folder", "inbox")], Double(status.queue.inbox)), Sample([("folder", "work")], Double(status.queue.work)),
              Sample([("folder", "rejected")], Double(status.queue.rejected))]),
      one("oldest_waiting_drop_age_seconds", "Age of the oldest drop waiting in the inbox, from when the connector first saw it; 0 when none waits.",
          Double(status.queue.oldestWaitingSeconds ?? 0)),
      one("archives", "Archives in the archive folder.", Double(status.archive.count)),
      one("archive_chain_verified", "1 when the archive chain checks out against the catalog, 0 when it is broken.",
          status.archive.chainVerified ? 1 : 0),
      one("staged_files", "Files staged for the next archive.", Double(status.archive.stagedFiles)),
      family("action_needed", "Rejections a person must handle, not yet acknowledged with ppmp-connector ack, by cause.",
             ActionNeededItem.Cause.allCases.map { cause in
               Sample([("cause", cause.rawValue)], Double(status.actionNeededItems.filter { $0.cause == cause }.count))
             }),
    ]
    return out
  }

  /// The families in the Prometheus text format (version 0.0.4).
  public static func render(_ families: [Family]) -> String {
    var text = ""
    for f in families {
      text += "# HELP \(f.name) \(f.help)\n# TYPE \(f.name) gauge\n"
      for s in f.samples {
        let labels = s.labels.isEmpty ? "" : "{" + s.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        text += "\(f.name)\(labels) \(format(s.value))\n"
      }
    }
    return text
  }

  /// Reads the status of the configured spool and rewrites the metrics file atomically. Returns
  /// the path written, or nil when `metrics_file = ""` turned it off.
  @discardableResult
  public static func write(configuration: ConnectorConfiguration, cycleExitCode: Int32, now: Date = Date()) throws -> String? {
    guard let path = configuration.metricsFile else { return nil }
    let status = try SpoolStatus.read(configuration: configuration, now: now)
    let previous = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(previousLastSuccess)
    let text = render(
      families(status: status, practiceID: configuration.practiceID, cycleExitCode: cycleExitCode, cycleAt: now, previousLastSuccess: previous))
    // Inside the spool the file stays private like everything there; elsewhere (a textfile
    // collector folder) node_exporter runs as another user and needs to read it.
    let spool = URL(fileURLWithPath: configuration.spoolPath).standardized.path + "/"
    let shared = !URL(fileURLWithPath: path).standardized.path.hasPrefix(spool)
    // Write, then rename: a scrape sees the old file or the new one, never half of one. No
    // fsync: the file is rewritten every cycle, so after a crash the next cycle restores it.
    let temp = FileSystem.temporaryPath(for: path)
    do {
      try FileSystem.write(Array(text.utf8), toNewFile: temp)
      if shared && chmod(temp, 0o644) != 0 { throw FileSystem.ioError("chmod", temp) }
      if rename(temp, path) != 0 { throw FileSystem.ioError("rename", path) }
    } catch {
      unlink(temp)
      throw error
    }
    return path
  }

  /// The last success time recorded in an earlier metrics file.
  static func previousLastSuccess(_ text: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(lastSuccessName + " ") {
      return Double(line.dropFirst(lastSuccessName.count + 1))
    }
    return nil
  }

  static func epochSeconds(_ iso: String) -> Double? {
    ISO8601DateFormatter().date(from: iso).map { $0.timeIntervalSince1970 }
  }

  private static func format(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
  }

  private static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
  }
}
