import Foundation

/// A thread-safe stop flag set by SIGTERM/SIGINT and read between messages.
public final class StopFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var signal: Int32 = 0

  public init() {}

  public func request(_ signal: Int32) {
    lock.lock()
    defer { lock.unlock() }
    if self.signal == 0 { self.signal = signal }
  }

  /// The signal that asked to stop, 0 while none did.
  public var requested: Int32 {
    lock.lock()
    defer { lock.unlock() }
    return signal
  }
}
