import ConnectorTestSupport
import Testing

@testable import ConnectorCore

/// `PublicationWriter` formats whole days into one write after the first; the bytes must be
/// those libxml2's element calls write for the same days, escaping included.
@Suite struct PublicationWriterFormattingTests {
  /// Plain codes take the formatted path; the others need libxml2's escaping and must fall back.
  static let codeLists: [[String]] = [
    [], ["STD"], ["DRYNEEDLE", "STD"], ["HYDRO", "INIT", "TELE"], ["A&B"], ["x<y", "z>w"], ["quote\"d"],
    ["tab\there"], ["Café"], ["new\nline"],
  ]

  static func randomDays(_ rng: inout SeededRandom) -> [(DayAvailability, Bool)] {
    var days: [(DayAvailability, Bool)] = []
    for id in 1...Int64.random(in: 1...6, using: &rng) {
      var date = LocalDate("2026-03-02")!
      for _ in 0..<Int.random(in: 1...8, using: &rng) {
        date = date.adding(days: Int.random(in: 1...3, using: &rng))
        var ranges: [AvailabilityRange] = []
        var minute = Int.random(in: 0...600, using: &rng)
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
          let length = Int.random(in: 1...8, using: &rng) * 15
          guard minute + length < 24 * 60 else { break }
          ranges.append(
            AvailabilityRange(
              start: MinuteOfDay(minute), end: MinuteOfDay(minute + length),
              slotLengthSeconds: [900, 1200, 1800].randomElement(using: &rng)!,
              appointmentTypeCodes: codeLists.randomElement(using: &rng)!))
          minute += length + Int.random(in: 15...60, using: &rng)
        }
        let removed = ranges.isEmpty && Bool.random(using: &rng)
        days.append((DayAvailability(resourceID: id, date: date, ranges: ranges), removed))
      }
    }
    return days
  }

  static func write(
    _ days: [(DayAvailability, Bool)], kind: PublicationWriter.Kind, formatsWholeDays: Bool
  ) throws -> (bytes: [UInt8], formatted: Int) {
    let header = PublicationHeader(
      practiceID: "fmt", sequence: 3, asOf: LocalDateTime("2026-03-02T07:00")!, timeZone: "Australia/Perth",
      horizonStart: LocalDate("2026-03-02")!, horizonDays: 30)
    let writer = try PublicationWriter(kind: kind, header: header)
    writer.formatsWholeDays = formatsWholeDays
    for (day, removed) in days { try writer.writeDay(day, removed: removed) }
    let formatted = writer.formattedDays
    return (try writer.finish(), formatted)
  }

  @Test(arguments: 0..<40)
  func formattedDaysMatchElementCalls(seed: UInt64) throws {
    var rng = SeededRandom(seed: seed)
    let days = Self.randomDays(&rng)
    let kind: PublicationWriter.Kind =
      seed % 2 == 0 ? .snapshot : .delta(baseSequence: 2, baseSHA256: String(repeating: "a", count: 64))
    let formatted = try Self.write(days, kind: kind, formatsWholeDays: true)
    let elementCalls = try Self.write(days, kind: kind, formatsWholeDays: false)
    #expect(elementCalls.formatted == 0)
    #expect(formatted.bytes == elementCalls.bytes)
  }

  @Test func plainDaysAfterTheFirstAreFormattedAndEscapedOnesAreNot() throws {
    let date = LocalDate("2026-03-02")!
    let range = { (codes: [String]) in
      AvailabilityRange(start: MinuteOfDay(540), end: MinuteOfDay(600), slotLengthSeconds: 900, appointmentTypeCodes: codes)
    }
    let days = [
      (DayAvailability(resourceID: 1, date: date, ranges: [range(["STD"])]), false),
      (DayAvailability(resourceID: 1, date: date.adding(days: 1), ranges: [range(["STD"])]), false),
      (DayAvailability(resourceID: 1, date: date.adding(days: 2), ranges: [range(["A&B"])]), false),
      (DayAvailability(resourceID: 1, date: date.adding(days: 3), ranges: []), true),
    ]
    let written = try Self.write(days, kind: .snapshot, formatsWholeDays: true)
    #expect(written.formatted == 2)
    let text = String(decoding: written.bytes, as: UTF8.self)
    #expect(text.contains("pmsAppointmentTypeIds=\"A&amp;B\""))
    #expect(text.contains("    <day pmsResourceId=\"1\" date=\"2026-03-05\" removed=\"true\"/>\n  </availability>\n"))
    #expect(written.bytes == (try Self.write(days, kind: .snapshot, formatsWholeDays: false)).bytes)
  }
}
