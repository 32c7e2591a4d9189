#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// The folders of a spool (SPEC §4) and the well-known files inside `state/`.
public struct SpoolLayout: Sendable, Equatable {
  public let root: String

  public init(root: String) {
    var r = root
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    self.root = r
  }

  public var inbox: String { root + "/inbox" }
  public var work: String { root + "/work" }
  public var outbox: String { root + "/outbox" }
  public var rejected: String { root + "/rejected" }
  public var archive: String { root + "/archive" }
  public var state: String { root + "/state" }
  /// Finished files waiting to be rolled into the next archive, under their spool-relative paths.
  public var staging: String { state + "/staging" }

  public var stateDatabase: String { state + "/connector.sqlite" }
  /// The last published snapshot: the base of the next delta.
  public var publishedSnapshot: String { state + "/published.xml" }
  public var lockFile: String { state + "/lock" }
  public var statusFile: String { state + "/status.json" }

  /// Every folder of the tree, parents first.
  public var folders: [String] { [root, inbox, work, outbox, rejected, archive, state, staging] }

  /// Creates the tree with mode 0700; existing folders are kept.
  public func create() throws {
    for folder in folders { try FileSystem.makeFolder(folder) }
  }

  /// Checks every folder exists, is a real folder, is writable and not readable by others,
  /// and that the file system has room, before a command touches anything.
  public func check(minimumFreeBytes: Int64 = 16 * 1024 * 1024) throws {
    for folder in folders {
      guard let info = FileSystem.fileInfo(folder) else {
        throw ConnectorError.configuration(
          "spool folder \(folder) is missing; run `ppmp-connector init` (or fix --spool / spool = in connector.toml)")
      }
      guard (info.mode & S_IFMT) == S_IFDIR else {
        throw ConnectorError.configuration("\(folder) is not a folder (a symlink or file is not accepted)")
      }
      guard access(folder, W_OK | X_OK) == 0 else {
        throw FileSystem.ioError("write access to", folder)
      }
      if info.mode & 0o077 != 0 {
        throw ConnectorError.configuration(
          "\(folder) is readable by other users (mode \(String(info.mode & 0o777, radix: 8))); it holds patient data: chmod 700 it")
      }
    }
    var fs = statvfs()
    if statvfs(root, &fs) == 0 {
      let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
      if free < minimumFreeBytes {
        throw ConnectorError.io(
          operation: "free space on", path: root, errno: ENOSPC,
          message: "only \(free / 1024) KiB free; the connector needs at least \(minimumFreeBytes / 1024 / 1024) MiB")
      }
    }
  }
}
