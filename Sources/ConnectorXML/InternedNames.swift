internal import CConnectorLibXML2

/// Strings for names the reader interned in its dictionary: the same pointer always
/// means the same name for the reader's lifetime, so each name is converted once.
/// Direct-mapped on the pointer: bounded size, a collision only costs a conversion.
/// The slots live in manually managed memory behind `let`s, which keeps Swift's
/// dynamic exclusivity checks off this per-node path.
final class InternedNames {
  private static let slotCount = 256  // the hash below keeps the top 8 bits
  private let keys: UnsafeMutablePointer<UnsafeRawPointer?>
  private let values: UnsafeMutablePointer<String>

  init() {
    keys = .allocate(capacity: Self.slotCount)
    keys.initialize(repeating: nil, count: Self.slotCount)
    values = .allocate(capacity: Self.slotCount)
    values.initialize(repeating: "", count: Self.slotCount)
  }

  deinit {
    keys.deallocate()
    values.deinitialize(count: Self.slotCount)
    values.deallocate()
  }

  func string(for pointer: UnsafePointer<xmlChar>?) -> String {
    guard let pointer else { return "" }
    let key = UnsafeRawPointer(pointer)
    // Dictionary strings are packed back to back, so neighbouring names differ only in
    // low bits; a multiplicative (Fibonacci) hash spreads them over the slots.
    let hash = UInt(bitPattern: Int(bitPattern: key)) &* 0x9E37_79B9_7F4A_7C15
    let slot = Int(truncatingIfNeeded: hash >> 56)
    if keys[slot] == key { return values[slot] }
    let name = String(cString: pointer)
    keys[slot] = key
    values[slot] = name
    return name
  }
}
