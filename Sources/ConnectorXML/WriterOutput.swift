internal import CConnectorLibXML2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ConnectorPOSIX

/// Where an `xmlTextWriter` sends its bytes: a file descriptor we opened (so we choose
/// the mode and see every errno) or memory. Fed through `xmlOutputBufferCreateIO`.
final class WriterOutput {
  // libxml2 flushes about every 4 KB; batching to 64 KB keeps write(2) calls rare.
  private static let flushThreshold = 65_536

  private var descriptor: Int32?
  private let isMemory: Bool
  /// Pending bytes for a file, or the whole document in memory.
  private(set) var bytes: [UInt8] = []
  /// The first failure; later writes are dropped so libxml2 never logs on its own.
  private(set) var failure: XMLError?
  let path: String?
  /// Sees every byte handed to write(2), in order (a file's hash without reading it back).
  var tap: ((UnsafeRawBufferPointer) -> Void)?

  /// Creates or truncates `path` with mode 0600; refuses to follow a symlink there.
  init(path: String) throws(XMLError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard descriptor >= 0 else { throw ReaderInput.ioError("cannot create", path) }
    // O_CREAT's mode only applies to new files; an existing one keeps its old mode.
    guard fchmod(descriptor, 0o600) == 0 else {
      let error = ReaderInput.ioError("cannot set mode 0600 on", path)
      close(descriptor)
      throw error
    }
    self.descriptor = descriptor
    self.isMemory = false
    self.path = path
    bytes.reserveCapacity(Self.flushThreshold * 2)
  }

  init() {
    self.descriptor = nil
    self.isMemory = true
    self.path = nil
  }

  deinit {
    if let descriptor { close(descriptor) }
  }

  var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

  fileprivate func write(_ buffer: UnsafeRawBufferPointer) {
    guard failure == nil else { return }
    bytes.append(contentsOf: buffer)
    if !isMemory && bytes.count >= Self.flushThreshold { flush() }
  }

  /// Writes what is pending and closes the file; the memory target keeps its bytes.
  fileprivate func finish() {
    guard let descriptor else { return }
    flush()
    self.descriptor = nil
    if closeDescriptor(descriptor) != 0 && failure == nil {
      failure = ReaderInput.ioError("cannot close", path ?? "output")
    }
  }

  private func flush() {
    guard let descriptor, failure == nil else {
      bytes.removeAll(keepingCapacity: true)
      return
    }
    if let tap { bytes.withUnsafeBytes(tap) }
    let code = bytes.withUnsafeBytes { $0.isEmpty ? 0 : POSIX.writeAll(descriptor, $0.baseAddress!, $0.count) }
    if code != 0 {
      errno = code
      failure = ReaderInput.ioError("cannot write", path ?? "output")
    }
    bytes.removeAll(keepingCapacity: true)
  }
}

// At file scope this is the system call, not the method above.
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
  close(descriptor)
}

/// The `xmlOutputWriteCallback`; reports success even after a failure so that libxml2
/// does not print its own I/O message, and the writer reports `WriterOutput.failure`.
let writeWriterOutput: xmlOutputWriteCallback = { context, buffer, length in
  guard let context, let buffer, length >= 0 else { return -1 }
  Unmanaged<WriterOutput>.fromOpaque(context).takeUnretainedValue()
    .write(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
  return length
}

/// The `xmlOutputCloseCallback`, called once when libxml2 closes its output buffer.
let closeWriterOutput: xmlOutputCloseCallback = { context in
  guard let context else { return -1 }
  let output = Unmanaged<WriterOutput>.fromOpaque(context).takeUnretainedValue()
  output.finish()
  return output.failure == nil ? 0 : -1
}
