internal import CConnectorLibXML2

/// Streaming writer over libxml2's `xmlTextWriter`: UTF-8, fixed 2-space indentation,
/// deterministic output (the same calls always give the same bytes).
public final class XMLStreamWriter {
  private static let indentation: [xmlChar] = Array("  ".utf8) + [0]

  private var handle: xmlTextWriterPtr?
  /// The output buffer `handle` writes into (owned and freed by the text writer).
  private let buffer: xmlOutputBufferPtr
  private let output: WriterOutput
  /// True right after `endElement()`: the only point where `writeFormattedElements` may write.
  private var justClosedElement = false

  /// Creates or truncates `path` with mode 0600 and writes the document there.
  public convenience init(path: String) throws(XMLError) {
    try self.init(output: WriterOutput(path: path))
  }

  /// Like `init(path:)`, and `tap` sees every byte written to the file, in order (hashing the
  /// document while it is written instead of reading it back).
  public convenience init(path: String, observingOutput tap: @escaping (UnsafeRawBufferPointer) -> Void) throws(XMLError) {
    let output = try WriterOutput(path: path)
    output.tap = tap
    try self.init(output: output)
  }

  /// Writes into memory; read the result with `finishedBytes()` after `endDocument()`.
  public convenience init() throws(XMLError) {
    try self.init(output: WriterOutput())
  }

  private init(output: WriterOutput) throws(XMLError) {
    _ = libxml2Initialized
    guard
      let buffer = xmlOutputBufferCreateIO(writeWriterOutput, closeWriterOutput, output.opaque, nil)
    else {
      throw XMLError(kind: .writer, message: "xmlOutputBufferCreateIO failed", file: output.path)
    }
    guard let handle = xmlNewTextWriter(buffer) else {
      xmlOutputBufferClose(buffer)
      throw XMLError(kind: .writer, message: "xmlNewTextWriter failed", file: output.path)
    }
    xmlTextWriterSetIndent(handle, 1)
    Self.indentation.withUnsafeBufferPointer {
      _ = xmlTextWriterSetIndentString(handle, $0.baseAddress)
    }
    self.handle = handle
    self.buffer = buffer
    self.output = output
  }

  deinit {
    // A writer dropped before endDocument() still closes its file; the document is incomplete.
    if let handle { xmlFreeTextWriter(handle) }
  }

  /// Writes `<?xml version="1.0" encoding="UTF-8"?>` (`xmlTextWriterStartDocument`).
  public func startDocument() throws(XMLError) {
    try perform("xmlTextWriterStartDocument") {
      xmlTextWriterStartDocument($0, "1.0", "UTF-8", nil)
    }
  }

  /// Opens an element (`xmlTextWriterStartElement`); `name` must be a valid XML name.
  public func startElement(_ name: String) throws(XMLError) {
    try checkName(name)
    justClosedElement = false
    try perform("xmlTextWriterStartElement") { writer in
      name.withXMLChars { xmlTextWriterStartElement(writer, $0) }
    }
  }

  /// Adds an attribute to the element just opened (`xmlTextWriterWriteAttribute`);
  /// libxml2 escapes `&`, `<`, `>`, `"` and writes tab, newline and CR as character references.
  public func writeAttribute(_ name: String, _ value: String) throws(XMLError) {
    try checkName(name)
    try checkCharacters(value)
    justClosedElement = false
    try perform("xmlTextWriterWriteAttribute") { writer in
      name.withXMLChars { name in
        value.withXMLChars { xmlTextWriterWriteAttribute(writer, name, $0) }
      }
    }
  }

  /// Opens an element whose name is a literal (hot loops): no per-call validation or
  /// conversion. The literal must be a valid XML name of more than one character.
  public func startElement(literal name: StaticString) throws(XMLError) {
    assert(Self.isValidLiteral(name), "\"\(name)\" is not a valid XML name")
    justClosedElement = false
    try perform("xmlTextWriterStartElement") { xmlTextWriterStartElement($0, name.utf8Start) }
  }

  /// `writeAttribute(_:_:)` with a literal name (hot loops; see `startElement(literal:)`); the
  /// value is still checked.
  public func writeAttribute(literal name: StaticString, _ value: String) throws(XMLError) {
    assert(Self.isValidLiteral(name), "\"\(name)\" is not a valid XML name")
    try checkCharacters(value)
    justClosedElement = false
    try perform("xmlTextWriterWriteAttribute") { writer in
      value.withXMLChars { xmlTextWriterWriteAttribute(writer, name.utf8Start, $0) }
    }
  }

  /// Appends attributes the caller formatted as ` name="value"` pairs (each with its leading
  /// space) to the element just opened, in one write to the writer's output buffer instead of
  /// about six libxml2 calls per attribute (hot loops). Only for literal names that are valid
  /// XML names and values made of digits and punctuation that need no escaping (numbers,
  /// dates, times); call it before any `writeAttribute` of the same element or after one, but
  /// only while the element's start tag is open. The text writer's state is untouched: it
  /// stays "start tag open", so later attributes, children and the end tag come out as usual.
  public func writeFormattedAttributes(_ pairs: UnsafeBufferPointer<UInt8>) throws(XMLError) {
    assert(Self.isFormattedAttributes(pairs), "not ` name=\"value\"` pairs of digits and punctuation")
    try perform("xmlOutputBufferWrite") { _ in
      pairs.withMemoryRebound(to: CChar.self) { xmlOutputBufferWrite(buffer, Int32($0.count), $0.baseAddress) }
    }
  }

  /// Debug check for `writeFormattedAttributes`: what it is given needs no escaping.
  private static func isFormattedAttributes(_ pairs: UnsafeBufferPointer<UInt8>) -> Bool {
    var inValue = false
    for byte in pairs {
      if byte == UInt8(ascii: "\"") {
        inValue.toggle()
      } else if inValue {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ":")
          || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        else { return false }
      } else if byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") {
        return false
      }
    }
    return !inValue && pairs.first == UInt8(ascii: " ")
  }

  /// Literal names are passed to libxml2 as C strings: they need the pointer form (a
  /// one-character literal may be stored as a scalar) and must be valid names.
  private static func isValidLiteral(_ name: StaticString) -> Bool {
    name.hasPointerRepresentation && name.utf8CodeUnitCount > 1 && xmlValidateQName(name.utf8Start, 0) == 0
  }

  /// Writes character data, escaped (`xmlTextWriterWriteString`).
  public func writeText(_ text: String) throws(XMLError) {
    try checkCharacters(text)
    justClosedElement = false
    try perform("xmlTextWriterWriteString") { writer in
      text.withXMLChars { xmlTextWriterWriteString(writer, $0) }
    }
  }

  /// Closes the innermost open element (`xmlTextWriterEndElement`); an element with no
  /// content is self-closed: `<range .../>`.
  public func endElement() throws(XMLError) {
    justClosedElement = false
    try perform("xmlTextWriterEndElement") { xmlTextWriterEndElement($0) }
    justClosedElement = true
  }

  /// Appends whole elements the caller formatted, each on its own line with this writer's
  /// indentation and ending in a newline, as the next siblings of the element `endElement()`
  /// just closed (hot loops: one write per element instead of a dozen libxml2 calls). Only
  /// right after `endElement()`, whose state (parent open, next line indented) these bytes
  /// leave as they found it, so the next `startElement` or `endElement` comes out as usual.
  /// The caller writes exactly what libxml2 would: valid names, escaped values, `/>` for an
  /// empty element.
  public func writeFormattedElements(_ bytes: UnsafeBufferPointer<UInt8>) throws(XMLError) {
    guard justClosedElement else {
      throw XMLError(kind: .writer, message: "formatted elements must follow endElement()", file: output.path)
    }
    try perform("xmlOutputBufferWrite") { _ in
      bytes.withMemoryRebound(to: CChar.self) { xmlOutputBufferWrite(buffer, Int32($0.count), $0.baseAddress) }
    }
  }

  /// Closes every open element (`xmlTextWriterEndDocument`), then frees the writer, which
  /// flushes and closes the file. The document ends with a newline. Throws an `.io` error
  /// if any write or the close failed.
  public func endDocument() throws(XMLError) {
    guard let writer = handle else { throw stateError("endDocument") }
    let status = xmlTextWriterEndDocument(writer)
    handle = nil
    xmlFreeTextWriter(writer)
    if let failure = output.failure { throw failure }
    guard status >= 0 else {
      throw XMLError(kind: .writer, message: "xmlTextWriterEndDocument failed", file: output.path)
    }
  }

  /// The document written by the in-memory writer; complete once `endDocument()` returned.
  /// Always empty for a writer that writes to a file.
  public func finishedBytes() -> [UInt8] {
    output.path == nil ? output.bytes : []
  }

  private func perform(
    _ function: String, _ body: (xmlTextWriterPtr) -> Int32
  ) throws(XMLError) {
    guard let writer = handle else { throw stateError(function) }
    let status = body(writer)
    if let failure = output.failure { throw failure }
    guard status >= 0 else {
      throw XMLError(
        kind: .writer, message: "\(function) failed (call out of order?)", file: output.path)
    }
  }

  private func stateError(_ function: String) -> XMLError {
    XMLError(kind: .writer, message: "\(function) called after endDocument()", file: output.path)
  }

  private func checkName(_ name: String) throws(XMLError) {
    let valid = name.withXMLChars { xmlValidateQName($0, 0) == 0 }
    guard valid, !name.isEmpty else {
      throw XMLError(
        kind: .writer, message: "\"\(name)\" is not a valid XML name", file: output.path)
    }
  }

  /// libxml2 writes whatever it is given; characters XML 1.0 forbids would make the
  /// output unreadable, and NUL would silently cut the C string short.
  private func checkCharacters(_ value: String) throws(XMLError) {
    var previous: (UInt8, UInt8) = (0, 0)
    for byte in value.utf8 {
      let forbidden =
        (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D)
        // U+FFFE and U+FFFF are EF BF BE / EF BF BF in UTF-8.
        || (previous == (0xEF, 0xBF) && (byte == 0xBE || byte == 0xBF))
      if forbidden {
        throw XMLError(
          kind: .writer, message: "text contains a character XML 1.0 does not allow",
          file: output.path)
      }
      previous = (previous.1, byte)
    }
  }
}

extension String {
  /// Runs `body` with the string's UTF-8 bytes as `xmlChar`, without copying native strings.
  fileprivate func withXMLChars<Result>(
    _ body: (UnsafePointer<xmlChar>) throws -> Result
  ) rethrows -> Result {
    try withCString { try body(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
  }
}
