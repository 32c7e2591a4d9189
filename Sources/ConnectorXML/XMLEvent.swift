/// One attribute of an element, as written in the document.
public struct XMLAttribute: Sendable, Equatable {
  /// The qualified name as written (our vocabulary uses unprefixed attributes).
  public var name: String
  /// The value after attribute-value normalisation and unescaping.
  public var value: String

  /// Creates an attribute.
  public init(name: String, value: String) {
    self.name = name
    self.value = value
  }
}

/// The start tag of an element.
public struct XMLElementStart: Sendable, Equatable {
  /// The local name, without prefix.
  public var name: String
  /// The namespace URI, or `nil` when the element is in no namespace.
  public var namespace: String?
  /// The attributes in document order, without `xmlns` declarations.
  public var attributes: [XMLAttribute]
  /// `true` for `<a/>`: no `endElement` event follows.
  public var isEmpty: Bool
  /// The 1-based line of the start tag. libxml2 keeps element lines only up to 65,534;
  /// beyond that this is the parser's position, at or just after the tag.
  public var line: Int

  /// Creates an element start.
  public init(
    name: String, namespace: String? = nil, attributes: [XMLAttribute] = [], isEmpty: Bool = false,
    line: Int = 0
  ) {
    self.name = name
    self.namespace = namespace
    self.attributes = attributes
    self.isEmpty = isEmpty
    self.line = line
  }

  /// The value of the first attribute called `name`, or `nil` when there is none.
  public subscript(attribute name: String) -> String? {
    attributes.first(where: { $0.name == name })?.value
  }
}

/// One step through a document, as returned by `XMLStreamReader.next()`.
public enum XMLEvent: Sendable, Equatable {
  /// A start tag (or an empty-element tag, see `XMLElementStart.isEmpty`).
  case startElement(XMLElementStart)
  /// An end tag; `name` is the local name.
  case endElement(name: String)
  /// Character data, CDATA sections included; whitespace-only text is not reported.
  case text(String)
}
