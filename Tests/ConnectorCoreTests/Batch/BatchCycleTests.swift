import ConnectorTestSupport
import Foundation
import Testing

@testable import ConnectorCore

/// The one pipeline's behaviour that only `watch` uses: an export that yields to a new drop.
@Suite struct BatchCycleTests {
  /// An export asked to yield part-way publishes nothing, reserves nothing and leaves no
  /// half-written snapshot; the next cycle publishes exactly the delta it would have.
  @Test func anExportThatYieldsLeavesNoTraceAndTheNextCyclePublishes() throws {
    let practice = try IngestTestPractice("export-yield")
    let context = try ConnectorContext(configuration: practice.configuration, asOf: LocalDateTime(IngestTestPractice.asOf))
    let stop = StopFlag()
    var status = RunStatus()
    _ = try BatchCycle(context: context, stop: stop).run(into: &status)
    let outbox = practice.spool.outbox
    #expect(FileManager.default.fileExists(atPath: outbox + "/snapshot-test-1.xml"))

    // Another program blocks a day: a delta is owed.
    try practice.write("INSERT INTO diary_blocks (staff_id, block_date, reason) VALUES (1, '2026-03-04', 'Course')")
    let before = try FileManager.default.contentsOfDirectory(atPath: outbox).sorted()
    let interrupted = BatchCycle(context: context, stop: stop)
    var asked = 0
    interrupted.exportShouldYield = {
      asked += 1
      return asked == 2
    }
    var yieldedStatus = RunStatus()
    let end = try interrupted.run(into: &yieldedStatus)
    guard case .finished = end else {
      Issue.record("a yielded export ends the cycle normally, got \(end)")
      return
    }
    #expect(interrupted.exportYielded && asked == 2)
    #expect(try FileManager.default.contentsOfDirectory(atPath: outbox).sorted() == before)
    #expect(!FileManager.default.fileExists(atPath: practice.spool.state + "/next.xml"))
    #expect(try context.state.publications(status: .pending).isEmpty)

    let next = BatchCycle(context: context, stop: stop)
    var nextStatus = RunStatus()
    _ = try next.run(into: &nextStatus)
    #expect(!next.exportYielded)
    #expect(nextStatus.export.outcome == "delta" && nextStatus.export.sequence == 2)
    let delta = try String(contentsOfFile: outbox + "/delta-test-2.xml", encoding: .utf8)
    #expect(delta.contains("2026-03-04"))
  }
}
