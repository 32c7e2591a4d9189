#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// A file waiting in `inbox/` or left in `work/`.
public struct SpoolFile: Sendable, Equatable {
  public var name: String
  public var size: Int64
  public var mtime: Int64
  public var isRegular: Bool
  public var isSymlink: Bool
}

/// Listing and claiming drops (SPEC §4).
public enum Inbox {
  /// Names a transfer job uses while a file is still being written; never claimed.
  public static func isInFlight(_ name: String) -> Bool {
    name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part")
  }

  /// Files in `folder` (in-flight names excluded), oldest first by mtime then name.
  public static func list(_ folder: String) throws -> [SpoolFile] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: folder)
    } catch {
      throw FileSystem.ioError("list", folder, EIO)
    }
    var files: [SpoolFile] = []
    for name in names where !isInFlight(name) {
      var st = stat()
      guard lstat(folder + "/" + name, &st) == 0 else { continue }
      let type = st.st_mode & S_IFMT
      if type == S_IFDIR { continue }
      files.append(
        SpoolFile(
          name: name, size: Int64(st.st_size), mtime: Int64(st.st_mtim.tv_sec), isRegular: type == S_IFREG,
          isSymlink: type == S_IFLNK))
    }
    return files.sorted { ($0.mtime, $0.name) < ($1.mtime, $1.name) }
  }

  /// Whether a drop has been left alone long enough to be complete (size and mtime unchanged for
  /// `settleSeconds`; any write updates mtime, so an mtime that old means no recent write).
  public static func isSettled(_ file: SpoolFile, settleSeconds: Int, now: Int64) -> Bool {
    settleSeconds == 0 || now - file.mtime >= Int64(settleSeconds)
  }
}
