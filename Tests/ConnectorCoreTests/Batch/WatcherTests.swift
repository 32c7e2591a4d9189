import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// The watcher's change detectors: PPMP's `data_version` and the logical clock (injected).
@Suite struct WatcherTests {
  @Test func dataVersionMovesForOtherConnectionsCommitsOnly() throws {
    let practice = try IngestTestPractice("data-version")
    let database = try PPMPDatabase(path: practice.databasePath)
    let before = try database.dataVersion()
    try database.guardedWrite("test") { db in
      try db.execute(sql: "UPDATE appointments SET comments = 'own write' WHERE id = 1")
    }
    #expect(try database.dataVersion() == before, "the connector's own commit is not someone else's change")
    try practice.write("UPDATE appointments SET status = 'cancelled' WHERE id = 1")
    let after = try database.dataVersion()
    #expect(after != before)
    #expect(try database.dataVersion() == after, "unchanged while nobody commits")
  }

  /// With lead time 120 min at 08:00 the first bookable slot is 10:00; at 08:15 it is 10:15, so
  /// staff 1's 10:00 slot on 2026-03-02 leaves the publication when the clock moves.
  @Test func aClockMinuteThatMovesTheLeadTimeCutOffPublishesADelta() throws {
    let practice = try IngestTestPractice("watch-clock")
    let start = try #require(LocalDateTime("2026-03-02T08:00"))
    let now = Locked(start)
    let context = try ConnectorContext(configuration: practice.configuration, asOf: start)
    let stop = StopFlag()
    let watcher = Watcher(
      context: context, stop: stop, options: Watcher.Options(pollIntervalMilliseconds: 20), exitStatus: { _ in 0 })
    watcher.clock = { now.withLock { $0 } }
    // The watcher runs on this thread; a driver thread, touching only files and locked values,
    // moves the clock and asks it to stop, whatever happens.
    let seen = Locked<[String]>([])
    let outbox = practice.spool.outbox
    Thread.detachNewThread {
      defer { stop.request(15) }
      let published = { (name: String) in FileManager.default.fileExists(atPath: outbox + "/" + name) }
      guard Self.poll({ published("snapshot-test-1.xml") }) else { return }
      Thread.sleep(forTimeInterval: 0.2)
      seen.withLock { $0.append(published("delta-test-2.xml") ? "delta before the clock moved" : "still") }
      now.withLock { $0 = LocalDateTime("2026-03-02T08:15")! }
      if Self.poll({ published("delta-test-2.xml") }) { seen.withLock { $0.append("delta") } }
    }
    let final = watcher.run()
    #expect(seen.withLock { $0 } == ["still", "delta"])
    #expect(final.watch?.stoppedAt != nil && final.heartbeatAt != nil)
    let delta = try String(contentsOfFile: outbox + "/delta-test-2.xml", encoding: .utf8)
    #expect(delta.contains("2026-03-02"))
  }

  /// The start cycle is followed by the patient key comparison, so the first drop's receipt
  /// does not wait for it; the first drop's own pass then has nothing left to compare.
  @Test func theKeyIndexIsReadyBeforeTheFirstDrop() throws {
    let practice = try IngestTestPractice("watch-prepare")
    let context = try ConnectorContext(configuration: practice.configuration, asOf: LocalDateTime(IngestTestPractice.asOf))
    let stop = StopFlag()
    let watcher = Watcher(
      context: context, stop: stop, options: Watcher.Options(pollIntervalMilliseconds: 20), exitStatus: { _ in 0 })
    let indexed = Locked(-1)
    let statePath = practice.spool.stateDatabase
    Thread.detachNewThread {
      defer { stop.request(15) }
      _ = Self.poll {
        let count = (try? DatabaseQueue(path: statePath).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM patient_key") }) ?? nil
        indexed.withLock { $0 = count ?? -1 }
        return (count ?? 0) > 0
      }
    }
    _ = watcher.run()
    let patients = try DatabaseQueue(path: practice.databasePath).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM patients") }
    #expect(indexed.withLock { $0 } == patients, "every patient keyed before any drop arrived")
    #expect(context.patientIndex.comparisons == 1)
  }

  private static func poll(timeout: Double = 60, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if condition() { return true }
      Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
  }
}
