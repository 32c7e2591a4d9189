import Testing

@testable import ConnectorCore

@Suite struct LocalDateTests {
  @Test(arguments: ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-01-01", "2026-1-01", "2026-01-01x", ""])
  func nonexistentOrMalformedDatesAreNil(text: String) {
    #expect(LocalDate(text) == nil)
  }

  @Test func roundTripsAndWeekdays() throws {
    let d = try #require(LocalDate("2024-02-29"))
    #expect(d.description == "2024-02-29")
    #expect(d.weekday == 4)  // a Thursday
    #expect(LocalDate("2026-03-02")?.weekday == 1)
    #expect(d.adding(days: 1).description == "2024-03-01")
    #expect(LocalDate("1970-01-01")?.dayNumber == 0)
    #expect(LocalDate("1969-12-31")?.weekday == 3)
  }

  @Test func dateTimesParseStrictly() {
    #expect(LocalDateTime("2026-03-02T08:05")?.description == "2026-03-02T08:05")
    #expect(LocalDateTime("2026-03-02 08:05") == nil)
    #expect(LocalDateTime("2026-03-02T24:00") == nil)
    #expect(LocalDateTime(absoluteMinutes: LocalDateTime("2026-03-02T23:59")!.absoluteMinutes + 1).description == "2026-03-03T00:00")
  }
}
