import ConnectorXML

/// Compiled XSDs, loaded once per process from the bundled resources.
public final class ExchangeSchemas: Sendable {
  public static let shared = ExchangeSchemas()
  // The lock is held while a schema compiles, so each kind is compiled once.
  private let cache = Locked<[ExchangeDocumentKind: XMLSchema]>([:])

  /// The compiled schema for `kind`.
  public func schema(for kind: ExchangeDocumentKind) throws -> XMLSchema {
    try cache.withLock { cache in
      if let s = cache[kind] { return s }
      let path = try BundledResources.path(kind.schemaResource)
      let schema: XMLSchema
      do {
        schema = try XMLSchema(path: path)
      } catch let error as XMLError {
        throw ConnectorError.dataError("bundled schema \(path) does not compile: \(error)")
      }
      cache[kind] = schema
      return schema
    }
  }
}
