internal import CConnectorLibArchive

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

  /// Opens the tar archive at `path` with every in-process decompression filter.
  public convenience init(path: String) throws {
    try self.init(path: path, raw: false)
  }

  /// `raw` reads the decompressed stream as a single member instead of parsing tar headers.
  private init(path: String, raw: Bool) throws {
    guard let handle = archive_read_new() else {
      throw ArchiveError.refusal("archive_read_new", "libarchive could not allocate a reader", member: path)
    }
    var warnings: [ArchiveError] = []
    do {
      try Self.configure(handle, raw: raw, warnings: &warnings)
      try checkArchiveCall(
        archive_read_open_filename(handle, path, Self.blockSize), handle, "archive_read_open_filename",
        member: path, warnings: &warnings)
    } catch {
      archive_read_free(handle)
      throw error
    }
    self.path = path
    self.handle = handle
    self.warnings = warnings
  }

  deinit {
    archive_read_free(handle)
  }

  /// Moves to the next member and returns its header, or nil at the end of the archive;
  /// unread data of the previous member is skipped.
  public func next() throws -> TarEntry? {
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
        if let previous = currentPath { located.message += " (in the header after member '\(previous)')" }
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

  private static func configure(_ handle: OpaquePointer, raw: Bool, warnings: inout [ArchiveError]) throws {
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
