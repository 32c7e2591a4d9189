import ConnectorCore
import Testing

@Suite struct BagLayoutTests {
  @Test(arguments: [
    (#"<receipt xmlns="urn:ppmp-connector:exchange:1"><confirmInsert heMsgId="b"/><reject heMsgId="a"/></receipt>"#, ["a", "b"]),
    // "h" and "heMsg" appear before the real attribute: the byte search must not stop there.
    (#"<drop hx="heMsg"><booking heMsgId="he-1"/><cancellation heMsgId="he-1"/></drop>"#, ["he-1"]),
    (#"<delta sequence="2"><slot start="09:00"/></delta>"#, []),
    (#"<delta note="heMsgI"/>"#, []),
    ("", []),
  ])
  func heMsgIdsAreFoundOnlyWhereTheAttributeIs(xml: String, expected: [String]) {
    #expect(BagLayout.heMsgIds(inXML: Array(xml.utf8)) == expected)
  }
}
