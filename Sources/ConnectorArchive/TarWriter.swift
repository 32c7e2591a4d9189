internal import CConnectorLibArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConnectorPOSIX

/// Deterministic pax tar writer, optionally compressed, through libarchive.
///
/// The same sequence of calls gives the same bytes (SPEC §7): every header field is set
/// explicitly on a cleared `archive_entry` — path, type, permissions, size, mtime (nanoseconds 0),
/// uid/gid 0 and *no* user or group name (numeric ids only, so nothing depends on the machine's
/// account database) — and nothing is ever copied from `stat`. The format is restricted pax:
/// plain ustar headers unless a name needs a pax `path` record. gzip is written without its
/// header timestamp, xz with one thread, and zstd with 1–4 worker threads (see `zstdThreads`).
///
/// Two libarchive handles form a pipeline so the caller can hash both streams while they are
/// written instead of reading the archive back: a pax handle without compression produces the
/// tar stream (the archive chain hashes it, so it must not depend on the codec) and hands it to a
/// raw-format handle that only compresses; that handle's output is what we write to the file.
///
/// The writer writes to `path` only; temporary names and renames are the caller's business.
/// If the writer is dropped without `finish()`, or a call fails midway through a member, the file
/// is left incomplete (not removed) and the writer refuses further calls.
public final class TarWriter {
  /// Bytes read from a source file per `read(2)`, and the size of chunks handed to `observe`.
  static let chunkSize = 256 * 1024
  /// zstd worker threads: one per processor, at most 4. zstd's multi-threaded mode cuts the input
  /// into jobs whose size depends on the level and window only, and emits them in input order, so
  /// any count ≥ 1 gives the same bytes and an archive's hash does not depend on the machine.
  /// zstd without workers (what libarchive does unless `threads` is set) compresses differently,
  /// so the option is always set. The cap bounds the memory the workers' job buffers take.
  static let zstdThreads = max(1, min(4, sysconf(Int32(_SC_NPROCESSORS_ONLN))))

  /// The archive file being written.
  public let path: String
  /// libarchive warnings (`ARCHIVE_WARN`) met so far; they did not stop the writer.
  public private(set) var warnings: [ArchiveError] = []
  /// Bytes of the uncompressed tar stream handed on so far; the whole stream once `finish()` returned
  /// (before that, up to one 10 KiB block may still be buffered).
  public var tarBytes: Int64 { sink.tarBytes }
  /// Bytes written to the archive file so far; its size once `finish()` returned.
  public var storedBytes: Int64 { sink.storedBytes }

  private enum State { case open, failed, finished }

  /// The pax handle; its output goes to `sink`.
  private let handle: OpaquePointer
  private let entry: OpaquePointer
  private let sink: TarStreamSink
  private var state = State.open
  /// One read buffer for the writer's lifetime, so streaming many small files allocates nothing per file.
  private let buffer: UnsafeMutableRawBufferPointer

  /// Creates `path` (O_CREAT|O_EXCL, mode 0600 — never overwrites) and prepares a pax writer
  /// with `codec`; `level` nil keeps the codec's default, otherwise it is passed as
  /// `compression-level` (a level with codec `.none` is refused).
  ///
  /// `observeTar` sees the uncompressed tar stream and `observeStored` the bytes written to the
  /// file, each byte once and in order, on the calling thread during the call that produced them
  /// (`finish()` delivers the rest), so a caller can hash either without reading the archive back.
  public convenience init(
    path: String,
    codec: ArchiveCodec,
    level: Int? = nil,
    observeTar: ((UnsafeRawBufferPointer) -> Void)? = nil,
    observeStored: ((UnsafeRawBufferPointer) -> Void)? = nil
  ) throws {
    try self.init(
      path: path, codec: codec, level: level, zstdThreads: nil, observeTar: observeTar, observeStored: observeStored)
  }

  /// As the public init; `zstdThreads` overrides `TarWriter.zstdThreads` so tests can show that
  /// the worker count does not change the bytes.
  init(
    path: String,
    codec: ArchiveCodec,
    level: Int? = nil,
    zstdThreads: Int?,
    observeTar: ((UnsafeRawBufferPointer) -> Void)? = nil,
    observeStored: ((UnsafeRawBufferPointer) -> Void)? = nil
  ) throws {
    if level != nil, codec == .none {
      throw ArchiveError.refusal("TarWriter.init", "a compression level needs a compressing codec, not 'none'")
    }
    var warnings: [ArchiveError] = []
    // Creates the file, and removes it again if the compressing handle cannot be set up.
    let sink = try TarStreamSink(
      path: path, codec: codec, level: level, zstdThreads: zstdThreads ?? Self.zstdThreads,
      observeTar: observeTar, observeStored: observeStored, warnings: &warnings)
    guard let handle = archive_write_new() else {
      sink.abandon()
      throw ArchiveError.refusal("archive_write_new", "libarchive could not allocate a writer")
    }
    guard let entry = archive_entry_new() else {
      archive_write_free(handle)
      sink.abandon()
      throw ArchiveError.refusal("archive_entry_new", "libarchive could not allocate an entry")
    }
    do {
      try Self.configure(handle, sink: sink)
    } catch {
      archive_entry_free(entry)
      archive_write_fail(handle)
      archive_write_free(handle)
      sink.abandon()
      throw error
    }
    self.path = path
    self.handle = handle
    self.entry = entry
    self.sink = sink
    self.warnings = warnings
    self.buffer = .allocate(byteCount: Self.chunkSize, alignment: 16)
  }

  deinit {
    if state != .finished {
      // Marks the handle fatal so archive_write_free does not append an end-of-archive
      // marker to an archive that was never finished; the sink does the same for its trailer.
      archive_write_fail(handle)
    }
    // Freed before `sink` is released: the handle's callbacks point at it.
    archive_write_free(handle)
    archive_entry_free(entry)
    buffer.deallocate()
  }

  /// Adds a folder member with mode 0700.
  public func addDirectory(_ path: String, mtime: Int64) throws {
    try Self.validate(path)
    try writeHeader(path: path, fileType: TarFileType.directory, permissions: 0o700, size: 0, mtime: mtime)
  }

  /// Adds a regular file member with mode 0600 holding `bytes`.
  public func addFile(_ path: String, bytes: [UInt8], mtime: Int64) throws {
    try Self.validate(path)
    try writeHeader(path: path, fileType: TarFileType.regular, permissions: 0o600, size: Int64(bytes.count), mtime: mtime)
    try bytes.withUnsafeBytes { try writeData($0, member: path) }
  }

  /// Adds a regular file member with mode 0600 from the file at `sourcePath`, streamed in
  /// 256 KiB chunks; the size comes from `fstat`, and the call fails if the file changes size
  /// while it is copied.
  public func addFile(_ path: String, contentsOf sourcePath: String, mtime: Int64) throws {
    try addFile(path, contentsOf: sourcePath, mtime: mtime, observe: { _ in })
  }

  /// As `addFile(_:contentsOf:mtime:)`, and hands every chunk read to `observe` so the caller
  /// can hash the payload while it is archived and every file is read once.
  public func addFile(
    _ path: String,
    contentsOf sourcePath: String,
    mtime: Int64,
    observe: (UnsafeRawBufferPointer) -> Void
  ) throws {
    try Self.validate(path)
    try requireOpen()
    let source = open(sourcePath, O_RDONLY | O_CLOEXEC)
    guard source >= 0 else { throw ArchiveError.system("open", errno: errno, member: sourcePath) }
    defer { close(source) }
    var info = stat()
    guard fstat(source, &info) == 0 else { throw ArchiveError.system("fstat", errno: errno, member: sourcePath) }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw ArchiveError.refusal("TarWriter.addFile", "the source is not a regular file", member: sourcePath)
    }
    let size = Int64(info.st_size)
    try writeHeader(path: path, fileType: TarFileType.regular, permissions: 0o600, size: size, mtime: mtime)

    var copied: Int64 = 0
    while copied < size {
      let wanted = Int(min(Int64(Self.chunkSize), size - copied))
      let count = try readChunk(source, wanted, sourcePath)
      if count == 0 {
        fail()
        throw ArchiveError.refusal(
          "TarWriter.addFile", "the file shrank while it was archived (\(copied) of \(size) bytes)", member: sourcePath)
      }
      let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
      observe(chunk)
      try writeData(chunk, member: path)
      copied += Int64(count)
    }
    // One more read tells a file that grew after fstat from one that did not.
    if try readChunk(source, 1, sourcePath) != 0 {
      fail()
      throw ArchiveError.refusal("TarWriter.addFile", "the file grew while it was archived (beyond \(size) bytes)", member: sourcePath)
    }
  }

  /// Writes the end-of-archive, closes the compressor, and fsyncs and closes the file.
  public func finish() throws {
    try requireOpen()
    do {
      // Closing the pax handle pushes its last block and end-of-archive through the sink.
      let code = archive_write_close(handle)
      try checkArchiveCall(code, handle, "archive_write_close", cause: sink.failure, warnings: &warnings)
      try sink.finish(warnings: &warnings)
    } catch {
      fail()
      throw error
    }
    state = .finished
    try sink.syncAndCloseFile()
  }

  /// Writes a member without the name checks of the public methods, and with any file type
  /// and link — only for tests that need hostile archives (links, devices, `..`, absolute paths).
  func addRawEntry(
    _ path: String,
    fileType: UInt32,
    permissions: UInt32 = 0o600,
    bytes: [UInt8] = [],
    symlink: String? = nil,
    hardlink: String? = nil,
    mtime: Int64 = 0
  ) throws {
    try writeHeader(
      path: path, fileType: fileType, permissions: permissions, size: Int64(bytes.count), mtime: mtime,
      symlink: symlink, hardlink: hardlink)
    if !bytes.isEmpty {
      try bytes.withUnsafeBytes { try writeData($0, member: path) }
    }
  }

  // MARK: - Internals

  private static func configure(_ handle: OpaquePointer, sink: TarStreamSink) throws {
    // WARN is an error here as in the sink: a half-applied setting would silently change the bytes.
    func require(_ code: Int32, _ operation: String) throws {
      guard code == ArchiveStatus.ok else {
        throw ArchiveError(handle: handle, operation: operation, code: code, member: nil)
      }
    }
    try require(archive_write_set_format_pax_restricted(handle), "archive_write_set_format_pax_restricted")
    try require(archive_write_add_filter_none(handle), "archive_write_add_filter_none")
    // Pinned rather than left to libarchive's guess, and no padding of the last block: the tar
    // stream stays byte-identical to what earlier versions wrote, so the archive chain hash
    // survives this change as well as codec changes.
    try require(archive_write_set_bytes_per_block(handle, 10240), "archive_write_set_bytes_per_block")
    try require(archive_write_set_bytes_in_last_block(handle, 1), "archive_write_set_bytes_in_last_block")
    // Unretained: the writer keeps the sink alive until this handle is freed.
    let client = Unmanaged.passUnretained(sink).toOpaque()
    try require(archive_write_open2(handle, client, nil, tarStreamCallback, nil, nil), "archive_write_open2")
  }

  /// Rejects names our own bags never need and extractors would refuse: empty, absolute,
  /// `.`/`..` or empty components.
  private static func validate(_ path: String) throws {
    let components = path.split(separator: "/", omittingEmptySubsequences: false)
    let isValid = !path.isEmpty && !path.hasPrefix("/") && !path.utf8.contains(0)
      && components.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    guard isValid else {
      throw ArchiveError.refusal("TarWriter.validate", "member names must be relative paths without '.', '..' or empty components", member: path)
    }
    if ArchiveLocale.utf8 == nil && !path.utf8.allSatisfy({ $0 < 0x80 }) {
      throw ArchiveError.refusal("TarWriter.validate", "non-ASCII member names need a UTF-8 locale, and this system has none", member: path)
    }
  }

  private func requireOpen() throws {
    switch state {
    case .open: return
    case .failed: throw ArchiveError.refusal("TarWriter", "an earlier call failed; the archive is incomplete", member: path)
    case .finished: throw ArchiveError.refusal("TarWriter", "the archive is already finished", member: path)
    }
  }

  /// Marks the archive unusable: a member header promised bytes that never came.
  private func fail() {
    if state == .open {
      state = .failed
      archive_write_fail(handle)
      sink.fail()
    }
  }

  private func writeHeader(
    path: String,
    fileType: UInt32,
    permissions: UInt32,
    size: Int64,
    mtime: Int64,
    symlink: String? = nil,
    hardlink: String? = nil
  ) throws {
    try requireOpen()
    try ArchiveLocale.withUTF8 { () throws -> Void in
      try writeHeaderFields(path: path, fileType: fileType, permissions: permissions, size: size, mtime: mtime, symlink: symlink, hardlink: hardlink)
    }
  }

  private func writeHeaderFields(
    path: String,
    fileType: UInt32,
    permissions: UInt32,
    size: Int64,
    mtime: Int64,
    symlink: String?,
    hardlink: String?
  ) throws {
    // archive_entry_clear resets every field, so each header starts from the same blank state
    // as a fresh archive_entry_new() without an allocation per member.
    archive_entry_clear(entry)
    archive_entry_set_pathname_utf8(entry, path)
    archive_entry_set_filetype(entry, fileType)
    archive_entry_set_perm(entry, mode_t(permissions))
    archive_entry_set_size(entry, size)
    archive_entry_set_mtime(entry, time_t(mtime), 0)
    archive_entry_set_uid(entry, 0)
    archive_entry_set_gid(entry, 0)
    if let symlink { archive_entry_set_symlink_utf8(entry, symlink) }
    if let hardlink { archive_entry_set_hardlink_utf8(entry, hardlink) }
    let code = archive_write_header(handle, entry)
    if code != ArchiveStatus.ok && code != ArchiveStatus.warn { fail() }
    try checkArchiveCall(code, handle, "archive_write_header", member: path, cause: sink.failure, warnings: &warnings)
  }

  private func writeData(_ bytes: UnsafeRawBufferPointer, member: String) throws {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    let written = archive_write_data(handle, base, bytes.count)
    guard written == bytes.count else {
      fail()
      if let failure = sink.failure { throw failure }
      if written < 0 {
        throw ArchiveError(handle: handle, operation: "archive_write_data", code: Int32(written), member: member)
      }
      throw ArchiveError.refusal("archive_write_data", "wrote \(written) of \(bytes.count) bytes", member: member)
    }
  }

  private func readChunk(_ source: Int32, _ count: Int, _ sourcePath: String) throws -> Int {
    let result = POSIX.read(source, buffer.baseAddress, count)
    if result >= 0 { return result }
    let readErrno = errno
    fail()
    throw ArchiveError.system("read", errno: readErrno, member: sourcePath)
  }
}
