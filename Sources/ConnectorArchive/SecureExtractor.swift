#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConnectorPOSIX

/// Caps on what one extraction may produce.
public struct ExtractLimits: Sendable {
  /// Most bytes of file data written in total; the member that would pass it is removed.
  public var maxBytes: Int64
  /// Most files and folders the extraction may make: every member counts, and so does every
  /// folder a member's path creates without a member of its own.
  public var maxEntries: Int
  /// Longest member name and deepest nesting (`MemberNameRules`).
  public var names: MemberNameRules

  /// Creates limits from the caps; names follow `MemberNameRules.extraction` unless given.
  public init(maxBytes: Int64, maxEntries: Int, names: MemberNameRules = .extraction) {
    self.maxBytes = maxBytes
    self.maxEntries = maxEntries
    self.names = names
  }
}

/// What an extraction produced.
public struct ExtractSummary: Sendable, Equatable {
  /// Regular files written.
  public var files: Int
  /// Folders created, whether listed in the archive or implied by a member's path.
  public var directories: Int
  /// Bytes of file data written.
  public var bytes: Int64

  /// Creates a summary from its counts.
  public init(files: Int, directories: Int, bytes: Int64) {
    self.files = files
    self.directories = directories
    self.bytes = bytes
  }
}

/// Extracts regular files and folders only into an existing EMPTY folder (SPEC §7 `audit extract`).
///
/// Refuses — throwing an `ArchiveError` naming the member — absolute paths, any `..` component,
/// names that are empty, not valid UTF-8, longer than 4096 bytes or deeper than 32 components,
/// symlinks, hard links, device nodes, fifos and sockets; refuses a missing or non-empty target;
/// stops at `maxEntries` files and folders and at `maxBytes` of written data. A refused
/// extraction leaves nothing behind: everything it made in the target is removed, so the target
/// is empty again (it was empty to begin with). Files are created 0600 with O_EXCL (never
/// overwriting), folders 0700.
///
/// We write files ourselves instead of through `archive_write_disk`: every file and folder is
/// created relative to a folder descriptor with `openat`/`mkdirat` and `O_NOFOLLOW`, so no path
/// is ever resolved through a link, and bytes are counted exactly as they are written. Since we
/// create neither links nor anything outside the target, `archive_write_disk`'s SECURE_* flags
/// would have nothing left to catch, and its restoring of owners, times and modes is what we
/// do not want.
public enum SecureExtractor {
  /// Extracts `archive` into the existing empty folder `directory` within `limits`.
  public static func extract(archive: String, into directory: String, limits: ExtractLimits) throws -> ExtractSummary {
    let root = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard root >= 0 else {
      let code = errno
      // The target is a folder, not an archive member: named in the reason, not as `member`.
      throw ArchiveError.refusal(
        "SecureExtractor.target", "the target folder \(directory) cannot be opened: \(POSIX.message(code))", errno: code)
    }
    defer { close(root) }
    try requireEmpty(root, directory)

    let reader = try TarReader(path: archive)
    var session = Session(root: root, limits: limits)
    do {
      defer { session.closeCachedParent() }
      while let entry = try reader.next() {
        try session.count(member: entry.path)
        let components = try safeComponents(of: entry, rules: limits.names)
        switch entry.type {
        case .directory:
          try session.makeDirectory(components, member: entry.path)
        case .file:
          try session.writeFile(components, member: entry.path, from: reader)
        case .symlink, .hardlink, .other:
          throw ArchiveError.refusal("SecureExtractor.type", "only regular files and folders are extracted, not a \(entry.type.rawValue)", member: entry.path)
        }
      }
    } catch {
      // Half an extraction is worse than none: an auditor could take it for the whole bag.
      removeContents(of: root)
      throw error
    }
    return session.summary
  }

  /// Splits a member name into the components to create, refusing anything that could leave the
  /// target or build an unbounded tree (`MemberNameRules`). "." components are dropped so
  /// archives made with `tar -C dir -cf x .` still extract.
  static func safeComponents(of entry: TarEntry, rules: MemberNameRules = .extraction) throws -> [String] {
    switch rules.components(of: entry.path, isDirectory: entry.type == .directory) {
    case .success(let components): return components
    case .failure(let refusal): throw ArchiveError.refusal("SecureExtractor.path", refusal.reason, member: entry.path)
    }
  }

  /// Removes everything below the folder `fd`, never following a link; best effort (what cannot
  /// be removed stays, and the refusal that led here is the error reported).
  static func removeContents(of fd: Int32) {
    let copy = dup(fd)
    guard copy >= 0, let stream = fdopendir(copy) else { return }
    // The duplicate shares the descriptor's offset, which an earlier listing left at the end.
    rewinddir(stream)
    var names: [String] = []
    while let item = readdir(stream) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
        String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
      }
      if name != "." && name != ".." { names.append(name) }
    }
    closedir(stream)
    for name in names {
      var info = stat()
      guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
      if (info.st_mode & S_IFMT) == S_IFDIR {
        // Nesting is capped by `MemberNameRules.maxComponents`, so this recursion is too.
        let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if child >= 0 {
          removeContents(of: child)
          close(child)
        }
        unlinkat(fd, name, AT_REMOVEDIR)
      } else {
        unlinkat(fd, name, 0)
      }
    }
  }

  private static func requireEmpty(_ root: Int32, _ directory: String) throws {
    // fdopendir takes ownership of its descriptor, so it gets a duplicate.
    let copy = dup(root)
    guard copy >= 0, let stream = fdopendir(copy) else {
      let code = errno
      throw ArchiveError.refusal(
        "SecureExtractor.target", "the target folder \(directory) cannot be listed: \(POSIX.message(code))", errno: code)
    }
    defer { closedir(stream) }
    while let item = readdir(stream) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
        String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
      }
      if name != "." && name != ".." {
        throw ArchiveError.refusal(
          "SecureExtractor.target", "the target folder \(directory) is not empty (it holds '\(MemberNameRules.display(name))')")
      }
    }
  }
}

/// The mutable state of one extraction: counters and a cached descriptor of the last parent
/// folder, since consecutive members usually share it.
private struct Session {
  let root: Int32
  let limits: ExtractLimits
  var summary = ExtractSummary(files: 0, directories: 0, bytes: 0)
  /// Members read plus folders created without a member of their own, against `maxEntries`.
  private var entries = 0
  private var cachedParent: (components: ArraySlice<String>, fd: Int32)?

  init(root: Int32, limits: ExtractLimits) {
    self.root = root
    self.limits = limits
  }

  mutating func closeCachedParent() {
    if let cachedParent { close(cachedParent.fd) }
    cachedParent = nil
  }

  /// Counts one more member or implied folder; refuses past `maxEntries`.
  mutating func count(member: String) throws {
    entries += 1
    guard entries <= limits.maxEntries else {
      throw ArchiveError.refusal(
        "SecureExtractor.maxEntries", "the archive holds more than \(limits.maxEntries) members (folders included)", member: member)
    }
  }

  mutating func makeDirectory(_ components: [String], member: String) throws {
    guard let last = components.last else { return }  // "./": the target itself
    let parent = try openParent(components.dropLast(), member: member)
    try createDirectory(last, in: parent, member: member, counted: true)
  }

  mutating func writeFile(_ components: [String], member: String, from reader: TarReader) throws {
    let parent = try openParent(components.dropLast(), member: member)
    let name = components[components.count - 1]
    let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw ArchiveError.system("openat", errno: errno, member: member) }
    var written: Int64 = 0
    let budget = limits.maxBytes - summary.bytes
    do {
      try reader.readData { chunk in
        guard written + Int64(chunk.count) <= budget else {
          throw ArchiveError.refusal(
            "SecureExtractor.maxBytes", "extracting would write more than \(limits.maxBytes) bytes", member: member)
        }
        try Self.writeAll(fd, chunk, member: member)
        written += Int64(chunk.count)
      }
    } catch {
      close(fd)
      unlinkat(parent, name, 0)
      throw error
    }
    guard close(fd) == 0 else {
      let code = errno
      unlinkat(parent, name, 0)
      throw ArchiveError.system("close", errno: code, member: member)
    }
    summary.files += 1
    summary.bytes += written
  }

  /// Opens (creating as needed, 0700) the folder `components` below the target, never following
  /// a link; the descriptor stays owned by the cache.
  private mutating func openParent(_ components: ArraySlice<String>, member: String) throws -> Int32 {
    if components.isEmpty { return root }
    if let cachedParent, cachedParent.components == components { return cachedParent.fd }
    closeCachedParent()
    var current = root
    for component in components {
      try createDirectory(component, in: current, member: member, counted: false)
      let next = openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      let code = errno
      if current != root { close(current) }
      guard next >= 0 else { throw ArchiveError.system("openat", errno: code, member: member) }
      current = next
    }
    cachedParent = (components, current)
    return current
  }

  /// mkdirat with 0700; an existing folder is fine (it was created by an earlier member — the
  /// target started empty), anything else in the way is refused. A folder made for a member's
  /// path (not `counted` as a member already) counts against `maxEntries`, so one long name
  /// cannot make folders without bound.
  private mutating func createDirectory(_ name: String, in parent: Int32, member: String, counted: Bool) throws {
    if mkdirat(parent, name, 0o700) == 0 {
      summary.directories += 1
      // Counted once made; a refusal then removes it with the rest.
      if !counted { try count(member: member) }
      return
    }
    let code = errno
    guard code == EEXIST else { throw ArchiveError.system("mkdirat", errno: code, member: member) }
    var info = stat()
    guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
      throw ArchiveError.refusal("SecureExtractor.path", "a file with this name was already extracted", member: member)
    }
  }

  private static func writeAll(_ fd: Int32, _ chunk: UnsafeRawBufferPointer, member: String) throws {
    guard let base = chunk.baseAddress else { return }
    let code = POSIX.writeAll(fd, base, chunk.count)
    if code != 0 { throw ArchiveError.system("write", errno: code, member: member) }
  }
}
