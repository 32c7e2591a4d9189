internal import CConnectorLibArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConnectorPOSIX

/// The pax handle's write callback; `client` is the writer's `TarStreamSink`.
func tarStreamCallback(
  _: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ bytes: UnsafeRawPointer?, _ count: Int
) -> Int {
  guard let client else { return -1 }
  let sink = Unmanaged<TarStreamSink>.fromOpaque(client).takeUnretainedValue()
  return sink.takeTar(UnsafeRawBufferPointer(start: bytes, count: count))
}

/// The raw handle's write callback; `client` is the `TarStreamSink` that owns the handle.
private func storedStreamCallback(
  _: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ bytes: UnsafeRawPointer?, _ count: Int
) -> Int {
  guard let client else { return -1 }
  let sink = Unmanaged<TarStreamSink>.fromOpaque(client).takeUnretainedValue()
  return sink.takeStored(UnsafeRawBufferPointer(start: bytes, count: count))
}

/// The lower half of `TarWriter`'s pipeline: takes the tar stream, compresses it with a
/// raw-format libarchive handle (the raw format adds no headers or padding, so the file is exactly
/// the codec's output), and writes the result to the archive file, which it owns.
///
/// libarchive only learns that a callback returned -1, so the first failure below the pax handle is
/// kept in `failure`, with its errno, for `TarWriter` to throw instead.
final class TarStreamSink {
  let path: String
  private(set) var tarBytes: Int64 = 0
  private(set) var storedBytes: Int64 = 0
  private(set) var failure: ArchiveError?

  private let handle: OpaquePointer
  private var fd: Int32
  private var isClosed = false
  private let observeTar: ((UnsafeRawBufferPointer) -> Void)?
  private let observeStored: ((UnsafeRawBufferPointer) -> Void)?

  /// Creates `path` (O_CREAT|O_EXCL, mode 0600) and opens a raw writer with `codec` on it,
  /// removing the file again if that fails.
  init(
    path: String,
    codec: ArchiveCodec,
    level: Int?,
    zstdThreads: Int,
    observeTar: ((UnsafeRawBufferPointer) -> Void)?,
    observeStored: ((UnsafeRawBufferPointer) -> Void)?,
    warnings: inout [ArchiveError]
  ) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw ArchiveError.system("open", errno: errno, member: path) }
    guard let handle = archive_write_new() else {
      close(fd)
      unlink(path)
      throw ArchiveError.refusal("archive_write_new", "libarchive could not allocate a writer")
    }
    self.path = path
    self.fd = fd
    self.handle = handle
    self.observeTar = observeTar
    self.observeStored = observeStored
    do {
      try configure(codec: codec, level: level, zstdThreads: zstdThreads, warnings: &warnings)
    } catch {
      // deinit frees the handle and closes the file; the file is ours (O_EXCL) and empty.
      abandon()
      throw error
    }
  }

  deinit {
    // A fatal handle is freed without flushing, so a failed or abandoned archive gets no trailer.
    if !isClosed { archive_write_fail(handle) }
    archive_write_free(handle)
    if fd >= 0 { close(fd) }
  }

  /// Stops the compressor for good; the file keeps what was written so far.
  func fail() {
    if !isClosed { archive_write_fail(handle) }
  }

  /// For a writer whose setup failed: nothing was written, so the file goes too.
  func abandon() {
    fail()
    unlink(path)
  }

  /// Hands a block of the tar stream to `observeTar` and to the compressor; returns `count`, or
  /// -1 after recording the failure.
  func takeTar(_ chunk: UnsafeRawBufferPointer) -> Int {
    guard failure == nil, let base = chunk.baseAddress else { return -1 }
    observeTar?(chunk)
    tarBytes += Int64(chunk.count)
    let written = archive_write_data(handle, base, chunk.count)
    if written == chunk.count { return written }
    if failure == nil {
      failure =
        written < 0
        ? ArchiveError(handle: handle, operation: "archive_write_data", code: Int32(written), member: path)
        : .refusal("archive_write_data", "the compressor took \(written) of \(chunk.count) bytes", member: path)
    }
    return -1
  }

  /// Hands compressed bytes to `observeStored` and writes all of them; returns `count`, or -1
  /// after recording the failure with its errno.
  func takeStored(_ chunk: UnsafeRawBufferPointer) -> Int {
    guard failure == nil, let base = chunk.baseAddress else { return -1 }
    observeStored?(chunk)
    let code = POSIX.writeAll(fd, base, chunk.count)
    if code != 0 {
      failure = .system("write", errno: code, member: path)
      return -1
    }
    storedBytes += Int64(chunk.count)
    return chunk.count
  }

  /// Ends the raw entry and closes the compressor, which writes its last bytes and trailer.
  func finish(warnings: inout [ArchiveError]) throws {
    let ended = archive_write_finish_entry(handle)
    try checkArchiveCall(ended, handle, "archive_write_finish_entry", member: path, cause: failure, warnings: &warnings)
    let closed = archive_write_close(handle)
    try checkArchiveCall(closed, handle, "archive_write_close", member: path, cause: failure, warnings: &warnings)
    isClosed = true
  }

  /// fsyncs and closes the file, reporting the first failure of the two.
  func syncAndCloseFile() throws {
    let syncResult = fsync(fd)
    let syncErrno = errno
    let closeResult = close(fd)
    let closeErrno = errno
    fd = -1
    if syncResult != 0 { throw ArchiveError.system("fsync", errno: syncErrno, member: path) }
    if closeResult != 0 { throw ArchiveError.system("close", errno: closeErrno, member: path) }
  }

  private func configure(codec: ArchiveCodec, level: Int?, zstdThreads: Int, warnings: inout [ArchiveError]) throws {
    // Every configuration call must succeed outright: an option libarchive only warns about
    // (e.g. an unknown name) would silently break determinism, so WARN is an error here.
    func require(_ code: Int32, _ operation: String) throws {
      guard code == ArchiveStatus.ok else {
        throw ArchiveError(handle: handle, operation: operation, code: code, member: nil)
      }
    }
    try require(archive_write_set_format_raw(handle), "archive_write_set_format_raw")
    switch codec {
    case .zstd:
      try require(archive_write_add_filter_zstd(handle), "archive_write_add_filter_zstd")
      try require(
        archive_write_set_filter_option(handle, "zstd", "threads", String(max(1, zstdThreads))),
        "archive_write_set_filter_option(zstd:threads)")
    case .gzip:
      try require(archive_write_add_filter_gzip(handle), "archive_write_add_filter_gzip")
      // A nil value is libarchive's "!timestamp": no mtime in the gzip header.
      try require(
        archive_write_set_filter_option(handle, "gzip", "timestamp", nil), "archive_write_set_filter_option(gzip:!timestamp)")
    case .xz:
      try require(archive_write_add_filter_xz(handle), "archive_write_add_filter_xz")
      try require(archive_write_set_filter_option(handle, "xz", "threads", "1"), "archive_write_set_filter_option(xz:threads)")
    case .none:
      try require(archive_write_add_filter_none(handle), "archive_write_add_filter_none")
    }
    if let level, let filter = codec.filterName {
      try require(
        archive_write_set_filter_option(handle, filter, "compression-level", String(level)),
        "archive_write_set_filter_option(\(filter):compression-level=\(level))")
    }
    // No blocking: each compressor output buffer goes straight to the callback, unpadded and
    // without a copy (the tar stream's 10 KiB blocking happens on the pax handle).
    try require(archive_write_set_bytes_per_block(handle, 0), "archive_write_set_bytes_per_block")
    let client = Unmanaged.passUnretained(self).toOpaque()
    try require(archive_write_open2(handle, client, nil, storedStreamCallback, nil, nil), "archive_write_open2")
    // The raw format takes exactly one entry, of a regular file; no name, size or time, so no
    // filter can record one (the data written is not checked against a size).
    guard let entry = archive_entry_new() else {
      throw ArchiveError.refusal("archive_entry_new", "libarchive could not allocate an entry")
    }
    defer { archive_entry_free(entry) }
    archive_entry_set_filetype(entry, TarFileType.regular)
    try checkArchiveCall(archive_write_header(handle, entry), handle, "archive_write_header", warnings: &warnings)
  }
}
