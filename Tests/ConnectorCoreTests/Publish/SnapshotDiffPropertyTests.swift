import ConnectorTestSupport
import Foundation
import Testing

@testable import ConnectorCore

/// Random practices and random edits: applying the delta to its base must give the new
/// snapshot's content exactly (SPEC §5).
@Suite struct SnapshotDiffPropertyTests {
  static let start = LocalDate("2026-03-02")!

  static func randomBook(_ rng: inout SeededRandom) -> PracticeBook {
    var book = PracticeBook(practitioners: [])
    let count = Int.random(in: 1...5, using: &rng)
    var rowID: Int64 = 1
    for id in 1...Int64(count) {
      book.practitioners.append(
        Practitioner(id: id, title: "Dr", firstName: "P\(id)", lastName: "L\(id)", columns: Int.random(in: 1...2, using: &rng)))
      for weekday in 1...6 where Bool.random(using: &rng) {
        let startHour = Int.random(in: 7...10, using: &rng)
        let interval = [15, 20, 30].randomElement(using: &rng)!
        book.diaryRows.append(
          DiaryRow(
            id: rowID, staffID: id, diary: .main, weekday: weekday, startText: String(format: "%02d:00", startHour),
            endText: String(format: "%02d:00", startHour + Int.random(in: 2...6, using: &rng)), intervalMinutes: interval))
        rowID += 1
      }
    }
    book.appointmentTypes = [
      AppointmentType(id: 1, code: "STD", name: "Standard", lengthMinutes: 30),
      AppointmentType(id: 2, code: "LONG", name: "Long", lengthMinutes: 60),
    ]
    for _ in 0..<Int.random(in: 0...20, using: &rng) { book.bookings.append(randomBooking(&rng, book)) }
    return book
  }

  static func randomBooking(_ rng: inout SeededRandom, _ book: PracticeBook) -> BookedInterval {
    let staff = book.practitioners.randomElement(using: &rng)!.id
    return BookedInterval(
      appointmentID: Int64.random(in: 1...1_000_000, using: &rng), staffID: staff, column: 1,
      date: start.adding(days: Int.random(in: 0...9, using: &rng)),
      start: MinuteOfDay(Int.random(in: 28...70, using: &rng) * 15), durationMinutes: [15, 30, 45].randomElement(using: &rng)!)
  }

  /// One random edit of the kinds the issue names.
  static func edit(_ book: inout PracticeBook, _ asOf: inout LocalDateTime, _ rng: inout SeededRandom) {
    switch Int.random(in: 0..<7, using: &rng) {
    case 0: book.bookings.append(randomBooking(&rng, book))
    case 1: if !book.bookings.isEmpty { book.bookings.remove(at: Int.random(in: 0..<book.bookings.count, using: &rng)) }
    case 2:
      let staff = book.practitioners.randomElement(using: &rng)!.id
      book.blocks.append(
        DiaryBlock(
          id: Int64(book.blocks.count + 1), staffID: staff, date: start.adding(days: Int.random(in: 0...9, using: &rng)),
          startText: Bool.random(using: &rng) ? "10:00" : nil, endText: nil))
    case 3:
      if !book.diaryRows.isEmpty {
        let i = Int.random(in: 0..<book.diaryRows.count, using: &rng)
        book.diaryRows[i].endText = String(format: "%02d:30", Int.random(in: 11...18, using: &rng))
      }
    case 4:
      let id = (book.practitioners.map(\.id).max() ?? 0) + 1
      book.practitioners.append(Practitioner(id: id, firstName: "New", lastName: "P\(id)"))
      book.diaryRows.append(
        DiaryRow(id: 10_000 + id, staffID: id, diary: .main, weekday: 2, startText: "09:00", endText: "12:00", intervalMinutes: 15))
    case 5:
      if book.practitioners.count > 1 { book.practitioners.remove(at: Int.random(in: 0..<book.practitioners.count, using: &rng)) }
    default:
      asOf = LocalDateTime(date: asOf.date.adding(days: 1), time: asOf.time)
    }
  }

  static func snapshot(_ book: PracticeBook, asOf: LocalDateTime, sequence: Int64, to path: String) throws {
    let options = AvailabilityOptions(asOf: asOf, horizonDays: 7, timeZone: TimeZone(identifier: "Australia/Perth")!)
    let header = PublicationHeader(
      practiceID: "prop", sequence: sequence, asOf: asOf, timeZone: "Australia/Perth", horizonStart: asOf.date, horizonDays: 7)
    try SnapshotFile.write(book: book, availability: AvailabilityEngine.compute(book, options: options), header: header, to: path)
  }

  /// A random practice's snapshot at `old`, and at `new` after up to four random edits.
  static func writeRandomPair(_ rng: inout SeededRandom, old: String, new: String) throws {
    var book = randomBook(&rng)
    var asOf = LocalDateTime(date: start, time: MinuteOfDay(8 * 60))
    try snapshot(book, asOf: asOf, sequence: 1, to: old)
    for _ in 0..<Int.random(in: 0...4, using: &rng) { edit(&book, &asOf, &rng) }
    try snapshot(book, asOf: asOf, sequence: 2, to: new)
  }

  @Test(arguments: 0..<300)
  func applyingTheDeltaGivesTheNewSnapshot(seed: Int) throws {
    let folder = try TemporaryFolder("diff-prop")
    var rng = SeededRandom(seed: UInt64(seed) &* 7919 &+ 1)
    try Self.writeRandomPair(&rng, old: folder.child("old.xml"), new: folder.child("new.xml"))

    let baseHash = try SHA256Digest.hex(ofFile: folder.child("old.xml"))
    let summary = try SnapshotDiff.writeDelta(
      base: folder.child("old.xml"), new: folder.child("new.xml"), to: folder.child("delta.xml"), baseSHA256: baseHash)
    let old = try SnapshotContent(path: folder.child("old.xml"))
    let new = try SnapshotContent(path: folder.child("new.xml"))
    if summary.isEmpty {
      let sameDays = old.days == new.days
      let sameLists = old.resources == new.resources && old.appointmentTypes == new.appointmentTypes
      #expect(sameDays && sameLists)
      #expect(!FileManager.default.fileExists(atPath: folder.child("delta.xml")))
    } else {
      let applied = try old.applying(deltaAt: folder.child("delta.xml"))
      #expect(applied == new, "seed \(seed): base + delta differs from the new snapshot")
      #expect(ExchangeValidator.validate(path: folder.child("delta.xml")).errors.isEmpty)
    }
  }

  @Test func deltaIsByteDeterministic() throws {
    let folder = try TemporaryFolder("diff-det")
    var rng = SeededRandom(seed: 42)
    var book = Self.randomBook(&rng)
    var asOf = LocalDateTime(date: Self.start, time: MinuteOfDay(8 * 60))
    try Self.snapshot(book, asOf: asOf, sequence: 1, to: folder.child("old.xml"))
    for _ in 0..<3 { Self.edit(&book, &asOf, &rng) }
    book.bookings.append(Self.randomBooking(&rng, book))
    try Self.snapshot(book, asOf: asOf, sequence: 2, to: folder.child("new.xml"))
    for name in ["a.xml", "b.xml"] {
      try SnapshotDiff.writeDelta(base: folder.child("old.xml"), new: folder.child("new.xml"), to: folder.child(name), baseSHA256: "ab")
    }
    let a = FileManager.default.contents(atPath: folder.child("a.xml"))
    #expect(a != nil && a == FileManager.default.contents(atPath: folder.child("b.xml")))
  }

  @Test func formattingDifferencesAreNotChanges() throws {
    let folder = try TemporaryFolder("diff-format")
    let old = """
      <?xml version="1.0" encoding="UTF-8"?>
      <snapshot xmlns="urn:ppmp-connector:exchange:1" practiceId="p" sequence="1" asOf="2026-03-02T08:00" timezone="UTC" horizonStart="2026-03-02" horizonDays="1">
        <pmsResources><pmsResource pmsResourceId="1" pmsResourceName="A B" pmsPractitionerFirstname="A" pmsPractitionerLastname="B"/></pmsResources>
        <pmsAppointmentTypes/>
        <availability>
          <day pmsResourceId="1" date="2026-03-02"><range start="09:00" end="10:00" slotLength="900" pmsAppointmentTypeIds="X Y"/></day>
        </availability>
      </snapshot>
      """
    // Same content: other attribute order and whitespace, the range split in two, codes reordered.
    let new = """
      <?xml version="1.0" encoding="UTF-8"?><snapshot horizonDays="1" horizonStart="2026-03-02" timezone="UTC" asOf="2026-03-02T09:00" sequence="2" practiceId="p" xmlns="urn:ppmp-connector:exchange:1"><pmsResources><pmsResource pmsPractitionerLastname="B" pmsPractitionerFirstname="A" pmsResourceName="A B" pmsResourceId="1"></pmsResource></pmsResources><pmsAppointmentTypes></pmsAppointmentTypes><availability><day date="2026-03-02" pmsResourceId="1"><range pmsAppointmentTypeIds="Y X" slotLength="900" end="09:30" start="09:00"/><range start="09:30" end="10:00" slotLength="900" pmsAppointmentTypeIds="X Y"/></day></availability></snapshot>
      """
    try old.write(toFile: folder.child("old.xml"), atomically: false, encoding: .utf8)
    try new.write(toFile: folder.child("new.xml"), atomically: false, encoding: .utf8)
    let summary = try SnapshotDiff.writeDelta(
      base: folder.child("old.xml"), new: folder.child("new.xml"), to: folder.child("d.xml"), baseSHA256: "x")
    #expect(summary.isEmpty)
  }
}
