internal import CConnectorLibXML2

/// A compiled XSD; immutable and shareable between threads after `init`.
///
/// libxml2 documents a compiled `xmlSchemaPtr` as read-only during validation, and
/// each validation gets its own `xmlSchemaValidCtxtPtr`, hence `@unchecked Sendable`.
/// Schemas are trusted input (they ship with the connector); documents are not.
public final class XMLSchema: @unchecked Sendable {
  let handle: xmlSchemaPtr

  /// Compiles the XSD at `path` (`xmlSchemaNewParserCtxt`, `xmlSchemaParse`); `xs:include`
  /// and `xs:import` locations resolve relative to it. Throws an error of kind `.schema`.
  public init(path: String) throws(XMLError) {
    try Self.checkWellFormed(file: path) { limits throws(XMLError) in try XMLStreamReader(path: path, limits: limits) }
    handle = try Self.compile(file: path) { xmlSchemaNewParserCtxt(path) }
  }

  /// Compiles an XSD held in memory (`xmlSchemaNewMemParserCtxt`); `name` labels errors.
  public init(bytes: [UInt8], name: String) throws(XMLError) {
    try Self.checkWellFormed(file: name) { limits throws(XMLError) in try XMLStreamReader(bytes: bytes, limits: limits) }
    handle = try bytes.withUnsafeBufferPointer { buffer throws(XMLError) in
      // The parser context borrows the buffer; it is freed before this closure returns.
      try Self.compile(file: name) {
        buffer.baseAddress.map { start in
          start.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
            xmlSchemaNewMemParserCtxt($0, Int32(clamping: buffer.count))
          }
        } ?? nil
      }
    }
  }

  deinit {
    xmlSchemaFree(handle)
  }

  /// Streams the file at `path` through a hardened reader validating against this schema
  /// and returns every error found, in document order (empty means valid). Never throws:
  /// an unreadable, oversized or malformed file is an error in the list. Reading stops at
  /// the first error that is not a schema violation; at most 1,000 errors are kept.
  public func validate(path: String, limits: XMLReadLimits = .init()) -> [XMLError] {
    do {
      return try XMLStreamReader(path: path, limits: limits, schema: self).collectErrors()
    } catch let error as XMLError {
      return [error]
    } catch {
      return [XMLError(kind: .io, message: "\(error)", file: path)]
    }
  }

  /// libxml2 2.9's schema parser reads the XSD with a private parser context whose errors
  /// go to the global handler (stderr) and come back only as "Failed to parse the XML
  /// resource". Reading it once with our own reader first gives libxml2's real message
  /// and line through a structured handler. An XSD must therefore itself be plain UTF-8
  /// XML without a DOCTYPE.
  private static func checkWellFormed(
    file: String, _ makeReader: (XMLReadLimits) throws(XMLError) -> XMLStreamReader
  ) throws(XMLError) {
    let limits = XMLReadLimits(maxBytes: 16 << 20, maxDepth: 256, maxTextBytes: 1 << 20)
    do {
      let reader = try makeReader(limits)
      while try reader.next() != nil {}
    } catch var error as XMLError {
      if error.kind != .io { error.kind = .schema }
      error.file = file
      throw error
    } catch {
      throw XMLError(kind: .schema, message: "\(error)", file: file)
    }
  }

  private static func compile(
    file: String, _ makeContext: () -> xmlSchemaParserCtxtPtr?
  ) throws(XMLError) -> xmlSchemaPtr {
    _ = libxml2Initialized
    ppmp_xml_silence_generic_errors()
    guard let context = makeContext() else {
      throw XMLError(
        kind: .schema, message: "cannot create a schema parser for \(file)", file: file)
    }
    defer { xmlSchemaFreeParserCtxt(context) }
    let errors = XMLErrorSink(source: .schemaCompilation)
    xmlSchemaSetParserStructuredErrors(context, recordStructuredError, errors.opaque)
    let schema = withExtendedLifetime(errors) { xmlSchemaParse(context) }
    if let schema, errors.first == nil { return schema }
    if let schema { xmlSchemaFree(schema) }
    guard var error = errors.first else {
      throw XMLError(kind: .schema, message: "\(file) is not a usable XML Schema", file: file)
    }
    // A schema read from memory has no file of its own in libxml2's errors.
    error.file = error.file ?? file
    throw error
  }
}
