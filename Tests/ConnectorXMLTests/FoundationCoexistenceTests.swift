// Guards the ICU `UErrorCode` clash: this file must import Foundation and the
// libxml2 wrapper together and use both, or the shim's #undef could regress unnoticed.
import ConnectorXML
import Foundation
import Testing

@Suite struct FoundationCoexistenceTests {
  @Test func foundationAndConnectorXMLWorkSideBySide() throws {
    let writer = try XMLStreamWriter()
    try writer.startElement("when")
    try writer.writeText(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: 0)))
    try writer.endDocument()
    let data = Data(writer.finishedBytes())
    let events = try allEvents(of: XMLStreamReader(bytes: [UInt8](data)))
    #expect(events.contains(.text("1970-01-01T00:00:00Z")))
  }
}
