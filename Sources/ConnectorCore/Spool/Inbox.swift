#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// Listing and claiming drops (SPEC §4).
public enum Inbox {
  /// Names a transfer job uses while a file is still being written; never claimed.
  public static func isInFlight(_ name: String) -> Bool {
    name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part")
  }

  /// Files in `folder` (in-flight names excluded), oldest first by mtime then name.
  ///
  /// Read with `readdir`, not FileManager: a name that is not UTF-8 must be listed (and so
  /// claimed or reported) byte for byte, not skipped or re-encoded into a name that does not exist.
  public static func list(_ folder: String) throws -> [SpoolFile] {
    guard let dir = opendir(folder) else { throw FileSystem.ioError("list", folder) }
    defer { closedir(dir) }
    var files: [SpoolFile] = []
    while let entry = readdir(dir) {
      let raw: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { buffer in
        Array(buffer.prefix(while: { $0 != 0 }))
      }
      if raw == [UInt8(ascii: ".")] || raw == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
      let name = DropName(raw: raw)
      guard !isInFlight(name.safe) else { continue }
      var st = stat()
      let found = (Array(folder.utf8) + [UInt8(ascii: "/")] + raw + [0]).withUnsafeBufferPointer { path in
        path.withMemoryRebound(to: CChar.self) { lstat($0.baseAddress!, &st) == 0 }
      }
      guard found else { continue }
      let type = st.st_mode & S_IFMT
      if type == S_IFDIR { continue }
      files.append(
        SpoolFile(
          name: name.safe, rawName: raw, size: Int64(st.st_size), mtime: Int64(st.st_mtim.tv_sec),
          isRegular: type == S_IFREG, isSymlink: type == S_IFLNK, links: Int(st.st_nlink)))
    }
    return files.sorted { ($0.mtime, $0.name) < ($1.mtime, $1.name) }
  }

  /// Whether a drop has been left alone long enough to be complete.
  ///
  /// Normally: size and mtime unchanged for `settleSeconds` (any write updates mtime, so an
  /// mtime that old means no recent write). A sender's clock can put the mtime in the future,
  /// where that test would make the drop wait until then; such a drop — and any other — also
  /// counts as settled once the connector has seen it unchanged (`sighting`) for `settleSeconds`
  /// of its own clock.
  public static func isSettled(_ file: SpoolFile, settleSeconds: Int, now: Int64, sighting: InboxSighting? = nil) -> Bool {
    if settleSeconds == 0 { return true }
    if file.mtime <= now && now - file.mtime >= Int64(settleSeconds) { return true }
    guard let sighting, sighting.size == file.size, sighting.mtime == file.mtime else { return false }
    return now - sighting.firstSeen >= Int64(settleSeconds)
  }

  /// Seconds a drop has been waiting: since the connector first saw it when it has, else since
  /// its mtime (never negative, so a future mtime reads as just arrived).
  public static func waitingSeconds(_ file: SpoolFile, now: Int64, sighting: InboxSighting?) -> Int64 {
    if let sighting, sighting.size == file.size, sighting.mtime == file.mtime { return max(0, now - sighting.firstSeen) }
    return max(0, now - file.mtime)
  }

  /// How far ahead of `now` an mtime may be before `doctor` calls it a clock problem.
  public static let futureMtimeToleranceSeconds: Int64 = 60
}

/// When the connector first saw an inbox file with this size and mtime (wall-clock seconds).
public struct InboxSighting: Sendable, Equatable {
  public var size: Int64
  public var mtime: Int64
  public var firstSeen: Int64

  public init(size: Int64, mtime: Int64, firstSeen: Int64) {
    self.size = size
    self.mtime = mtime
    self.firstSeen = firstSeen
  }
}
