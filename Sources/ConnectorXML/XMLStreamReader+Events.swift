internal import CConnectorLibXML2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The event API: `next()` turns each node into an `XMLEvent` of Swift values.
extension XMLStreamReader {
  /// The next event, or `nil` at the end of the document.
  ///
  /// Throws `XMLError` for input that is not well-formed, a DOCTYPE (as soon as its
  /// node is seen), any entity reference, depth and text limits, encodings other than
  /// UTF-8, and schema violations when a schema was given. After an error the reader
  /// is finished and returns `nil`.
  public func next() throws(XMLError) -> XMLEvent? {
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

  /// Turns the current node into an event, or `nil` for nodes callers never see.
  private func event(_ type: UInt32) throws(XMLError) -> XMLEvent? {
    switch type {
    case XML_READER_TYPE_ELEMENT.rawValue:
      return .startElement(try elementStart())
    case XML_READER_TYPE_END_ELEMENT.rawValue:
      return .endElement(name: names.string(for: xmlTextReaderConstLocalName(handle)))
    case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue:
      guard let bytes = try currentText() else { return nil }
      return .text(String(decoding: bytes, as: UTF8.self))
    default:
      // Comments, processing instructions and whitespace between elements are skipped.
      try rejectForbiddenNode(type)
      return nil
    }
  }

  private func elementStart() throws(XMLError) -> XMLElementStart {
    let node = try currentElement()
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
}
