import ConnectorTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `watch` through the real binary: answers each drop renamed into the inbox without any `run`,
/// publishes changes other programs make to PPMP, holds the lock, stops cleanly on SIGTERM.
@Suite(.serialized) struct WatchCLITests {
  @Test func answersEachRenamedDropPublishesOthersChangesAndStopsOnSIGTERM() throws {
    let spool = try DemoSpool(label: "watch")
    // A settle wait far longer than the test: a renamed-in drop must not wait for it.
    try spool.prepareForIngest(settleSeconds: 600)
    let source = spool.folder.child("generated")
    let drops = try spool.generateDrops(bookings: 4, perDrop: 1, seed: 41, into: source)
    #expect(drops.count == 4)

    let watch = try spool.startWatch()
    defer { if watch.isRunning { stop(watch, with: SIGKILL) } }
    #expect(eventually { (try? spool.outboxFiles(prefix: "snapshot-"))?.isEmpty == false }, "the start cycle publishes")

    for drop in drops {
      let receipt = "receipt-" + drop
      try FileManager.default.moveItem(atPath: source + "/" + drop, toPath: spool.inbox + "/" + drop)
      #expect(eventually { FileManager.default.fileExists(atPath: spool.outbox + "/" + receipt) }, "\(receipt) never appeared")
      let answers = try AnswerFile.entries(spool.outbox + "/" + receipt)
      #expect(answers.count == 1 && answers.allSatisfy { $0.name == "confirmInsert" }, "\(answers)")
    }
    // Each confirmed booking took a published slot. A drop that arrives while the previous
    // drop's export runs is answered first, and the export then covers both: at least one
    // delta, at most one per drop, and then nothing more is owed.
    #expect(eventually { spool.statusJSON()?["outcome"] as? String == "ok" && spool.files(in: spool.inbox).isEmpty })
    #expect(eventually { ((try? spool.outboxFiles(prefix: "delta-")) ?? []).count >= 1 })
    let deltas = try spool.outboxFiles(prefix: "delta-").count
    #expect((1...drops.count).contains(deltas), "\(deltas) deltas for \(drops.count) drops")
    // The receipt comes first; the drop then leaves work/ for the archive's staging area.
    #expect(eventually { spool.files(in: spool.inbox).isEmpty && spool.files(in: spool.work).isEmpty })

    // A run meanwhile finds the lock held.
    let concurrent = try spool.run(["run"])
    #expect(concurrent.status == 75, "\(concurrent.stderr)")

    // Reception blocks a whole day in PPMP (another process): its delta follows.
    let deltasBefore = try spool.outboxFiles(prefix: "delta-")
    _ = try spool.sql(
      "INSERT INTO diary_blocks (staff_id, block_date, start_time, end_time, reason) "
        + "SELECT id, '2026-03-04', NULL, NULL, 'staff meeting' FROM staff WHERE online_booking = 1 ORDER BY id LIMIT 1;")
    // A drop's delta may still be owed (an export that gave way to the next drop), so the one
    // about the blocked day is looked for among every delta that follows.
    #expect(
      eventually {
        ((try? spool.outboxFiles(prefix: "delta-")) ?? []).filter { !deltasBefore.contains($0) }.contains { name in
          ((try? String(contentsOfFile: spool.outbox + "/" + name, encoding: .utf8)) ?? "").contains("2026-03-04")
        }
      }, "no delta about the blocked day after another process changed PPMP")

    #expect(stop(watch), "watch did not stop on SIGTERM")
    #expect(watch.terminationReason == .exit && watch.terminationStatus == 0)
    let status = try #require(spool.statusJSON())
    let watcher = try #require(status["watch"] as? [String: Any])
    #expect(watcher["stoppedAt"] is String && watcher["pid"] as? Int == Int(watch.processIdentifier))
    #expect(status["heartbeatAt"] is String)
    let shown = try spool.run(["status"])
    #expect(shown.stdout.contains("watcher:   stopped"), "\(shown.stdout)")
    // Every confirmed heMsgId carries exactly one token in PPMP.
    #expect(try spool.tokenCounts().values.allSatisfy { $0 == 1 })
  }

  @Test func aDropWrittenInPlaceIsClaimedOnceSettled() throws {
    let spool = try DemoSpool(label: "watch-settle")
    try spool.prepareForIngest(settleSeconds: 1)
    let source = spool.folder.child("generated")
    let drop = try #require(try spool.generateDrops(bookings: 1, perDrop: 1, seed: 43, into: source).first)
    let watch = try spool.startWatch(pollIntervalMilliseconds: 5_000)
    defer { if watch.isRunning { stop(watch, with: SIGKILL) } }
    #expect(eventually { spool.statusJSON()?["heartbeatAt"] != nil })
    // Written in place (no rename): claimed after close + settle_seconds, before the slow scan.
    let bytes = spool.contents(source + "/" + drop)
    let started = Date()
    try spool.placeDrop(drop, bytes)
    #expect(eventually { FileManager.default.fileExists(atPath: spool.outbox + "/receipt-" + drop) })
    #expect(Date().timeIntervalSince(started) >= 1, "claimed before settle_seconds passed")
    #expect(stop(watch) && watch.terminationStatus == 0)
  }

  @Test func aStaleHeartbeatIsFlaggedByStatusDoctorAndHealth() throws {
    let spool = try DemoSpool(label: "watch-stale")
    try spool.prepareForIngest()
    let watch = try spool.startWatch()
    #expect(eventually { spool.statusJSON()?["heartbeatAt"] != nil })
    let live = try spool.run(["status", "--json"])
    #expect(live.stdout.contains("\"health\" : \"running\""), "\(live.stdout)")
    stop(watch, with: SIGKILL)
    // Killed: no stop recorded. Age the heartbeat as if it had been silent for two minutes.
    let path = spool.folder.child("spool/state/status.json")
    var status = try #require(spool.statusJSON())
    #expect((status["watch"] as? [String: Any])?["stoppedAt"] == nil)
    let old = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-120))
    status["heartbeatAt"] = old
    try JSONSerialization.data(withJSONObject: status).write(to: URL(fileURLWithPath: path))
    let shown = try spool.run(["status"])
    #expect(shown.stdout.contains("NOT RESPONDING"), "\(shown.stdout)")
    let doctor = try spool.run(["doctor"])
    #expect(doctor.stdout.contains("watch-heartbeat-stale") || doctor.stderr.contains("watch-heartbeat-stale"), "\(doctor.stdout)")
    let health = try spool.run(["health"])
    #expect(health.status == 2 && health.stdout.contains("not responding"), "\(health.stdout)")
  }

  @Test func badPollIntervalIsAUsageError() throws {
    let spool = try DemoSpool(label: "watch-usage")
    let r = try spool.run(["watch", "--poll-interval-ms", "0"])
    #expect(r.status == 2 && r.stderr.contains("--poll-interval-ms"))
  }
}
