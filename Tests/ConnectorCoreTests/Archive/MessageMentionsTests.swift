@testable import ConnectorCore
import ConnectorTestSupport
import Testing

/// The byte search for heMsgIds must give what libxml2 gives (`BagLayout.heMsgIds(inXML:)`) on
/// every well-formed file, taking the parser's way whenever a file leaves the canonical shape.
@Suite struct MessageMentionsTests {
  private func ids(_ xml: String) -> [String] { MessageMentions.heMsgIds(in: Array(xml.utf8)) }
  private func parsed(_ xml: String) -> [String] { BagLayout.heMsgIds(inXML: Array(xml.utf8)) }

  /// Whether the byte search read the file itself (a parse of the same file gives the same
  /// ids, so only timing could tell otherwise): it runs the fast path alone.
  private func readWithoutParsing(_ xml: String) -> Bool {
    var fast = false
    Array(xml.utf8).withUnsafeBytes { bytes in
      fast = MessageMentions.canonicalMentions(in: bytes) != nil
    }
    return fast
  }

  @Test(arguments: [
    // Our receipts and Healthengine-style drops: the canonical shape, read without parsing.
    (#"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + #"<receipt drop="d.xml"><confirmInsert heMsgId="he-2" bookingId="1"/><rejectInsert reason="x" heMsgId="he-1"/></receipt>"#, ["he-1", "he-2"], true),
    (#"<drop practiceId="p"><booking heMsgId="HE-1-A" start="2026-03-02T09:00"/><cancellation heMsgId="HE-1-A"/></drop>"#, ["HE-1-A"], true),
    ("\u{FEFF}<drop>\n  <booking\n    heMsgId=\"bom\"/>\n</drop>", ["bom"], true),
    (#"<delta sequence="2"><slot start="09:00"/></delta>"#, [], true),
    (#"<a x=">" y="1"/>"#, [], true),
    // Each of these leaves the shape and is parsed; the ids must still be right.
    (#"<drop><booking heMsgId='single'/></drop>"#, ["single"], false),
    (#"<drop><booking heMsgId = "spaced"/></drop>"#, ["spaced"], false),
    (#"<drop><booking heMsgId="a&amp;b"/></drop>"#, ["a&b"], false),
    ("<drop><booking heMsgId=\"tab\tinside\"/></drop>", ["tab inside"], false),
    (#"<drop><!-- <booking heMsgId="commented"/> --><booking heMsgId="real"/></drop>"#, ["real"], false),
    (#"<drop><![CDATA[<booking heMsgId="cdata"/>]]><booking heMsgId="real"/></drop>"#, ["real"], false),
    (#"<drop><note>the heMsgId="text" was late</note></drop>"#, [], false),
    (#"<drop><booking note='say heMsgId="quoted"' heMsgId="real"/></drop>"#, ["real"], false),
    (#"<drop><booking a=">" heMsgId="after-gt"/></drop>"#, ["after-gt"], false),
    (#"<drop><booking xheMsgId="prefixed" heMsgIdx="suffixed"/></drop>"#, [], false),
    (#"<drop><heMsgId>element</heMsgId></drop>"#, [], false),
    // Our reader takes UTF-8 only (ingest rejects other encodings), so this one mentions nothing.
    (#"<?xml version="1.0" encoding="ISO-8859-1"?><drop><booking heMsgId="latin"/></drop>"#, [], false),
    (#"<?xml version="1.0"?><?pi heMsgId="pi"?><drop><booking heMsgId="real"/></drop>"#, ["real"], false),
    ("", [], false),
  ])
  func theByteSearchAgreesWithLibxml2AndParsesWhenUnsure(xml: String, expected: [String], canonical: Bool) {
    #expect(ids(xml) == expected)
    #expect(parsed(xml) == expected)
    #expect(readWithoutParsing(xml) == canonical)
  }

  /// Random receipts and drops in both shapes: the byte search and libxml2 agree on every one.
  @Test func randomFilesGiveTheSameIdsBothWays() {
    var random = SeededRandom(seed: 5)
    let attributes = ["bookingId", "reason", "start", "patientMatch", "note"]
    var canonicalCount = 0
    for _ in 0..<300 {
      var xml = Bool.random(using: &random) ? #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" : ""
      xml += "<receipt>"
      for _ in 0..<Int.random(in: 0..<12, using: &random) {
        var parts: [String] = []
        for name in attributes.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)) {
          parts.append("\(name)=\"\(["v", ">", "heMsgId", "x y"].randomElement(using: &random)!)\"")
        }
        let id = "he-\(Int.random(in: 0..<40, using: &random))"
        switch Int.random(in: 0..<10, using: &random) {
        case 0: parts.append("heMsgId='\(id)'")
        case 1: xml += "<!-- \(id) -->"
        case 2: xml += "<note>heMsgId=\"\(id)\"</note>"
        default: parts.insert("heMsgId=\"\(id)\"", at: Int.random(in: 0...parts.count, using: &random))
        }
        xml += "<confirmInsert " + parts.joined(separator: ["\n ", " ", "\t"].randomElement(using: &random)!) + "/>"
      }
      xml += "</receipt>\n"
      #expect(ids(xml) == parsed(xml), "\(xml)")
      if readWithoutParsing(xml) { canonicalCount += 1 }
    }
    // Both ways were exercised.
    #expect(canonicalCount > 5 && canonicalCount < 295)
  }
}

@Suite struct ArchiveMessageIndexTests {
  private func index(_ members: [(String, String)]) -> ArchiveMessageIndex {
    var index = ArchiveMessageIndex()
    for (member, xml) in members { Array(xml.utf8).withUnsafeBytes { index.add(member: member, xml: $0) } }
    index.seal()
    return index
  }

  @Test func candidatesNameEveryMemberMentioningAnIdOnce() {
    let index = index([
      ("data/inbox/a.xml", #"<drop><booking heMsgId="one"/><booking heMsgId="two"/><cancellation heMsgId="one"/></drop>"#),
      ("data/state/snapshot.xml", #"<snapshot><slot start="09:00"/></snapshot>"#),
      ("data/outbox/receipt-a.xml", #"<receipt><confirmInsert heMsgId="one"/></receipt>"#),
    ])
    #expect(index.candidates(heMsgId: "one").sorted() == ["data/inbox/a.xml", "data/outbox/receipt-a.xml"])
    #expect(index.candidates(heMsgId: "two") == ["data/inbox/a.xml"])
    #expect(index.candidates(heMsgId: "three").isEmpty)
    // A member mentioning nothing is not listed; a repeat in one member is one entry.
    #expect(index.members == ["data/inbox/a.xml", "data/outbox/receipt-a.xml"])
    #expect(index.entries.count == 3)
    #expect(index.entries == index.entries.sorted())
  }

  @Test func radixSortSortsEntriesAsAddedLikeTheStandardLibrary() {
    var random = SeededRandom(seed: 9)
    for count in [0, 1, 2, 1000, 70_000] {
      // As `add` appends them: ordinals ascending, keys random, some keys repeated.
      var values: [UInt64] = []
      var keys: [UInt64] = []
      for ordinal in 0..<UInt64(count) {
        let key = keys.isEmpty || Bool.random(using: &random)
          ? UInt64.random(in: 0...UInt64.max, using: &random) & ~ArchiveMessageIndex.ordinalMask
          : keys.randomElement(using: &random)!
        keys.append(key)
        values.append(key | (ordinal / 3))
      }
      var sorted = values
      ArchiveMessageIndex.radixSort(&sorted)
      #expect(sorted == values.sorted())
    }
  }

  @Test func theKeyIsStableAcrossVersions() {
    // Stored in the catalog: a change would make every recorded index miss.
    // The same values come from a dozen lines of Python following the doc comment.
    #expect(ArchiveMessageIndex.key("HE-3-A") == 0x9aeb_bf57_8d00_0000)
    #expect(ArchiveMessageIndex.key("") == 0x9ca0_66f1_a400_0000)
    #expect(ArchiveMessageIndex.key("he-0123456789abcdef") == 0x2279_957a_2300_0000)
    let a = ArchiveMessageIndex.key("HE-3-A")
    #expect(a & ArchiveMessageIndex.ordinalMask == 0)
    #expect(a != ArchiveMessageIndex.key("HE-3-B"))
  }

  @Test func membersWithNewlinesSurviveTheCatalogText() {
    let index = index([("data/inbox/odd\nname%.xml", #"<drop><booking heMsgId="x"/></drop>"#)])
    #expect(ArchiveMessageIndex.members(fromText: index.memberText) == ["data/inbox/odd\nname%.xml"])
  }
}
