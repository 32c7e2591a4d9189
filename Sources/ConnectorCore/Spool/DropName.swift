import Foundation

/// A drop's file name as the connector uses it: in `work/`, `rejected/`, the staging area, the
/// names of its answers in `outbox/`, the `drop` attribute of its receipt, logs and terminals.
///
/// A transfer job can deliver any name the file system allows: control characters (which XML
/// cannot carry and which drive a terminal), bytes that are not UTF-8, 255 bytes (which leave no
/// room for `receipt-` or a temporary name). The rule (docs/formats.md, "Drop file names"):
/// every byte that is not part of printable UTF-8 — invalid sequences, C0 and C1 controls, DEL,
/// and the bidirectional overrides that reorder what a terminal shows — is written `%XX`; a
/// name still longer than `maxBytes` keeps its first bytes and extension and gets `~` plus eight
/// hex digits of the SHA-256 of the name as delivered, so it stays stable and distinct.
public struct DropName: Sendable, Equatable {
  /// The longest safe name, in UTF-8 bytes. `rejected-` + a 160-byte stem + `.NNN` + `.xml`,
  /// and the `.reason.txt` beside it, stay well inside NAME_MAX (255).
  public static let maxBytes = 160

  /// The name as the file system holds it, byte for byte.
  public let raw: [UInt8]
  /// The name every other place uses (printable UTF-8, at most `maxBytes` bytes).
  public let safe: String

  public init(raw: [UInt8]) {
    self.raw = raw
    safe = Self.shorten(Self.escape(raw), raw: raw)
  }

  public init(_ name: String) { self.init(raw: Array(name.utf8)) }

  /// `name` with every byte that is not printable UTF-8 written `%XX`.
  static func escape(_ bytes: [UInt8]) -> String {
    var out = ""
    var i = 0
    while i < bytes.count {
      let (scalar, length) = decode(bytes, at: i)
      if let scalar, isPrintable(scalar) {
        out.unicodeScalars.append(scalar)
      } else {
        out += percent(bytes[i..<i + length])
      }
      i += length
    }
    return out
  }

  /// A UTF-8 scalar at `i`, or nil and 1 for a byte that does not start a valid sequence.
  private static func decode(_ bytes: [UInt8], at i: Int) -> (Unicode.Scalar?, Int) {
    let lead = bytes[i]
    let length: Int
    switch lead {
    case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
    case 0xC2...0xDF: length = 2
    case 0xE0...0xEF: length = 3
    case 0xF0...0xF4: length = 4
    default: return (nil, 1)
    }
    guard i + length <= bytes.count else { return (nil, 1) }
    var decoder = UTF8()
    var iterator = bytes[i..<i + length].makeIterator()
    if case .scalarValue(let s) = decoder.decode(&iterator), s.utf8.count == length { return (s, length) }
    return (nil, 1)
  }

  /// `text` with every scalar that is not printable written `%XX` per UTF-8 byte, by the same
  /// rule as a drop's name; tab and line ends are kept when `keepingLineBreaks` (the console's
  /// rule for what it prints, where a name or PPMP text could otherwise drive the terminal).
  public static func escapingUnprintable(_ text: String, keepingLineBreaks: Bool) -> String {
    func keep(_ s: Unicode.Scalar) -> Bool {
      isPrintable(s) || (keepingLineBreaks && (s == "\t" || s == "\n" || s == "\r"))
    }
    guard !text.unicodeScalars.allSatisfy(keep) else { return text }
    var out = ""
    for s in text.unicodeScalars {
      if keep(s) { out.unicodeScalars.append(s) } else { out += percent(Array(String(s).utf8)[...]) }
    }
    return out
  }

  private static func percent(_ bytes: ArraySlice<UInt8>) -> String {
    bytes.map { String(format: "%%%02X", $0) }.joined()
  }

  private static func isPrintable(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x00...0x1F, 0x7F...0x9F: return false  // C0, DEL, C1
    case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return false  // bidi marks and overrides
    case 0xFFFE, 0xFFFF: return false
    default: return !s.properties.isNoncharacterCodePoint
    }
  }

  private static func shorten(_ name: String, raw: [UInt8]) -> String {
    guard name.utf8.count > maxBytes else { return name }
    let (stem, ext) = FileSystem.splitExtension(name)
    let keptExt = (1...12).contains(ext.utf8.count) ? "." + ext : ""
    let tag = "~" + String(SHA256Digest.hex(raw).prefix(8))
    let room = maxBytes - tag.utf8.count - keptExt.utf8.count
    return utf8Prefix(keptExt.isEmpty ? name : stem, bytes: room) + tag + keptExt
  }

  /// The longest prefix of `s` of at most `bytes` UTF-8 bytes that ends on a character boundary.
  static func utf8Prefix(_ s: String, bytes: Int) -> String {
    var out = ""
    var used = 0
    for c in s {
      let n = c.utf8.count
      if used + n > bytes { break }
      out.append(c)
      used += n
    }
    return out
  }
}
