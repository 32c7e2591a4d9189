import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// SPEC §10 "crash at any point (kill -9) loses no drop and applies no message twice": a real
/// `ppmp-connector ingest` is killed with SIGKILL at random moments and restarted, then one
/// clean run finishes. Quick by default; `PPMP_SOAK=1` kills many more times over more drops.
@Suite struct IngestCrashTests {
  static let soak = ProcessInfo.processInfo.environment["PPMP_SOAK"] == "1"

  /// Starts `ppmp-connector ingest` on the spool and SIGKILLs it after `delay` microseconds
  /// (if it is still running). Returns whether it was killed.
  static func killedIngest(_ spool: DemoSpool, after delay: UInt32) throws -> Bool {
    let (process, killed) = try CommandRunner.runKilling(
      "ppmp-connector", ["ingest", "--as-of", spool.asOf, "--quiet"], in: spool.path, after: Double(delay) / 1_000_000)
    return killed && process.terminationReason == .uncaughtSignal
  }

  @Test func killedIngestRunsLoseNothingAndApplyNothingTwice() throws {
    let spool = try DemoSpool(label: "ingest-crash")
    try spool.prepareForIngest()
    let seed = Self.soak ? Int.random(in: 1...1_000_000) : 21
    let generated = try spool.generateDrops(
      bookings: Self.soak ? 1200 : 240, cancellations: Self.soak ? 240 : 40, invalid: Self.soak ? 10 : 3, perDrop: 8,
      seed: seed)
    // Request drops among them: each request answered in exactly one receipt, however the kills land.
    var requestIDs: [String] = []
    for n in 0..<6 {
      let requests = [
        RequestMessage(kind: .availability, requestId: "crash-\(n)-day", day: "2026-03-0\(3 + n % 5)", pmsResourceId: "1"),
        RequestMessage(kind: .resources, requestId: "crash-\(n)-res"),
      ]
      try spool.placeDrop("zz-requests-\(n).xml", try DropWriter.render(practiceID: "demo", bookings: [], cancellations: [], requests: requests))
      requestIDs += requests.map(\.requestId)
    }
    let drops = generated + (0..<6).map { "zz-requests-\($0).xml" }
    #expect(drops.count > 20)

    // Delays start short and widen, so the first kills land while drops are still waiting
    // however fast the machine; the loop ends once nothing is left, as later kills test nothing.
    let killSeed = UInt64(seed)
    var generator = SeededRandom(seed: killSeed)
    var delays: [UInt32] = []
    var kills = 0
    for round in 0..<(Self.soak ? 150 : 10) {
      let delay = UInt32.random(in: 10_000...(40_000 + 15_000 * UInt32(round)), using: &generator)
      delays.append(delay / 1000)
      if try Self.killedIngest(spool, after: delay) { kills += 1 }
      if spool.files(in: spool.inbox).isEmpty && spool.files(in: spool.work).isEmpty { break }
    }
    print("ingest-crash seed=\(seed) kills_landed=\(kills) of \(delays.count) runs")
    let clean = try spool.run(["ingest"])
    #expect(clean.status == 0 || clean.status == 1, "\(clean.stdout)\(clean.stderr)")
    let context = "drops seed \(seed), kill delays (ms): \(delays)"
    #expect(kills > 0, "\(context)")

    // Every drop answered exactly once.
    let answers = try spool.outboxFiles()
    for drop in drops {
      let stem = String(drop.dropLast(4))
      let mine = answers.filter { $0.hasPrefix("receipt-\(stem).") || $0.hasPrefix("rejected-\(stem).") }
      #expect(mine.count == 1, "\(drop): \(mine); \(context)")
    }
    #expect(answers.count == drops.count, "\(answers.count) answers for \(drops.count) drops; \(context)")
    #expect(spool.files(in: spool.work).isEmpty, "\(context)")
    #expect(spool.files(in: spool.inbox).isEmpty, "\(context)")

    // Every confirmed booking is in PPMP exactly once; no token is there twice.
    let counts = try spool.tokenCounts()
    var confirmed = Set<String>()
    for answer in answers where answer.hasPrefix("receipt-") {
      for e in try AnswerFile.entries(spool.outbox + "/" + answer) where e.name == "confirmInsert" {
        confirmed.insert(e["heMsgId"] ?? "")
      }
    }
    #expect(confirmed.count > 100)
    var requestAnswers: [String: Int] = [:]
    for answer in answers where answer.hasPrefix("receipt-") {
      for e in try AnswerFile.entries(spool.outbox + "/" + answer) where e.name.hasSuffix("Request") {
        requestAnswers[e["requestId"] ?? "", default: 0] += 1
      }
    }
    for id in requestIDs { #expect(requestAnswers[id] == 1, "request \(id) answered \(requestAnswers[id] ?? 0) times; \(context)") }
    for id in confirmed { #expect(counts[id] == 1, "\(id) is in PPMP \(counts[id] ?? 0) times; \(context)") }
    for (id, n) in counts where n > 1 { Issue.record("\(id) is in PPMP \(n) times; \(context)") }
  }
  /// Attempts the journal records for drop `name` (0 while it cannot be read).
  static func attempts(_ spool: DemoSpool, _ name: String) -> Int {
    let state = spool.folder.child("spool/state/connector.sqlite")
    guard FileManager.default.fileExists(atPath: state),
      let r = try? CommandRunner.run(
        "/usr/bin/sqlite3", ["-batch", state, "SELECT coalesce(max(attempts), 0) FROM drop_file WHERE original_name = '\(name)'"]),
      r.status == 0
    else { return 0 }
    return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
  }

  /// A drop that is killed mid-processing every time (a hang, a timeout's SIGKILL) must not hold
  /// the queue for ever: attempts count before the work starts, so after `max_attempts` killed
  /// runs it is set aside with `too-many-attempts`, and the drop behind it is answered.
  @Test func aDropKilledEveryTimeIsSetAsideAfterMaxAttemptsAndTheNextIsAnswered() throws {
    let spool = try DemoSpool(label: "ingest-killed-drop")
    try spool.prepareForIngest()
    let config = spool.folder.child("connector.toml")
    try (try String(contentsOfFile: config, encoding: .utf8)).replacingOccurrences(of: "max_attempts = 5", with: "max_attempts = 3")
      .write(toFile: config, atomically: true, encoding: .utf8)
    // Thousands of bookings into one slot: every message after the first is a rejection, but each
    // still costs a slot check in its own transaction, so the drop takes seconds, not milliseconds.
    let slow = (0..<(Self.soak ? 40_000 : 20_000)).map {
      BookingMessage.make(
        heMsgId: "slow-\($0)", bookingId: "b\($0)", resourceID: 1, typeCode: nil, start: LocalDateTime("2026-03-05T10:00")!,
        lengthMinutes: 15, bookedTime: "2026-03-01T00:00:00Z", firstName: "Slow", lastName: "Drop", dob: "1970-01-01",
        phone: "0400 000 000")
    }
    try spool.placeDrop("slow.xml", try DropWriter.render(practiceID: "demo", bookings: slow, cancellations: []))
    let good = BookingMessage.make(
      heMsgId: "behind-1", bookingId: "b", resourceID: 1, typeCode: nil, start: LocalDateTime("2026-03-05T10:45")!,
      lengthMinutes: 15, bookedTime: "2026-03-01T00:00:00Z", firstName: "Next", lastName: "Inline", dob: "1971-01-01",
      phone: "0400 000 001")
    try spool.placeDrop("zz-behind.xml", try DropWriter.render(practiceID: "demo", bookings: [good], cancellations: []))
    let earlier = Date().addingTimeInterval(-60)
    try FileManager.default.setAttributes([.modificationDate: earlier], ofItemAtPath: spool.inbox + "/slow.xml")

    var landed = 0
    for _ in 0..<8 where landed < 3 {
      let process = try CommandRunner.start("ppmp-connector", ["ingest", "--as-of", spool.asOf, "--quiet"], in: spool.path)
      // Kill once this attempt at the slow drop is on record (however loaded the machine), and a
      // moment into its work.
      let deadline = Date().addingTimeInterval(30)
      while process.isRunning && Date() < deadline && Self.attempts(spool, "slow.xml") <= landed { usleep(5_000) }
      usleep(200_000)
      if process.isRunning && kill(process.processIdentifier, SIGKILL) == 0 { landed += 1 }
      process.waitUntilExit()
    }
    #expect(landed == 3, "the slow drop finished before it could be killed")
    let clean = try spool.run(["ingest"])
    #expect(clean.status == 1, "\(clean.stdout)\(clean.stderr)")
    let notice = try AnswerFile.elements(spool.outbox + "/rejected-slow.xml")[0]
    #expect(notice["reason"] == "too-many-attempts", "\(notice.attributes)")
    #expect((notice["detail"] ?? "").contains("gave up after 3 attempts"), "\(notice.attributes)")
    #expect(try AnswerFile.entries(spool.outbox + "/receipt-zz-behind.xml").map(\.name) == ["confirmInsert"])
    #expect(spool.files(in: spool.work).isEmpty && spool.files(in: spool.inbox).isEmpty)
    #expect(spool.files(in: spool.rejected) == ["slow.xml", "slow.xml.reason.txt"])
  }
  /// SIGTERM while a big drop is being read or applied stops the run at the next message, not
  /// at the end of the drop: the run exits 143 at once, the drop stays claimed without an attempt
  /// counted against it, and the next run answers it whole.
  @Test func sigtermStopsInsideABigDropAndTheNextRunAnswersIt() throws {
    let spool = try DemoSpool(label: "ingest-sigterm")
    try spool.prepareForIngest()
    let messages = (0..<20_000).map {
      BookingMessage.make(
        heMsgId: "big-\($0)", bookingId: "b\($0)", resourceID: 1, typeCode: nil, start: LocalDateTime("2026-03-05T10:00")!,
        lengthMinutes: 15, bookedTime: "2026-03-01T00:00:00Z", firstName: "Big", lastName: "Drop", dob: "1970-01-01",
        phone: "0400 000 000")
    }
    try spool.placeDrop("big.xml", try DropWriter.render(practiceID: "demo", bookings: messages, cancellations: []))
    let process = try CommandRunner.start("ppmp-connector", ["run", "--as-of", spool.asOf, "--quiet"], in: spool.path)
    let deadline = Date().addingTimeInterval(30)
    while process.isRunning && Date() < deadline && !spool.files(in: spool.work).contains("big.xml") { usleep(2_000) }
    // Soon after the claim: the whole drop can now be read and applied in a few hundred ms.
    usleep(50_000)
    #expect(process.isRunning, "the drop was done before the signal; make it bigger")
    let signalled = Date()
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    let took = Date().timeIntervalSince(signalled)
    #expect(process.terminationStatus == 143)
    #expect(took < 5.0, "took \(took) s to stop")
    #expect(spool.files(in: spool.work) == ["big.xml"])
    #expect(try spool.outboxFiles(prefix: "receipt-").isEmpty)
    let status = try spool.run(["status", "--json"])
    #expect(status.stdout.contains("\"interrupted\""), "\(status.stdout)")

    let next = try spool.run(["ingest"])
    #expect(next.status == 1, "\(next.stdout)\(next.stderr)")  // all but the first are slot-unavailable
    let answers = try AnswerFile.entries(spool.outbox + "/receipt-big.xml")
    #expect(answers.count == 20_000 && answers.filter { $0.name == "confirmInsert" }.count == 1)
    #expect(try spool.tokenCounts()["big-0"] == 1)
  }
}
