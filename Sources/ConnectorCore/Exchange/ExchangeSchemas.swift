import ConnectorXML

/// Compiled XSDs, compiled once per process from the copies inside the program.
public final class ExchangeSchemas: Sendable {
  public static let shared = ExchangeSchemas()
  // The lock is held while a schema compiles, so each kind is compiled once.
  private let cache = Locked<[ExchangeDocumentKind: XMLSchema]>([:])

  /// The compiled schema for `kind`.
  public func schema(for kind: ExchangeDocumentKind) throws -> XMLSchema {
    try cache.withLock { cache in
      if let s = cache[kind] { return s }
      let name = kind.schemaResource
      let schema: XMLSchema
      do {
        schema = try XMLSchema(bytes: BundledResources.schemaInliningIncludes(name), name: name)
      } catch let error as XMLError {
        throw ConnectorError.dataError("bundled schema \(name) does not compile: \(error)")
      } catch {
        throw ConnectorError.dataError("\(error)")
      }
      cache[kind] = schema
      return schema
    }
  }
}
