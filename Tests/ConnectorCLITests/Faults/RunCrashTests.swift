import ConnectorTestSupport
import Foundation
import GRDB
import Testing

/// SIGKILL at random points of whole `run` batches (ingest, export + diff, refresh, events,
/// archive) while drops, requests and reception's own cancellations in PPMP arrive, then one
/// clean run: nothing lost, nothing applied twice, one answer per drop and per request, each
/// cancellation in PPMP reported once, the published state rebuilt from the outbox, the archive
/// chain intact (SPEC §4, §6, §10).
@Suite(.serialized) struct RunCrashTests {
  /// Runs per seed. Quick mode: 14 (most are killed); `PPMP_SOAK=1`: 2,000, or `PPMP_SOAK_KILLS`.
  static let kills = soakMode ? Int(ProcessInfo.processInfo.environment["PPMP_SOAK_KILLS"] ?? "") ?? 2_000 : 14

  @Test(arguments: [UInt64(11), 29])
  func killedRunsLoseNothingAndApplyNothingTwice(seed: UInt64) throws {
    var rng = SeededRandom(seed: seed)
    // The demo practice has about 1,800 free slots in its horizon: the soak stays below that.
    let drops = soakMode ? min(Self.kills, 1_500) : 40
    let spool = try FaultSpool(
      label: "crash", bookings: drops, cancellations: drops / 6, invalid: soakMode ? 12 : 3, seed: seed,
      perDrop: soakMode ? 2 : 4)
    var landed = 0
    for i in 0..<Self.kills {
      // Soak: a fresh drop before every run keeps most runs busy enough for the kill to land.
      if soakMode { try spool.feed(1) } else if i % 2 == 0 { try spool.feed(2) }
      // Requests beside the bookings: each answered once, by one document, whatever the kills.
      if i % 3 == 1 { try spool.feedRequests(i) }
      // Reception cancels an online booking in PPMP: reported once, by one events document.
      if i % 4 == 3 { try spool.receptionCancelsABooking() }
      // A whole debug run of one or two drops takes roughly 0.08–0.3 s here; most delays land
      // inside it (from process start to the archive), some past it.
      let delay = Double.random(in: 0.003...0.15, using: &rng)
      if try spool.runAndKill(after: delay) { landed += 1 }
    }
    try spool.feed(Int.max)
    let clean = try spool.demo.run(["run"])
    #expect([0, 1].contains(clean.status), "clean run: \(clean.stderr)")
    let problems = try spool.violations()
    #expect(problems.isEmpty, "seed \(seed), \(landed) kills landed: \(problems.joined(separator: "\n"))")
    #expect(landed > 0, "no kill landed mid-run; the delays no longer cover a run")
    #expect(!spool.cancelledInPPMP.isEmpty, "reception never found a booking to cancel")
    print(
      "fault-harness seed=\(seed) runs=\(Self.kills) kills_landed=\(landed) drops=\(spool.fed.count)"
        + " cancelled_in_ppmp=\(spool.cancelledInPPMP.count)")
  }

  /// The invariant checker itself must see a broken spool: a second answer for one drop, a
  /// booking inserted twice, a new patient file missing from the review queue.
  @Test func invariantCheckerSeesADuplicateAnswerAndADoubleBooking() throws {
    let spool = try FaultSpool(label: "crash-check", bookings: 4, cancellations: 0, invalid: 0, seed: 3)
    try spool.feed(Int.max)
    let clean = try spool.demo.run(["run"])
    #expect([0, 1].contains(clean.status))
    #expect(try spool.violations().isEmpty)
    let receipts = spool.files("outbox").filter { $0.hasPrefix("receipt-") }
    let newFile = try #require(
      receipts.lazy.compactMap {
        FaultSpool.firstMatch(
          FaultSpool.newFileConfirmation, in: (try? String(contentsOfFile: spool.sub("outbox/" + $0), encoding: .utf8)) ?? "")
      }.first, "no booking of the workload got a new patient file")
    let state = try DatabaseQueue(path: spool.sub("state/connector.sqlite"))
    let item = try #require(
      try state.read { try Row.fetchOne($0, sql: "SELECT * FROM review_item WHERE he_msg_id = ?", arguments: [newFile]) })
    try state.write { try $0.execute(sql: "DELETE FROM review_item WHERE he_msg_id = ?", arguments: [newFile]) }
    #expect(try spool.violations().contains { $0.contains("heMsgId \(newFile) got a new patient file but no review item") })
    try state.write { db in
      try db.execute(
        sql: "INSERT INTO review_item (\(item.columnNames.joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: item.count)))",
        arguments: StatementArguments(item.databaseValues))
    }
    try state.close()
    #expect(try spool.violations().isEmpty)
    let receipt = try #require(receipts.first)
    try FileManager.default.copyItem(atPath: spool.sub("outbox/" + receipt), toPath: spool.sub("outbox/copy-" + receipt))
    try FileManager.default.moveItem(atPath: spool.sub("outbox/copy-" + receipt), toPath: spool.sub("outbox/receipt-zz.xml"))
    #expect(try spool.violations().contains { $0.contains("has 2 answers") })
    try FileManager.default.removeItem(atPath: spool.sub("outbox/receipt-zz.xml"))
    let text = try String(contentsOfFile: spool.sub("outbox/" + receipt), encoding: .utf8)
    let id = try #require(FaultSpool.firstMatch(#"<confirmInsert heMsgId="([^"]+)""#, in: text))
    try DatabaseQueue(path: spool.demo.database).write { db in
      try db.execute(
        sql: """
          INSERT INTO appointments (staff_id, appt_date, start_time, duration_minutes, comments, created_at, updated_at)
          SELECT staff_id, appt_date, start_time, duration_minutes, comments, created_at, updated_at
          FROM appointments WHERE comments LIKE ? LIMIT 1
          """, arguments: ["%HE_MSG_ID:\(id)%"])
    }
    #expect(try spool.violations().contains { $0.contains("in PPMP 2 times") })

    // A request whose refresh went missing is seen too.
    try spool.feedRequests(1)
    #expect([0, 1].contains(try spool.demo.run(["run"]).status))
    let refresh = try #require(
      spool.files("outbox").first {
        $0.hasPrefix("refresh-") && ((try? String(contentsOfFile: spool.sub("outbox/" + $0), encoding: .utf8)) ?? "").contains("rq-1-day")
      })
    #expect(!(try spool.violations()).contains { $0.contains("request rq-1-day") })
    try FileManager.default.removeItem(atPath: spool.sub("outbox/" + refresh))
    #expect(try spool.violations().contains { $0.contains("request rq-1-day is confirmed in \(refresh) but carried by []") })

    // A cancellation in PPMP reported twice, or never, is seen too.
    try spool.receptionCancelsABooking()
    let cancelled = try #require(spool.cancelledInPPMP.first)
    #expect([0, 1].contains(try spool.demo.run(["run"]).status))
    let events = try #require(
      spool.files("outbox").first {
        $0.hasPrefix("events-") && ((try? String(contentsOfFile: spool.sub("outbox/" + $0), encoding: .utf8)) ?? "").contains(cancelled)
      })
    try FileManager.default.copyItem(atPath: spool.sub("outbox/" + events), toPath: spool.sub("outbox/events-demo-999.xml"))
    #expect(try spool.violations().contains { $0.contains("\(cancelled) was reported cancelled 2 times") })
    try FileManager.default.removeItem(atPath: spool.sub("outbox/events-demo-999.xml"))
    try FileManager.default.removeItem(atPath: spool.sub("outbox/" + events))
    #expect(try spool.violations().contains { $0.contains("reception cancelled \(cancelled) in PPMP, and no events document reported it") })
  }
}
