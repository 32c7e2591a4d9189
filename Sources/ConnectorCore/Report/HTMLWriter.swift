/// Builds an HTML document in which every piece of text and every attribute value is escaped.
///
/// Tag and attribute names are `StaticString`s, so only names written in this module's source
/// can become markup; everything that comes from data (practitioner names, file names, finding
/// texts) goes through `text(_:)` or an attribute value and is escaped. The one way to write
/// markup verbatim, `trusted(_:)`, also takes a `StaticString`: the style sheet, a compile-time
/// constant.
public struct HTMLWriter {
  /// Attributes in the order written; a nil value leaves the attribute out.
  public typealias Attributes = KeyValuePairs<StaticString, String?>

  public private(set) var html = ""
  private var open: [StaticString] = []

  /// Creates an empty document.
  public init() {}

  /// `<!DOCTYPE html>` and a line break.
  public mutating func doctype() {
    html += "<!DOCTYPE html>\n"
  }

  /// Opens `tag`; close it with `end()`.
  public mutating func start(_ tag: StaticString, _ attributes: Attributes = [:]) {
    startTag(tag, attributes)
    open.append(tag)
  }

  /// Closes the element opened last.
  public mutating func end() {
    guard let tag = open.popLast() else { preconditionFailure("HTMLWriter.end() without an open element") }
    html += "</\(tag)>"
    if Self.breaksAfter(tag) { html += "\n" }
  }

  /// An element holding `body`.
  public mutating func element(_ tag: StaticString, _ attributes: Attributes = [:], _ body: (inout HTMLWriter) -> Void) {
    start(tag, attributes)
    body(&self)
    end()
  }

  /// An element holding escaped text.
  public mutating func element(_ tag: StaticString, _ attributes: Attributes = [:], text: String) {
    start(tag, attributes)
    self.text(text)
    end()
  }

  /// A void element (`meta`, `br`): no content, no end tag.
  public mutating func void(_ tag: StaticString, _ attributes: Attributes = [:]) {
    startTag(tag, attributes)
  }

  /// Escaped text.
  public mutating func text(_ text: String) {
    html += Self.escape(text, quotes: false)
  }

  /// A line break between elements, to keep the source readable.
  public mutating func newline() {
    html += "\n"
  }

  /// Markup written as is; only compile-time constants qualify.
  public mutating func trusted(_ markup: StaticString) {
    html += "\(markup)"
  }

  /// The finished document; every element must be closed.
  public var document: String {
    precondition(open.isEmpty, "HTMLWriter: \(open.count) element(s) left open")
    return html
  }

  private mutating func startTag(_ tag: StaticString, _ attributes: Attributes) {
    html += "<\(tag)"
    for (name, value) in attributes {
      guard let value else { continue }
      html += " \(name)=\"" + Self.escape(value, quotes: true) + "\""
    }
    html += ">"
  }

  private static func breaksAfter(_ tag: StaticString) -> Bool {
    ["html", "head", "body", "header", "main", "footer", "section", "table", "tr", "ul", "ol", "li", "p", "h1", "h2",
     "h3", "svg", "style", "thead", "tbody", "div", "dl", "figure"].contains("\(tag)")
  }

  /// Escapes `&`, `<`, `>` (and `"`, `'` in attribute values). Control characters other than
  /// tab, line feed and carriage return are not allowed in HTML text, and bidirectional overrides
  /// could make a file name read as something else: each becomes U+FFFD.
  public static func escape(_ text: String, quotes: Bool) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"" where quotes: out += "&quot;"
      case "'" where quotes: out += "&#39;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
          || (0x2066...0x2069).contains(scalar.value)
        {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}
