import ConnectorXML

extension XMLError: CategorizedError {
  /// A file that cannot be read or written is an I/O failure; everything else libxml2 reports
  /// is about the document (or a bundled schema) and retrying will not change it.
  public var category: ConnectorError.Category {
    kind == .io ? .io : .data
  }
}
