import ConnectorCore
import Testing

@Suite struct LivenessConfigurationTests {
  @Test func livenessHoursAreReadPerWeekday() throws {
    let c = try ConnectorConfiguration.parse(
      """
      [liveness]
      monday = ["08:00-12:00", "13:00-17:00"]
      saturday = ["09:00-24:00"]
      public_holidays = "open"
      """)
    let hours = try #require(c.liveness)
    #expect(hours.days[0].map(\.description) == ["08:00-12:00", "13:00-17:00"])
    #expect(hours.days[5].map(\.description) == ["09:00-24:00"])
    #expect(hours.days[1].isEmpty && hours.publicHolidaysOpen)
    // 2026-03-02 is a Monday.
    let monday = LocalDate("2026-03-02")!
    #expect(hours.isLive(on: monday, at: MinuteOfDay(8 * 60), holiday: false))
    #expect(!hours.isLive(on: monday, at: MinuteOfDay(12 * 60 + 30), holiday: false))
    #expect(hours.isLive(on: monday, at: MinuteOfDay(9 * 60), holiday: true))
    #expect(try ConnectorConfiguration.parse("").liveness == nil)
    #expect(try ConnectorConfiguration.parse(ConnectorConfiguration.template(practiceID: "p", databasePath: "d", spoolPath: "s")).liveness == nil)
  }

  @Test(arguments: [
    ("[liveness]\nmonday = [\"17:00-08:00\"]", "liveness.monday"),
    ("[liveness]\nmonday = [\"08:00-12:00\", \"11:00-13:00\"]", "liveness.monday"),
    ("[liveness]\nmonday = \"08:00-12:00\"", "liveness.monday"),
    ("[liveness]\nfunday = [\"08:00-12:00\"]", "liveness.funday"),
    ("[liveness]\npublic_holidays = \"sometimes\"", "liveness.public_holidays"),
  ])
  func badLivenessKeysAreErrorsNamingTheKey(toml: String, key: String) {
    #expect {
      _ = try ConnectorConfiguration.parse(toml)
    } throws: { error in
      "\(error)".contains(key)
    }
  }
}
