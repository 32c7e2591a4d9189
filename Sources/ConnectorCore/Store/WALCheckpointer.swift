import Foundation
import GRDB

/// Copies PPMP's write-ahead log back into the database on a thread and connection of its own
/// while ingest commits a drop's bookings, one transaction each.
///
/// Without it the connection that books runs each checkpoint itself (`wal_autocheckpoint`),
/// inside whichever booking's commit crosses the threshold: on a large appointment book, tens of
/// milliseconds of page copies and two syncs. A passive checkpoint never waits for the writer
/// and never blocks it, and the booking connection's own threshold stays as the fallback.
public final class WALCheckpointer: @unchecked Sendable {
  /// Drops with fewer bookings leave checkpoints to the booking connection: the log stays
  /// below its threshold, or crosses it once.
  public static let worthFrom = 2_000

  private let path: String
  private let every: Int
  private let condition = NSCondition()
  private var commits = 0
  private var due = 0
  private var stopped = false
  private let done = DispatchGroup()

  /// Checkpoints after every `every` commits reported through `committed()`.
  public init(path: String, every: Int = 1_000) {
    self.path = path
    self.every = every
    DispatchQueue.global().async(group: done) { self.run() }
  }

  private func run() {
    var queue: DatabaseQueue?
    defer { try? queue?.close() }
    while true {
      condition.lock()
      while due == 0, !stopped { condition.wait() }
      let stop = stopped
      due = 0
      condition.unlock()
      if stop { return }
      do {
        if queue == nil {
          var config = Configuration()
          config.busyMode = .timeout(1)
          config.label = "ppmp-checkpoint"
          queue = try SQLiteSettings.openQueue(path: path, configuration: config)
        }
        // A failed checkpoint costs nothing but the work: the booking connection's threshold
        // still checkpoints, so the next signal simply tries again.
        try queue?.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") }
      } catch {
        continue
      }
    }
  }

  /// Reports one committed transaction of the booking connection.
  public func committed() {
    commits += 1
    guard commits % every == 0 else { return }
    condition.lock()
    due += 1
    condition.signal()
    condition.unlock()
  }

  /// Stops the thread after the checkpoint it is on and waits for it.
  public func finish() {
    condition.lock()
    stopped = true
    condition.signal()
    condition.unlock()
    done.wait()
  }
}
