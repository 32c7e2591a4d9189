/// A reused buffer for markup that needs no escaping: attribute values made of digits and
/// punctuation, formatted exactly as `String(Int)`, `LocalDate.description` and
/// `MinuteOfDay.description` format them, and the names and literals around them.
struct FormattedValue {
  private var bytes: [UInt8] = []

  init() { bytes.reserveCapacity(32) }

  mutating func clear() { bytes.removeAll(keepingCapacity: true) }

  /// Decimal, like `String(value)`.
  mutating func append(_ value: Int64) {
    if value < 0 {
      bytes.append(contentsOf: String(value).utf8)
      return
    }
    appendPadded(Int(value), width: 1)
  }

  /// `YYYY-MM-DD`.
  mutating func append(_ date: LocalDate) {
    let (y, m, d) = date.parts
    appendPadded(y, width: 4)
    bytes.append(UInt8(ascii: "-"))
    appendPadded(m, width: 2)
    bytes.append(UInt8(ascii: "-"))
    appendPadded(d, width: 2)
  }

  /// `HH:MM`.
  mutating func append(_ time: MinuteOfDay) {
    appendPadded(time.hour, width: 2)
    bytes.append(UInt8(ascii: ":"))
    appendPadded(time.minute, width: 2)
  }

  /// `value` in decimal, left-padded with zeros to `width` (`LocalDate.pad`).
  private mutating func appendPadded(_ value: Int, width: Int) {
    guard value >= 0 else {
      // Never produced by valid dates and times; keep `pad`'s exact output anyway.
      bytes.append(contentsOf: LocalDate.pad(value, width).utf8)
      return
    }
    var digits = 1
    var rest = value / 10
    while rest > 0 {
      digits += 1
      rest /= 10
    }
    for _ in digits..<max(width, digits) { bytes.append(UInt8(ascii: "0")) }
    let end = bytes.count + digits
    bytes.append(contentsOf: repeatElement(0, count: digits))
    var v = value
    var i = end - 1
    repeat {
      bytes[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
      v /= 10
      i -= 1
    } while v > 0
  }

  /// The literal's bytes as they are (attribute names and the punctuation around values).
  mutating func append(literal text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  /// The string's UTF-8 bytes as they are; the caller knows they need no escaping.
  mutating func append(utf8 text: String) {
    bytes.append(contentsOf: text.utf8)
  }

  func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer(body)
  }
}
