internal import CConnectorLibXML2

/// Owns one `xmlSchemaValidCtxtPtr` for one reader; holds the schema so it outlives the context.
final class SchemaValidation {
  let handle: xmlSchemaValidCtxtPtr
  private let schema: XMLSchema

  init(schema: XMLSchema, errors: XMLErrorSink) throws(XMLError) {
    guard let handle = xmlSchemaNewValidCtxt(schema.handle) else {
      throw XMLError(kind: .schema, message: "xmlSchemaNewValidCtxt failed")
    }
    xmlSchemaSetValidStructuredErrors(handle, recordStructuredError, errors.opaque)
    self.handle = handle
    self.schema = schema
  }

  deinit {
    xmlSchemaFreeValidCtxt(handle)
  }
}
