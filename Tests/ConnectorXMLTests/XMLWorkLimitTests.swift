import ConnectorXML
import Foundation
import Testing

/// Limits that bound the work a document causes, not only its bytes; the stop request; character
/// counts; schema violations kept per element without quoting values.
@Suite struct XMLWorkLimitTests {
  /// `<r` with `count` attributes of ten bytes each: 10⁶ of them make a 10 MB start tag, which
  /// libxml2 2.9 would check for duplicates in O(n²).
  static func attributeFlood(_ count: Int) -> [UInt8] {
    var bytes = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r".utf8)
    bytes.reserveCapacity(count * 10 + 64)
    let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    for i in 0..<count {
      var n = i
      var name: [UInt8] = []
      for _ in 0..<4 {
        name.append(digits[n % 36])
        n /= 36
      }
      bytes += [0x20, UInt8(ascii: "a")] + name + Array("=\"\"".utf8)
    }
    bytes += Array("/>\n".utf8)
    return bytes
  }

  @Test func attributeFloodIsRefusedBeforeLibxml2ParsesTheTag() {
    let flood = Self.attributeFlood(1_000_000)
    let started = Date()
    let error = readError(flood)
    let elapsed = Date().timeIntervalSince(started)
    #expect(error?.kind == .limitExceeded)
    #expect(error?.message.contains("more than 64 attributes on one element") == true, "\(String(describing: error))")
    #expect(elapsed < 1, "took \(elapsed) s")
  }

  @Test func elementAndTotalAttributeCountsAreBounded() {
    let elements = "<r>" + String(repeating: "<e/>", count: 20) + "</r>"
    #expect(readError(elements, limits: XMLReadLimits(maxElements: 21)) == nil)
    #expect(readError(elements, limits: XMLReadLimits(maxElements: 20))?.kind == .limitExceeded)
    let attributes = "<r>" + String(repeating: "<e a=\"1\" b='2'/>", count: 10) + "</r>"
    #expect(readError(attributes, limits: XMLReadLimits(maxAttributes: 20)) == nil)
    let error = readError(attributes, limits: XMLReadLimits(maxAttributes: 19))
    #expect(error?.kind == .limitExceeded && error?.message.contains("more than 19 attributes in the document") == true)
  }

  @Test func onlyRealStartTagsAreCounted() throws {
    // '=' inside values, comments, CDATA, processing instructions and text is not an attribute.
    let xml = """
      <?xml version="1.0" encoding="UTF-8"?><?pi a=1 b=2 c=3?>
      <r a="x=y=z" b='="'><!-- <e a=1 b=2 c=3> --><![CDATA[<e a=1 b=2 c=3>]]>a=b=c=d<e a="'"/></r>
      """
    let limits = XMLReadLimits(maxAttributesPerElement: 2, maxAttributes: 3, maxElements: 2)
    #expect(readError(xml, limits: limits) == nil)
    #expect(readError(xml, limits: XMLReadLimits(maxAttributesPerElement: 1))?.kind == .limitExceeded)
  }

  @Test func countsAndLinesHoldAcrossChunkBoundaries() {
    // Values with line breaks, longer than the chunks libxml2 asks for, and text between tags.
    let value = String(repeating: "x=y\n", count: 3_000)
    var xml = "<r>\n"
    for _ in 0..<3 { xml += "<e a=\"\(value)\" b='\(value)'>\(value)</e>\n" }
    let line = xml.filter { $0 == "\n" }.count + 1
    xml += "<e a=\"1\" b=\"2\" c=\"3\"/></r>"
    let limits = XMLReadLimits(maxTextBytes: 1 << 20, maxAttributesPerElement: 2)
    let error = readError(xml, limits: limits)
    #expect(error?.kind == .limitExceeded)
    #expect(error?.line == line, "line \(String(describing: error?.line)), expected \(line)")
    #expect(readError(xml, limits: XMLReadLimits(maxTextBytes: 1 << 20, maxAttributesPerElement: 3, maxAttributes: 9)) == nil)
  }

  @Test(arguments: [
    ("UTF-32 with BOM", Array("<?xml version=\"1.0\" encoding=\"UTF-32\"?><r/>".utf8).utf32(bom: true)),
    ("UTF-32 without BOM", Array("<?xml version=\"1.0\" encoding=\"UTF-32\"?><r/>".utf8).utf32(bom: false)),
    ("UTF-7 declared", Array("<?xml version=\"1.0\" encoding=\"UTF-7\"?><r/>".utf8)),
    ("EBCDIC signature", [0x4C, 0x6F, 0xA7, 0x94, 0x93, 0x40]),
  ])
  func otherEncodingsAreEncodingErrorsBeforeParsing(_ label: String, _ bytes: [UInt8]) {
    let error = readError(bytes)
    #expect(error?.kind == .encoding, "\(label): \(String(describing: error))")
  }

  @Test func aCommentPastTheLimitIsTooLargeNotTruncated() {
    let xml = "<r><!--" + String(repeating: "x", count: 10_000_000) + "--></r>"
    let error = readError(xml)
    #expect(error?.kind == .tooLarge)
    #expect(error?.message.contains("comment longer than 65536 bytes") == true, "\(String(describing: error))")
    #expect(error?.message.contains("truncated") == false)
  }

  @Test func textLimitsCountCharactersWhenAsked() {
    let limits = XMLReadLimits(maxTextBytes: 1 << 20, maxTextCharacters: 4_000)
    // 2,800 CJK characters are 8,400 bytes: within 4,000 characters.
    #expect(readError("<r>" + String(repeating: "\u{75DB}", count: 2_800) + "</r>", limits: limits) == nil)
    #expect(readError("<r a=\"" + String(repeating: "\u{75DB}", count: 4_000) + "\"/>", limits: limits) == nil)
    let error = readError("<r>" + String(repeating: "\u{75DB}", count: 4_001) + "</r>", limits: limits)
    #expect(error?.kind == .textTooLong && error?.message.contains("4001 characters") == true)
  }

  @Test func stopRequestEndsTheReadWithItsOwnKind() throws {
    let xml = "<r>" + String(repeating: "<e a=\"1\">some text</e>", count: 200_000) + "</r>"
    var asked = 0
    let reader = try XMLStreamReader(
      bytes: Array(xml.utf8),
      shouldStop: {
        asked += 1
        return asked > 3
      })
    var events = 0
    do {
      while try reader.next() != nil { events += 1 }
      Issue.record("the read ran to the end")
    } catch {
      #expect(error.kind == .interrupted)
    }
    #expect(asked == 4)
    #expect(events < 200_000)
  }

  private static let xsd = """
    <?xml version="1.0" encoding="UTF-8"?>
    <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
               targetNamespace="urn:test" xmlns="urn:test" elementFormDefault="qualified">
      <xs:element name="r">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="m" maxOccurs="unbounded">
              <xs:complexType>
                <xs:sequence><xs:element name="c" minOccurs="0"><xs:complexType>
                  <xs:attribute name="v"><xs:simpleType><xs:restriction base="xs:string">
                    <xs:maxLength value="5"/></xs:restriction></xs:simpleType></xs:attribute>
                </xs:complexType></xs:element></xs:sequence>
                <xs:attribute name="a" type="xs:string" use="required"/>
                <xs:attribute name="n" type="xs:positiveInteger"/>
              </xs:complexType>
            </xs:element>
          </xs:sequence>
          <xs:attribute name="id" type="xs:string" use="required"/>
        </xs:complexType>
      </xs:element>
    </xs:schema>
    """

  /// Violations inside each `m` (depth 2), in the order the reader ends them.
  private func violationsPerElement(_ xml: String) throws -> [[XMLError]] {
    let schema = try XMLSchema(bytes: Array(Self.xsd.utf8), name: "test.xsd")
    let reader = try XMLStreamReader(bytes: Array(xml.utf8), schema: schema, violationScope: 2)
    var depth = 0
    var found: [[XMLError]] = []
    while let event = try reader.next() {
      switch event {
      case .startElement(let e):
        depth += 1
        if e.isEmpty {
          if depth == 2 { found.append(reader.takeScopeViolations()) }
          depth -= 1
        }
      case .endElement:
        if depth == 2 { found.append(reader.takeScopeViolations()) }
        depth -= 1
      case .text: break
      }
    }
    return found
  }

  @Test func violationsInsideAnElementAreKeptForItAloneAndNeverQuoteTheValue() throws {
    // One line: libxml2 validates ahead of the reader, so lines alone could not tell them apart.
    let xml = #"<r xmlns="urn:test" id="x"><m a="1"/><m n="2"/><m a="3"><c v="SECRET-VALUE"/></m><m a="4" n="-7"/><m a="5"/></r>"#
    let found = try violationsPerElement(xml)
    #expect(found.count == 5)
    #expect(found[0].isEmpty && found[4].isEmpty)
    #expect(found[1].count == 1 && found[1][0].message.contains("The attribute 'a' is required but missing"))
    #expect(found[2].count == 1 && found[2][0].message.contains("attribute 'v'") && found[2][0].message.contains("maximum length of '5'"))
    #expect(found[3].count == 1 && found[3][0].message.contains("attribute 'n'"))
    for violation in found.joined() {
      #expect(!violation.message.contains("SECRET") && !violation.message.contains("-7"), "\(violation.message)")
    }
  }

  @Test func violationsOutsideTheScopeStillEndTheRead() throws {
    #expect(throws: XMLError.self) { try violationsPerElement(#"<r xmlns="urn:test"><m a="1"/></r>"#) }
  }

  @Test func schemaMessagesNeverQuoteTheValue() throws {
    let schema = try XMLSchema(bytes: Array(Self.xsd.utf8), name: "test.xsd")
    try withTemporaryDirectory { directory in
      let path = directory.appendingPathComponent("d.xml").path
      let value = "PATIENT-DOB-1980-01-02-' has a length of 'x"
      try Data(#"<r xmlns="urn:test" id="x"><m a="1" n="\#(value)"><c v="\#(value)"/></m></r>"#.utf8)
        .write(to: URL(fileURLWithPath: path))
      let errors = schema.validate(path: path)
      #expect(errors.count == 2)
      for error in errors {
        #expect(!error.message.contains("PATIENT"), "\(error.message)")
        #expect(error.message.hasPrefix("Element '{urn:test}"))
      }
      #expect(errors.contains { $0.message.contains("exceeds the allowed maximum length of '5'") })
    }
  }
}

extension [UInt8] {
  fileprivate func utf32(bom: Bool) -> [UInt8] {
    (bom ? [0xFF, 0xFE, 0, 0] : []) + flatMap { [$0, 0, 0, 0] }
  }
}
