import Foundation

/// Lets a reader on one thread follow a file that another thread is still writing, the way
/// `tail -f` does: a read that reaches the end waits until the writer reports more bytes
/// (`wrote()`) or that it is done (`finish()`), instead of taking the end for the file's end.
///
/// The archiver reads each archive back while it is being written, so verifying it overlaps
/// compressing it rather than following it.
public final class FileTail: @unchecked Sendable {
  private let condition = NSCondition()
  // Guarded by `condition`.
  private var generation = 0
  private var finished = false

  public init() {}

  /// The writer wrote more bytes (or is about to: a reader that finds none waits for the next report).
  public func wrote() {
    condition.lock()
    generation += 1
    condition.broadcast()
    condition.unlock()
  }

  /// The writer is done, having written everything (or having failed): reads now end at the end.
  public func finish() {
    condition.lock()
    finished = true
    condition.broadcast()
    condition.unlock()
  }

  /// What the reader knows before it reads: the report count and whether the writer is done.
  func state() -> (generation: Int, finished: Bool) {
    condition.lock()
    defer { condition.unlock() }
    return (generation, finished)
  }

  /// Waits until the writer reports anything after `seen` (a `state()` taken before the read
  /// that found no bytes, so a report made meanwhile is not missed).
  func wait(after seen: Int) {
    condition.lock()
    while generation == seen && !finished { condition.wait() }
    condition.unlock()
  }
}
