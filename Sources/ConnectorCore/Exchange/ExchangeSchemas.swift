import ConnectorXML
import Foundation

/// Compiled XSDs, loaded once per process from the bundled resources.
public final class ExchangeSchemas: @unchecked Sendable {
  public static let shared = ExchangeSchemas()
  private let lock = NSLock()
  private var cache: [ExchangeDocumentKind: XMLSchema] = [:]

  /// The compiled schema for `kind`.
  public func schema(for kind: ExchangeDocumentKind) throws -> XMLSchema {
    lock.lock()
    defer { lock.unlock() }
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
