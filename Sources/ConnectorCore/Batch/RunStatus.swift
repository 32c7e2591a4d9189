import Foundation

/// How a run ended (`state/status.json`'s `outcome`).
public enum RunOutcome: String, Codable, Sendable {
  /// Everything done, nothing rejected.
  case ok
  /// Everything done; some message or drop was rejected (exit 1).
  case rejections
  /// Stopped by a signal; the next run carries on.
  case interrupted
  /// Stopped by an error (the status's `errors` say which).
  case failed
}

/// How a run ended, for the exit-status table the caller gives `BatchRunner`.
public enum RunEnd: Sendable {
  /// Finished; `rejections` when some message or drop was rejected.
  case finished(rejections: Bool)
  /// Stopped by signal `signal` before it finished.
  case interrupted(signal: Int32)
  /// Stopped by an error.
  case failed(Error)
}

/// `state/status.json`: what the last `run` did, for `status`, `doctor` and monitoring.
public struct RunStatus: Codable, Sendable, Equatable {
  public struct Ingest: Codable, Sendable, Equatable {
    public var drops = 0
    public var confirmed = 0
    public var rejectedMessages = 0
    public var dropsRejected = 0
    public var waiting = 0
    public var retrying = 0
  }

  public struct Export: Codable, Sendable, Equatable {
    /// snapshot | delta | unchanged
    public var outcome = ""
    public var sequence: Int64?
    public var file: String?
    public var changedDays = 0
    public var publishedDays = 0
    public var diagnostics = 0
  }

  public struct Archive: Codable, Sendable, Equatable {
    /// The archive written by this run, if any.
    public var written: String?
    public var stagedFiles = 0
  }

  public struct Queue: Codable, Sendable, Equatable {
    public var inbox = 0
    public var work = 0
    public var rejected = 0
    /// Age in seconds of the oldest drop waiting in the inbox, from when the connector first
    /// saw it (its mtime until a run has seen it; a future mtime counts as just arrived).
    public var oldestWaitingSeconds: Int64?
    /// Inbox files whose mtime is ahead of this machine's clock (a sender's clock is wrong).
    public var futureMtime: Int?
  }

  /// The `watch` process that wrote this status, while one runs or after it stopped.
  public struct Watch: Codable, Sendable, Equatable {
    public var pid: Int32 = 0
    /// When it started (ISO-8601 UTC).
    public var since = ""
    /// When it stopped on a signal (ISO-8601 UTC); nil while it runs, or when it died without
    /// stopping (killed, crashed): then the heartbeat goes stale.
    public var stoppedAt: String?
    /// Cycles that failed in a row (the backoff's exponent); 0 when the last one worked.
    public var consecutiveFailures = 0
    /// Seconds until the failed work is tried again.
    public var retryInSeconds: Double?
    /// Whether inbox events come from inotify (false: a folder scan every poll interval).
    public var inboxEvents = false

    public init() {}
  }

  /// Wall-clock ISO-8601 UTC times of the run.
  public var startedAt = ""
  public var finishedAt = ""
  /// The run's logical practice time (`--as-of`).
  public var asOf = ""
  public var outcome = RunOutcome.ok
  public var exitCode: Int32 = 0
  public var durationMilliseconds = 0
  public var ingest = Ingest()
  public var export = Export()
  public var archive = Archive()
  public var queue = Queue()
  public var errors: [String] = []
  /// Things an operator should know that did not stop the run (lost state rebuilt, a tampered
  /// published.xml replaced by a full snapshot). Optional so older status files still read.
  public var warnings: [String]?
  /// Wall-clock ISO-8601 UTC time at which the last run that finished its work (outcome `ok` or
  /// `rejections`) ended: this run's `finishedAt` when it did, else carried over from the
  /// previous status file, so monitoring can alert on its age. Nil before the first such run.
  public var lastSuccessAt: String?
  /// Written by `watch` only: the watcher, and its heartbeat (ISO-8601 UTC), rewritten at least
  /// every 30 s so a live watcher can be told from a dead one.
  public var watch: Watch?
  public var heartbeatAt: String?

  /// How long a watcher's heartbeat may be silent before `status`, `doctor` and `health` call it
  /// stale: three heartbeats.
  public static let staleHeartbeatSeconds: Int64 = 90

  public init() {}

  /// Whether the run finished its work (rejected messages still count: they were answered).
  public var succeeded: Bool { outcome == .ok || outcome == .rejections }

  /// Sets `lastSuccessAt` from this run's outcome (`finishedAt` must be set) and the status file
  /// it replaces (one written before `lastSuccessAt` existed counts through its own outcome).
  public mutating func carryLastSuccess(from previous: RunStatus?) {
    if succeeded {
      lastSuccessAt = finishedAt
    } else if let previous {
      lastSuccessAt = previous.lastSuccessAt ?? (previous.succeeded ? previous.finishedAt : nil)
    }
  }

  /// Reads `status.json`; nil when there is none yet.
  public static func load(from path: String) throws -> RunStatus? {
    guard let data = FileManager.default.contents(atPath: path) else {
      // Absent is "no run yet"; present but unreadable (another user's spool) must not say so.
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        let code = errno
        if code == ENOENT { return nil }
        throw FileSystem.ioError("open", path, code)
      }
      close(fd)
      throw FileSystem.ioError("read", path, EIO)
    }
    do {
      return try JSONDecoder().decode(RunStatus.self, from: data)
    } catch {
      throw ConnectorError.dataError("\(path) is not a readable status file: \(error)")
    }
  }

  /// Writes `status.json` atomically (sorted keys, so it diffs cleanly).
  public func save(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try FileSystem.writeAtomically(to: path, bytes: Array(try encoder.encode(self)) + [10])
  }

  /// Wall-clock time as ISO-8601 UTC.
  public static func timestamp(_ date: Date = Date()) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: date)
  }
}
