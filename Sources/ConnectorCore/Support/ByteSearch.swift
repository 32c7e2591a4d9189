import Foundation

/// Byte-string search over raw bytes, for the hot paths that skip building Swift strings (the
/// archive's heMsgId index, ingest's token check on PPMP comments).
enum ByteSearch {
  /// Whether `needle` (non-empty) occurs in `bytes`.
  static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
    !forEachMatch(of: needle, in: bytes) { _ in false }
  }

  /// Calls `body` with the offset of each occurrence of `needle` (non-empty) in `bytes`, first
  /// to last, until it returns false: memchr for the first byte, memcmp for the rest (Glibc does
  /// not export memmem). Returns false when `body` stopped it.
  @discardableResult
  static func forEachMatch(of needle: [UInt8], in bytes: UnsafeRawBufferPointer, _ body: (Int) -> Bool) -> Bool {
    needle.withUnsafeBytes { n in
      guard let base = bytes.baseAddress, let first = n.first, bytes.count >= n.count else { return true }
      var at = base
      let last = base + (bytes.count - n.count)
      while at <= last, let hit = memchr(at, Int32(first), last - at + 1) {
        if memcmp(hit, n.baseAddress!, n.count) == 0, !body(UnsafeRawPointer(hit) - base) { return false }
        at = UnsafeRawPointer(hit) + 1
      }
      return true
    }
  }
}
