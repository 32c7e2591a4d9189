/// Bounds applied while reading untrusted XML: on bytes, and on the work a document can cause.
///
/// The defaults suit every exchange document by a wide margin (a snapshot of 90 days for hundreds
/// of practitioners holds a few hundred thousand elements, none with more than nine attributes);
/// callers reading smaller documents, such as drops, pass tighter ones.
public struct XMLReadLimits: Sendable, Equatable {
  /// The largest input accepted, in bytes; checked with `stat()` before the file is opened,
  /// and again while reading in case the file grows. `nil` means unbounded.
  public var maxBytes: Int64?
  /// The deepest element nesting accepted; the root element is at depth 1.
  public var maxDepth: Int
  /// The longest text node or attribute value accepted, in UTF-8 bytes; also bounds a comment,
  /// processing instruction or CDATA section.
  public var maxTextBytes: Int
  /// The longest text node or attribute value accepted, in characters (Unicode scalars, which is
  /// what XML Schema's `maxLength` counts). `nil`: only `maxTextBytes` applies.
  public var maxTextCharacters: Int?
  /// The most attributes (namespace declarations included) one start tag may carry. libxml2
  /// checks each attribute of a tag against every earlier one, so this bounds quadratic work;
  /// it is enforced on the raw bytes before libxml2 parses the tag.
  public var maxAttributesPerElement: Int
  /// The most attributes in the whole document.
  public var maxAttributes: Int
  /// The most elements in the whole document.
  public var maxElements: Int

  /// Creates limits; the defaults suit exchange documents.
  public init(
    maxBytes: Int64? = nil, maxDepth: Int = 32, maxTextBytes: Int = 65_536,
    maxTextCharacters: Int? = nil, maxAttributesPerElement: Int = 64,
    maxAttributes: Int = 50_000_000, maxElements: Int = 10_000_000
  ) {
    self.maxBytes = maxBytes
    self.maxDepth = maxDepth
    self.maxTextBytes = maxTextBytes
    self.maxTextCharacters = maxTextCharacters
    self.maxAttributesPerElement = maxAttributesPerElement
    self.maxAttributes = maxAttributes
    self.maxElements = maxElements
  }
}
