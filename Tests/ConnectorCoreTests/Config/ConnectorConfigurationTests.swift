import Testing

@testable import ConnectorCore

@Suite struct ConnectorConfigurationTests {
  @Test func templateParsesToTheDefaults() throws {
    let text = ConnectorConfiguration.template(practiceID: "practice", databasePath: "ppmp.sqlite", spoolPath: "spool")
    #expect(try ConnectorConfiguration.parse(text) == ConnectorConfiguration())
  }

  @Test func everyKeyIsRead() throws {
    let c = try ConnectorConfiguration.parse(
      """
      practice_id = "riverside-1"
      database = "/data/ppmp.sqlite"
      spool = "spool2"
      horizon_days = 60
      lead_minutes = 120
      settle_seconds = 0
      max_drop_bytes = 2048
      max_attempts = 3
      max_extract_bytes = 4096
      metrics_file = "/var/lib/node_exporter/ppmp.prom"
      [archive]
      codec = "xz"
      level = 6
      every = "10 runs"
      [practitioner.3]
      multi_column = "any"
      """, baseFolder: "/etc/ppmp")
    #expect(c.practiceID == "riverside-1")
    #expect(c.databasePath == "/data/ppmp.sqlite")
    #expect(c.spoolPath == "/etc/ppmp/spool2")
    #expect(c.horizonDays == 60 && c.leadMinutes == 120 && c.settleSeconds == 0)
    #expect(c.maxDropBytes == 2048 && c.maxAttempts == 3 && c.maxExtractBytes == 4096)
    #expect(c.archiveCodec == "xz" && c.archiveLevel == 6 && c.archiveEvery == .runs(10))
    #expect(c.multiColumn == [3: .any])
    #expect(c.metricsFile == "/var/lib/node_exporter/ppmp.prom")
  }

  @Test func metricsFileDefaultsToTheStateFolderAndEmptyTurnsItOff() throws {
    #expect(try ConnectorConfiguration.parse("", baseFolder: "/srv/ppmp/a").metricsFile == "spool/state/metrics.prom")
    #expect(try ConnectorConfiguration.parse(#"spool = "s""#, baseFolder: "/srv/ppmp/a").metricsFile == "/srv/ppmp/a/s/state/metrics.prom")
    #expect(try ConnectorConfiguration.parse(#"metrics_file = "m.prom""#, baseFolder: "/srv/ppmp/a").metricsFile == "/srv/ppmp/a/m.prom")
    #expect(try ConnectorConfiguration.parse(#"metrics_file = """#).metricsFile == nil)
  }

  @Test(arguments: [
    ("horizon_dayz = 3", "horizon_dayz"),
    ("[archive]\nspeed = 1", "archive.speed"),
    ("[practitioner.2]\ncolumns = 2", "practitioner.2.columns"),
    ("horizon_days = 91", "horizon_days"),
    ("horizon_days = \"30\"", "horizon_days"),
    ("[archive]\ncodec = \"lz4\"", "archive.codec"),
    ("[archive]\nevery = \"often\"", "archive.every"),
    ("[practitioner.x]\nmulti_column = \"any\"", "practitioner.x"),
    ("[practitioner.2]\nmulti_column = \"all\"", "practitioner.2.multi_column"),
    ("practice_id = \"has space\"", "practice_id"),
  ])
  func badKeysAreErrorsNamingTheKey(text: String, key: String) {
    #expect {
      _ = try ConnectorConfiguration.parse(text)
    } throws: { error in
      guard let e = error as? ConnectorError, case .configuration(let message) = e else { return false }
      return message.contains("'\(key)'") && e.category == .configuration
    }
  }

  @Test func malformedTomlReportsLineAndColumn() {
    #expect {
      _ = try ConnectorConfiguration.parse("practice_id = \n")
    } throws: { error in
      "\(error)".contains("line 1")
    }
  }

  @Test func pollIntervalIsReadAndBounded() throws {
    #expect(ConnectorConfiguration().pollIntervalMilliseconds == 1000)
    #expect(try ConnectorConfiguration.parse("poll_interval_ms = 250").pollIntervalMilliseconds == 250)
    #expect(throws: ConnectorError.self) { try ConnectorConfiguration.parse("poll_interval_ms = 5") }
    #expect(throws: ConnectorError.self) { try ConnectorConfiguration.parse("poll_interval_ms = \"fast\"") }
  }
}
