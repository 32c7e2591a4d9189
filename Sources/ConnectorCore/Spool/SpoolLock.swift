#if canImport(Glibc)
import Foundation
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The exclusive per-spool batch lock on `state/lock` (SPEC §4).
///
/// `flock` is released by the kernel when the process dies, so a crashed run never leaves a
/// stale lock behind; the file's content (pid) is only informative.
public final class SpoolLock {
  private let fd: Int32
  public let path: String

  /// Takes the lock or throws `ConnectorError.locked` at once (no waiting).
  public init(path: String) throws {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, FileSystem.fileMode)
    guard fd >= 0 else { throw FileSystem.ioError("open", path) }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      let code = errno
      var buffer = [UInt8](repeating: 0, count: 32)
      let n = read(fd, &buffer, 31)
      close(fd)
      if code == EWOULDBLOCK {
        let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
        throw ConnectorError.locked("another ppmp-connector batch (pid \(holder)) holds \(path); exiting")
      }
      throw FileSystem.ioError("flock", path, code)
    }
    ftruncate(fd, 0)
    let pid = Array("\(getpid())\n".utf8)
    _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    self.fd = fd
    self.path = path
  }

  deinit {
    flock(fd, LOCK_UN)
    close(fd)
  }
}
