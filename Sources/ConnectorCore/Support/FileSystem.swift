#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import ConnectorPOSIX
import Foundation

/// The few POSIX file operations the spool protocol depends on, each turning a failed call into
/// a `ConnectorError.io` that carries errno and the path.
///
/// Everything the connector writes holds patient data: files are 0600, folders 0700, and every
/// write is atomic (temporary name in the same folder, fsync file, rename, fsync folder).
public enum FileSystem {
  public static let fileMode: mode_t = 0o600
  public static let folderMode: mode_t = 0o700

  static func ioError(_ operation: String, _ path: String, _ code: Int32 = errno) -> ConnectorError {
    .io(operation: operation, path: path, errno: code, message: POSIX.message(code))
  }

  /// Copies `from` to the new file `to` (0600, never replacing a file). Failures are
  /// `ConnectorError.io` with the POSIX errno, so a full disk is a one-line "No space left on
  /// device" and exit 74. On Linux the kernel copies the file (`sendfile` asked for the whole
  /// rest at once; Foundation's `copyItem` moved a 17 MB snapshot in 4 KiB calls), so the bytes
  /// never pass through this process; elsewhere, or where the kernel refuses, 1 MiB chunks.
  public static func copyFile(_ from: String, to: String) throws {
    let input = open(from, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { throw ioError("open", from) }
    defer { close(input) }
    let output = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
    guard output >= 0 else { throw ioError("create", to) }
    defer { close(output) }
    #if os(Linux)
      var copied = 0
      while true {
        let sent = sendfile(output, input, nil, 1 << 30)
        if sent > 0 {
          copied += sent
          continue
        }
        if sent == 0 { return }
        if errno == EINTR { continue }
        // Nothing copied yet and the kernel cannot do it for these files: copy by hand.
        guard copied == 0, errno == EINVAL || errno == ENOSYS else { throw ioError("copy \(from) to", to) }
        break
      }
    #endif
    let chunk = 1 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
    defer { buffer.deallocate() }
    while true {
      let got = POSIX.read(input, buffer, chunk)
      if got < 0 { throw ioError("read", from) }
      if got == 0 { return }
      let code = POSIX.writeAll(output, buffer, got)
      if code != 0 { throw ioError("copy \(from) to", to, code) }
    }
  }

  /// Creates `path` (and missing parents) with mode 0700; an existing folder is left alone.
  public static func makeFolder(_ path: String) throws {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
      guard isDir.boolValue else { throw ioError("mkdir", path, EEXIST) }
      return
    }
    // Not NSString.deletingLastPathComponent: swift-corelibs-foundation traps on a one-letter
    // relative path ("d"), which `ppmp-fixtures drops --out d` hit.
    var parent = Substring(path)
    while parent.count > 1, parent.hasSuffix("/") { parent.removeLast() }
    if let slash = parent.lastIndex(of: "/") {
      parent = parent[..<slash]
      if !parent.isEmpty, parent != Substring(path) { try makeFolder(String(parent)) }
    }
    if mkdir(path, folderMode) != 0 && errno != EEXIST { throw ioError("mkdir", path) }
  }

  /// fsyncs a file or folder by path.
  public static func sync(_ path: String, isFolder: Bool = false) throws {
    let fd = open(path, isFolder ? O_RDONLY | O_DIRECTORY : O_RDONLY)
    guard fd >= 0 else { throw ioError("open", path) }
    defer { close(fd) }
    if fsync(fd) != 0 { throw ioError("fsync", path) }
  }

  /// A temporary name beside `path` that in-flight filters ignore (leading dot, `.tmp` suffix).
  /// At most 64 bytes of the final name are kept, so the temporary name fits NAME_MAX whatever
  /// the final name's length.
  public static func temporaryPath(for path: String) -> String {
    let url = URL(fileURLWithPath: path)
    let kept = DropName.utf8Prefix(url.lastPathComponent, bytes: 64)
    let name = ".\(kept).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    return url.deletingLastPathComponent().appendingPathComponent(name).path
  }

  /// `rename(2)` on paths given byte for byte (a delivered name need not be UTF-8).
  public static func renameBytes(_ from: [UInt8], to: [UInt8]) -> Int32 {
    (from + [0]).withUnsafeBufferPointer { f in
      (to + [0]).withUnsafeBufferPointer { t in
        f.withMemoryRebound(to: CChar.self) { fc in
          t.withMemoryRebound(to: CChar.self) { tc in
            #if canImport(Glibc)
              Glibc.rename(fc.baseAddress!, tc.baseAddress!)
            #elseif canImport(Musl)
              Musl.rename(fc.baseAddress!, tc.baseAddress!)
            #else
              Darwin.rename(fc.baseAddress!, tc.baseAddress!)
            #endif
          }
        }
      }
    }
  }

  /// Writes a file atomically: `produce` writes the temporary path; then fsync, rename, fsync folder.
  /// The temporary file is removed when `produce` throws.
  public static func writeAtomically(to path: String, _ produce: (String) throws -> Void) throws {
    let temp = temporaryPath(for: path)
    do {
      try produce(temp)
    } catch {
      unlink(temp)
      throw error
    }
    try commitTemporary(temp, to: path)
  }

  /// Makes a finished temporary file durable under its final name: chmod 0600, fsync, rename,
  /// fsync the folder. The temporary file is removed if any step fails.
  public static func commitTemporary(_ temp: String, to path: String) throws {
    do {
      chmod(temp, fileMode)
      try sync(temp)
      if rename(temp, path) != 0 { throw ioError("rename", path) }
    } catch {
      unlink(temp)
      throw error
    }
    let folder = (path as NSString).deletingLastPathComponent
    try sync(folder.isEmpty ? "." : folder, isFolder: true)
  }

  /// Writes `bytes` to `path` atomically.
  public static func writeAtomically(to path: String, bytes: [UInt8]) throws {
    try writeAtomically(to: path) { temp in try write(bytes, toNewFile: temp) }
  }

  /// Creates `path` exclusively (0600) and writes `bytes`.
  public static func write(_ bytes: [UInt8], toNewFile path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
    guard fd >= 0 else { throw ioError("create", path) }
    defer { close(fd) }
    let code = bytes.withUnsafeBytes { $0.isEmpty ? 0 : POSIX.writeAll(fd, $0.baseAddress!, $0.count) }
    if code != 0 { throw ioError("write", path, code) }
  }

  /// Picks a name in `folder` that is not taken: `name`, then `stem.1.ext`, `stem.2.ext`, …
  /// (SPEC §4: nothing is ever overwritten).
  public static func freeName(in folder: String, for name: String) -> String {
    let (stem, ext) = splitExtension(name)
    return freeName(in: folder, stem: stem, extension: ext)
  }

  /// Like `freeName(in:for:)` with the extension given, so a compound one such as `tar.zst`
  /// keeps together: `demo-1.tar.zst` → `demo-1.1.tar.zst`.
  public static func freeName(in folder: String, stem: String, extension ext: String) -> String {
    let fm = FileManager.default
    var candidate = ext.isEmpty ? stem : "\(stem).\(ext)"
    var n = 1
    while fm.fileExists(atPath: folder + "/" + candidate) || isSymlink(folder + "/" + candidate) {
      candidate = ext.isEmpty ? "\(stem).\(n)" : "\(stem).\(n).\(ext)"
      n += 1
    }
    return candidate
  }

  /// Splits "a.b.xml" into ("a.b", "xml").
  public static func splitExtension(_ name: String) -> (stem: String, ext: String) {
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
    return (String(name[..<dot]), String(name[name.index(after: dot)...]))
  }

  public static func isSymlink(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
  }

  /// File size and modification time (seconds), following no symlink.
  public static func fileInfo(_ path: String) -> (size: Int64, mtime: Int64, mode: mode_t, uid: uid_t, links: Int)? {
    var st = stat()
    guard lstat(path, &st) == 0 else { return nil }
    return (Int64(st.st_size), Int64(st.st_mtim.tv_sec), st.st_mode, st.st_uid, Int(st.st_nlink))
  }
}

extension FileSystem {
  /// Removes a file; a missing file is fine.
  public static func removeIfPresent(_ path: String) throws {
    if unlink(path) != 0 && errno != ENOENT { throw ioError("unlink", path) }
  }
}
