import Foundation

/// Byte-string search over raw bytes, for the hot paths that skip building Swift strings (the
/// archive's heMsgId index, ingest's token check on PPMP comments).
enum ByteSearch {
  /// Whether `needle` (non-empty) occurs in `bytes`: memchr for its first byte, memcmp for the
  /// rest (Glibc does not export memmem).
  static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
    needle.withUnsafeBytes { n in
      guard let base = bytes.baseAddress, let first = n.first, bytes.count >= n.count else { return false }
      var at = base
      let last = base + (bytes.count - n.count)
      while at <= last, let hit = memchr(at, Int32(first), last - at + 1) {
        if memcmp(hit, n.baseAddress!, n.count) == 0 { return true }
        at = UnsafeRawPointer(hit) + 1
      }
      return false
    }
  }
}
