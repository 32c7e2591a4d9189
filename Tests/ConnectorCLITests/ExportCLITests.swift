import ConnectorTestSupport
import Foundation
import Testing

@Suite struct ExportCLITests {
  @Test func fullExportOfTheDemoIsByteIdenticalAcrossRunsAndMatchesTheGoldenFile() throws {
    let a = try DemoSpool(label: "export-a")
    let b = try DemoSpool(label: "export-b")
    let ra = try a.run(["export", "--full"])
    let rb = try b.run(["export", "--full"])
    #expect(ra.status == 0, "\(ra.stderr)")
    #expect(rb.status == 0, "\(rb.stderr)")
    let fa = try a.outboxFiles(prefix: "snapshot-")
    #expect(fa == ["snapshot-demo-1.xml"])
    let bytes = a.contents(a.outbox + "/snapshot-demo-1.xml")
    #expect(!bytes.isEmpty)
    #expect(bytes == b.contents(b.outbox + "/snapshot-demo-1.xml"))
    let diff = try GoldenFile.compare(bytes, golden: "golden/demo-snapshot-2026-03-02.xml")
    #expect(diff == nil, "\(diff ?? "")")
  }

  @Test func demoSnapshotValidatesWithXmllintAndTheShippedSchema() throws {
    let spool = try DemoSpool(label: "export-xsd")
    #expect(try spool.run(["export"]).status == 0)
    let schema = RepositoryPaths.root + "/docs/schemas/snapshot.xsd"
    let r = try CommandRunner.run("/usr/bin/xmllint", ["--noout", "--schema", schema, spool.outbox + "/snapshot-demo-1.xml"])
    #expect(r.status == 0, "\(r.stderr)")
    let v = try spool.run(["validate", spool.outbox + "/snapshot-demo-1.xml"])
    #expect(v.status == 0 && v.stdout.contains("valid snapshot"), "\(v.stdout)\(v.stderr)")
  }

  @Test func invalidDiaryRowsAreReportedAndTheirSessionsAreNotPublished() throws {
    let spool = try DemoSpool(label: "export-diag")
    let r = try spool.run(["export"])
    #expect(r.status == 0)
    for text in [#""9:00""#, #""9:00 am""#, #""0900""#] {
      #expect(r.stderr.contains(text), "stderr lacks \(text): \(r.stderr)")
    }
    #expect(r.stderr.contains("main diary") && r.stderr.contains("alternate diary"), "\(r.stderr)")
    // Patient data never reaches the log.
    #expect(!r.stderr.lowercased().contains("dob"))
  }

  @Test func secondExportWithNothingChangedWritesNothing() throws {
    let spool = try DemoSpool(label: "export-twice")
    #expect(try spool.run(["export"]).status == 0)
    let second = try spool.run(["export"])
    #expect(second.status == 0)
    #expect(second.stdout.contains("no change"), "\(second.stdout)")
    #expect(try spool.outboxFiles() == ["snapshot-demo-1.xml"])
  }

  @Test func nextDayExportWritesAValidDelta() throws {
    let spool = try DemoSpool(label: "export-delta")
    #expect(try spool.run(["export"]).status == 0)
    let r = try spool.run(["export"], asOf: "2026-03-03T08:00")
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try spool.outboxFiles(prefix: "delta-") == ["delta-demo-2.xml"])
    let v = try spool.run(["validate", spool.outbox + "/delta-demo-2.xml"])
    #expect(v.status == 0, "\(v.stderr)")
  }

  @Test func unknownConfigurationKeyIsAnErrorNamingIt() throws {
    let spool = try DemoSpool(label: "export-config")
    let config = spool.folder.child("connector.toml")
    let text = try String(contentsOfFile: config, encoding: .utf8) + "\nhorizon_dayz = 3\n"
    try text.write(toFile: config, atomically: true, encoding: .utf8)
    let r = try spool.run(["export"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("horizon_dayz"))
  }

  @Test func databaseMissingATableIsRefusedByName() throws {
    let spool = try DemoSpool(label: "export-schema")
    let drop = try CommandRunner.run("/usr/bin/sqlite3", [spool.database, "DROP TABLE holidays;"])
    #expect(drop.status == 0)
    let r = try spool.run(["export"])
    #expect(r.status == 65)
    #expect(r.stderr.contains("table holidays"), "\(r.stderr)")
  }

  /// The demo spool with two full snapshots a day apart in its outbox.
  static func twoSnapshots(label: String) throws -> (spool: DemoSpool, one: String, two: String) {
    let spool = try DemoSpool(label: label)
    #expect(try spool.run(["export", "--full"]).status == 0)
    #expect(try spool.run(["export", "--full"], asOf: "2026-03-03T08:00").status == 0)
    return (spool, spool.outbox + "/snapshot-demo-1.xml", spool.outbox + "/snapshot-demo-2.xml")
  }

  @Test func diffCommandExitsZeroWhenEqualAndOneWhenDifferent() throws {
    let (spool, one, two) = try Self.twoSnapshots(label: "diff-cli")
    let same = try spool.run(["diff", one, one])
    #expect(same.status == 0 && same.stdout.isEmpty)
    let out = spool.folder.child("d.xml")
    let different = try spool.run(["diff", one, two, "-o", out])
    #expect(different.status == 1)
    #expect(try spool.run(["validate", out]).status == 0)
  }

  /// The diff reads the connector's own snapshots from their bytes; a base in another form (here
  /// from its middle on, so the byte path gives up part-way) must give the same delta.
  @Test func diffOfAReformattedBaseWritesTheSameDelta() throws {
    let (spool, one, two) = try Self.twoSnapshots(label: "diff-reformatted")
    let text = try String(contentsOfFile: one, encoding: .utf8)
    let middle = text.index(text.startIndex, offsetBy: text.count / 2)
    let reformatted = spool.folder.child("one-reformatted.xml")
    try (String(text[..<middle]) + text[middle...].replacingOccurrences(of: "\" slotLength=", with: "\"\n slotLength="))
      .write(toFile: reformatted, atomically: false, encoding: .utf8)
    #expect(try String(contentsOfFile: reformatted, encoding: .utf8) != text)

    let fromOwn = spool.folder.child("a.xml")
    let fromReformatted = spool.folder.child("b.xml")
    #expect(try spool.run(["diff", one, two, "-o", fromOwn]).status == 1)
    #expect(try spool.run(["diff", reformatted, two, "-o", fromReformatted]).status == 1)
    // The deltas name their base by its hash, which differs with the bytes; the rest is the same.
    let withoutBaseHash = { (path: String) in
      try String(contentsOfFile: path, encoding: .utf8).replacing(/baseSha256="[0-9a-f]{64}"/, with: "")
    }
    #expect(try withoutBaseHash(fromOwn) == withoutBaseHash(fromReformatted))
    #expect(try withoutBaseHash(fromOwn).contains("<day "))
  }
}
