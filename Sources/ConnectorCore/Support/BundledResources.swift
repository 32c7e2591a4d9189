import Foundation

/// Files shipped inside the program: the exchange XSDs and the PPMP schema and demo practice.
///
/// They are compiled into the executable (`EmbeddedResources`, generated from `Resources/` by
/// `scripts/embed-resources.py`), so one copied file is the whole program: there is no resource
/// bundle to lose, and none is ever looked up beside the executable or in a build folder.
public enum BundledResources {
  /// Every bundled file, e.g. `ppmp/demo.sql`, `schemas/common.xsd`, sorted.
  public static var names: [String] { EmbeddedResources.base64.keys.sorted() }

  /// The bytes of a bundled file, e.g. `schemas/snapshot.xsd` or `ppmp/schema.sql`.
  public static func bytes(_ relative: String) throws -> [UInt8] {
    guard let encoded = EmbeddedResources.base64[relative] else {
      throw BundledResourceError.missing(name: relative)
    }
    guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
      throw BundledResourceError.damaged(name: relative)
    }
    return Array(data)
  }

  /// A bundled file as UTF-8 text.
  public static func text(_ relative: String) throws -> String {
    guard let text = String(validating: try bytes(relative), as: UTF8.self) else {
      throw BundledResourceError.damaged(name: relative)
    }
    return text
  }

  /// A bundled XSD with its `xs:include`s of other bundled XSDs written out in place, so that it
  /// compiles from memory with no file to resolve. The included schemas share the target
  /// namespace and root declarations (checked), so inlining their children is what
  /// `xs:include` means.
  public static func schemaInliningIncludes(_ relative: String) throws -> [UInt8] {
    var text = try text(relative)
    let folder = relative.split(separator: "/").dropLast().joined(separator: "/")
    let rootTag = try schemaRootTag(of: text, name: relative)
    while let include = text.range(of: #"<xs:include schemaLocation="[^"]+"\s*/>"#, options: .regularExpression) {
      let tag = text[include]
      guard let q1 = tag.firstIndex(of: "\""), let q2 = tag[tag.index(after: q1)...].firstIndex(of: "\"") else {
        throw BundledResourceError.damaged(name: relative)
      }
      let location = String(tag[tag.index(after: q1)..<q2])
      let includedName = folder.isEmpty ? location : folder + "/" + location
      let included = try self.text(includedName)
      guard try schemaRootTag(of: included, name: includedName) == rootTag,
        let open = included.range(of: rootTag), let close = included.range(of: "</xs:schema>", options: .backwards)
      else {
        throw BundledResourceError.includeMismatch(name: relative, included: includedName)
      }
      text.replaceSubrange(include, with: included[open.upperBound..<close.lowerBound])
    }
    return Array(text.utf8)
  }

  /// The `<xs:schema …>` start tag: namespaces and defaults that an inlined include must share.
  private static func schemaRootTag(of text: String, name: String) throws -> String {
    guard let start = text.range(of: "<xs:schema"), let end = text[start.upperBound...].firstIndex(of: ">") else {
      throw BundledResourceError.damaged(name: name)
    }
    return String(text[start.lowerBound...end])
  }
}

/// Why a bundled file could not be provided: always a packaging error in the program itself.
public enum BundledResourceError: Error, Sendable, Equatable, CustomStringConvertible {
  /// No file of that name was compiled in.
  case missing(name: String)
  /// The compiled-in content does not decode (base64, UTF-8 or XSD structure).
  case damaged(name: String)
  /// An included XSD declares a different root (namespace, defaults) than the one including it.
  case includeMismatch(name: String, included: String)

  /// A one-line explanation for logs and the CLI.
  public var description: String {
    switch self {
    case .missing(let name): return "bundled file \(name) is not compiled into this program"
    case .damaged(let name): return "bundled file \(name) is damaged in this program"
    case .includeMismatch(let name, let included):
      return "bundled schema \(name) includes \(included), whose xs:schema element differs"
    }
  }
}
