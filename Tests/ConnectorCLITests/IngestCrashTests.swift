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
    let drops = try spool.generateDrops(
      bookings: Self.soak ? 1200 : 240, cancellations: Self.soak ? 240 : 40, invalid: Self.soak ? 10 : 3, perDrop: 8,
      seed: seed)
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
    for id in confirmed { #expect(counts[id] == 1, "\(id) is in PPMP \(counts[id] ?? 0) times; \(context)") }
    for (id, n) in counts where n > 1 { Issue.record("\(id) is in PPMP \(n) times; \(context)") }
  }
}
