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
    try refuseRootOnForeignSpool()
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
      if !Self.isPrivate(folder) {
        throw ConnectorError.configuration(
          "\(folder) is readable by other users (mode \(String(info.mode & 0o7777, radix: 8))); it holds patient data: chmod 700 it")
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

extension SpoolLayout {
  /// Whether a spool file or folder keeps its patient data from other users: no permission bits
  /// for others, and group permissions only when its group is the connector's own effective
  /// group. That group is the connector's alone on a normal install (`useradd --system` gives the
  /// user a group of its own); on Kubernetes it is the pod's `fsGroup` (= `runAsGroup`), which
  /// makes volumes group-writable and folders setgid, a mode the connector must accept to run.
  /// The setgid bit itself only decides the group of new files, so it is allowed.
  public static func isPrivate(mode: mode_t, group: gid_t) -> Bool {
    if mode & 0o007 != 0 { return false }
    return mode & 0o070 == 0 || group == getegid()
  }

  /// `isPrivate(mode:group:)` for the file or folder at `path` (not following a symlink); false
  /// when it cannot be read.
  public static func isPrivate(_ path: String) -> Bool {
    var st = stat()
    guard lstat(path, &st) == 0 else { return false }
    return isPrivate(mode: st.st_mode, group: st.st_gid)
  }

  /// The owner of the spool folder when this process runs as root and the spool belongs to
  /// another user (nil otherwise, or when the folder cannot be read): root would leave files
  /// that user cannot read or replace. The name is the user's login name, or the uid.
  public func foreignOwnerForRoot() -> (uid: uid_t, name: String)? {
    guard geteuid() == 0, let info = FileSystem.fileInfo(root), info.uid != 0 else { return nil }
    guard let entry = getpwuid(info.uid), let name = entry.pointee.pw_name else { return (info.uid, "\(info.uid)") }
    return (info.uid, String(cString: name))
  }

  /// Throws (configuration error, exit 2) when root is about to work in a spool another user
  /// owns: every file root wrote would be root's, and the next run as the owner would fail on
  /// them (a "tampered" published.xml, a "broken" archive chain). The message names the owner
  /// and the command to run instead.
  public func refuseRootOnForeignSpool() throws {
    guard let owner = foreignOwnerForRoot() else { return }
    let words = ProcessInfo.processInfo.arguments.dropFirst().map(Self.shellQuoted).joined(separator: " ")
    throw ConnectorError.configuration(
      "refusing to run as root: spool \(root) belongs to \(owner.name), and files root writes there would be "
        + "unreadable or unreplaceable for \(owner.name); run it as the owner: "
        + "runuser -u \(owner.name) -- ppmp-connector \(words)")
  }

  private static func shellQuoted(_ word: String) -> String {
    let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@,+".contains($0) }
    return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// Removes the connector's own temporary files (`.NAME.….tmp`) that a killed run left in
  /// outbox/, rejected/, state/, the staging area and the archive month folders. Only called
  /// with the spool lock held, so no live writer owns them. The inbox is left alone: its dot and
  /// .tmp files belong to the transfer job. Returns how many were removed.
  @discardableResult
  public func removeStaleTemporaries() -> Int {
    var removed = 0
    func sweep(_ folder: String, depth: Int) {
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
      for name in names {
        let path = folder + "/" + name
        guard let info = FileSystem.fileInfo(path) else { continue }
        if (info.mode & S_IFMT) == S_IFDIR {
          if depth > 0 && !name.hasPrefix(".") { sweep(path, depth: depth - 1) }
        } else if (info.mode & S_IFMT) == S_IFREG, name.hasPrefix("."), name.hasSuffix(".tmp"), unlink(path) == 0 {
          removed += 1
        }
      }
    }
    sweep(outbox, depth: 0)
    sweep(rejected, depth: 0)
    sweep(state, depth: 0)
    sweep(staging, depth: 3)
    sweep(archive, depth: 1)
    return removed
  }
}
