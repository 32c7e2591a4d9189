import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// The XSDs and SQL compiled into the program are the files under Resources/, byte for byte.
@Suite struct EmbeddedResourcesTests {
  static let resources = RepositoryPaths.root + "/Sources/ConnectorCore/Resources"

  static var filesOnDisk: [String] {
    let found = FileManager.default.enumerator(atPath: resources)?.compactMap { $0 as? String } ?? []
    return found.filter { $0.hasSuffix(".xsd") || $0.hasSuffix(".sql") }.sorted()
  }

  @Test func everyResourceFileIsCompiledIn() {
    #expect(!Self.filesOnDisk.isEmpty)
    #expect(BundledResources.names == Self.filesOnDisk, "run `make resources` after adding or removing a file")
  }

  @Test(arguments: filesOnDisk)
  func compiledInCopyMatchesTheFile(name: String) throws {
    let onDisk = FileManager.default.contents(atPath: Self.resources + "/" + name).map(Array.init) ?? []
    #expect(try BundledResources.bytes(name) == onDisk, "\(name) changed: run `make resources`")
  }

  @Test func docsSchemasAreTheShippedSchemas() throws {
    let docs = RepositoryPaths.root + "/docs/schemas"
    let names = try FileManager.default.contentsOfDirectory(atPath: docs).filter { $0.hasSuffix(".xsd") }.sorted()
    #expect(names.map { "schemas/" + $0 } == BundledResources.names.filter { $0.hasPrefix("schemas/") })
    for name in names {
      let bytes = FileManager.default.contents(atPath: docs + "/" + name).map(Array.init) ?? []
      #expect(try BundledResources.bytes("schemas/" + name) == bytes, "docs/schemas/\(name)")
    }
  }

  @Test func includesAreInlinedIntoOneSelfContainedSchema() throws {
    let merged = String(decoding: try BundledResources.schemaInliningIncludes("schemas/snapshot.xsd"), as: UTF8.self)
    #expect(!merged.contains("xs:include"))
    #expect(merged.contains(#"<xs:simpleType name="PracticeId">"#))
    #expect(merged.components(separatedBy: "<xs:schema").count == 2)
    #expect(merged.components(separatedBy: "</xs:schema>").count == 2)
  }

  @Test func unknownNameIsAnError() {
    #expect(throws: BundledResourceError.missing(name: "schemas/nope.xsd")) { try BundledResources.bytes("schemas/nope.xsd") }
  }
}
