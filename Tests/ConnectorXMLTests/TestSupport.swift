import ConnectorXML
import Foundation

/// A fresh folder under the system temp directory, removed when `body` returns.
func withTemporaryDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("ConnectorXMLTests-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  return try body(directory)
}

/// Every event of `reader` until the end of the document.
func allEvents(of reader: XMLStreamReader) throws -> [XMLEvent] {
  var events: [XMLEvent] = []
  while let event = try reader.next() { events.append(event) }
  return events
}

/// Every event of the document `xml`.
func allEvents(_ xml: String, limits: XMLReadLimits = .init()) throws -> [XMLEvent] {
  try allEvents(of: XMLStreamReader(bytes: Array(xml.utf8), limits: limits))
}

/// The error reading `bytes` to the end throws, or `nil` if it reads cleanly.
func readError(_ bytes: [UInt8], limits: XMLReadLimits = .init()) -> XMLError? {
  do {
    _ = try allEvents(of: XMLStreamReader(bytes: bytes, limits: limits))
    return nil
  } catch {
    return error as? XMLError
  }
}

func readError(_ xml: String, limits: XMLReadLimits = .init()) -> XMLError? {
  readError(Array(xml.utf8), limits: limits)
}

extension XMLEvent {
  var elementStart: XMLElementStart? {
    if case .startElement(let start) = self { return start }
    return nil
  }
}
