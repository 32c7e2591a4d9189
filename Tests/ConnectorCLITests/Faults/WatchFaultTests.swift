import ConnectorTestSupport
import Foundation
import GRDB
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `watch` under faults (SPEC §13): SIGKILL at random points loses nothing and applies nothing
/// twice, and a read-only outbox neither stops it nor costs a drop its attempts.
@Suite(.serialized) struct WatchFaultTests {
  /// Watchers per seed. Quick mode: 10; `PPMP_SOAK=1`: 300.
  static let kills = soakMode ? 300 : 10

  /// Each round starts a watcher, feeds it a drop or two while it runs, and SIGKILLs it after a
  /// random delay: during its start cycle, an ingest, an export, an archive or while idle. Then
  /// a clean `watch` (seed 11) or `run` (seed 29) finishes the work.
  @Test(arguments: [UInt64(11), 29])
  func killedWatchersLoseNothingAndApplyNothingTwice(seed: UInt64) throws {
    var rng = SeededRandom(seed: seed)
    let drops = soakMode ? 400 : 24
    let spool = try FaultSpool(label: "watch-crash", bookings: drops, cancellations: drops / 6, invalid: 2, seed: seed, perDrop: 2)
    var landed = 0
    for _ in 0..<Self.kills {
      let watch = try spool.demo.startWatch(pollIntervalMilliseconds: 50)
      let started = Date()
      try spool.feed(1)
      let killAt = Double.random(in: 0.01...0.6, using: &rng)
      let feedAt = Double.random(in: 0...killAt, using: &rng)
      var fedAgain = false
      while Date().timeIntervalSince(started) < killAt && watch.isRunning {
        if !fedAgain && Date().timeIntervalSince(started) >= feedAt {
          try spool.feed(1)
          fedAgain = true
        }
        usleep(2_000)
      }
      #expect(watch.isRunning, "watch ended by itself (status \(watch.terminationStatus))")
      if watch.isRunning { landed += 1 }
      stop(watch, with: SIGKILL)
    }
    try spool.feed(Int.max)
    if seed == 11 {
      let watch = try spool.demo.startWatch()
      // Done when this watcher (not a killed one) has written a status that did not fail, and
      // nothing waits.
      #expect(
        eventually {
          let status = spool.demo.statusJSON()
          let pid = (status?["watch"] as? [String: Any])?["pid"] as? Int
          return pid == Int(watch.processIdentifier) && (status?["outcome"] as? String) != "failed"
            && spool.files("inbox").isEmpty && spool.files("work").isEmpty
        })
      #expect(stop(watch) && watch.terminationStatus == 0)
    } else {
      let clean = try spool.demo.run(["run"])
      #expect([0, 1].contains(clean.status), "clean run: \(clean.stderr)")
    }
    let problems = try spool.violations()
    #expect(problems.isEmpty, "seed \(seed), \(landed) kills: \(problems.joined(separator: "\n"))")
    #expect(landed == Self.kills)
    print("fault-harness watch seed=\(seed) watchers=\(Self.kills) kills_landed=\(landed) drops=\(spool.fed.count)")
  }

  @Test func aReadOnlyOutboxIsRecordedRetriedAndFinishedOnceWritable() throws {
    let spool = try FaultSpool(label: "watch-ro-outbox", bookings: 6, cancellations: 0, invalid: 0, seed: 19, perDrop: 2)
    let watch = try spool.demo.startWatch()
    defer { if watch.isRunning { stop(watch, with: SIGKILL) } }
    #expect(eventually { spool.files("inbox").isEmpty && spool.demo.statusJSON()?["heartbeatAt"] != nil })
    let outbox = spool.sub("outbox")
    try FaultMounts.makeReadOnly(outbox)
    var mounted = true
    defer { if mounted { FaultMounts.makeWritable(outbox) } }
    try spool.feed(2)
    var failures = 0
    #expect(
      eventually {
        let status = spool.demo.statusJSON()
        let errors = (status?["errors"] as? [String]) ?? []
        failures = ((status?["watch"] as? [String: Any])?["consecutiveFailures"] as? Int) ?? 0
        return failures >= 3 && errors.contains { $0.contains("outbox") }
      }, "the failure never reached status.json")
    #expect(watch.isRunning, "watch exited for a read-only outbox")
    // The spool check comes first: the drops wait in the inbox, their attempts untouched.
    #expect(spool.files("inbox").count == 2 && spool.files("work").isEmpty)
    let health = try spool.demo.run(["health"])
    #expect(health.status == 2, "\(health.stdout)")

    FaultMounts.makeWritable(outbox)
    mounted = false
    #expect(eventually { spool.isDrainedWithoutFailures }, "the work was not finished once the outbox was writable")
    #expect(stop(watch) && watch.terminationStatus == 0)
    #expect(try spool.violations(expectAllFed: false).isEmpty)
  }

  /// A full outbox on its own file system (the spool check's free-space test cannot see it):
  /// the first attempt fails, and the write probe keeps every retry after it from touching the
  /// drops, so they still have their attempts when space comes back.
  @Test(.enabled(if: FaultMounts.available, "needs root and mount(8)"))
  func aFullOutboxIsRecordedRetriedAndFinishedOnceSpaceIsBack() throws {
    let spool = try FaultSpool(label: "watch-full-outbox", bookings: 8, cancellations: 0, invalid: 0, seed: 37, perDrop: 2)
    let watch = try spool.demo.startWatch()
    defer { if watch.isRunning { stop(watch, with: SIGKILL) } }
    #expect(eventually { spool.files("inbox").isEmpty && spool.files("work").isEmpty && spool.demo.statusJSON()?["heartbeatAt"] != nil })
    let rejectedBefore = spool.files("rejected")
    let outbox = spool.sub("outbox")
    let keep = spool.demo.folder.child("outbox-kept")
    try FaultMounts.withTmpfs("256k", over: outbox) {
      let filler = outbox + "/filler"
      _ = FileManager.default.createFile(atPath: filler, contents: nil)
      let handle = try #require(FileHandle(forWritingAtPath: filler))
      // Filled to the last block: even the smallest file cannot be written now.
      while (try? handle.write(contentsOf: Data(count: 4096))) != nil {}
      try? handle.close()
      try spool.feed(2)
      // Six failures in a row: without the probe, five would have rejected the first drop.
      #expect(
        eventually {
          let status = spool.demo.statusJSON()
          let errors = (status?["errors"] as? [String]) ?? []
          let failures = ((status?["watch"] as? [String: Any])?["consecutiveFailures"] as? Int) ?? 0
          return failures >= 6 && errors.contains { $0.contains("No space left on device") }
        }, "the failure never reached status.json")
      #expect(watch.isRunning, "watch exited for a full disk")
      let attempts = try DatabaseQueue(path: spool.sub("state/connector.sqlite")).read { db in
        try Int.fetchOne(db, sql: "SELECT MAX(attempts) FROM drop_file WHERE status NOT IN ('done', 'rejected')") ?? 0
      }
      #expect(attempts <= 1, "retries while the disk was full used the drops' attempts")
      try FileManager.default.removeItem(atPath: filler)
      #expect(eventually { spool.isDrainedWithoutFailures }, "the work was not finished once space was back")
      #expect(stop(watch) && watch.terminationStatus == 0)
      try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: false)
      for name in spool.files("outbox") { try FileManager.default.copyItem(atPath: outbox + "/" + name, toPath: keep + "/" + name) }
    }
    for name in (try? FileManager.default.contentsOfDirectory(atPath: keep)) ?? [] {
      try FileManager.default.moveItem(atPath: keep + "/" + name, toPath: outbox + "/" + name)
    }
    #expect(spool.files("rejected") == rejectedBefore, "no drop was given up on")
    let problems = try spool.violations()
    #expect(problems.isEmpty, "\(problems)")
  }
}
