@testable import ConnectorCore
import Testing

/// requestIds are indexed like heMsgIds (`audit find <requestId>`), by the byte search where a
/// file is canonical and by libxml2 otherwise (a refresh's `requestIds` list always).
@Suite struct MessageMentionsRequestTests {
  @Test(arguments: [
    (#"<receipt><confirmInsert heMsgId="he-1"/><confirmRequest requestId="r-1" kind="k" file="f"/></receipt>"#, ["he-1", "r-1"], true),
    (#"<drop><availabilityRequest requestId="r-2" day="2026-03-04"/><pmsAppointmentChangesRequest requestId="r-3" heMsgId="he-9"/></drop>"#, ["he-9", "r-2", "r-3"], true),
    (#"<availabilityRefresh requestIds="r-4 r-5" sequence="3"/>"#, ["r-4", "r-5"], false),
    (#"<availabilityRefresh requestIds="" sequence="3"/>"#, [], false),
  ])
  func requestIdsAreMentions(xml: String, expected: [String], canonical: Bool) {
    let bytes = Array(xml.utf8)
    #expect(MessageMentions.heMsgIds(in: bytes) == expected)
    #expect(BagLayout.heMsgIds(inXML: bytes) == expected)
    var fast = false
    bytes.withUnsafeBytes { fast = MessageMentions.canonicalMentions(in: $0) != nil }
    #expect(fast == canonical)
  }
}
