/// A thread-safe stop flag set by SIGTERM/SIGINT and read between messages.
public final class StopFlag: Sendable {
  private let signal = Locked<Int32>(0)

  public init() {}

  public func request(_ signal: Int32) {
    self.signal.withLock { if $0 == 0 { $0 = signal } }
  }

  /// The signal that asked to stop, 0 while none did.
  public var requested: Int32 { signal.withLock { $0 } }
}
