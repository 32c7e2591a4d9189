import ConnectorArchive

extension ArchiveError: CategorizedError {
  /// A failure with an `errno` came from the file system; one without is a refusal of the
  /// archive's contents (a hostile member name, a bad header).
  public var category: ConnectorError.Category {
    errno != 0 ? .io : .data
  }
}
