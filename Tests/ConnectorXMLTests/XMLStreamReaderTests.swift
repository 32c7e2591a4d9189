import ConnectorXML
import Foundation
import Testing

@Suite struct XMLStreamReaderTests {
  @Test func writerOutputReadsBackAsTheSameEvents() throws {
    let writer = try XMLStreamWriter()
    try writer.startDocument()
    try writer.startElement("delta")
    try writer.writeAttribute("xmlns", "urn:ppmp-connector:exchange:1")
    try writer.writeAttribute("sequence", "42")
    try writer.startElement("day")
    try writer.writeAttribute("date", "2025-03-01")
    try writer.startElement("range")
    try writer.writeAttribute("start", "09:00")
    try writer.endElement()
    try writer.startElement("note")
    try writer.writeText("Back at 2")
    try writer.endElement()
    try writer.endElement()
    try writer.endDocument()

    let namespace = "urn:ppmp-connector:exchange:1"
    let events = try allEvents(of: XMLStreamReader(bytes: writer.finishedBytes()))
    #expect(
      events == [
        .startElement(
          XMLElementStart(
            name: "delta", namespace: namespace,
            attributes: [XMLAttribute(name: "sequence", value: "42")], line: 2)),
        .startElement(
          XMLElementStart(
            name: "day", namespace: namespace,
            attributes: [XMLAttribute(name: "date", value: "2025-03-01")], line: 3)),
        .startElement(
          XMLElementStart(
            name: "range", namespace: namespace,
            attributes: [XMLAttribute(name: "start", value: "09:00")], isEmpty: true, line: 4)),
        .startElement(XMLElementStart(name: "note", namespace: namespace, line: 5)),
        .text("Back at 2"),
        .endElement(name: "note"),
        .endElement(name: "day"),
        .endElement(name: "delta"),
      ])
  }

  @Test(arguments: [
    "fish & chips", "<tag>", "say \"hi\"", "it's", "a\tb", "line\nbreak", "cr\rlf\r\n",
    "  padded  ", "all & < > \" ' \t \n together", "ünïcødé €", "]]>",
  ])
  func specialCharactersSurviveARoundTrip(value: String) throws {
    let writer = try XMLStreamWriter()
    try writer.startElement("r")
    try writer.writeAttribute("v", value)
    try writer.writeText(value)
    try writer.endDocument()
    let events = try allEvents(of: XMLStreamReader(bytes: writer.finishedBytes()))
    #expect(events.first?.elementStart?[attribute: "v"] == value)
    // Whitespace-only text is skipped, so every argument has visible characters.
    #expect(events.dropFirst().first == .text(value))
  }

  @Test func whitespaceOnlyTextIsNotReported() throws {
    let events = try allEvents("<a>\n  <b> x </b>\n\t<c/>  \n</a>")
    #expect(
      events == [
        .startElement(XMLElementStart(name: "a", line: 1)),
        .startElement(XMLElementStart(name: "b", line: 2)),
        .text(" x "),
        .endElement(name: "b"),
        .startElement(XMLElementStart(name: "c", isEmpty: true, line: 3)),
        .endElement(name: "a"),
      ])
  }

  @Test func cdataAndCommentsAreHandled() throws {
    let events = try allEvents("<a><!-- note --><![CDATA[<not a tag> & more]]><?pi x?></a>")
    #expect(events.contains(.text("<not a tag> & more")))
    #expect(events.count == 3)
  }

  @Test func namespaceIsReportedAndDeclarationsAreNotAttributes() throws {
    let events = try allEvents(
      """
      <s xmlns="urn:one" xmlns:x="urn:two" id="1"><x:t x:k="v"/><u xmlns=""/></s>
      """)
    let starts = events.compactMap(\.elementStart)
    #expect(starts.map(\.namespace) == ["urn:one", "urn:two", nil])
    #expect(starts[0].attributes == [XMLAttribute(name: "id", value: "1")])
    #expect(starts[1].name == "t")
    #expect(starts[1].attributes == [XMLAttribute(name: "x:k", value: "v")])
    #expect(starts[2].attributes.isEmpty)
  }

  @Test func doctypeIsRejected() {
    let error = readError("<?xml version=\"1.0\"?>\n<!DOCTYPE r>\n<r/>")
    #expect(error?.kind == .doctypeForbidden)
    // Refused on the raw bytes before libxml2 parses it (see MarkupGuard), at the exact line.
    #expect(error?.line == 2)
    #expect(error?.description == "line 2: a DOCTYPE is not allowed")
  }

  @Test func externalEntityIsRejectedWithoutLeakingTheFile() throws {
    try withTemporaryDirectory { directory in
      let secret = "TOP-SECRET-\(UUID().uuidString)"
      let secretFile = directory.appendingPathComponent("secret.txt")
      try Data(secret.utf8).write(to: secretFile)
      let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE r [<!ENTITY leak SYSTEM "\(secretFile.absoluteString)">]>
        <r><a>&leak;</a><b a="&leak;"/></r>
        """
      let reader = try XMLStreamReader(bytes: Array(xml.utf8))
      var seen: [XMLEvent] = []
      var thrown: XMLError?
      do {
        while let event = try reader.next() { seen.append(event) }
      } catch {
        thrown = error as? XMLError
      }
      let kind = try #require(thrown).kind
      #expect(kind == .doctypeForbidden || kind == .entityForbidden)
      #expect(!"\(seen)".contains(secret))
      #expect(!(thrown?.message.contains(secret) ?? true))
      #expect(!(thrown?.description.contains(secret) ?? true))
      #expect(try reader.next() == nil)
    }
  }

  @Test func billionLaughsIsRejectedQuickly() {
    var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
    for level in 1...9 {
      let previous = level == 1 ? "lol" : "lol\(level - 1)"
      xml += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
    }
    xml += "]>\n<lolz>&lol9;</lolz>\n"
    let clock = ContinuousClock()
    var error: XMLError?
    let elapsed = clock.measure { error = readError(xml) }
    #expect(error?.kind == .doctypeForbidden || error?.kind == .entityForbidden)
    #expect(elapsed < .seconds(1))
  }

  @Test func undeclaredEntityIsRejected() {
    #expect(readError("<r>&nbsp;</r>")?.kind == .entityForbidden)
  }

  @Test func predefinedEntitiesAndCharacterReferencesAreText() throws {
    #expect(try allEvents("<r>&lt;&amp;&#x41;&#66;</r>").contains(.text("<&AB")))
  }

  @Test func libxml2DepthLimitAlsoCountsAsTooDeep() {
    let xml = String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)
    #expect(readError(xml, limits: XMLReadLimits(maxDepth: 1_000))?.kind == .tooDeep)
  }

  @Test func depthLimitIsEnforced() throws {
    let limits = XMLReadLimits(maxDepth: 3)
    #expect(try allEvents("<a><b><c/></b></a>", limits: limits).count == 5)
    let error = readError("<a><b><c><d/></c></b></a>", limits: limits)
    #expect(error?.kind == .tooDeep)
    #expect(error?.line == 1)
  }

  @Test func textLimitIsEnforcedForTextAndAttributes() throws {
    let limits = XMLReadLimits(maxTextBytes: 10)
    #expect(try allEvents("<a v=\"0123456789\">0123456789</a>", limits: limits).count == 3)
    let text = readError("<a>\n<b>0123456789X</b></a>", limits: limits)
    #expect(text?.kind == .textTooLong)
    #expect(text?.line == 2)
    let attribute = readError("<a>\n\n<b v=\"0123456789X\"/></a>", limits: limits)
    #expect(attribute?.kind == .textTooLong)
    #expect(attribute?.line == 3)
  }

  @Test func sparseHundredMegabyteFileIsRefusedBeforeParsing() throws {
    try withTemporaryDirectory { directory in
      let path = directory.appendingPathComponent("huge.xml").path
      #expect(FileManager.default.createFile(atPath: path, contents: Data("<r>".utf8)))
      let handle = try #require(FileHandle(forWritingAtPath: path))
      try handle.truncate(atOffset: 100 * 1_024 * 1_024)
      try handle.close()

      let clock = ContinuousClock()
      var thrown: XMLError?
      let elapsed = clock.measure {
        do {
          _ = try XMLStreamReader(path: path, limits: XMLReadLimits(maxBytes: 1_000_000))
        } catch {
          thrown = error as? XMLError
        }
      }
      let error = try #require(thrown)
      #expect(error.kind == .tooLarge)
      // The size comes from stat(): a parse would have failed on the NUL bytes instead.
      #expect(error.message.contains("104857600"))
      #expect(error.file == path)
      #expect(elapsed < .milliseconds(500))
    }
  }

  @Test func inMemoryInputIsBoundedToo() {
    #expect(readError("<r>0123456789</r>", limits: XMLReadLimits(maxBytes: 8))?.kind == .tooLarge)
  }

  @Test func invalidUTF8IsReportedWithPosition() throws {
    let bytes = Array("<r>\n<a>ok</a>\n<b>".utf8) + [0xC3, 0x28] + Array("</b></r>".utf8)
    let error = try #require(readError(bytes))
    #expect(error.kind == .encoding || error.kind == .notWellFormed)
    #expect(error.line == 3)
    #expect(error.column != nil)
  }

  @Test(arguments: ["ISO-8859-1", "US-ASCII", "windows-1252"])
  func encodingsOtherThanUTF8AreRejected(encoding: String) {
    let error = readError("<?xml version=\"1.0\" encoding=\"\(encoding)\"?>\n<r>plain</r>")
    #expect(error?.kind == .encoding)
    #expect(error?.message.contains(encoding) == true)
  }

  @Test func utf8DeclarationAndByteOrderMarkAreAccepted() throws {
    #expect(try allEvents("<?xml version=\"1.0\" encoding=\"utf-8\"?><r/>").count == 1)
    #expect(
      try allEvents(of: XMLStreamReader(bytes: [0xEF, 0xBB, 0xBF] + Array("<r/>".utf8))).count == 1)
  }

  @Test func utf16InputIsRejected() {
    let bytes: [UInt8] =
      [0xFF, 0xFE] + Array("<r/>".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    #expect(readError(bytes)?.kind == .encoding)
  }

  @Test(arguments: ["<a><b></a>", "<a>", "", "<a/><b/>", "<a x='1' x='2'/>", "<p:a/>"])
  func malformedDocumentsAreNotWellFormed(xml: String) {
    #expect(readError(xml)?.kind == .notWellFormed)
  }

  @Test func mismatchedTagReportsLibxml2MessageAndLine() throws {
    let error = try #require(readError("<a>\n<b>\n</a>"))
    #expect(error.line == 3)
    #expect(error.code != 0)
    #expect(!error.message.hasSuffix("\n"))
    #expect(error.description.hasPrefix("line 3"))
  }

  @Test func readerIsFinishedAfterAnError() throws {
    let reader = try XMLStreamReader(bytes: Array("<a><b></a><c/>".utf8))
    #expect(throws: XMLError.self) { _ = try allEvents(of: reader) }
    #expect(try reader.next() == nil)
  }

  @Test func missingFileIsAnIOError() {
    #expect {
      _ = try XMLStreamReader(path: "/nonexistent-\(UUID().uuidString).xml")
    } throws: { ($0 as? XMLError)?.kind == .io }
  }

  @Test func readsFromAFile() throws {
    try withTemporaryDirectory { directory in
      let path = directory.appendingPathComponent("doc.xml").path
      try Data("<r><a>1</a></r>".utf8).write(to: URL(fileURLWithPath: path))
      let events = try allEvents(of: XMLStreamReader(path: path))
      #expect(events.count == 5)
      let error = readError(Array("<r>".utf8))
      #expect(error?.file == nil)
    }
  }
}
