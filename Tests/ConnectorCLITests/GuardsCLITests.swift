import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// A clock that went back is reported and does not stall archiving; `health` ages from the last
/// success, not from the last run.
@Suite struct GuardsCLITests {
  private func setEvery(_ spool: DemoSpool, _ value: String) throws {
    let config = spool.folder.child("connector.toml")
    let text = try String(contentsOfFile: config, encoding: .utf8)
    let every = try #require(text.split(separator: "\n").first { $0.hasPrefix("every") || $0.contains("every =") })
    try text.replacingOccurrences(of: String(every), with: "every = \"\(value)\"").write(toFile: config, atomically: true, encoding: .utf8)
  }

  private func placeCancellation(_ spool: DemoSpool, _ id: String) throws {
    try spool.placeDrop("\(id).xml", try DropWriter.render(practiceID: "demo", bookings: [], cancellations: [
      CancellationMessage(heMsgId: "nobody-\(id)", requestId: id, updatedAt: "2026-03-02T00:00:00Z")
    ]))
  }

  @Test func aRunDatedBeforeAnEarlierRunIsReportedAndArchivingKeepsItsCadence() throws {
    let spool = try DemoSpool(label: "clock-behind")
    try spool.prepareForIngest()
    try setEvery(spool, "60 minutes")
    #expect(try spool.run(["run"], asOf: "2026-03-02T08:00").status == 0)
    try placeCancellation(spool, "r1")
    _ = try spool.run(["run"], asOf: "2026-03-02T08:30")
    let quiet = try jsonObject(try spool.run(["status", "--json"]).stdout)
    #expect((quiet["lastRun"] as? [String: Any])?["warnings"] == nil, "a run forward in time is not reported")
    let archives = spool.archiveCount()

    // The clock goes back a day: the run still works, says so, and archives what was staged
    // (an archive dated after now would otherwise hold the cadence for a day).
    try placeCancellation(spool, "r2")
    let back = try spool.run(["run"], asOf: "2026-03-01T08:00")
    #expect([0, 1].contains(back.status), "\(back.stderr)")
    #expect(spool.archiveCount() == archives + 1)
    let status = try spool.run(["status"])
    #expect(status.stdout.contains("warning: this run is dated 2026-03-01T08:00, before the run before it (2026-03-02T08:30"),
            "\(status.stdout)")
    let doctor = try spool.run(["doctor"], asOf: "2026-03-01T08:05")
    #expect(doctor.stdout.contains("[clock-behind]") && doctor.stdout.contains("2026-03-02T08:30"), "\(doctor.stdout)")

    // Back on the right clock: the cadence counts from the last archive, and the warning goes.
    try placeCancellation(spool, "r3")
    _ = try spool.run(["run"], asOf: "2026-03-02T09:40")
    #expect(spool.archiveCount() == archives + 2)
    let after = try jsonObject(try spool.run(["status", "--json"]).stdout)
    #expect((after["lastRun"] as? [String: Any])?["warnings"] == nil)
    #expect(!(try spool.run(["doctor"], asOf: "2026-03-02T09:45").stdout.contains("clock-behind")))
  }

  @Test func aRunAfterOneDatedInTheFutureIsReportedOnceNotUntilThatDate() throws {
    let spool = try DemoSpool(label: "clock-once")
    try spool.prepareForIngest()
    _ = try spool.run(["run"], asOf: "2031-06-01T08:00")
    func warnings() throws -> [String] {
      let status = try jsonObject(try spool.run(["status", "--json"]).stdout)
      return (status["lastRun"] as? [String: Any])?["warnings"] as? [String] ?? []
    }
    _ = try spool.run(["run"], asOf: "2026-03-02T08:00")
    #expect(try warnings().contains { $0.contains("before the run before it (2031-06-01T08:00") })
    _ = try spool.run(["run"], asOf: "2026-03-02T08:01")
    #expect(try warnings().isEmpty)
    #expect(try spool.run(["doctor"], asOf: "2026-03-02T08:02").stdout.contains("[clock-behind]"))
    #expect(!(try spool.run(["doctor"], asOf: "2026-03-03T08:05").stdout.contains("[clock-behind]")))
  }

  @Test func healthAgesFromTheLastSuccessWhenRunsKeepBeingInterrupted() throws {
    let spool = try DemoSpool(label: "health-success-age")
    #expect(try spool.run(["run"]).status == 1)
    let path = spool.folder.child("spool/state/status.json")
    var object = try jsonObject(String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self))
    let f = ISO8601DateFormatter()
    object["outcome"] = "interrupted"
    object["exitCode"] = 143
    object["lastSuccessAt"] = f.string(from: Date().addingTimeInterval(-2000))
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))

    let health = try spool.run(["health", "--warning-free-mib", "0", "--critical-free-mib", "0"])
    #expect(health.status == 2, "\(health.stdout)")
    #expect(health.stdout.hasPrefix("PPMP-CONNECTOR CRITICAL - last run was interrupted (exit 143), last success 33 min ago"),
            "\(health.stdout)")
    #expect(health.stdout.contains(" last_success_age=2000s;300;900;0") || health.stdout.contains(" last_success_age=2001s;300;900;0"),
            "\(health.stdout)")
  }
}
