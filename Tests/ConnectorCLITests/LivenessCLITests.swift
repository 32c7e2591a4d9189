import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// `[liveness]` through the real binary: a liveness document on the first run, none while nothing
/// changes, a new one when PPMP's holidays or the hours change.
@Suite struct LivenessCLITests {
  static func setLiveness(_ spool: DemoSpool, _ section: String) throws {
    let config = spool.folder.child("connector.toml")
    var text = try String(contentsOfFile: config, encoding: .utf8)
    if let start = text.range(of: "\n[liveness]\n") {
      text = String(text[..<start.lowerBound]) + "\n"
    }
    try (text + "\n[liveness]\n" + section + "\n").write(toFile: config, atomically: true, encoding: .utf8)
  }

  @Test func theContractIsWrittenOnTheFirstRunAndAgainOnlyWhenItChanges() throws {
    let spool = try DemoSpool(label: "liveness")
    try spool.prepareForIngest()
    #expect(try spool.run(["run"]).status == 0)
    #expect(try spool.outboxFiles(prefix: "liveness-").isEmpty, "no [liveness]: no document")

    try Self.setLiveness(spool, "monday = [\"08:00-12:00\", \"13:00-17:30\"]\nfriday = [\"08:00-24:00\"]\npublic_holidays = \"closed\"")
    #expect(try spool.run(["run"]).status == 0)
    let first = try spool.outboxFiles(prefix: "liveness-")
    #expect(first.count == 1)
    let file = try #require(first.first)
    let v = try spool.run(["validate", spool.outbox + "/" + file])
    #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
    let elements = try AnswerFile.entries(spool.outbox + "/" + file)
    let names = elements.map(\.name)
    #expect(names.prefix(4) == ["liveHours", "monday", "range", "range"])
    #expect(elements[2]["start"] == "08:00" && elements[2]["end"] == "12:00" && elements[3]["end"] == "17:30")
    #expect(names.filter { $0 == "range" }.count == 3 + (names.split(separator: "publicHolidays").last?.count ?? 0))
    let holidaysBefore = Array(elements.drop { $0.name != "publicHolidays" }.dropFirst())

    // Nothing changed: nothing written.
    #expect(try spool.run(["run"]).status == 0)
    #expect(try spool.outboxFiles(prefix: "liveness-") == first)

    // A new PPMP holiday inside the horizon: a new contract listing it.
    try _ = spool.sql("INSERT INTO holidays (holiday_date, name) VALUES ('2026-03-20', 'Test day');")
    #expect(try spool.run(["run"]).status == 0)
    let second = try spool.outboxFiles(prefix: "liveness-")
    #expect(second.count == 2)
    let newest = try #require(second.first { $0 != file })
    let holidays = Array(try AnswerFile.entries(spool.outbox + "/" + newest).drop { $0.name != "publicHolidays" }.dropFirst())
    #expect(holidays.count == holidaysBefore.count + 1)
    #expect(holidays.contains { $0["start"] == "2026-03-20T00:00" && $0["end"] == "2026-03-21T00:00" })

    // Holidays open: a new contract without them.
    try Self.setLiveness(spool, "monday = [\"08:00-12:00\", \"13:00-17:30\"]\nfriday = [\"08:00-24:00\"]\npublic_holidays = \"open\"")
    #expect(try spool.run(["run"]).status == 0)
    let third = try spool.outboxFiles(prefix: "liveness-")
    #expect(third.count == 3)
  }

  @Test func aBadLivenessKeyIsAConfigurationError() throws {
    let spool = try DemoSpool(label: "liveness-bad")
    try Self.setLiveness(spool, "monday = [\"17:00-08:00\"]")
    let r = try spool.run(["run"])
    #expect(r.status == 2 || r.status == 78, "\(r.status) \(r.stderr)")
    #expect(r.stderr.contains("liveness.monday"), "\(r.stderr)")
  }
}

/// Request health: the age of the oldest unanswered drop counts from when the connector first saw
/// it, and `doctor` makes a late one an error inside live hours.
@Suite struct RequestHealthCLITests {
  static func waitingFinding(_ spool: DemoSpool, asOf: String) throws -> [String: Any]? {
    let r = try spool.run(["doctor", "--json"], asOf: asOf)
    let all = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], "\(r.stderr)")
    return all.first { $0["code"] as? String == "drops-waiting" }
  }

  @Test func aLateDropIsAnErrorInsideLiveHoursAndAgeCountsFromFirstSight() throws {
    let spool = try DemoSpool(label: "request-health")
    try spool.prepareForIngest(settleSeconds: 3600)
    try LivenessCLITests.setLiveness(spool, "monday = [\"08:00-17:00\"]\npublic_holidays = \"closed\"")
    let drop = spool.inbox + "/late.xml"
    try spool.placeDrop("late.xml", try DropWriter.render(practiceID: "demo", bookings: [], cancellations: []))
    let old = timeval(tv_sec: Int(Date().timeIntervalSince1970) - 20 * 60, tv_usec: 0)
    _ = utimes(drop, [old, old])

    // Never seen by the connector: its age is all doctor has. Monday 09:00 is live: an error;
    // Sunday is not: a warning.
    let live = try #require(try Self.waitingFinding(spool, asOf: "2026-03-02T09:00"))
    #expect(live["severity"] as? String == "error", "\(live)")
    #expect((live["what"] as? String)?.contains("live hours") == true)
    let closed = try #require(try Self.waitingFinding(spool, asOf: "2026-03-08T09:00"))
    #expect(closed["severity"] as? String == "warning", "\(closed)")

    // Seen by a run (still settling): counted from that sighting, not the 20-minute-old mtime.
    #expect(try spool.run(["run"]).status == 0)
    #expect(spool.files(in: spool.inbox) == ["late.xml"])
    #expect(try Self.waitingFinding(spool, asOf: "2026-03-02T09:00") == nil)
    let status = try jsonObject(try spool.run(["status", "--json"]).stdout)
    let queue = try #require(status["queue"] as? [String: Any])
    #expect((queue["oldestWaitingSeconds"] as? Int ?? 9999) < 600, "\(queue)")
  }
}
