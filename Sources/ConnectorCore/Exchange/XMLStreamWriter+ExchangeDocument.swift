import ConnectorXML

extension XMLStreamWriter {
  /// An in-memory writer with the document started and the root element open, carrying the
  /// namespace and the `practiceId sequence asOf` header the small outbox documents share.
  static func exchangeDocument(_ root: String, practiceID: String, sequence: Int64, asOf: LocalDateTime) throws -> XMLStreamWriter {
    let w = try XMLStreamWriter()
    try w.startDocument()
    try w.startElement(root)
    try w.writeAttribute("xmlns", exchangeNamespace)
    try w.writeAttribute("practiceId", practiceID)
    try w.writeAttribute("sequence", String(sequence))
    try w.writeAttribute("asOf", asOf.description)
    return w
  }
}
