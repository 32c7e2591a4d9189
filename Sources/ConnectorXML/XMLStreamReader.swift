internal import CConnectorLibXML2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Pull parser over libxml2's `xmlTextReader` with hardened options.
///
/// Every read uses `XML_PARSE_NONET` and none of `NOENT`, `DTDLOAD`, `DTDATTR`,
/// `XINCLUDE` or `HUGE`; libxml2 never opens the file itself (see `ReaderInput`).
/// Errors arrive through `xmlTextReaderSetStructuredErrorHandler`, one sink per reader.
public final class XMLStreamReader {
  // NOCDATA merges CDATA into the surrounding text node, which is what callers want;
  // NOBLANKS drops indentation before it becomes a node (whitespace-only text is never
  // reported anyway), halving the reads on indented files; NOERROR/NOWARNING keep
  // libxml2 off stderr, errors reach the structured handler only.
  private static let options: Int32 = Int32(
    bitPattern: XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
      | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOBLANKS.rawValue)

  let handle: xmlTextReaderPtr
  let input: ReaderInput
  let errors: XMLErrorSink
  let validation: SchemaValidation?
  let limits: XMLReadLimits
  let names = InternedNames()
  // Tested for every node; a reader is used from one thread and these are never borrowed
  // inout, so the runtime exclusivity check is skipped.
  @exclusivity(unchecked) var isFinished = false
  @exclusivity(unchecked) var hasCheckedEncoding = false
  /// 0 until `namesAreInterned` has looked, then 1 (names are dictionary pointers) or -1.
  @exclusivity(unchecked) var namesInterned: Int8 = 0
  /// The current element's attributes as `checkElement` measured them, so that
  /// `attributeBytes(_: InternedName)` neither walks the list nor calls strlen again.
  let seen = SeenAttributes()
  let violationScope: Int?
  let shouldStop: (() -> Bool)?
  /// Index of the last element at `violationScope` depth the reader delivered, -1 before one.
  @exclusivity(unchecked) var scopeIndex = -1
  @exclusivity(unchecked) var nodesSinceStopCheck = 0

  /// Opens `path` after checking its size with `stat()`; nothing is parsed until `next()`.
  /// When `schema` is given the document is validated while it streams.
  ///
  /// `violationScope`: schema violations inside an element at this depth (2: each child of the
  /// root) do not end the read; they are kept for that element and handed out by
  /// `takeScopeViolations()`, so a caller can refuse that element alone. Violations anywhere
  /// else still end the read. `shouldStop` is asked before each chunk of input and every 1,024
  /// nodes; when it answers `true` the read ends with an error of kind `.interrupted`.
  public convenience init(
    path: String, limits: XMLReadLimits = .init(), schema: XMLSchema? = nil,
    violationScope: Int? = nil, shouldStop: (() -> Bool)? = nil
  ) throws(XMLError) {
    try self.init(
      input: ReaderInput(path: path, limits: limits, scopeDepth: violationScope), limits: limits, schema: schema,
      violationScope: violationScope, shouldStop: shouldStop)
  }

  /// Like `init(path:limits:schema:)`, and hands every chunk of the file to `observer` as the
  /// parser reads it (call `consumeRemainingInput()` at the end for the bytes it did not need).
  public convenience init(
    path: String, limits: XMLReadLimits = .init(), schema: XMLSchema? = nil,
    observingInput observer: @escaping (UnsafeRawBufferPointer) -> Void
  ) throws(XMLError) {
    let input = try ReaderInput(path: path, limits: limits)
    // Set before the reader exists: xmlReaderForIO already pulls the first chunk.
    input.observer = observer
    try self.init(input: input, limits: limits, schema: schema)
  }

  /// Reads a document held in memory; the options are those of `init(path:…)`.
  public convenience init(
    bytes: [UInt8], limits: XMLReadLimits = .init(), schema: XMLSchema? = nil,
    violationScope: Int? = nil, shouldStop: (() -> Bool)? = nil
  ) throws(XMLError) {
    try self.init(
      input: ReaderInput(bytes: bytes, limits: limits, scopeDepth: violationScope), limits: limits, schema: schema,
      violationScope: violationScope, shouldStop: shouldStop)
  }

  private init(
    input: ReaderInput, limits: XMLReadLimits, schema: XMLSchema?, violationScope: Int? = nil,
    shouldStop: (() -> Bool)? = nil
  ) throws(XMLError) {
    _ = libxml2Initialized
    ppmp_xml_silence_generic_errors()
    // Set before the reader exists: xmlReaderForIO already pulls the first chunk.
    input.shouldStop = shouldStop
    let errors = XMLErrorSink(source: .document)
    // xmlReaderForIO already pulls the first bytes, so failures here may be ours.
    guard
      let handle = xmlReaderForIO(
        readReaderInput, nil, input.opaque, input.name, nil, Self.options)
    else {
      throw input.failure
        ?? XMLError(
          kind: .io, message: "xmlReaderForIO could not create a reader", file: input.name)
    }
    xmlTextReaderSetStructuredErrorHandler(handle, recordStructuredError, errors.opaque)
    if violationScope != nil {
      // libxml2 validates as it parses, which is ahead of the node the caller stands on; the
      // parser's byte position when the violation is reported places it in its element.
      errors.scopeOfViolation = { [input] in
        input.markup.scope(containing: Int64(xmlTextReaderByteConsumed(handle)))
      }
    }
    var validation: SchemaValidation?
    if let schema {
      do throws(XMLError) {
        let context = try SchemaValidation(schema: schema, errors: errors)
        // Must happen before the first xmlTextReaderRead; plugs the validator into SAX.
        guard xmlTextReaderSchemaValidateCtxt(handle, context.handle, 0) == 0 else {
          throw XMLError(kind: .schema, message: "xmlTextReaderSchemaValidateCtxt failed")
        }
        // The reader installs its own relay; ours keeps schema errors in the same sink.
        xmlSchemaSetValidStructuredErrors(context.handle, recordStructuredError, errors.opaque)
        validation = context
      } catch {
        xmlFreeTextReader(handle)
        throw error
      }
    }
    self.handle = handle
    self.input = input
    self.errors = errors
    self.validation = validation
    self.limits = limits
    self.violationScope = violationScope
    self.shouldStop = shouldStop
  }

  deinit {
    // Freed before `input` and `validation` are released: the reader still points at both.
    xmlFreeTextReader(handle)
  }

  /// Moves to the next node and returns its type, or `nil` at the end; every check that does
  /// not need the node's content (errors, DOCTYPE, encoding) happens here.
  func step(stopAtSchemaErrors: Bool) throws(XMLError) -> UInt32? {
    guard !isFinished else { return nil }
    while true {
      let status = xmlTextReaderRead(handle)
      seen.count = -1
      let type = status == 1 ? UInt32(bitPattern: xmlTextReaderNodeType(handle)) : 0
      if let shouldStop {
        nodesSinceStopCheck += 1
        if nodesSinceStopCheck >= 1_024 {
          nodesSinceStopCheck = 0
          if shouldStop() {
            throw XMLError(kind: .interrupted, message: "reading was stopped on request", file: input.name)
          }
        }
      }
      if let violationScope, type == XML_READER_TYPE_ELEMENT.rawValue,
        Int(xmlTextReaderDepth(handle)) + 1 == violationScope
      {
        scopeIndex += 1
      }
      // The common case, a node and no error, costs three tests.
      if status != 1 || input.hasFailed || !errors.isEmpty {
        if let failure = input.failure { throw failure }
        // A DOCTYPE or entity node outranks whatever the parser reported while reading ahead.
        if status == 1 { try rejectForbiddenNode(type) }
        if status < 0 || errors.hasNonValidityError {
          throw errors.errors.first(where: { $0.kind != .invalid }) ?? errors.first
            ?? positioned(.notWellFormed, "the document ends before its root element is closed (truncated?)")
        }
        if stopAtSchemaErrors, let first = errors.first { throw first }
        if status == 0 {
          isFinished = true
          return nil
        }
      }
      if !hasCheckedEncoding { try checkEncoding() }
      return type
    }
  }


  /// The schema violations found inside the element at `violationScope` depth the reader is in
  /// (or at), in document order, each once. Complete when the reader stands on that element's
  /// end (or on its start, for an empty element): libxml2 has validated all of it by then.
  public func takeScopeViolations() -> [XMLError] {
    errors.takeScoped(scopeIndex)
  }

  /// Elements and attributes (namespace declarations included) in the input read so far, as
  /// the input guard counted them on the bytes: what `XMLReadLimits` bounds.
  public var markupCounts: (elements: Int, attributes: Int) { (input.markup.elements, input.markup.attributes) }

  /// Reads the rest of the input without parsing it, so that an input observer has seen every
  /// byte; after the end of the document libxml2 has normally read everything already.
  public func consumeRemainingInput() throws(XMLError) {
    try input.drain()
  }

  /// The element the reader stands on, once its depth is within the limit; both APIs check
  /// an element this way before reading it.
  func currentElement() throws(XMLError) -> xmlNodePtr {
    let depth = Int(xmlTextReaderDepth(handle)) + 1
    guard depth <= limits.maxDepth else {
      throw positioned(.tooDeep, "elements nested deeper than \(limits.maxDepth) levels")
    }
    guard let node = xmlTextReaderCurrentNode(handle) else {
      throw positioned(.notWellFormed, "the reader lost its current element")
    }
    return node
  }

  /// The current text node's bytes, their length checked; nil when there are none or they are
  /// only whitespace, which neither API reports.
  func currentText() throws(XMLError) -> UnsafeBufferPointer<UInt8>? {
    guard let value = xmlTextReaderConstValue(handle) else { return nil }
    let bytes = UnsafeBufferPointer(start: value, count: strlen(value))
    try checkTextLength(bytes)
    guard bytes.contains(where: { !Self.isXMLWhitespace($0) }) else { return nil }
    return bytes
  }

  func rejectForbiddenNode(_ type: UInt32) throws(XMLError) {
    switch type {
    case XML_READER_TYPE_DOCUMENT_TYPE.rawValue:
      // A DTD node keeps no line and the parser has usually read past it: no position
      // beats a wrong one.
      throw XMLError(kind: .doctypeForbidden, message: "a DOCTYPE is not allowed", file: input.name)
    case XML_READER_TYPE_ENTITY_REFERENCE.rawValue, XML_READER_TYPE_ENTITY.rawValue:
      throw positioned(.entityForbidden, "entity references are not allowed")
    default:
      return
    }
  }

  private func checkEncoding() throws(XMLError) {
    hasCheckedEncoding = true
    // libxml2 converts UTF-16/32 transparently; only the leading bytes still tell.
    let lead = input.leadingBytes
    if lead.starts(with: [0xFE, 0xFF]) || lead.starts(with: [0xFF, 0xFE]) || lead.contains(0) {
      throw XMLError(
        kind: .encoding, message: "only UTF-8 input is accepted", line: 1, file: input.name)
    }
    if let declared = xmlTextReaderConstEncoding(handle) {
      let name = String(cString: declared)
      guard name.uppercased() == "UTF-8" || name.uppercased() == "UTF8" else {
        throw XMLError(
          kind: .encoding, message: "encoding \"\(name)\" is not accepted; use UTF-8", line: 1,
          file: input.name)
      }
    }
  }

  func checkTextLength(_ bytes: UnsafeBufferPointer<UInt8>) throws(XMLError) {
    try checkTextLength(bytes.count)
    // A character is never shorter than a byte: count only when the bytes alone exceed the limit.
    guard let maximum = limits.maxTextCharacters, bytes.count > maximum else { return }
    // UTF-8 continuation bytes are 10xxxxxx; every other byte starts a character.
    let characters = bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    guard characters <= maximum else {
      throw positioned(
        .textTooLong, "a text or attribute value of \(characters) characters exceeds \(maximum)")
    }
  }

  func checkTextLength(_ length: Int) throws(XMLError) {
    guard length <= limits.maxTextBytes else {
      throw positioned(
        .textTooLong, "a text or attribute value of \(length) bytes exceeds \(limits.maxTextBytes)")
    }
  }

  func positioned(_ kind: XMLError.Kind, _ message: String) -> XMLError {
    XMLError(kind: kind, message: message, line: currentLine(), file: input.name)
  }

  /// The line of the current element or text node; past line 65,534, or for other nodes,
  /// the parser's position, which may be a little after the node.
  func currentLine() -> Int {
    // Only element and text nodes are xmlNode with a line (a DTD node is an xmlDtd);
    // lines are stored in an unsigned short, and 65535 means "too large to keep".
    if let node = xmlTextReaderCurrentNode(handle),
      node.pointee.type == XML_ELEMENT_NODE || node.pointee.type == XML_TEXT_NODE,
      node.pointee.line > 0, node.pointee.line < UInt16.max
    {
      return Int(node.pointee.line)
    }
    return Int(xmlTextReaderGetParserLineNumber(handle))
  }

  private static func isXMLWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
  }
}
