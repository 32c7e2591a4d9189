#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension SpoolLayout {
  /// Writes and removes a small file in every folder a cycle writes to (work/, outbox/,
  /// rejected/, state/, the staging area): proof that a disk that was full, or a folder that was
  /// read-only, takes writes again. The spool check cannot see either when the folder is its own
  /// mount. `watch` probes before it retries after a failure, so a condition that lasts does not
  /// use up a drop's `max_attempts` one retry at a time.
  public func probeWrites(bytes: Int = 64 * 1024) throws {
    let filler = [UInt8](repeating: 0, count: bytes)
    for folder in [work, outbox, rejected, state, staging] {
      // A dotted .tmp name: in-flight to readers, swept by `removeStaleTemporaries` if killed here.
      let path = FileSystem.temporaryPath(for: folder + "/write-probe")
      defer { unlink(path) }
      try FileSystem.write(filler, toNewFile: path)
    }
  }
}
