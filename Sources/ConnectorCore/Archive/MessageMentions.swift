#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The heMsgIds and requestIds an archived exchange file mentions, for `audit find` and its
/// index: the values of `heMsgId` and `requestId` attributes, and the items of a refresh's
/// `requestIds` list (which always goes to libxml2).
///
/// An archive holds about as many ids as lines of XML, and parsing every member with libxml2 was
/// a quarter of `archive`'s CPU, so files in the shape our writer and Healthengine's drops use
/// — UTF-8, no comments, CDATA, DTD or processing instructions, every mention written exactly
/// ` heMsgId="value"` (or ` requestId="value"`) inside a start tag, with no entity or whitespace
/// character in the value —
/// are read by a byte search. Any file where one of those checks fails goes whole to libxml2
/// (`BagLayout.heMsgIds(inXML:)`), so both ways give the same ids for a well-formed file; a
/// malformed one may give more by byte search, which reads past the point where libxml2 stops.
enum MessageMentions {
  /// Calls `body` with the bytes of every heMsgId value in `bytes`, in document order and
  /// possibly repeated; the buffer passed to `body` is only valid during the call.
  static func forEach(in bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
    guard !bytes.isEmpty else { return }
    if let values = canonicalMentions(in: bytes) {
      for range in values { body(UnsafeRawBufferPointer(rebasing: bytes[range])) }
      return
    }
    for id in BagLayout.heMsgIds(inXML: Array(bytes)) {
      var id = id
      id.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
  }

  /// The distinct heMsgIds in `bytes`, sorted.
  static func heMsgIds(in bytes: [UInt8]) -> [String] {
    var ids = Set<String>()
    bytes.withUnsafeBytes { forEach(in: $0) { ids.insert(String(decoding: $0, as: UTF8.self)) } }
    return ids.sorted()
  }

  private static let lessThan = UInt8(ascii: "<"), greaterThan = UInt8(ascii: ">")
  private static let quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'")
  /// The attributes searched for; each is found by its third byte ("M", "q": rarer in this XML
  /// than the first), then checked whole around it.
  private static let names = [Array("heMsgId".utf8), Array("requestId".utf8)]

  /// The byte ranges of every mention's value when the whole file is in the canonical shape;
  /// nil when any check fails and libxml2 must read it.
  static func canonicalMentions(in bytes: UnsafeRawBufferPointer) -> [Range<Int>]? {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
    return canonicalValues(base.assumingMemoryBound(to: UInt8.self), bytes.count)
  }

  private static func canonicalValues(_ b: UnsafePointer<UInt8>, _ count: Int) -> [Range<Int>]? {
    guard let bodyStart = prologEnd(b, count) else { return nil }
    // "<!" opens comments, CDATA and DTDs; "<?" after the prolog a processing instruction.
    // Either can hold text that looks like an attribute, so such files are parsed.
    var at = bodyStart
    while at < count, let hit = memchr(b + at, Int32(lessThan), count - at) {
      let i = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - b
      if i + 1 < count, b[i + 1] == UInt8(ascii: "!") || b[i + 1] == UInt8(ascii: "?") { return nil }
      at = i + 1
    }
    var values: [Range<Int>] = []
    for name in names {
      let anchor = Int32(name[2])
      at = bodyStart
      while at < count, let hit = memchr(b + at, anchor, count - at) {
        let i = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - b
        at = i + 1
        let start = i - 2
        guard start >= 0, start + name.count <= count, memcmp(b + start, name, name.count) == 0 else { continue }
        guard let value = mentionValue(b, count, nameAt: start, name: name) else { return nil }
        values.append(value)
        at = value.upperBound
      }
    }
    return values.sorted { $0.lowerBound < $1.lowerBound }
  }

  /// Where the markup starts after an optional UTF-8 byte order mark and XML declaration; nil
  /// for any other encoding, which the byte search cannot read.
  private static func prologEnd(_ b: UnsafePointer<UInt8>, _ count: Int) -> Int? {
    var at = 0
    if count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { at = 3 }
    let declaration = Array("<?xml".utf8)
    guard count - at >= declaration.count, memcmp(b + at, declaration, declaration.count) == 0 else {
      // No declaration: UTF-8 by default, as long as it starts like markup.
      return at < count && b[at] == lessThan ? at : nil
    }
    var end = at
    while end + 1 < count, !(b[end] == UInt8(ascii: "?") && b[end + 1] == greaterThan) { end += 1 }
    guard end + 1 < count else { return nil }
    let text = String(decoding: UnsafeBufferPointer(start: b + at, count: end - at), as: UTF8.self).lowercased()
    if let range = text.range(of: "encoding") {
      let value = text[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" }
      guard value.hasPrefix("utf-8") || value.hasPrefix("us-ascii") else { return nil }
    }
    return end + 2
  }

  /// The value of the mention whose name starts at `start`, or nil when it is not in the exact
  /// shape ` heMsgId="value"` inside a start tag — then the file is parsed instead.
  private static func mentionValue(_ b: UnsafePointer<UInt8>, _ count: Int, nameAt start: Int, name: [UInt8]) -> Range<Int>? {
    let before = start - 1
    guard before >= 0, isSpace(b[before]) else { return nil }
    let equals = start + name.count
    guard equals + 1 < count, b[equals] == UInt8(ascii: "="), b[equals + 1] == quote else { return nil }
    let valueStart = equals + 2
    var end = valueStart
    while end < count, b[end] != quote {
      // Entities and whitespace are rewritten by a parser (decoding, attribute-value
      // normalization); "<" cannot appear in a well-formed value.
      if b[end] == UInt8(ascii: "&") || b[end] == lessThan || b[end] < 0x20 { return nil }
      end += 1
    }
    guard end < count else { return nil }
    // Inside a start tag: walking back reaches "<" and a name before any ">", and every quote
    // on the way closes a value that opened there too (no apostrophes, an even count of quotes).
    var quotes = 0
    var back = before - 1
    while back >= 0 {
      let c = b[back]
      if c == lessThan { break }
      if c == greaterThan || c == apostrophe { return nil }
      if c == quote { quotes += 1 }
      back -= 1
    }
    guard back >= 0, quotes % 2 == 0, back + 1 < count, isNameStart(b[back + 1]) else { return nil }
    return valueStart..<end
  }

  private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

  private static func isNameStart(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
      || c == UInt8(ascii: "_") || c == UInt8(ascii: ":") || c >= 0x80
  }
}
