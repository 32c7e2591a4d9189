import Foundation

/// A value shared between threads behind a lock: the one audited lock box in ConnectorCore
/// (in the manner of swift-service-lifecycle's `LockedValueBox`). `Synchronization.Mutex`
/// would do the same but needs macOS 15, and the package still supports macOS 13.
final class Locked<Value> {
  private let lock = NSLock()
  // Read and written only inside `withLock`.
  private var value: Value

  init(_ value: Value) { self.value = value }

  /// Runs `body` with the value while holding the lock; keep `body` short and never call back
  /// into the same box from it (NSLock is not recursive).
  func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}

// Every access to `value` goes through `withLock`, so the box may cross threads whenever
// the value itself may.
extension Locked: @unchecked Sendable where Value: Sendable {}
