/// When the next archive is due under `archive.every`: one rule for the runner (archive now or
/// not) and for `status` (when next). Counts from the last archive, with what the runner keeps in
/// the state's meta table: runs since that archive, and its logical time.
public struct ArchiveSchedule: Sendable, Equatable {
  public var every: ArchiveCadence
  /// Whether any archive has been written (with none yet, anything staged is due).
  public var hasArchive: Bool
  public var runsSinceArchive: Int
  /// Logical practice time of the last archive, in absolute minutes.
  public var lastArchiveMinutes: Int?

  static let runsKey = "runs_since_archive"
  static let lastKey = "last_archive_as_of"

  /// Reads the schedule from the connector's state (`nil` state: nothing archived yet).
  public static func read(_ every: ArchiveCadence, state: ConnectorState?) throws -> ArchiveSchedule {
    guard let state else { return ArchiveSchedule(every: every, hasArchive: false, runsSinceArchive: 0, lastArchiveMinutes: nil) }
    return ArchiveSchedule(
      every: every, hasArchive: try state.lastArchive() != nil,
      runsSinceArchive: Int(try state.meta(runsKey) ?? "0") ?? 0,
      lastArchiveMinutes: Int(try state.meta(lastKey) ?? ""))
  }

  /// Whether a run at `now` with `stagedFiles` staged should archive. A last archive dated after
  /// `now` (a run with a clock or `--as-of` in the future) makes it due at once, so one wrong
  /// clock can never freeze the cadence.
  public func isDue(stagedFiles: Int, at now: LocalDateTime) -> Bool {
    guard stagedFiles > 0 else { return false }
    guard hasArchive else { return true }
    switch every {
    case .runs(let n): return runsSinceArchive + 1 >= n
    case .minutes(let n):
      guard let last = lastArchiveMinutes else { return true }
      return now.absoluteMinutes - last >= n || now.absoluteMinutes < last
    }
  }

  /// When the next archive is due, as `status` shows it.
  public var nextDue: String {
    guard hasArchive else { return "next run" }
    switch every {
    case .runs(let n):
      let left = max(1, n - runsSinceArchive)
      return "after \(left) more run" + (left == 1 ? "" : "s")
    case .minutes(let n):
      guard let last = lastArchiveMinutes else { return "next run" }
      return LocalDateTime(absoluteMinutes: last + n).description
    }
  }

  /// Records an archive written at `now`.
  public static func recordArchive(at now: LocalDateTime, in state: ConnectorState) throws {
    try state.setMeta(runsKey, "0")
    try state.setMeta(lastKey, "\(now.absoluteMinutes)")
  }

  /// Records a run that did not archive.
  public func recordRunWithoutArchive(in state: ConnectorState) throws {
    try state.setMeta(Self.runsKey, "\(runsSinceArchive + 1)")
  }
}
