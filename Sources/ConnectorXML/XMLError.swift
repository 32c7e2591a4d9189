/// What went wrong while reading, validating or writing XML, with libxml2's own
/// message and the position it reported.
///
/// Values are copied out of libxml2's borrowed `xmlError` the moment the
/// structured error handler is called, so they stay valid after the C context is gone.
public struct XMLError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The class of failure, so callers can map it to a rejection reason without parsing text.
  public enum Kind: String, Sendable {
    /// The document is not well-formed XML (or not namespace-well-formed).
    case notWellFormed
    /// The document is well-formed but violates the XSD it was validated against.
    case invalid
    /// The document has a DOCTYPE, which untrusted input may never carry.
    case doctypeForbidden
    /// The document references an entity other than the five predefined ones.
    case entityForbidden
    /// The input is larger than `XMLReadLimits.maxBytes`.
    case tooLarge
    /// Elements are nested deeper than `XMLReadLimits.maxDepth`.
    case tooDeep
    /// A text node or attribute value is longer than `XMLReadLimits.maxTextBytes` or
    /// `maxTextCharacters`.
    case textTooLong
    /// The document has more attributes or elements than `XMLReadLimits` allows.
    case limitExceeded
    /// The caller's stop request ended the read; says nothing about the document.
    case interrupted
    /// The bytes are not UTF-8, or the document declares another encoding.
    case encoding
    /// The file could not be opened, read or written.
    case io
    /// The writer refused a call (bad name, invalid character, wrong state).
    case writer
    /// An XSD could not be compiled.
    case schema
  }

  /// The class of failure.
  public var kind: Kind
  /// The libxml2 error code (`xmlParserErrors`), or 0 when the error was raised by this module.
  public var code: Int
  /// libxml2's message (or ours), trimmed and on one line.
  public var message: String
  /// The 1-based line, when known.
  public var line: Int?
  /// The 1-based column, when known.
  public var column: Int?
  /// The file or URL the error refers to, when known.
  public var file: String?

  /// Creates an error; `message` is trimmed and newlines inside it become spaces.
  public init(
    kind: Kind, code: Int = 0, message: String, line: Int? = nil, column: Int? = nil,
    file: String? = nil
  ) {
    self.kind = kind
    self.code = code
    self.message = Self.singleLine(message)
    self.line = line
    self.column = column
    self.file = file
  }

  /// "line 3, column 7: message", leaving out the parts that are unknown.
  public var description: String {
    switch (line, column) {
    case (let line?, let column?): "line \(line), column \(column): \(message)"
    case (let line?, nil): "line \(line): \(message)"
    default: message
    }
  }

  // libxml2 messages end in "\n" and some span lines ("...indicate encoding !\nBytes: ...");
  // callers put them into one log line or one XML attribute.
  private static func singleLine(_ text: String) -> String {
    text.split(whereSeparator: { $0.isNewline })
      .map { $0.trimmingWhitespace() }
      .filter { !$0.isEmpty }
      .joined(separator: " ")
  }
}

extension Substring {
  fileprivate func trimmingWhitespace() -> Substring {
    var slice = self
    while let first = slice.first, first.isWhitespace { slice.removeFirst() }
    while let last = slice.last, last.isWhitespace { slice.removeLast() }
    return slice
  }
}
