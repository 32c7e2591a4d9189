#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// New files in one folder, as Linux inotify reports them (`inotify_init1`, `IN_MOVED_TO`,
/// `IN_CLOSE_WRITE`), read without blocking and waited for with `poll(2)`.
///
/// Elsewhere, or where the kernel refuses a watch (out of watches, a network file system),
/// `init` returns nil and the caller falls back to scanning the folder.
public final class FolderEvents {
  /// One file that appeared in the folder.
  public struct Event: Sendable, Equatable {
    /// The name as the kernel gave it, byte for byte.
    public var name: [UInt8]
    /// Renamed into the folder (complete at once); false: closed after being written in place.
    public var movedIn: Bool
  }

  private let fd: Int32
  private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

  /// Watches `folder`; nil when inotify is not available for it.
  public init?(folder: String) {
    #if os(Linux)
      let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
      guard fd >= 0 else { return nil }
      let mask = UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR)
      guard inotify_add_watch(fd, folder, mask) >= 0 else {
        close(fd)
        return nil
      }
      self.fd = fd
    #else
      return nil
    #endif
  }

  deinit { close(fd) }

  /// Waits up to `timeoutMilliseconds` for events (`poll(2)`, retried on EINTR with the whole
  /// timeout, which only shortens the wait's accuracy, never loses an event) and returns those
  /// read. `overflowed` says the kernel dropped events: scan the folder.
  public func wait(timeoutMilliseconds: Int32) -> (events: [Event], overflowed: Bool) {
    var events: [Event] = []
    var overflowed = false
    #if os(Linux)
      var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      var ready: Int32
      repeat { ready = poll(&descriptor, 1, timeoutMilliseconds) } while ready < 0 && errno == EINTR
      guard ready > 0 else { return ([], false) }
      while true {
        let n = buffer.withUnsafeMutableBytes { POSIX.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { break }
        buffer.withUnsafeBytes { raw in
          var offset = 0
          let header = MemoryLayout<inotify_event>.size
          while offset + header <= n {
            let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            if mask & UInt32(IN_Q_OVERFLOW) != 0 { overflowed = true }
            if length > 0, mask & UInt32(IN_MOVED_TO | IN_CLOSE_WRITE) != 0 {
              let bytes = raw[(offset + header)..<min(n, offset + header + length)]
              events.append(Event(name: Array(bytes.prefix { $0 != 0 }), movedIn: mask & UInt32(IN_MOVED_TO) != 0))
            }
            offset += header + length
          }
        }
      }
    #endif
    return (events, overflowed)
  }
}
