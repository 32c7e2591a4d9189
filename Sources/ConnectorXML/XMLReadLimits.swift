/// Bounds applied while reading untrusted XML (SPEC §10).
public struct XMLReadLimits: Sendable, Equatable {
  /// The largest input accepted, in bytes; checked with `stat()` before the file is opened,
  /// and again while reading in case the file grows. `nil` means unbounded.
  public var maxBytes: Int64?
  /// The deepest element nesting accepted; the root element is at depth 1.
  public var maxDepth: Int
  /// The longest text node or attribute value accepted, in UTF-8 bytes.
  public var maxTextBytes: Int

  /// Creates limits; the defaults suit exchange documents.
  public init(maxBytes: Int64? = nil, maxDepth: Int = 32, maxTextBytes: Int = 65_536) {
    self.maxBytes = maxBytes
    self.maxDepth = maxDepth
    self.maxTextBytes = maxTextBytes
  }
}
