import ConnectorTestSupport
import Foundation
import Testing

@testable import ConnectorCore

/// The diff reads snapshots in the writer's own form from their bytes (`CanonicalDayScanner`)
/// and anything else through libxml2. Whatever the bytes, reading from the bytes must give what
/// libxml2's path gives (head, days, base hash) or give up; it must never accept a file libxml2
/// rejects. Seeded random snapshots, edited into other valid XML (whitespace, quotes, attribute
/// order, comments, CDATA, character references, prefixes, CRLF) or invalid XML.
@Suite struct CanonicalDayReadingTests {
  enum Outcome: Equatable {
    case read(PublicationHeader, [ResourceEntry]?, [AppointmentTypeEntry]?, [PublishedDay])
    case failed
  }

  /// A snapshot as the writer writes it; codes that need escaping (`A&B`, `Café`, …) in about
  /// a third, which the bytes path must leave to libxml2.
  static func randomSnapshot(_ rng: inout SeededRandom) throws -> (text: String, plainCodes: Bool) {
    let header = PublicationHeader(
      practiceID: "canon", sequence: Int64.random(in: 1...9, using: &rng), asOf: LocalDateTime("2026-03-02T07:00")!,
      timeZone: "Australia/Perth", horizonStart: LocalDate("2026-03-02")!, horizonDays: 30)
    let writer = try PublicationWriter(kind: .snapshot, header: header)
    let names = ["A B", "Zoë Ng", "O'Brien & Co", "x<y>"]
    try writer.writeResources(
      (1...Int64.random(in: 1...3, using: &rng)).map {
        ResourceEntry(id: $0, name: names.randomElement(using: &rng)!, title: nil, firstName: "F", lastName: "L")
      })
    try writer.writeAppointmentTypes([AppointmentTypeEntry(code: "STD", name: "Standard", lengthMinutes: 15, resourceID: nil)])
    let plainCodes = Int.random(in: 0..<3, using: &rng) > 0
    for (var day, _) in PublicationWriterFormattingTests.randomDays(&rng) {
      if plainCodes {
        for i in day.ranges.indices where !day.ranges[i].appointmentTypeCodes.joined().utf8.allSatisfy(Self.isPlain) {
          day.ranges[i].appointmentTypeCodes = ["STD"]
        }
      }
      try writer.writeDay(day)
    }
    return (String(decoding: try writer.finish(), as: UTF8.self), plainCodes)
  }

  static func isPlain(_ byte: UInt8) -> Bool {
    byte > 0x20 && byte < 0x7F && !"&<>\"".utf8.contains(byte)
  }

  /// One edit of a random day or range line (or of the document around them).
  static func edit(_ text: String, _ rng: inout SeededRandom) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let dayLines = lines.indices.filter { lines[$0].contains("<day ") || lines[$0].contains("<range ") }
    guard let i = dayLines.randomElement(using: &rng) else { return text + "<!-- after the root -->\n" }
    var line = lines[i]
    switch Int.random(in: 0..<22, using: &rng) {
    case 0: line = line.replacingOccurrences(of: "/>", with: " />")
    case 1: line = line.replacingOccurrences(of: "\"", with: "'")
    case 2: line = "<!-- a comment -->" + line
    case 3: line += "<![CDATA[ some text ]]>"
    case 4: line = line.replacingOccurrences(of: ":", with: "&#58;").replacingOccurrences(of: "S", with: "&#x53;")
    case 5: line = movingFirstAttributeToTheEnd(line)
    case 6: line = line.replacingOccurrences(of: "slotLength=\"", with: "slotLength=\"0")
    case 7: line += "\r"
    case 8: line = line.replacingOccurrences(of: "pmsAppointmentTypeIds=\"", with: "pmsAppointmentTypeIds=\"\t")
    case 9: line = line.replacingOccurrences(of: "\"/>", with: line.contains("<day") ? "\"></day>" : "\"></range>")
    case 10:
      line = line.replacingOccurrences(of: "<day ", with: "<day extra=\"1\" ")
        .replacingOccurrences(of: "<range ", with: "<range x=\"\" ")
    case 11: line = line.replacingOccurrences(of: "<day ", with: "<day removed=\"false\" ")
    case 12: line = " " + line
    case 13:
      let j = dayLines.randomElement(using: &rng)!
      lines.swapAt(i, j)
      return lines.joined(separator: "\n")
    case 14: return String(decoding: Array(text.utf8.prefix(Int.random(in: 0..<text.utf8.count, using: &rng))), as: UTF8.self)
    case 15: line = line.replacingOccurrences(of: "slotLength=\"900\"", with: "slotLength=\"1200\"")
    case 16:
      line = line.replacingOccurrences(of: "<range ", with: "<x:range xmlns:x=\"urn:ppmp-connector:exchange:1\" ")
        .replacingOccurrences(of: "</range>", with: "</x:range>")
    case 17: return text + "<!-- after the root -->\n"
    case 18: return String(text.dropLast())
    case 19: line = line.replacingOccurrences(of: "STD", with: "STÉ")
    case 20:
      lines[1] += "<!--\n  <availability>\n-->"
      return lines.joined(separator: "\n")
    default: line = line.replacingOccurrences(of: " date=\"", with: "  date=\"")
    }
    lines[i] = line
    return lines.joined(separator: "\n")
  }

  static func movingFirstAttributeToTheEnd(_ line: String) -> String {
    guard let space = line.range(of: " ", range: line.range(of: "<")!.upperBound..<line.endIndex),
      let equals = line.range(of: "=\"", range: space.upperBound..<line.endIndex),
      let quote = line.range(of: "\"", range: equals.upperBound..<line.endIndex),
      let close = line.range(of: "/>") ?? line.range(of: ">", options: .backwards)
    else { return line }
    let attribute = line[space.lowerBound..<quote.upperBound]
    var out = line
    out.insert(contentsOf: attribute, at: close.lowerBound)
    out.removeSubrange(space.lowerBound..<quote.upperBound)
    return out
  }

  static func throughLibxml2(_ path: String) -> Outcome {
    guard let reader = try? PublicationReader(path: path) else { return .failed }
    var days: [PublishedDay] = []
    do {
      while let day = try reader.nextDay() { days.append(day) }
    } catch { return .failed }
    return .read(reader.header, reader.resources, reader.appointmentTypes, days)
  }

  /// nil when reading from the bytes gave up; the hash of the bytes it read with the outcome.
  static func fromBytes(_ path: String) throws -> (Outcome, String)? {
    guard let reader = PublicationReader(canonicalSnapshotAt: path, hashingInput: true) else { return nil }
    var days: [PublishedDay] = []
    do {
      while try reader.readRawDay() { days.append(reader.decodedRawDay()) }
    } catch is CanonicalDayScanner.NotCanonical {
      return nil
    }
    return (.read(reader.header, reader.resources, reader.appointmentTypes, days), try reader.inputSHA256())
  }

  @Test(arguments: 0..<150)
  func readingFromTheBytesReadsWhatLibxml2ReadsOrGivesUp(seed: UInt64) throws {
    let folder = try TemporaryFolder("canon-read")
    var rng = SeededRandom(seed: seed &* 104_729 &+ 3)
    let (written, plainCodes) = try Self.randomSnapshot(&rng)
    let path = folder.child("s.xml")
    try written.write(toFile: path, atomically: false, encoding: .utf8)
    // The writer's own output is read from the bytes unless a code needed escaping.
    let plain = try Self.fromBytes(path)
    if plainCodes || plain != nil {
      #expect(plain?.0 == Self.throughLibxml2(path), "seed \(seed): the writer's own file")
      #expect(plain?.1 == (try SHA256Digest.hex(ofFile: path)))
    }

    var edited = written
    for _ in 0..<Int.random(in: 1...3, using: &rng) { edited = Self.edit(edited, &rng) }
    try edited.write(toFile: path, atomically: false, encoding: .utf8)
    let libxml2 = Self.throughLibxml2(path)
    if let (outcome, hash) = try Self.fromBytes(path) {
      #expect(outcome == libxml2, "seed \(seed): read from the bytes differently:\n\(edited)")
      #expect(hash == (try SHA256Digest.hex(ofFile: path)))
    }
  }

  @Test(arguments: 0..<100)
  func diffFromTheBytesWritesWhatTheLibxml2DiffWrites(seed: Int) throws {
    let folder = try TemporaryFolder("canon-diff")
    var rng = SeededRandom(seed: UInt64(seed) &* 6_151 &+ 11)
    let old = folder.child("old.xml")
    let new = folder.child("new.xml")
    try SnapshotDiffPropertyTests.writeRandomPair(&rng, old: old, new: new)
    // Half the pairs have one or both files edited away from the writer's form.
    for path in [old, new] where Int.random(in: 0..<4, using: &rng) == 0 {
      let text = try String(contentsOfFile: path, encoding: .utf8)
      try Self.edit(text, &rng).write(toFile: path, atomically: false, encoding: .utf8)
    }

    func diff(readingBytes: Bool, to name: String) -> (DiffSummary, String, [UInt8]?)? {
      guard
        let result = try? SnapshotDiff.write(
          base: old, new: new, to: folder.child(name), baseSHA256: nil, sequence: nil, readingBytes: readingBytes)
      else { return nil }
      return (result.summary, result.baseSHA256, FileManager.default.contents(atPath: folder.child(name)).map { Array($0) })
    }
    let fromBytes = diff(readingBytes: true, to: "a.xml")
    let libxml2 = diff(readingBytes: false, to: "b.xml")
    #expect(fromBytes?.0 == libxml2?.0 && fromBytes?.1 == libxml2?.1, "seed \(seed)")
    #expect(fromBytes?.2 == libxml2?.2, "seed \(seed): the deltas differ")
    #expect((fromBytes == nil) == (libxml2 == nil))
  }
}
