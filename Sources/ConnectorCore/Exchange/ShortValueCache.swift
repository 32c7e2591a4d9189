/// Parsed values of short attribute values, keyed on their bytes: a snapshot repeats the same
/// few dozen times, slot lengths, ids and dates, so each distinct text is converted and parsed
/// once, by the same initialiser the String path uses (so the result cannot differ).
/// Direct-mapped: bounded size, a collision only costs a parse.
struct ShortValueCache<Value> {
  // 256 slots: the slot is the top 8 bits of the hash. Held in manually managed memory (a copy
  // of the cache shares it, which cannot change a parse result) so that a hit is a few loads,
  // without array bounds and uniqueness checks: it runs several times per range.
  private final class Slots {
    static var count: Int { 256 }
    let keys = UnsafeMutablePointer<(UInt64, UInt64, Int)>.allocate(capacity: count)
    let values = UnsafeMutablePointer<Value?>.allocate(capacity: count)

    init() {
      keys.initialize(repeating: (0, 0, -1), count: Self.count)
      values.initialize(repeating: nil, count: Self.count)
    }

    deinit {
      keys.deallocate()
      values.deinitialize(count: Self.count)
      values.deallocate()
    }
  }

  private let slots = Slots()

  mutating func value(_ bytes: UnsafeBufferPointer<UInt8>, parse: (String) -> Value?) -> Value? {
    guard bytes.count <= 16 else { return parse(String(decoding: bytes, as: UTF8.self)) }
    // The bytes, little-endian, zero-padded to 16: the same key the byte-by-byte loop built.
    var key16: (UInt64, UInt64) = (0, 0)
    if let base = bytes.baseAddress {
      withUnsafeMutableBytes(of: &key16) { $0.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
    }
    let lo = UInt64(littleEndian: key16.0)
    let hi = UInt64(littleEndian: key16.1)
    let hash = (lo &* 0x9E37_79B9_7F4A_7C15) ^ (hi &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(bytes.count)
    let slot = Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 56)
    let key = (lo, hi, bytes.count)
    if slots.keys[slot] == key, let v = slots.values[slot] { return v }
    guard let v = parse(String(decoding: bytes, as: UTF8.self)) else { return nil }
    slots.keys[slot] = key
    slots.values[slot] = v
    return v
  }
}
