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

  private let handle: xmlTextReaderPtr
  private let input: ReaderInput
  private let errors: XMLErrorSink
  private let validation: SchemaValidation?
  private let limits: XMLReadLimits
  private let names = InternedNames()
  // Tested for every node; a reader is used from one thread and these are never borrowed
  // inout, so the runtime exclusivity check is skipped.
  @exclusivity(unchecked) private var isFinished = false
  @exclusivity(unchecked) private var hasCheckedEncoding = false
  /// 0 until `namesAreInterned` has looked, then 1 (names are dictionary pointers) or -1.
  @exclusivity(unchecked) private var namesInterned: Int8 = 0
  /// The current element's attributes as `checkElement` measured them, so that
  /// `attributeBytes(_: InternedName)` neither walks the list nor calls strlen again.
  private let seen = SeenAttributes()
  private let violationScope: Int?
  private let shouldStop: (() -> Bool)?
  /// Index of the last element at `violationScope` depth the reader delivered, -1 before one.
  @exclusivity(unchecked) private var scopeIndex = -1
  @exclusivity(unchecked) private var nodesSinceStopCheck = 0

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
  ) throws {
    let input = try ReaderInput(path: path, limits: limits, scopeDepth: violationScope)
    input.shouldStop = shouldStop
    try self.init(
      input: input, limits: limits, schema: schema, violationScope: violationScope,
      shouldStop: shouldStop)
  }

  /// Like `init(path:limits:schema:)`, and hands every chunk of the file to `observer` as the
  /// parser reads it (call `consumeRemainingInput()` at the end for the bytes it did not need).
  public convenience init(
    path: String, limits: XMLReadLimits = .init(), schema: XMLSchema? = nil,
    observingInput observer: @escaping (UnsafeRawBufferPointer) -> Void
  ) throws {
    let input = try ReaderInput(path: path, limits: limits)
    // Set before the reader exists: xmlReaderForIO already pulls the first chunk.
    input.observer = observer
    try self.init(input: input, limits: limits, schema: schema)
  }

  /// Reads a document held in memory; the options are those of `init(path:…)`.
  public convenience init(
    bytes: [UInt8], limits: XMLReadLimits = .init(), schema: XMLSchema? = nil,
    violationScope: Int? = nil, shouldStop: (() -> Bool)? = nil
  ) throws {
    let input = try ReaderInput(bytes: bytes, limits: limits, scopeDepth: violationScope)
    input.shouldStop = shouldStop
    try self.init(
      input: input, limits: limits, schema: schema, violationScope: violationScope,
      shouldStop: shouldStop)
  }

  private init(
    input: ReaderInput, limits: XMLReadLimits, schema: XMLSchema?, violationScope: Int? = nil,
    shouldStop: (() -> Bool)? = nil
  ) throws(XMLError) {
    _ = libxml2Initialized
    ppmp_xml_silence_generic_errors()
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

  /// The next event, or `nil` at the end of the document.
  ///
  /// Throws `XMLError` for input that is not well-formed, a DOCTYPE (as soon as its
  /// node is seen), any entity reference, depth and text limits, encodings other than
  /// UTF-8, and schema violations when a schema was given. After an error the reader
  /// is finished and returns `nil`.
  public func next() throws -> XMLEvent? {
    do {
      return try advance(stopAtSchemaErrors: true)
    } catch {
      isFinished = true
      throw error
    }
  }

  /// Reads to the end, collecting schema violations instead of stopping at the first.
  /// Reading stops at the first error of any other kind; that error, the reason the
  /// document was refused, comes first, followed by the violations found before it.
  /// Used by `XMLSchema.validate`.
  func collectErrors() -> [XMLError] {
    var stoppedBy: XMLError?
    do throws(XMLError) {
      while try advance(stopAtSchemaErrors: false) != nil {}
    } catch {
      stoppedBy = error
    }
    isFinished = true
    var found = errors.errors
    if let stoppedBy {
      found.removeAll { $0 == stoppedBy }
      found.insert(stoppedBy, at: 0)
    } else if validation != nil, found.isEmpty, xmlTextReaderIsValid(handle) == 0 {
      found.append(XMLError(kind: .invalid, message: "the document is not valid", file: input.name))
    }
    return found
  }

  private func advance(stopAtSchemaErrors: Bool) throws(XMLError) -> XMLEvent? {
    while let type = try step(stopAtSchemaErrors: stopAtSchemaErrors) {
      if let event = try event(type) { return event }
    }
    return nil
  }

  /// Moves to the next node and returns its type, or `nil` at the end; every check that does
  /// not need the node's content (errors, DOCTYPE, encoding) happens here.
  private func step(stopAtSchemaErrors: Bool) throws(XMLError) -> UInt32? {
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

  // MARK: node-level reading

  /// The next node, like `next()` but without converting anything into Swift values: the
  /// caller reads what it needs through `localName`, `isEmptyElement`, `attributeBytes(_:)`
  /// and `line` while the reader stands on the node. Every check `next()` makes is made
  /// (depth, entity references in attribute values, text and attribute lengths, DOCTYPE,
  /// encoding, well-formedness); whitespace-only text is skipped as there.
  /// For hot loops such as the snapshot diff, which reads millions of attributes.
  public func nextNode() throws -> XMLNodeKind? {
    do {
      while let type = try step(stopAtSchemaErrors: true) {
        switch type {
        case XML_READER_TYPE_ELEMENT.rawValue:
          try checkElement()
          return .startElement
        case XML_READER_TYPE_END_ELEMENT.rawValue:
          return .endElement
        case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue:
          guard let value = xmlTextReaderConstValue(handle) else { continue }
          let bytes = UnsafeBufferPointer(start: value, count: strlen(value))
          try checkTextLength(bytes)
          guard bytes.contains(where: { !Self.isXMLWhitespace($0) }) else { continue }
          return .text
        default:
          try rejectForbiddenNode(type)
        }
      }
      return nil
    } catch {
      isFinished = true
      throw error
    }
  }

  /// The local name of the current element (start or end), interned: converted once per name.
  public var localName: String { names.string(for: xmlTextReaderConstLocalName(handle)) }

  /// True when the current element is `<a/>`: no end-element node follows.
  public var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(handle) == 1 }

  /// The line of the current node (see `XMLElementStart.line`).
  public var line: Int { currentLine() }

  /// The value of the current element's unprefixed attribute `name`, as libxml2 holds it
  /// (normalised and unescaped UTF-8), or `nil` when there is none. The bytes belong to the
  /// reader and are valid only until the next call to `nextNode()` or `next()`.
  public func attributeBytes(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
    guard let node = xmlTextReaderCurrentNode(handle), node.pointee.type == XML_ELEMENT_NODE else {
      return nil
    }
    let wanted = name.utf8Start
    var attribute = node.pointee.properties
    while let current = attribute {
      // Matches what `XMLElementStart[attribute:]` matches: the qualified name as written.
      if current.pointee.ns?.pointee.prefix == nil, let own = current.pointee.name,
        strcmp(UnsafeRawPointer(own).assumingMemoryBound(to: CChar.self), UnsafeRawPointer(wanted).assumingMemoryBound(to: CChar.self)) == 0
      {
        // checkElement has made sure a value is one text node (or none).
        guard let content = current.pointee.children?.pointee.content else {
          return UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeBufferPointer(start: content, count: strlen(content))
      }
      attribute = current.pointee.next
    }
    return nil
  }

  /// The schema violations found inside the element at `violationScope` depth the reader is in
  /// (or at), in document order, each once. Complete when the reader stands on that element's
  /// end (or on its start, for an empty element): libxml2 has validated all of it by then.
  public func takeScopeViolations() -> [XMLError] {
    errors.takeScoped(scopeIndex)
  }

  /// Reads the rest of the input without parsing it, so that an input observer has seen every
  /// byte; after the end of the document libxml2 has normally read everything already.
  public func consumeRemainingInput() throws {
    try input.drain()
  }

  /// A name looked up once in the reader's dictionary (see `internedName(_:)`).
  public struct InternedName {
    fileprivate let text: StaticString
    fileprivate let pointer: UnsafeRawPointer?

    /// The name as written.
    public var description: String { text.description }
  }

  /// `text` interned in this reader's dictionary: element and attribute names the parser keeps
  /// are pointers into the same dictionary, so a name matches by pointer instead of `strcmp`.
  /// Valid for this reader only.
  public func internedName(_ text: StaticString) -> InternedName {
    // xmlTextReaderConstString interns in the reader's dictionary (xmlTextReaderGetDict is not
    // exported by every libxml2); a literal StaticString is NUL-terminated.
    let pointer = xmlTextReaderConstString(handle, text.utf8Start)
    return InternedName(text: text, pointer: pointer.map { UnsafeRawPointer($0) })
  }

  /// True when the current element's local name is `name`.
  public func isLocalName(_ name: InternedName) -> Bool {
    guard let local = xmlTextReaderConstLocalName(handle) else { return false }
    if let wanted = name.pointer, namesAreInterned(local) { return UnsafeRawPointer(local) == wanted }
    return strcmp(
      UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self),
      UnsafeRawPointer(name.text.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
  }

  /// `attributeBytes(_:)` for an interned name: the same answer, found by pointer comparison.
  public func attributeBytes(_ name: InternedName) -> UnsafeBufferPointer<UInt8>? {
    // Set by checkElement for the element nextNode() stopped at, reset by every read.
    if seen.count >= 0, let wanted = name.pointer, namesInterned == 1 {
      for i in 0..<seen.count where seen.names[i] == wanted {
        return UnsafeBufferPointer(start: seen.values[i], count: seen.lengths[i])
      }
      return nil
    }
    guard let node = xmlTextReaderCurrentNode(handle), node.pointee.type == XML_ELEMENT_NODE else {
      return nil
    }
    guard let wanted = name.pointer, let first = node.pointee.properties,
      let firstName = first.pointee.name, namesAreInterned(firstName)
    else { return attributeBytes(name.text) }
    var attribute: xmlAttrPtr? = first
    while let current = attribute {
      if UnsafeRawPointer(current.pointee.name) == wanted, current.pointee.ns?.pointee.prefix == nil {
        guard let content = current.pointee.children?.pointee.content else {
          return UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeBufferPointer(start: content, count: strlen(content))
      }
      attribute = current.pointee.next
    }
    return nil
  }

  /// Whether the parser keeps names in its dictionary (the reader turns this on; checked once
  /// on a name it handed out, so pointer comparison is never trusted where it would not hold).
  private func namesAreInterned(_ sample: UnsafePointer<xmlChar>) -> Bool {
    if namesInterned == 0 {
      // Interning a string the dictionary already holds gives back the same pointer.
      namesInterned = xmlTextReaderConstString(handle, sample) == sample ? 1 : -1
    }
    return namesInterned == 1
  }

  /// The checks `elementStart()` makes, without building the element.
  private func checkElement() throws(XMLError) {
    let depth = Int(xmlTextReaderDepth(handle)) + 1
    guard depth <= limits.maxDepth else {
      throw positioned(.tooDeep, "elements nested deeper than \(limits.maxDepth) levels")
    }
    guard let node = xmlTextReaderCurrentNode(handle) else {
      throw positioned(.notWellFormed, "the reader lost its current element")
    }
    var attribute = node.pointee.properties
    var count = 0
    while let current = attribute {
      var value: UnsafePointer<UInt8>?
      var length = 0
      if let child = current.pointee.children {
        guard child.pointee.type == XML_TEXT_NODE, child.pointee.next == nil else {
          throw positioned(.entityForbidden, "entity references are not allowed")
        }
        if let content = child.pointee.content {
          length = strlen(content)
          try checkTextLength(UnsafeBufferPointer(start: content, count: length))
          value = UnsafePointer(content)
        }
      }
      // Only unprefixed attributes can match an `attributeBytes` name; prefixed ones are left out.
      if count >= 0, current.pointee.ns?.pointee.prefix == nil {
        if count < SeenAttributes.capacity {
          seen.names[count] = current.pointee.name.map { UnsafeRawPointer($0) }
          seen.values[count] = value
          seen.lengths[count] = length
          count += 1
        } else {
          count = -1  // more than the table holds: attributeBytes walks the list
        }
      }
      attribute = current.pointee.next
    }
    seen.count = count
  }

  /// Turns the current node into an event, or `nil` for nodes callers never see.
  private func event(_ type: UInt32) throws(XMLError) -> XMLEvent? {
    switch type {
    case XML_READER_TYPE_ELEMENT.rawValue:
      return .startElement(try elementStart())
    case XML_READER_TYPE_END_ELEMENT.rawValue:
      return .endElement(name: names.string(for: xmlTextReaderConstLocalName(handle)))
    case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue:
      guard let value = xmlTextReaderConstValue(handle) else { return nil }
      let bytes = UnsafeBufferPointer(start: value, count: strlen(value))
      try checkTextLength(bytes)
      guard bytes.contains(where: { !Self.isXMLWhitespace($0) }) else { return nil }
      return .text(String(decoding: bytes, as: UTF8.self))
    default:
      // Comments, processing instructions and whitespace between elements are skipped.
      try rejectForbiddenNode(type)
      return nil
    }
  }

  private func rejectForbiddenNode(_ type: UInt32) throws(XMLError) {
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

  private func elementStart() throws(XMLError) -> XMLElementStart {
    let depth = Int(xmlTextReaderDepth(handle)) + 1
    guard depth <= limits.maxDepth else {
      throw positioned(.tooDeep, "elements nested deeper than \(limits.maxDepth) levels")
    }
    guard let node = xmlTextReaderCurrentNode(handle) else {
      throw positioned(.notWellFormed, "the reader lost its current element")
    }
    let name = names.string(for: node.pointee.name)
    let namespace = xmlTextReaderConstNamespaceUri(handle).map { names.string(for: $0) }
    let isEmpty = xmlTextReaderIsEmptyElement(handle) == 1
    var attributes: [XMLAttribute] = []
    var count = 0
    var counted = node.pointee.properties
    while let current = counted {
      count += 1
      counted = current.pointee.next
    }
    attributes.reserveCapacity(count)
    // Walking the element's own attribute list (namespace declarations live in nsDef, not
    // here) avoids moving the reader's cursor through every attribute and back.
    var attribute = node.pointee.properties
    while let current = attribute {
      attributes.append(
        XMLAttribute(name: try attributeName(current), value: try attributeValue(current)))
      attribute = current.pointee.next
    }
    return XMLElementStart(
      name: name, namespace: namespace, attributes: attributes, isEmpty: isEmpty,
      line: currentLine())
  }

  private func attributeName(_ attribute: xmlAttrPtr) throws(XMLError) -> String {
    let local = names.string(for: attribute.pointee.name)
    guard let prefix = attribute.pointee.ns?.pointee.prefix else { return local }
    return names.string(for: prefix) + ":" + local
  }

  private func attributeValue(_ attribute: xmlAttrPtr) throws(XMLError) -> String {
    guard let child = attribute.pointee.children else { return "" }
    // Without entity substitution the parser stores a value as one text node; anything
    // else means an entity reference survived into the tree.
    guard child.pointee.type == XML_TEXT_NODE, child.pointee.next == nil else {
      throw positioned(.entityForbidden, "entity references are not allowed")
    }
    guard let content = child.pointee.content else { return "" }
    let bytes = UnsafeBufferPointer(start: content, count: strlen(content))
    try checkTextLength(bytes)
    return String(decoding: bytes, as: UTF8.self)
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

  private func checkTextLength(_ bytes: UnsafeBufferPointer<UInt8>) throws(XMLError) {
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

  private func checkTextLength(_ length: Int) throws(XMLError) {
    guard length <= limits.maxTextBytes else {
      throw positioned(
        .textTooLong, "a text or attribute value of \(length) bytes exceeds \(limits.maxTextBytes)")
    }
  }

  private func positioned(_ kind: XMLError.Kind, _ message: String) -> XMLError {
    XMLError(kind: kind, message: message, line: currentLine(), file: input.name)
  }

  /// The line of the current element or text node; past line 65,534, or for other nodes,
  /// the parser's position, which may be a little after the node.
  private func currentLine() -> Int {
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

/// Strings for names the reader interned in its dictionary: the same pointer always
/// means the same name for the reader's lifetime, so each name is converted once.
/// Direct-mapped on the pointer: bounded size, a collision only costs a conversion.
/// The slots live in manually managed memory behind `let`s, which keeps Swift's
/// dynamic exclusivity checks off this per-node path.
private final class InternedNames {
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

/// Owns one `xmlSchemaValidCtxtPtr` for one reader; holds the schema so it outlives the context.
final class SchemaValidation {
  let handle: xmlSchemaValidCtxtPtr
  private let schema: XMLSchema

  init(schema: XMLSchema, errors: XMLErrorSink) throws(XMLError) {
    guard let handle = xmlSchemaNewValidCtxt(schema.handle) else {
      throw XMLError(kind: .schema, message: "xmlSchemaNewValidCtxt failed")
    }
    xmlSchemaSetValidStructuredErrors(handle, recordStructuredError, errors.opaque)
    self.handle = handle
    self.schema = schema
  }

  deinit {
    xmlSchemaFreeValidCtxt(handle)
  }
}

/// Name pointer, value and length of up to `capacity` unprefixed attributes of the element
/// `nextNode()` stopped at; `count` is -1 when they are not known (another node, or too many).
/// Manually managed memory behind `let`s, like `InternedNames`, to keep exclusivity checks off.
private final class SeenAttributes {
  static let capacity = 8
  let names = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: capacity)
  let values = UnsafeMutablePointer<UnsafePointer<UInt8>?>.allocate(capacity: capacity)
  let lengths = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
  @exclusivity(unchecked) var count = -1

  init() {
    names.initialize(repeating: nil, count: Self.capacity)
    values.initialize(repeating: nil, count: Self.capacity)
    lengths.initialize(repeating: 0, count: Self.capacity)
  }

  deinit {
    names.deallocate()
    values.deallocate()
    lengths.deallocate()
  }
}

/// The kind of node `XMLStreamReader.nextNode()` stopped at.
public enum XMLNodeKind: Sendable, Equatable {
  /// A start tag (or an empty-element tag).
  case startElement
  /// An end tag.
  case endElement
  /// Character data that is not only whitespace.
  case text
}
