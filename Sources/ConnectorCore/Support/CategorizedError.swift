/// An error that says what kind of failure it is, so the CLI's one exit-status table (and
/// `state/status.json`) can classify it without reading its text.
///
/// `ConnectorError` and each area's own error (`StoreError`, `PublicationReadError`, and the
/// wrapper modules' `XMLError` and `ArchiveError`) conform; anything else is an I/O failure.
public protocol CategorizedError: Error, CustomStringConvertible {
  /// What kind of failure this is.
  var category: ConnectorError.Category { get }
}

extension ConnectorError: CategorizedError {}

extension ConnectorError.Category {
  /// The category of any error: its own when it has one, otherwise I/O (a Foundation error).
  public init(of error: Error) {
    self = (error as? CategorizedError)?.category ?? .io
  }
}
