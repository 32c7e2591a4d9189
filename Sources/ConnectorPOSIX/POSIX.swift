#if canImport(Glibc)
  import CConnectorMalloc
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The few libc I/O calls every module makes, in one place: each is retried when a signal
/// interrupts it (EINTR), and a failure's errno reads as the C library's own text.
public enum POSIX {
  /// `read(2)`, retried on EINTR. -1 with `errno` set on failure, 0 at end of file.
  public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    while true {
      let n = sysRead(fd, buffer, count)
      if n >= 0 || errno != EINTR { return n }
    }
  }

  /// `pread(2)`, retried on EINTR.
  public static func pread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, at offset: Int64) -> Int {
    while true {
      let n = sysPread(fd, buffer, count, off_t(offset))
      if n >= 0 || errno != EINTR { return n }
    }
  }

  /// Writes all of `count` bytes, retrying on EINTR and after short writes. Returns 0, or the
  /// errno of the failure (EIO for a write that wrote nothing without an error, which only odd
  /// files do).
  public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int32 {
    var offset = 0
    while offset < count {
      let n = sysWrite(fd, buffer + offset, count - offset)
      if n > 0 {
        offset += n
      } else if n < 0 && errno == EINTR {
        continue
      } else {
        return n < 0 ? errno : EIO
      }
    }
    return 0
  }

  /// The C library's text for `code` ("No space left on device").
  public static func message(_ code: Int32) -> String { String(cString: strerror(code)) }

  /// Unblocks `signals` in the calling thread (`pthread_sigmask`): a parent may start the process
  /// with them blocked (the mask is inherited), and a blocked SIGTERM would never reach a handler.
  public static func unblock(_ signals: [Int32]) {
    var set = sigset_t()
    sigemptyset(&set)
    for s in signals { sigaddset(&set, s) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  /// Hands the C heap's free pages back to the kernel (`malloc_trim(0)` on glibc; nothing
  /// elsewhere). glibc keeps freed memory, however large, mapped for reuse: a long-running
  /// process that once needed 40 MB (an archive's compressor) would otherwise keep it resident.
  public static func trimHeap() {
    #if canImport(Glibc)
      _ = CConnectorMalloc.malloc_trim(0)
    #endif
  }

  /// Whether a process with this id exists (`kill(pid, 0)`; EPERM: it does, as another user).
  public static func processExists(_ pid: Int32) -> Bool {
    guard pid > 0 else { return false }
    return kill(pid, 0) == 0 || errno == EPERM
  }
}

// At file scope the names below are the system calls, not the methods of `POSIX`.
private func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func sysPread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ offset: off_t) -> Int {
  pread(fd, buffer, count, offset)
}
private func sysWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
