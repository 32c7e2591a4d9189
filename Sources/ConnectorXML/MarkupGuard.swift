/// A work guard over the raw bytes of an input, run in `ReaderInput` before libxml2 sees them.
///
/// Why it exists: libxml2 (2.9) parses a whole start tag before anything reaches us, and checks
/// each attribute against every earlier one of the same tag — quadratic. A 10 MB drop with 10⁶
/// attributes on one element kept a reader busy for over ten minutes, and no limit applied after
/// the tag was parsed could help. So the attributes of each start tag, all attributes and all
/// elements are counted here, on the bytes, and the read fails before libxml2 receives the byte
/// that crosses a limit.
///
/// It is not a parser. It only tells markup (start and end tags, quoted attribute values,
/// comments, processing instructions, CDATA sections) from text, well enough to count. It never
/// decides whether a document is well-formed; libxml2 does, and stops at the first fatal error,
/// so what follows a malformed construct is never parsed. For the counts to hold, the bytes must
/// be what libxml2 parses: input in another encoding (a UTF-16/32 or EBCDIC signature, or an XML
/// declaration naming another encoding) fails here, and so does any `<!` markup other than a
/// comment or CDATA section (a DOCTYPE, whose internal subset could hide quotes from the count,
/// is refused by every reader anyway).
///
/// Cost: about 0.1 s per 50 MB of snapshot-like markup in a release build (names, values and
/// text are skipped in tight loops; only `<`, `>` and the bytes after them reach the state machine).
///
/// It also records where each element at one depth (`scopeDepth`) starts and ends, in bytes, so
/// that a schema violation reported while libxml2 reads ahead can be tied to the element it is in.
struct MarkupGuard {
  private enum State {
    case text
    case afterLessThan
    case afterBang
    case openingComment
    case comment
    case openingCDATA
    case cdata
    case processingInstruction
    case startTag
    case quoted(UInt8)
    case endTag
  }

  private let limits: XMLReadLimits
  private let scopeDepth: Int?
  private var state = State.text
  private var offset: Int64 = 0
  private var line = 1
  private var constructStart: Int64 = 0
  /// Progress through "-->", "]]>", "?>", "[CDATA[" and "<!--" as the state needs.
  private var progress = 0
  private var lastTagByte: UInt8 = 0
  private var attributesInTag = 0
  /// Bytes of character data (text and CDATA) since the last start or end tag. libxml2's schema
  /// validator appends each piece of an element's text to what it holds with strlen + realloc,
  /// quadratic in the number of pieces; comments between pieces do not reset this count.
  private var textBytes = 0
  /// Bytes of the attribute value being read.
  private var valueBytes = 0
  private var depth = 0
  private(set) var elements = 0
  private(set) var attributes = 0
  /// The first bytes, for the encoding signature and the XML declaration.
  private var head: [UInt8] = []
  private var signatureChecked = false
  /// Byte ranges (start, end] of the elements at `scopeDepth`, in document order; `end` is -1
  /// while the element is open.
  private(set) var scopes: [(start: Int64, end: Int64)] = []

  init(limits: XMLReadLimits, scopeDepth: Int?) {
    self.limits = limits
    self.scopeDepth = scopeDepth
  }

  /// The failure the next bytes cause, if any; state carries over between chunks.
  mutating func scan(_ bytes: UnsafeRawBufferPointer) -> XMLError? {
    if head.count < Self.headLength { head.append(contentsOf: bytes.prefix(Self.headLength - head.count)) }
    // Checked as soon as four bytes (or the whole input) are known: before libxml2 parses them.
    if !signatureChecked, head.count >= 4 || bytes.isEmpty {
      signatureChecked = true
      if let failure = Self.checkEncoding(head) { return failure }
    }
    var index = 0
    while index < bytes.count {
      // Most bytes are text, attribute values or names inside a tag; skip those in tight loops
      // and run the state machine only on bytes that can change the state.
      let skipped = skipOrdinaryBytes(bytes, from: index)
      if skipped > 0 {
        index += skipped
        offset += Int64(skipped)
        if let failure = checkRunLengths() {
          return failure
        }
        continue
      }
      let byte = bytes[index]
      if var failure = step(byte) {
        failure.line = failure.line ?? line
        return failure
      }
      if byte == 0x0A { line += 1 }
      offset += 1
      index += 1
    }
    return nil
  }

  /// How many bytes from `start` cannot change the state: text up to `<`, a quoted value up to
  /// its quote, tag content up to a quote, `=`, `>` or `/`. Counts their newlines and lengths.
  private mutating func skipOrdinaryBytes(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
    var index = start
    var newlines = 0
    switch state {
    case .text:
      while index < bytes.count {
        let byte = bytes[index]
        if byte == UInt8(ascii: "<") { break }
        if byte == 0x0A { newlines += 1 }
        index += 1
      }
      textBytes += index - start
    case .quoted(let quote):
      while index < bytes.count {
        let byte = bytes[index]
        if byte == quote { break }
        if byte == 0x0A { newlines += 1 }
        index += 1
      }
      valueBytes += index - start
    case .startTag:
      // Attribute names, `=` and whole quoted values stay here; `>`, `<` and a value that goes
      // on past this chunk go to the state machine.
      while index < bytes.count {
        let byte = bytes[index]
        if byte == UInt8(ascii: ">") || byte == UInt8(ascii: "<") { break }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
          var end = index + 1
          var valueNewlines = 0
          while end < bytes.count && bytes[end] != byte {
            if bytes[end] == 0x0A { valueNewlines += 1 }
            end += 1
          }
          if end == bytes.count { break }  // the value continues in the next chunk
          newlines += valueNewlines
          valueBytes = end - index - 1
          lastTagByte = byte
          index = end + 1
          if valueBytes > limits.maxTextBytes { break }
          continue
        }
        if byte == UInt8(ascii: "=") {
          attributesInTag += 1
          attributes += 1
          if attributesInTag > limits.maxAttributesPerElement || attributes > limits.maxAttributes {
            // Let the state machine count this one again and report it.
            attributesInTag -= 1
            attributes -= 1
            break
          }
        }
        if byte == 0x0A { newlines += 1 }
        if !Self.isWhitespace(byte) { lastTagByte = byte }
        index += 1
      }
    default:
      return 0
    }
    line += newlines
    return index - start
  }

  private func checkRunLengths() -> XMLError? {
    if textBytes > limits.maxTextBytes {
      return XMLError(
        kind: .textTooLong, message: "an element holds more than \(limits.maxTextBytes) bytes of text",
        line: line, file: nil)
    }
    if valueBytes > limits.maxTextBytes {
      return XMLError(
        kind: .textTooLong, message: "an attribute value longer than \(limits.maxTextBytes) bytes",
        line: line, file: nil)
    }
    return nil
  }

  /// The index into `scopes` of the element whose bytes hold `position`, if any.
  func scope(containing position: Int64) -> Int? {
    // Binary search for the last scope starting before `position`.
    var low = 0
    var high = scopes.count
    while low < high {
      let middle = (low + high) / 2
      if scopes[middle].start < position { low = middle + 1 } else { high = middle }
    }
    guard low > 0 else { return nil }
    let candidate = scopes[low - 1]
    return candidate.end < 0 || position <= candidate.end ? low - 1 : nil
  }

  private mutating func step(_ byte: UInt8) -> XMLError? {
    switch state {
    case .text:
      if byte == UInt8(ascii: "<") {
        state = .afterLessThan
        constructStart = offset
      } else {
        textBytes += 1
        if textBytes > limits.maxTextBytes {
          return XMLError(kind: .textTooLong, message: "an element holds more than \(limits.maxTextBytes) bytes of text", file: nil)
        }
      }
    case .afterLessThan:
      switch byte {
      case UInt8(ascii: "!"): state = .afterBang
      case UInt8(ascii: "?"):
        state = .processingInstruction
        progress = 0
      case UInt8(ascii: "/"): state = .endTag
      default:
        return openElement()
      }
    case .afterBang:
      if byte == UInt8(ascii: "-") {
        state = .openingComment
      } else if byte == UInt8(ascii: "[") {
        state = .openingCDATA
        progress = 0
      } else {
        // Same words as the reader uses for a DOCTYPE node; here the line is exact.
        return XMLError(kind: .doctypeForbidden, message: "a DOCTYPE is not allowed", file: nil)
      }
    case .openingComment:
      // "<!-" must go on with "-"; anything else is malformed and libxml2 stops there.
      state = .comment
      progress = 0
    case .comment:
      if byte == UInt8(ascii: "-") {
        progress += 1
      } else if byte == UInt8(ascii: ">") && progress >= 2 {
        state = .text
      } else {
        progress = 0
      }
      return checkConstructLength("comment")
    case .openingCDATA:
      let opening = Array("CDATA[".utf8)
      if progress < opening.count && byte == opening[progress] {
        progress += 1
        if progress == opening.count {
          state = .cdata
          progress = 0
        }
      } else {
        state = .text  // malformed: libxml2 stops here
      }
    case .cdata:
      textBytes += 1
      if textBytes > limits.maxTextBytes {
        return XMLError(kind: .textTooLong, message: "an element holds more than \(limits.maxTextBytes) bytes of text", file: nil)
      }
      if byte == UInt8(ascii: "]") {
        progress += 1
      } else if byte == UInt8(ascii: ">") && progress >= 2 {
        state = .text
      } else {
        progress = 0
      }
      return checkConstructLength("CDATA section")
    case .processingInstruction:
      if byte == UInt8(ascii: ">") && progress == 1 {
        state = .text
        if constructStart == Int64(Self.bomLength(head)) {
          if let failure = checkDeclaredEncoding() { return failure }
        }
      } else {
        progress = byte == UInt8(ascii: "?") ? 1 : 0
      }
      return checkConstructLength("processing instruction")
    case .startTag:
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "'"):
        state = .quoted(byte)
        valueBytes = 0
      case UInt8(ascii: "="):
        attributesInTag += 1
        attributes += 1
        if attributesInTag > limits.maxAttributesPerElement {
          return tooMany("more than \(limits.maxAttributesPerElement) attributes on one element")
        }
        if attributes > limits.maxAttributes {
          return tooMany("more than \(limits.maxAttributes) attributes in the document")
        }
      case UInt8(ascii: ">"):
        state = .text
        textBytes = 0
        if lastTagByte == UInt8(ascii: "/") { closeElement() }
      default:
        break
      }
      if !Self.isWhitespace(byte) { lastTagByte = byte }
    case .quoted(let quote):
      if byte == quote {
        state = .startTag
        lastTagByte = byte
      } else {
        valueBytes += 1
        if valueBytes > limits.maxTextBytes {
          return XMLError(kind: .textTooLong, message: "an attribute value longer than \(limits.maxTextBytes) bytes", file: nil)
        }
      }
    case .endTag:
      if byte == UInt8(ascii: ">") {
        state = .text
        textBytes = 0
        closeElement()
      }
    }
    return nil
  }

  private mutating func openElement() -> XMLError? {
    state = .startTag
    attributesInTag = 0
    lastTagByte = 0
    elements += 1
    depth += 1
    if depth == scopeDepth { scopes.append((constructStart, -1)) }
    guard elements <= limits.maxElements else {
      return tooMany("more than \(limits.maxElements) elements in the document")
    }
    return nil
  }

  private mutating func closeElement() {
    if depth == scopeDepth, let last = scopes.indices.last, scopes[last].end < 0 {
      scopes[last].end = offset + 1
    }
    depth -= 1
  }

  private func checkConstructLength(_ what: String) -> XMLError? {
    let length = offset - constructStart
    guard length > Int64(limits.maxTextBytes) else { return nil }
    return XMLError(
      kind: .tooLarge, message: "a \(what) longer than \(limits.maxTextBytes) bytes", file: nil)
  }

  private func tooMany(_ what: String) -> XMLError {
    XMLError(kind: .limitExceeded, message: "the document has \(what)", file: nil)
  }

  // MARK: encoding

  private static let headLength = 512

  private static func bomLength(_ head: [UInt8]) -> Int {
    head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
  }

  /// libxml2 switches decoders on these signatures before reading a declaration; the counts
  /// above would then be taken over bytes that are not the characters libxml2 parses.
  private static func checkEncoding(_ head: [UInt8]) -> XMLError? {
    let lead = Array(head.prefix(4))
    let signatures: [[UInt8]] = [
      [0xFE, 0xFF], [0xFF, 0xFE], [0x4C, 0x6F, 0xA7, 0x94], [0x2B, 0x2F, 0x76], [0x0E, 0xFE, 0xFF],
      [0xDD, 0x73, 0x66, 0x73], [0xFB, 0xEE, 0x28], [0xF7, 0x64, 0x4C],
    ]
    if lead.contains(0) || signatures.contains(where: { lead.starts(with: $0) }) {
      return XMLError(kind: .encoding, message: "only UTF-8 input is accepted", line: 1, file: nil)
    }
    return nil
  }

  /// The `encoding` of an XML declaration at the very start, which must be UTF-8 when present.
  private func checkDeclaredEncoding() -> XMLError? {
    let start = Self.bomLength(head)
    let end = Int(min(Int64(head.count), offset + 1))
    guard end > start else { return nil }
    let declaration = Array(head[start..<end])
    guard declaration.starts(with: Array("<?xml".utf8)), declaration.count > 5,
      Self.isWhitespace(declaration[5])
    else { return nil }
    let text = Substring(String(decoding: declaration, as: UTF8.self))
    guard let key = text.firstRange(of: "encoding") else { return nil }
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    var rest = text[key.upperBound...].drop(while: isSpace)
    guard rest.first == "=" else { return nil }
    rest = rest.dropFirst().drop(while: isSpace)
    guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
    let name = rest.dropFirst().prefix(while: { $0 != quote })
    guard name.uppercased() != "UTF-8", name.uppercased() != "UTF8" else { return nil }
    return XMLError(
      kind: .encoding, message: "encoding \"\(name.prefix(40))\" is not accepted; use UTF-8",
      line: 1, file: nil)
  }

  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
  }
}
