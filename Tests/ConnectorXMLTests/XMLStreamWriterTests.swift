import ConnectorXML
import Foundation
import Testing

@Suite struct XMLStreamWriterTests {
  private func writeSample(to writer: XMLStreamWriter) throws {
    try writer.startDocument()
    try writer.startElement("snapshot")
    try writer.writeAttribute("xmlns", "urn:ppmp-connector:exchange:1")
    try writer.writeAttribute("practiceId", "p1")
    try writer.startElement("practitioner")
    try writer.writeAttribute("id", "7")
    try writer.startElement("range")
    try writer.writeAttribute("start", "09:00")
    try writer.writeAttribute("end", "12:00")
    try writer.endElement()
    try writer.startElement("name")
    try writer.writeText("Dr Who")
    try writer.endElement()
    try writer.endElement()
    try writer.endDocument()
  }

  @Test func smallDocumentHasExactBytes() throws {
    let writer = try XMLStreamWriter()
    try writeSample(to: writer)
    let expected = """
      <?xml version="1.0" encoding="UTF-8"?>
      <snapshot xmlns="urn:ppmp-connector:exchange:1" practiceId="p1">
        <practitioner id="7">
          <range start="09:00" end="12:00"/>
          <name>Dr Who</name>
        </practitioner>
      </snapshot>

      """
    #expect(String(decoding: writer.finishedBytes(), as: UTF8.self) == expected)
  }

  @Test func twoWritesAreByteIdentical() throws {
    try withTemporaryDirectory { directory in
      let first = directory.appendingPathComponent("first.xml").path
      let second = directory.appendingPathComponent("second.xml").path
      try writeSample(to: XMLStreamWriter(path: first))
      try writeSample(to: XMLStreamWriter(path: second))
      let firstBytes = try Data(contentsOf: URL(fileURLWithPath: first))
      #expect(!firstBytes.isEmpty)
      #expect(firstBytes == (try Data(contentsOf: URL(fileURLWithPath: second))))
    }
  }

  @Test func fileWriterMatchesMemoryWriterAndUsesMode0600() throws {
    try withTemporaryDirectory { directory in
      let path = directory.appendingPathComponent("out.xml").path
      // An existing file with a wider mode must be narrowed, not just truncated.
      _ = FileManager.default.createFile(
        atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
      try writeSample(to: XMLStreamWriter(path: path))
      let memory = try XMLStreamWriter()
      try writeSample(to: memory)
      #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == memory.finishedBytes())
      let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      #expect(mode == 0o600)
    }
  }

  @Test func unwritablePathIsAnIOError() {
    #expect {
      _ = try XMLStreamWriter(path: "/nonexistent-\(UUID().uuidString)/out.xml")
    } throws: { ($0 as? XMLError)?.kind == .io }
  }

  @Test(arguments: ["bad name", "1st", "", "a>b"])
  func invalidNamesAreRefused(name: String) throws {
    let writer = try XMLStreamWriter()
    try writer.startElement("root")
    #expect { try writer.startElement(name) } throws: { ($0 as? XMLError)?.kind == .writer }
    #expect { try writer.writeAttribute(name, "v") } throws: { ($0 as? XMLError)?.kind == .writer }
  }

  @Test(arguments: ["nul\u{0}byte", "bell\u{7}", "escape\u{1B}", "noncharacter\u{FFFE}"])
  func charactersXMLForbidsAreRefused(text: String) throws {
    let writer = try XMLStreamWriter()
    try writer.startElement("root")
    #expect { try writer.writeAttribute("a", text) } throws: { ($0 as? XMLError)?.kind == .writer }
    #expect { try writer.writeText(text) } throws: { ($0 as? XMLError)?.kind == .writer }
  }

  @Test func callsAfterEndDocumentAreRefused() throws {
    let writer = try XMLStreamWriter()
    try writer.startElement("root")
    try writer.endDocument()
    #expect(String(decoding: writer.finishedBytes(), as: UTF8.self) == "<root/>\n")
    #expect { try writer.startElement("again") } throws: { ($0 as? XMLError)?.kind == .writer }
    #expect { try writer.endDocument() } throws: { ($0 as? XMLError)?.kind == .writer }
  }

  @Test func endDocumentClosesOpenElements() throws {
    let writer = try XMLStreamWriter()
    try writer.startElement("a")
    try writer.startElement("b")
    try writer.writeText("x")
    try writer.endDocument()
    let events = try allEvents(of: XMLStreamReader(bytes: writer.finishedBytes()))
    #expect(events.count == 5)
    #expect(events.last == .endElement(name: "a"))
  }

  /// Three `<item n="…"/>` siblings in `<list>`; with `formatted`, the last two are written as
  /// formatted bytes after the first closed.
  private func writeList(formatted: Bool) throws -> [UInt8] {
    let writer = try XMLStreamWriter()
    try writer.startDocument()
    try writer.startElement("list")
    for n in 1...3 {
      if formatted, n > 1 {
        try Array("  <item n=\"\(n)\"/>\n".utf8).withUnsafeBufferPointer { try writer.writeFormattedElements($0) }
      } else {
        try writer.startElement("item")
        try writer.writeAttribute("n", String(n))
        try writer.endElement()
      }
    }
    try writer.endElement()
    try writer.endDocument()
    return writer.finishedBytes()
  }

  @Test func formattedElementsAfterASiblingComeOutAsElementCallsWouldWriteThem() throws {
    let formatted = try writeList(formatted: true)
    #expect(formatted == (try writeList(formatted: false)))
    #expect(String(decoding: formatted, as: UTF8.self).hasSuffix("  <item n=\"3\"/>\n</list>\n"))
  }

  @Test func formattedElementsAreRefusedUnlessASiblingJustClosed() throws {
    let writer = try XMLStreamWriter()
    let bytes = Array("  <item/>\n".utf8)
    try writer.startElement("list")
    #expect { try bytes.withUnsafeBufferPointer { try writer.writeFormattedElements($0) } } throws: {
      ($0 as? XMLError)?.kind == .writer
    }
    try writer.startElement("item")
    try writer.endElement()
    try bytes.withUnsafeBufferPointer { try writer.writeFormattedElements($0) }
    try writer.startElement("open")
    #expect { try bytes.withUnsafeBufferPointer { try writer.writeFormattedElements($0) } } throws: {
      ($0 as? XMLError)?.kind == .writer
    }
  }
}
