#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// `health`: the infrastructure checks a monitoring system runs (last run and last success age, outcome,
/// waiting drops, the archive chain, free disk), as one monitoring-plugin line and exit status.
///
/// Rejected bookings are business as usual and never raise the state; nothing here reads a drop
/// or the PPMP database, so the line carries no patient data.
public enum HealthCheck {
  /// Monitoring-plugin states; the raw value is the exit status.
  public enum State: Int32, Sendable, Comparable, CustomStringConvertible {
    case ok = 0, warning = 1, critical = 2, unknown = 3

    public static func < (a: State, b: State) -> Bool { a.severity < b.severity }

    /// UNKNOWN ranks between WARNING and CRITICAL when findings are combined, as plugins do.
    private var severity: Int {
      switch self {
      case .ok: return 0
      case .warning: return 1
      case .unknown: return 2
      case .critical: return 3
      }
    }

    public var description: String {
      switch self {
      case .ok: return "OK"
      case .warning: return "WARNING"
      case .critical: return "CRITICAL"
      case .unknown: return "UNKNOWN"
      }
    }
  }

  /// Where WARNING and CRITICAL begin.
  public struct Thresholds: Sendable, Equatable {
    /// Seconds since the last run ended.
    public var warningAge: Int64 = 300
    public var criticalAge: Int64 = 900
    /// Seconds the oldest inbox drop has waited.
    public var warningWaiting: Int64 = 600
    public var criticalWaiting: Int64 = 1800
    /// Free bytes on the spool's file system (`run` itself stops below 16 MiB).
    public var warningFreeBytes: Int64 = 256 * 1024 * 1024
    public var criticalFreeBytes: Int64 = 16 * 1024 * 1024

    public init() {}
  }

  /// The outcome: a state and the line to print.
  public struct Report: Sendable, Equatable {
    public var state: State
    public var line: String
  }

  /// Checks `status` at `now`; `freeBytes` is the spool file system's free space, if known.
  public static func evaluate(status: SpoolStatus, freeBytes: Int64?, now: Date, thresholds t: Thresholds) -> Report {
    var state = State.ok
    var problems: [String] = []
    func raise(_ to: State, _ why: String) {
      state = max(state, to)
      problems.append(why)
    }

    var age: Int64?
    if let run = status.lastRun {
      // A running watcher checks in with its heartbeat, idle or not: that is its last cycle.
      let checkedIn = run.watch != nil && run.watch?.stoppedAt == nil ? run.heartbeatAt ?? run.finishedAt : run.finishedAt
      if let watcher = status.watcher, watcher.health == .stale {
        raise(.critical, "watcher pid \(watcher.pid) not responding (heartbeat \(watcher.heartbeatAgeSeconds.map(duration) ?? "never") ago)")
      }
      if let finished = MetricsFile.epochSeconds(checkedIn) {
        age = max(0, Int64(now.timeIntervalSince1970 - finished))
      } else {
        raise(.unknown, "last run end time unreadable")
      }
      switch run.outcome {
      case .failed: raise(.critical, "last run failed (exit \(run.exitCode); see `ppmp-connector status`)")
      case .interrupted: raise(.warning, "last run was interrupted (exit \(run.exitCode))")
      default: break
      }
    } else {
      raise(.warning, "no run yet")
    }
    if let age {
      if age >= t.criticalAge {
        raise(.critical, "last run \(duration(age)) ago")
      } else if age >= t.warningAge {
        raise(.warning, "last run \(duration(age)) ago")
      }
    }
    // Runs that keep ending without finishing their work (interrupted, say) keep the last run
    // fresh; what matters to the practice is how long ago one last did its work.
    let successAge = status.lastSuccessAgeSeconds
    if let successAge, successAge >= t.warningAge, successAge > (age ?? 0) {
      raise(successAge >= t.criticalAge ? .critical : .warning, "last success \(duration(successAge)) ago")
    } else if status.lastRun != nil, status.lastSuccessAt == nil {
      raise(.warning, "no run has finished its work yet")
    }
    let waiting = status.queue.oldestWaitingSeconds ?? 0
    if waiting >= t.criticalWaiting {
      raise(.critical, "oldest drop waiting \(duration(waiting))")
    } else if waiting >= t.warningWaiting {
      raise(.warning, "oldest drop waiting \(duration(waiting))")
    }
    if !status.archive.chainVerified { raise(.critical, "archive chain broken") }
    if let freeBytes {
      if freeBytes < t.criticalFreeBytes {
        raise(.critical, "only \(freeBytes / 1024 / 1024) MiB free")
      } else if freeBytes < t.warningFreeBytes {
        raise(.warning, "only \(freeBytes / 1024 / 1024) MiB free")
      }
    }

    var summary = problems
    let ageText = age.map { "last run \(duration($0)) ago" }
    if let ageText, !summary.contains(ageText) { summary.append(ageText) }
    summary.append("inbox \(status.queue.inbox)")

    var perf = [String]()
    if let age { perf.append("last_run_age=\(age)s;\(t.warningAge);\(t.criticalAge);0") }
    if let successAge { perf.append("last_success_age=\(successAge)s;\(t.warningAge);\(t.criticalAge);0") }
    perf.append("oldest_waiting=\(waiting)s;\(t.warningWaiting);\(t.criticalWaiting);0")
    perf.append("inbox=\(status.queue.inbox);;;0")
    perf.append("work=\(status.queue.work);;;0")
    perf.append("rejected=\(status.queue.rejected);;;0")
    perf.append("staged=\(status.archive.stagedFiles);;;0")
    perf.append("archive_chain_ok=\(status.archive.chainVerified ? 1 : 0);;;0;1")
    if let freeBytes {
      // Thresholds as ranges: alert when free space is below them.
      perf.append("spool_free=\(freeBytes)B;\(t.warningFreeBytes):;\(t.criticalFreeBytes):;0")
    }
    return Report(state: state, line: "PPMP-CONNECTOR \(state) - " + summary.joined(separator: ", ") + " | " + perf.joined(separator: " "))
  }

  /// The UNKNOWN report for a check that could not read the spool at all.
  public static func unknown(_ why: String) -> Report {
    Report(state: .unknown, line: "PPMP-CONNECTOR UNKNOWN - \(why)")
  }

  /// Free bytes on the file system holding `path`, or nil when it cannot be asked.
  public static func freeBytes(at path: String) -> Int64? {
    var fs = statvfs()
    guard statvfs(path, &fs) == 0 else { return nil }
    return Int64(fs.f_bavail) * Int64(fs.f_frsize)
  }

  static func duration(_ seconds: Int64) -> String {
    seconds < 120 ? "\(seconds) s" : seconds < 7200 ? "\(seconds / 60) min" : "\(seconds / 3600) h"
  }
}
