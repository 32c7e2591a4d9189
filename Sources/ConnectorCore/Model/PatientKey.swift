import Foundation

/// A patient's matching keys: first name, last name and date of birth, each normalised the same
/// way on the booking's side and on PPMP's (docs/rules.md, "Patient matching"). Two people match
/// exactly when their keys are equal; nothing looser is ever applied automatically.
public struct PatientKey: Sendable, Hashable {
  public var first: String
  public var last: String
  public var dob: String

  /// Keys of the raw values as typed.
  public init(first: String, last: String, dob: String) {
    self.first = Self.normalise(first)
    self.last = Self.normalise(last)
    self.dob = Self.normaliseDate(dob)
  }

  /// A key from values already normalised (read back from the connector's key index).
  public init(normalisedFirst first: String, last: String, dob: String) {
    (self.first, self.last, self.dob) = (first, last, dob)
  }

  /// The same key with first and last name exchanged.
  public var swapped: PatientKey {
    var k = self
    (k.first, k.last) = (last, first)
    return k
  }

  /// A date of birth's key: normalised as a name is, with each separator run written `-`, so
  /// `2001-02-03`, ` 2001-02-03 ` and `2001–02–03` are one date and the key still parses.
  public static func normaliseDate(_ text: String) -> String {
    String(decoding: normalise(text).utf8.map { $0 == 0x20 ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
  }

  /// A mobile number's key: its digits, with Australia's +61 written as the leading 0, or nil
  /// when it has too few digits to tell people apart.
  public static func mobileKey(_ phone: String?) -> String? {
    guard let phone else { return nil }
    var digits = String(phone.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init))
    if digits.hasPrefix("61"), digits.count == 11 { digits = "0" + digits.dropFirst(2) }
    return digits.count >= 6 ? digits : nil
  }

  /// Unicode NFC, case-folded, every apostrophe variant as `'`, every run of dashes and
  /// whitespace as one space, nothing before or after. ASCII text (nearly every name) takes a
  /// byte loop; anything else goes through Foundation's canonical composition.
  public static func normalise(_ text: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    var gap = false
    for b in text.utf8 {
      if b >= 0x80 { return normaliseUnicode(text) }
      switch b {
      case 0x09...0x0D, 0x20, UInt8(ascii: "-"):
        gap = !out.isEmpty
        continue
      default: break
      }
      if gap {
        out.append(0x20)
        gap = false
      }
      switch b {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): out.append(b + 0x20)
      case UInt8(ascii: "`"): out.append(UInt8(ascii: "'"))
      default: out.append(b)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  private static let apostrophes: Set<Unicode.Scalar> = ["'", "\u{2019}", "\u{2018}", "\u{02BC}", "`"]

  private static func normaliseUnicode(_ text: String) -> String {
    // Lower-casing can decompose (İ), so compose after it too; ß and final sigma fold as
    // Unicode case folding folds them, which plain lower-casing does not.
    let folded = text.precomposedStringWithCanonicalMapping.lowercased()
      .replacingOccurrences(of: "ß", with: "ss").replacingOccurrences(of: "ς", with: "σ")
      .precomposedStringWithCanonicalMapping
    var out = String.UnicodeScalarView()
    var gap = false
    for s in folded.unicodeScalars {
      if s.properties.isWhitespace || s.properties.generalCategory == .dashPunctuation || s == "\u{2212}" {
        gap = !out.isEmpty
        continue
      }
      if gap {
        out.append(" ")
        gap = false
      }
      out.append(apostrophes.contains(s) ? "'" : s)
    }
    return String(out)
  }
}
