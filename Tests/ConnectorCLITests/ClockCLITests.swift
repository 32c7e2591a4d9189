import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// One run with a clock years ahead must not freeze archiving, and `doctor` must say so.
@Suite struct ClockCLITests {
  @Test func aRunDatedYearsAheadDoesNotFreezeTheArchiveCadenceAndDoctorReportsIt() throws {
    let spool = try DemoSpool(label: "clock-ahead")
    try spool.prepareForIngest()
    let config = spool.folder.child("connector.toml")
    let text = try String(contentsOfFile: config, encoding: .utf8)
    let every = try #require(text.split(separator: "\n").first { $0.hasPrefix("every") || $0.contains("every =") })
    try text.replacingOccurrences(of: String(every), with: "every = \"60 minutes\"").write(toFile: config, atomically: true, encoding: .utf8)

    _ = try spool.run(["run"], asOf: "2031-06-01T08:00")  // the wrong clock: archives, dated 2031
    let archivesAfterWrongClock = spool.archiveCount()
    #expect(archivesAfterWrongClock >= 1)
    // Back on the right clock: a new drop is staged, and the next run archives it, not in 2031.
    try spool.placeDrop("late.xml", try DropWriter.render(practiceID: "demo", bookings: [], cancellations: [
      CancellationMessage(heMsgId: "nobody", requestId: "r-late", updatedAt: "2026-03-02T00:00:00Z")
    ]))
    _ = try spool.run(["run"])
    #expect(spool.archiveCount() == archivesAfterWrongClock + 1, "the cadence waited for the 2031 archive")

    // doctor on the right clock names the clock that wrote the 2031 archive (before the next one resets it).
    _ = try spool.run(["run"], asOf: "2031-06-01T09:30")
    let doctor = try spool.run(["doctor"], asOf: "2026-03-02T10:00")
    #expect(doctor.stdout.contains("clock-ahead") && doctor.stdout.contains("2031-06-01"), "\(doctor.stdout)")
  }
}

extension DemoSpool {
  /// Archive files under spool/archive.
  func archiveCount() -> Int {
    let root = folder.child("spool/archive")
    let months = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    return months.reduce(0) { n, m in
      n + ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + m)) ?? []).filter { $0.hasSuffix(".tar.zst") }.count
    }
  }
}
