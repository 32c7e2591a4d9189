internal import CConnectorLibArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConnectorPOSIX

/// Streaming reader of any tar (ustar, pax, GNU), plain or compressed with gzip, bzip2, compress,
/// xz, lzma, lzip, lz4 or zstd.
///
/// Filters that libarchive can only run as external programs (lrzip, lzop, grzip) are
/// deliberately not enabled: an archive from elsewhere must not make us spawn processes.
public final class TarReader {
  /// Bytes libarchive reads from the file per call.
  static let blockSize = 256 * 1024

  /// The archive file being read.
  public let path: String
  /// libarchive warnings (`ARCHIVE_WARN`) met so far; they did not stop the reader.
  public private(set) var warnings: [ArchiveError] = []

  private let handle: OpaquePointer
  /// The path of the member whose header `next()` returned last, for error messages.
  private var currentPath: String?
  private var currentSize: Int64 = 0
  private var atEnd = false
  /// The decompressing reader this one parses tar from, when it observes the bytes it reads.
  private let source: ObservedSource?

  /// Opens the tar archive at `path` with every in-process decompression filter.
  public convenience init(path: String) throws {
    try self.init(path: path, raw: false)
  }

  /// `raw` reads the decompressed stream as a single member instead of parsing tar headers.
  private convenience init(path: String, raw: Bool) throws {
    try self.init(path: path, source: nil) { handle, warnings in
      try Self.configure(handle, raw: raw, warnings: &warnings)
      try checkArchiveCall(
        archive_read_open_filename(handle, path, Self.blockSize), handle, "archive_read_open_filename",
        member: path, warnings: &warnings)
    }
  }

  /// Opens the tar archive at `path` and hands every byte read on, once: the file as stored to
  /// `stored` and the decompressed tar stream to `tar`. One pass then gives the file hash, the
  /// tar stream hash and the members, where separate readers would decompress the file twice.
  /// Call `finishObserving()` after `next()` returned nil, so the observers also see what
  /// follows the end-of-archive marker. With `following`, the file may still be being written:
  /// reads at its end wait for the writer (`FileTail`).
  public convenience init(
    path: String,
    observingStored stored: @escaping (UnsafeRawBufferPointer) -> Void,
    tar: @escaping (UnsafeRawBufferPointer) -> Void,
    following tail: FileTail? = nil
  ) throws {
    let source = try ObservedSource(path: path, stored: stored, tar: tar, tail: tail)
    try self.init(path: path, source: source) { handle, warnings in
      // The stream is already decompressed: tar only, and libarchive's pass-through filter.
      try checkArchiveCall(archive_read_support_format_tar(handle), handle, "archive_read_support_format_tar", warnings: &warnings)
      let code = archive_read_open(handle, Unmanaged.passUnretained(source).toOpaque(), nil, { _, client, buffer in
        Unmanaged<ObservedSource>.fromOpaque(client!).takeUnretainedValue().nextTarBlock(buffer!)
      }, nil)
      if let failure = source.failure { throw failure }
      try checkArchiveCall(code, handle, "archive_read_open", member: path, warnings: &warnings)
    }
  }

  /// Allocates the libarchive reader, lets `open` configure and open it, and frees it if that fails.
  private init(
    path: String, source: ObservedSource?,
    open: (OpaquePointer, inout [ArchiveError]) throws -> Void
  ) throws {
    guard let handle = archive_read_new() else {
      throw ArchiveError.refusal("archive_read_new", "libarchive could not allocate a reader", member: path)
    }
    var warnings: [ArchiveError] = []
    do {
      try open(handle, &warnings)
    } catch {
      archive_read_free(handle)
      throw error
    }
    self.path = path
    self.handle = handle
    self.warnings = warnings
    self.source = source
  }

  /// Reads what the tar reader left of the decompressed stream and of the file, handing it to
  /// the observers (only for readers made with `init(path:observingStored:tar:)`).
  public func finishObserving() throws {
    guard let source else {
      throw ArchiveError.refusal("TarReader.finishObserving", "this reader does not observe its input", member: path)
    }
    try source.drain()
  }

  deinit {
    archive_read_free(handle)
  }

  /// The decompressing reader's own failure, which the tar reader only sees as a failed read.
  private func innerFailure(_ error: Error) -> Error {
    source?.failure ?? error
  }

  /// Moves to the next member and returns its header, or nil at the end of the archive;
  /// unread data of the previous member is skipped.
  public func next() throws -> TarEntry? {
    do {
      return try nextHeader()
    } catch {
      throw innerFailure(error)
    }
  }

  private func nextHeader() throws -> TarEntry? {
    if atEnd { return nil }
    let value = try ArchiveLocale.withUTF8 { () throws -> TarEntry? in
      var entry: OpaquePointer?
      let code = archive_read_next_header(handle, &entry)
      if code == ArchiveStatus.eof { return nil }
      do {
        try checkArchiveCall(code, handle, "archive_read_next_header", warnings: &warnings)
      } catch let error as ArchiveError {
        // The broken header has no name yet; the member before it says where in the archive we are.
        var located = error
        if let previous = currentPath { located.reason += " (in the header after member '\(previous)')" }
        throw located
      }
      guard let entry else {
        throw ArchiveError.refusal("archive_read_next_header", "libarchive returned no entry")
      }
      return TarEntry(copying: entry)
    }
    guard let value else {
      atEnd = true
      currentPath = nil
      return nil
    }
    currentPath = value.path
    currentSize = value.size
    return value
  }

  /// Hands the current member's data to `body` in chunks, as libarchive decodes them; holes of
  /// sparse members are handed over as zeros. The buffers are only valid during each call.
  public func readData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    do {
      try readMemberData(body)
    } catch {
      throw innerFailure(error)
    }
  }

  private func readMemberData(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    guard let member = currentPath else {
      throw ArchiveError.refusal("TarReader.readData", "no current member; call next() first", member: path)
    }
    var expectedOffset: Int64 = 0
    while true {
      var block: UnsafeRawPointer?
      var size = 0
      var offset: la_int64_t = 0
      let code = archive_read_data_block(handle, &block, &size, &offset)
      if code == ArchiveStatus.eof { break }
      try checkArchiveCall(code, handle, "archive_read_data_block", member: member, warnings: &warnings)
      if Int64(offset) > expectedOffset {
        try Self.zeros(count: Int64(offset) - expectedOffset, body)
      }
      if size > 0, let block {
        try body(UnsafeRawBufferPointer(start: block, count: size))
      }
      expectedOffset = Int64(offset) + Int64(size)
    }
  }

  /// The current member's data as one array; throws without reading it when it is larger than `limit`.
  public func readAll(limit: Int) throws -> [UInt8] {
    guard let member = currentPath else {
      throw ArchiveError.refusal("TarReader.readAll", "no current member; call next() first", member: path)
    }
    if currentSize > Int64(limit) {
      throw ArchiveError.refusal("TarReader.readAll", "the member is \(currentSize) bytes, over the limit of \(limit)", member: member)
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(currentSize))
    try readData { chunk in
      // The header's size was checked above, but sparse members can expand past it.
      guard bytes.count + chunk.count <= limit else {
        throw ArchiveError.refusal("TarReader.readAll", "the member's data exceeds the limit of \(limit) bytes", member: member)
      }
      bytes.append(contentsOf: chunk)
    }
    return bytes
  }

  /// The decompressed bytes of the whole archive file (the tar stream itself), in chunks — used
  /// to hash the uncompressed tar stream for the archive chain (SPEC §7).
  public static func decompressedStream(path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let reader = try TarReader(path: path, raw: true)
    guard try reader.next() != nil else { return }
    try reader.readData(body)
  }

  // MARK: - Internals

  static func configure(_ handle: OpaquePointer, raw: Bool, warnings: inout [ArchiveError]) throws {
    let filters: [(String, (OpaquePointer) -> Int32)] = [
      ("archive_read_support_filter_gzip", { archive_read_support_filter_gzip($0) }),
      ("archive_read_support_filter_bzip2", { archive_read_support_filter_bzip2($0) }),
      ("archive_read_support_filter_compress", { archive_read_support_filter_compress($0) }),
      ("archive_read_support_filter_xz", { archive_read_support_filter_xz($0) }),
      ("archive_read_support_filter_lzma", { archive_read_support_filter_lzma($0) }),
      ("archive_read_support_filter_lzip", { archive_read_support_filter_lzip($0) }),
      ("archive_read_support_filter_lz4", { archive_read_support_filter_lz4($0) }),
      ("archive_read_support_filter_zstd", { archive_read_support_filter_zstd($0) }),
    ]
    for (name, enable) in filters {
      // ARCHIVE_WARN here means libarchive was built without the library and would fall back to
      // an external program; our platform links them all (see ArchiveLibrary.versionDetails).
      let code = enable(handle)
      if code != ArchiveStatus.ok && code != ArchiveStatus.warn {
        throw ArchiveError(handle: handle, operation: name, code: code, member: nil)
      }
    }
    if raw {
      try checkArchiveCall(archive_read_support_format_raw(handle), handle, "archive_read_support_format_raw", warnings: &warnings)
    } else {
      try checkArchiveCall(archive_read_support_format_tar(handle), handle, "archive_read_support_format_tar", warnings: &warnings)
    }
  }

  private static func zeros(count: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let zeroChunk = [UInt8](repeating: 0, count: Int(min(count, 64 * 1024)))
    var left = count
    try zeroChunk.withUnsafeBytes { chunk in
      while left > 0 {
        let n = Int(min(left, Int64(chunk.count)))
        try body(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        left -= Int64(n)
      }
    }
  }
}

/// The file and decompression under a tar reader that observes its input: a raw-format libarchive
/// reader (every decompression filter) fed by `read(2)` calls, each chunk handed to `stored`;
/// the decompressed blocks it yields feed the tar reader and `tar`.
final class ObservedSource {
  let path: String
  private let fd: Int32
  private let inner: OpaquePointer
  private let buffer: UnsafeMutableRawBufferPointer
  private let stored: (UnsafeRawBufferPointer) -> Void
  private let tar: (UnsafeRawBufferPointer) -> Void
  private let tail: FileTail?
  private var offset: Int64 = 0
  private var innerAtEnd = false
  /// The first failure of the file or the decompression; reads fail from then on.
  private(set) var failure: ArchiveError?

  init(
    path: String, stored: @escaping (UnsafeRawBufferPointer) -> Void, tar: @escaping (UnsafeRawBufferPointer) -> Void,
    tail: FileTail?
  ) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ArchiveError.system("open", errno: errno, member: path) }
    guard let inner = archive_read_new() else {
      close(fd)
      throw ArchiveError.refusal("archive_read_new", "libarchive could not allocate a reader", member: path)
    }
    self.path = path
    self.fd = fd
    self.inner = inner
    self.buffer = .allocate(byteCount: TarReader.blockSize, alignment: 16)
    self.stored = stored
    self.tar = tar
    self.tail = tail
    var warnings: [ArchiveError] = []
    try TarReader.configure(inner, raw: true, warnings: &warnings)
    try checkArchiveCall(
      archive_read_open(inner, Unmanaged.passUnretained(self).toOpaque(), nil, { _, client, buffer in
        Unmanaged<ObservedSource>.fromOpaque(client!).takeUnretainedValue().nextStoredChunk(buffer!)
      }, nil), inner, "archive_read_open", member: path, warnings: &warnings)
    var entry: OpaquePointer?
    let code = archive_read_next_header(inner, &entry)
    if code == ArchiveStatus.eof {
      innerAtEnd = true
    } else {
      try checkArchiveCall(code, inner, "archive_read_next_header", member: path, warnings: &warnings)
    }
  }

  deinit {
    archive_read_free(inner)
    close(fd)
    buffer.deallocate()
  }

  /// The inner reader's read callback: the next chunk of the file.
  fileprivate func nextStoredChunk(_ out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
    while true {
      let known = tail?.state()
      let count = POSIX.read(fd, buffer.baseAddress, buffer.count)
      if count == 0, let tail, let known, !known.finished {
        tail.wait(after: known.generation)
        continue
      }
      if count < 0 {
        failure = failure ?? ArchiveError.system("read", errno: errno, member: path)
        return -1
      }
      if count > 0 { stored(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
      out.pointee = UnsafeRawPointer(buffer.baseAddress)
      return count
    }
  }

  /// The tar reader's read callback: the next decompressed block (0 at the end, -1 on failure).
  fileprivate func nextTarBlock(_ out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
    guard failure == nil else { return -1 }
    while !innerAtEnd {
      var block: UnsafeRawPointer?
      var size = 0
      var at: la_int64_t = 0
      let code = archive_read_data_block(inner, &block, &size, &at)
      if code == ArchiveStatus.eof {
        innerAtEnd = true
        break
      }
      if code != ArchiveStatus.ok && code != ArchiveStatus.warn {
        failure = failure ?? ArchiveError(handle: inner, operation: "archive_read_data_block", code: code, member: path)
        return -1
      }
      // The raw format has no holes; one would mean the stream is not what we hash.
      guard Int64(at) == offset else {
        failure = failure ?? ArchiveError.refusal("archive_read_data_block", "the decompressed stream skips bytes", member: path)
        return -1
      }
      guard size > 0, let block else { continue }
      offset += Int64(size)
      let chunk = UnsafeRawBufferPointer(start: block, count: size)
      tar(chunk)
      out.pointee = block
      return size
    }
    return 0
  }

  /// Hands the rest of the decompressed stream, then the rest of the file, to the observers.
  func drain() throws {
    var ignored: UnsafeRawPointer?
    while nextTarBlock(&ignored) > 0 {}
    if let failure { throw failure }
    while nextStoredChunk(&ignored) > 0 {}
    if let failure { throw failure }
  }
}
