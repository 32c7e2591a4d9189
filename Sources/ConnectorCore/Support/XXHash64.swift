/// Streaming XXH64 (seed 0), a fast non-cryptographic checksum: the archiver compares the tar
/// stream it wrote with the one it reads back through it, at a fraction of SHA-256's cost.
/// Anything an auditor relies on stays SHA-256; this only tells the read-back from the write.
public struct XXHash64 {
  private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
  private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
  private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
  private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

  private var v1 = p1 &+ p2
  private var v2 = p2
  private var v3: UInt64 = 0
  private var v4 = 0 &- p1
  private var total: UInt64 = 0
  /// Bytes of an unfinished 32-byte stripe.
  private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  private var pendingCount = 0

  public init() {}

  private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
    ((acc &+ input &* p2) <<< 31) &* p1
  }

  private static func merge(_ acc: UInt64, _ value: UInt64) -> UInt64 {
    (acc ^ round(0, value)) &* p1 &+ p4
  }

  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    total &+= UInt64(bytes.count)
    var at = 0
    if pendingCount > 0 {
      let take = min(32 - pendingCount, bytes.count)
      withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.advanced(by: pendingCount).copyMemory(from: base, byteCount: take) }
      pendingCount += take
      at = take
      guard pendingCount == 32 else { return }
      withUnsafeBytes(of: pending) { stripe($0.baseAddress!) }
      pendingCount = 0
    }
    while bytes.count - at >= 32 {
      stripe(base + at)
      at += 32
    }
    if at < bytes.count {
      withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.copyMemory(from: base + at, byteCount: bytes.count - at) }
      pendingCount = bytes.count - at
    }
  }

  @inline(__always)
  private mutating func stripe(_ p: UnsafeRawPointer) {
    v1 = Self.round(v1, UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
    v2 = Self.round(v2, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    v3 = Self.round(v3, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
    v4 = Self.round(v4, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
  }

  public func finalize() -> UInt64 {
    var h: UInt64
    if total >= 32 {
      h = (v1 <<< 1) &+ (v2 <<< 7) &+ (v3 <<< 12) &+ (v4 <<< 18)
      h = Self.merge(h, v1)
      h = Self.merge(h, v2)
      h = Self.merge(h, v3)
      h = Self.merge(h, v4)
    } else {
      h = Self.p5
    }
    h &+= total
    withUnsafeBytes(of: pending) { rest in
      var at = 0
      while pendingCount - at >= 8 {
        h ^= Self.round(0, UInt64(littleEndian: rest.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
        h = (h <<< 27) &* Self.p1 &+ Self.p4
        at += 8
      }
      if pendingCount - at >= 4 {
        h ^= UInt64(UInt32(littleEndian: rest.loadUnaligned(fromByteOffset: at, as: UInt32.self))) &* Self.p1
        h = (h <<< 23) &* Self.p2 &+ Self.p3
        at += 4
      }
      while at < pendingCount {
        h ^= UInt64(rest[at]) &* Self.p5
        h = (h <<< 11) &* Self.p1
        at += 1
      }
    }
    h ^= h >> 33
    h &*= Self.p2
    h ^= h >> 29
    h &*= Self.p3
    h ^= h >> 32
    return h
  }
}

infix operator <<< : BitwiseShiftPrecedence

/// Rotate left.
@inline(__always)
private func <<< (value: UInt64, count: UInt64) -> UInt64 {
  (value << count) | (value >> (64 - count))
}
