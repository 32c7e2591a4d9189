import ConnectorXML
import Foundation
import Testing

@Suite struct XMLSchemaTests {
  private static let xsd = """
    <?xml version="1.0" encoding="UTF-8"?>
    <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
               targetNamespace="urn:test" xmlns="urn:test" elementFormDefault="qualified">
      <xs:element name="drop">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="booking" maxOccurs="unbounded">
              <xs:complexType>
                <xs:attribute name="id" type="xs:positiveInteger" use="required"/>
              </xs:complexType>
            </xs:element>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:schema>
    """

  private func schema() throws -> XMLSchema {
    try XMLSchema(bytes: Array(Self.xsd.utf8), name: "test.xsd")
  }

  private func write(_ text: String, in directory: URL) throws -> String {
    let path = directory.appendingPathComponent("\(UUID().uuidString).xml").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func validDocumentHasNoErrors() throws {
    try withTemporaryDirectory { directory in
      let path = try write(
        "<drop xmlns=\"urn:test\">\n  <booking id=\"1\"/>\n  <booking id=\"2\"/>\n</drop>\n",
        in: directory)
      #expect(try schema().validate(path: path) == [])
    }
  }

  @Test func invalidDocumentReportsEveryViolationWithLines() throws {
    try withTemporaryDirectory { directory in
      let path = try write(
        """
        <drop xmlns="urn:test">
          <booking id="1"/>
          <booking id="zero"/>
          <booking/>
          <other/>
        </drop>
        """, in: directory)
      let errors = try schema().validate(path: path)
      #expect(errors.map(\.kind) == [.invalid, .invalid, .invalid])
      #expect(errors.map(\.line) == [3, 4, 5])
      #expect(errors.allSatisfy { $0.code != 0 && !$0.message.isEmpty })
    }
  }

  @Test func readerWithSchemaThrowsAtTheFirstViolation() throws {
    let reader = try XMLStreamReader(
      bytes: Array("<drop xmlns=\"urn:test\">\n<booking id=\"-1\"/>\n</drop>".utf8),
      schema: schema())
    var thrown: XMLError?
    do {
      while try reader.next() != nil {}
    } catch {
      thrown = error
    }
    #expect(thrown?.kind == .invalid)
    #expect(thrown?.line == 2)
  }

  @Test func readerWithSchemaStillRejectsDoctypeFirst() throws {
    let reader = try XMLStreamReader(
      bytes: Array("<!DOCTYPE drop>\n<drop xmlns=\"urn:test\"/>".utf8), schema: schema())
    #expect { _ = try allEvents(of: reader) } throws: {
      ($0 as? XMLError)?.kind == .doctypeForbidden
    }
  }

  @Test func readerWithSchemaPassesValidDocuments() throws {
    let reader = try XMLStreamReader(
      bytes: Array("<drop xmlns=\"urn:test\"><booking id=\"5\"/></drop>".utf8), schema: schema())
    #expect(try allEvents(of: reader).count == 3)
  }

  @Test func hardeningStillAppliesDuringValidation() throws {
    try withTemporaryDirectory { directory in
      let doctype = try write("<!DOCTYPE drop>\n<drop xmlns=\"urn:test\"/>", in: directory)
      let doctypeErrors = try schema().validate(path: doctype)
      // The reason reading stopped comes first, whatever the validator saw while reading ahead.
      #expect(doctypeErrors.first?.kind == .doctypeForbidden)
      let malformed = try write("<drop xmlns=\"urn:test\"><booking id=\"1\">", in: directory)
      #expect(try schema().validate(path: malformed).first?.kind == .notWellFormed)
      let large = try write("<drop xmlns=\"urn:test\"><booking id=\"1\"/></drop>", in: directory)
      #expect(
        try schema().validate(path: large, limits: XMLReadLimits(maxBytes: 10)).map(\.kind) == [
          .tooLarge
        ])
    }
  }

  @Test func unreadableFileIsAnErrorInTheList() throws {
    let errors = try schema().validate(path: "/nonexistent-\(UUID().uuidString).xml")
    #expect(errors.map(\.kind) == [.io])
  }

  @Test func schemaIsSharedAcrossConcurrentValidations() async throws {
    try await withTemporaryDirectoryAsync { directory in
      let valid = try write("<drop xmlns=\"urn:test\"><booking id=\"1\"/></drop>", in: directory)
      let invalid = try write("<drop xmlns=\"urn:test\"><booking/></drop>", in: directory)
      let schema = try schema()
      let counts = await withTaskGroup(of: Int.self) { group in
        for index in 0..<16 {
          group.addTask { schema.validate(path: index.isMultiple(of: 2) ? valid : invalid).count }
        }
        return await group.reduce(0, +)
      }
      #expect(counts == 8)
    }
  }

  @Test(arguments: [
    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:element name=\"a\" type=\"nope\"/></xs:schema>",
    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:element/></xs:schema>",
    "<notASchema/>",
    "<xs:schema",
  ])
  func badSchemaIsASchemaError(xsd: String) {
    #expect {
      _ = try XMLSchema(bytes: Array(xsd.utf8), name: "bad.xsd")
    } throws: { ($0 as? XMLError)?.kind == .schema }
  }

  @Test func malformedSchemaReportsLibxml2MessageWithPosition() throws {
    var thrown: XMLError?
    do {
      _ = try XMLSchema(
        bytes: Array("<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n<xs:element".utf8),
        name: "broken.xsd")
    } catch {
      thrown = error
    }
    let error = try #require(thrown)
    #expect(error.kind == .schema)
    #expect(error.file == "broken.xsd")
    #expect(error.line == 2)
    #expect(error.code != 0)
  }

  @Test func schemaCompilesFromAFileAndReportsItsErrorsWithLines() throws {
    try withTemporaryDirectory { directory in
      let good = directory.appendingPathComponent("good.xsd").path
      try Data(Self.xsd.utf8).write(to: URL(fileURLWithPath: good))
      _ = try XMLSchema(path: good)

      let bad = directory.appendingPathComponent("bad.xsd").path
      try Data(
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n<xs:element name=\"a\" type=\"nope\"/>\n</xs:schema>"
          .utf8
      ).write(to: URL(fileURLWithPath: bad))
      var thrown: XMLError?
      do { _ = try XMLSchema(path: bad) } catch { thrown = error as? XMLError }
      #expect(thrown?.kind == .schema)
      #expect(thrown?.line == 2)
      #expect(thrown?.file == bad)
    }
  }
}

private func withTemporaryDirectoryAsync<Result>(
  _ body: (URL) async throws -> Result
) async throws -> Result {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("ConnectorXMLTests-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  return try await body(directory)
}
