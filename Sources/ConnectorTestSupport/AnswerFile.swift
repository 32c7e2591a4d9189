import ConnectorCore
import ConnectorXML
import Foundation

/// One element of an outbox answer (receipt or rejection notice): its name and attributes.
public struct AnswerElement: Sendable, Equatable {
  public var name: String
  public var attributes: [String: String]

  /// The attribute `name`, or nil.
  public subscript(_ name: String) -> String? { attributes[name] }
}

/// Reads outbox answers for assertions, with the project's own hardened reader.
public enum AnswerFile {
  /// Every element of the file in document order, the root first.
  public static func elements(_ path: String) throws -> [AnswerElement] {
    let reader = try XMLStreamReader(path: path)
    var out: [AnswerElement] = []
    while let event = try reader.next() {
      if case .startElement(let e) = event {
        out.append(AnswerElement(name: e.name, attributes: Dictionary(e.attributes.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })))
      }
    }
    return out
  }

  /// The message answers of a receipt (root left out).
  public static func entries(_ path: String) throws -> [AnswerElement] {
    Array(try elements(path).dropFirst())
  }
}
