internal import CConnectorLibXML2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ConnectorPOSIX

/// The bytes behind one `xmlTextReader`, fed through `xmlReaderForIO` so that
/// libxml2 never opens files itself: no transparent gzip/lzma decompression (a
/// small compressed file could otherwise expand past `maxBytes`) and the size
/// limit holds even if the file grows after `stat()`.
final class ReaderInput {
  private enum Source {
    case file(Int32)
    case memory([UInt8])
  }

  private var source: Source
  private let maxBytes: Int64?
  /// Counts attributes and elements on the bytes before libxml2 parses them (see `MarkupGuard`).
  private(set) var markup: MarkupGuard
  /// Asked before every chunk; `true` ends the read with an `.interrupted` error.
  var shouldStop: (() -> Bool)?
  private var consumed: Int64 = 0
  /// Why the last read failed, in our words; libxml2 only sees -1.
  private(set) var failure: XMLError? {
    didSet { hasFailed = failure != nil }
  }
  /// Cheaper to test after every node than the optional above; accesses never overlap,
  /// so the runtime exclusivity check is skipped.
  @exclusivity(unchecked) private(set) var hasFailed = false
  /// The first bytes of the input, to recognise UTF-16/UTF-32 before libxml2 converts them.
  private(set) var leadingBytes: [UInt8] = []
  /// The file name errors should carry.
  let name: String?
  /// Sees every chunk handed to libxml2, in order, so a caller can hash the file in the same
  /// pass that parses it (the delta's baseSha256) instead of reading it a second time.
  var observer: ((UnsafeRawBufferPointer) -> Void)?

  /// Checks the size with `stat()` and only then opens `path`. `scopeDepth`: see `MarkupGuard`.
  init(path: String, limits: XMLReadLimits, scopeDepth: Int? = nil) throws(XMLError) {
    let maxBytes = limits.maxBytes
    var status = stat()
    guard stat(path, &status) == 0 else { throw Self.ioError("cannot read", path) }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
      throw XMLError(kind: .io, message: "\(path) is not a regular file", file: path)
    }
    if let maxBytes, Int64(status.st_size) > maxBytes {
      throw Self.tooLarge(Int64(status.st_size), maxBytes, path)
    }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw Self.ioError("cannot open", path) }
    self.source = .file(descriptor)
    self.maxBytes = maxBytes
    self.markup = MarkupGuard(limits: limits, scopeDepth: scopeDepth)
    self.name = path
  }

  init(bytes: [UInt8], limits: XMLReadLimits, scopeDepth: Int? = nil) throws(XMLError) {
    let maxBytes = limits.maxBytes
    if let maxBytes, Int64(bytes.count) > maxBytes {
      throw Self.tooLarge(Int64(bytes.count), maxBytes, nil)
    }
    self.source = .memory(bytes)
    self.maxBytes = maxBytes
    self.markup = MarkupGuard(limits: limits, scopeDepth: scopeDepth)
    self.name = nil
  }

  deinit {
    if case .file(let descriptor) = source { close(descriptor) }
  }

  var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

  /// Fills `buffer` with up to `capacity` bytes; 0 at end of input, -1 on failure.
  fileprivate func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int32 {
    guard failure == nil else { return -1 }
    if let shouldStop, shouldStop() {
      failure = XMLError(kind: .interrupted, message: "reading was stopped on request", file: name)
      return -1
    }
    var count = 0
    switch source {
    case .file(let descriptor):
      count = POSIX.read(descriptor, buffer, capacity)
      if count < 0 {
        failure = Self.ioError("cannot read", name ?? "input")
        return -1
      }
    case .memory(let bytes):
      count = min(capacity, bytes.count - Int(consumed))
      bytes.withUnsafeBytes { all in
        buffer.copyMemory(from: all.baseAddress! + Int(consumed), byteCount: count)
      }
    }
    if leadingBytes.count < 4 {
      let bytes = UnsafeRawBufferPointer(start: buffer, count: count)
      leadingBytes.append(contentsOf: bytes.prefix(4 - leadingBytes.count))
    }
    consumed += Int64(count)
    if let maxBytes, consumed > maxBytes {
      failure = Self.tooLarge(consumed, maxBytes, name)
      return -1
    }
    if var guardFailure = markup.scan(UnsafeRawBufferPointer(start: buffer, count: count)) {
      guardFailure.file = name
      failure = guardFailure
      return -1
    }
    if count > 0, let observer { observer(UnsafeRawBufferPointer(start: buffer, count: count)) }
    return Int32(count)
  }

  /// Reads whatever libxml2 has not asked for yet (normally nothing: the reader reads to end of
  /// file), so that `observer` has seen every byte of the input. Throws the read's failure.
  func drain() throws(XMLError) {
    let capacity = 64 * 1024
    let scratch = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    defer { scratch.deallocate() }
    while true {
      let count = read(into: scratch, capacity: capacity)
      if count == 0 { return }
      if count < 0 {
        throw failure ?? XMLError(kind: .io, message: "cannot read the rest of the input", file: name)
      }
    }
  }

  private static func tooLarge(_ size: Int64, _ limit: Int64, _ file: String?) -> XMLError {
    XMLError(
      kind: .tooLarge,
      message: "input of \(size) bytes exceeds the limit of \(limit) bytes", file: file)
  }

  static func ioError(_ action: String, _ path: String) -> XMLError {
    let reason = POSIX.message(errno)
    return XMLError(kind: .io, message: "\(action) \(path): \(reason)", file: path)
  }
}

/// The `xmlInputReadCallback` behind every reader; `context` is an unretained `ReaderInput`.
let readReaderInput: xmlInputReadCallback = { context, buffer, length in
  guard let context, let buffer, length >= 0 else { return -1 }
  return Unmanaged<ReaderInput>.fromOpaque(context).takeUnretainedValue()
    .read(into: buffer, capacity: Int(length))
}
