internal import CConnectorLibXML2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The cursor API: `nextNode()` stops on a node and the caller reads what it needs in place,
/// without building Swift values. For hot loops such as the snapshot diff.
extension XMLStreamReader {
  /// The next node, like `next()` but without converting anything into Swift values: the
  /// caller reads what it needs through `localName`, `isEmptyElement`, `attributeBytes(_:)`
  /// and `line` while the reader stands on the node. Every check `next()` makes is made
  /// (depth, entity references in attribute values, text and attribute lengths, DOCTYPE,
  /// encoding, well-formedness); whitespace-only text is skipped as there.
  /// For hot loops such as the snapshot diff, which reads millions of attributes.
  public func nextNode() throws(XMLError) -> XMLNodeKind? {
    do {
      while let type = try step(stopAtSchemaErrors: true) {
        switch type {
        case XML_READER_TYPE_ELEMENT.rawValue:
          try checkElement()
          return .startElement
        case XML_READER_TYPE_END_ELEMENT.rawValue:
          return .endElement
        case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue:
          guard try currentText() != nil else { continue }
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
        return valueBytes(current)
      }
      attribute = current.pointee.next
    }
    return nil
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
        return valueBytes(current)
      }
      attribute = current.pointee.next
    }
    return nil
  }

  /// An attribute's value as libxml2 holds it; checkElement has made sure that is one text
  /// node, or none for an empty value.
  private func valueBytes(_ attribute: xmlAttrPtr) -> UnsafeBufferPointer<UInt8> {
    guard let content = attribute.pointee.children?.pointee.content else {
      return UnsafeBufferPointer(start: nil, count: 0)
    }
    return UnsafeBufferPointer(start: content, count: strlen(content))
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
    let node = try currentElement()
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
}

/// Name pointer, value and length of up to `capacity` unprefixed attributes of the element
/// `nextNode()` stopped at; `count` is -1 when they are not known (another node, or too many).
/// Manually managed memory behind `let`s, like `InternedNames`, to keep exclusivity checks off.
final class SeenAttributes {
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
