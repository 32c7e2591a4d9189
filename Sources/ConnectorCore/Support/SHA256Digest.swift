#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ConnectorPOSIX
import Crypto

/// SHA-256 helpers: every hash the connector records is lower-case hex.
public enum SHA256Digest {
  /// Hex digest of `bytes`.
  public static func hex(_ bytes: some Sequence<UInt8>) -> String {
    hex(digest: SHA256.hash(data: Array(bytes)))
  }

  static func hex(digest: SHA256.Digest) -> String {
    let table = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(64)
    for b in digest {
      out.append(table[Int(b >> 4)])
      out.append(table[Int(b & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Hex digest of a file, streamed in 256 KiB chunks.
  public static func hex(ofFile path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileSystem.ioError("open", path) }
    defer { close(fd) }
    var hasher = SHA256()
    var buffer = [UInt8](repeating: 0, count: 256 * 1024)
    while true {
      let n = buffer.withUnsafeMutableBytes { POSIX.read(fd, $0.baseAddress, $0.count) }
      if n < 0 { throw FileSystem.ioError("read", path) }
      if n == 0 { break }
      buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
    return hex(digest: hasher.finalize())
  }
}

/// An incremental SHA-256 for callers that see data in chunks (archive payloads).
public struct StreamingSHA256 {
  private var hasher = SHA256()
  public init() {}
  public mutating func update(_ chunk: UnsafeRawBufferPointer) { hasher.update(bufferPointer: chunk) }
  public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
  public func finalizeHex() -> String { SHA256Digest.hex(digest: hasher.finalize()) }
}
