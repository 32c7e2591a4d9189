import ConnectorTestSupport
import ConnectorFixtures
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

@Suite struct ExporterDeltaTests {
  /// A spool + a generated practice, exported once.
  struct Setup {
    let folder: TemporaryFolder
    let spool: SpoolLayout
    let database: PPMPDatabase
    let state: ConnectorState
    let exporter: Exporter

    init(practitioners: Int, days: Int) throws {
      folder = try TemporaryFolder("exporter-delta")
      spool = SpoolLayout(root: folder.child("spool"))
      try spool.create()
      let db = folder.child("ppmp.sqlite")
      try PracticeFixtureGenerator.generate(
        PracticeFixtureSpec(
          practitioners: practitioners, days: days, patients: 500, bookedFraction: 0.5, seed: 7,
          start: LocalDate("2026-03-02")!), into: db)
      database = try PPMPDatabase(path: db)
      state = try ConnectorState(path: spool.stateDatabase)
      var configuration = ConnectorConfiguration()
      configuration.practiceID = "bench"
      configuration.horizonDays = days
      exporter = Exporter(configuration: configuration, spool: spool, database: database, state: state)
    }
  }

  static let asOf = LocalDateTime("2026-03-02T07:00")!

  @Test func bookingOneAppointmentIn500By90PracticeGivesADeltaOfExactlyThatDay() throws {
    let s = try Setup(practitioners: 500, days: 90)
    let first = try s.exporter.export(asOf: Self.asOf, full: false)
    #expect(first.outcome == .snapshot)
    #expect(first.publishedDays > 0)

    // Take the first free range of one practitioner mid-horizon and book its first slot.
    let base = try SnapshotContent(path: s.spool.publishedSnapshot)
    let target = try #require(base.days.first { $0.resourceID > 250 && !$0.ranges.isEmpty && $0.date > Self.asOf.date.adding(days: 40) })
    let range = target.ranges[0]
    try s.database.queue.write { db in
      try db.execute(
        sql: """
          INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, status, comments, created_at, updated_at)
          VALUES (?, 1, ?, ?, ?, 'booked', '', 'x', 'x')
          """, arguments: [target.resourceID, target.date.description, range.start.description, range.slotLengthSeconds / 60])
    }
    let second = try s.exporter.export(asOf: Self.asOf, full: false)
    #expect(second.outcome == .delta)
    #expect(second.changedDays == 1)
    let deltaPath = s.spool.outbox + "/" + (second.outboxFile ?? "")
    let reader = try PublicationReader(path: deltaPath)
    var days: [PublishedDay] = []
    while let d = try reader.nextDay() { days.append(d) }
    #expect(days.count == 1)
    #expect(days.first?.day.resourceID == target.resourceID && days.first?.day.date == target.date)
    #expect(reader.resources == nil && reader.appointmentTypes == nil)
    // And the receiver's view: base + delta = what is now published.
    #expect(try base.applying(deltaAt: deltaPath) == SnapshotContent(path: s.spool.publishedSnapshot))
  }

  @Test func tamperedPublishedStateForcesAFullSnapshot() throws {
    let s = try Setup(practitioners: 3, days: 7)
    #expect(try s.exporter.export(asOf: Self.asOf, full: false).outcome == .snapshot)
    let handle = try #require(FileHandle(forWritingAtPath: s.spool.publishedSnapshot))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("<!-- edited -->".utf8))
    try handle.close()
    let next = try s.exporter.export(asOf: Self.asOf, full: false)
    #expect(next.outcome == .snapshot)
    #expect(next.warnings.contains { $0.contains("published.xml") })
  }

  @Test func pendingPublicationWithItsOutboxFileIsFinishedOnRecovery() throws {
    let s = try Setup(practitioners: 3, days: 7)
    #expect(try s.exporter.export(asOf: Self.asOf, full: false).outcome == .snapshot)
    // Simulate a crash after the outbox file was written but before published.xml moved on.
    let seq = try s.state.reservePublication(kind: .snapshot, file: "snapshot-bench-2.xml", asOf: Self.asOf.description, baseSequence: nil)
    try FileManager.default.copyItem(atPath: s.spool.publishedSnapshot, toPath: s.spool.state + "/next.xml")
    try FileManager.default.copyItem(atPath: s.spool.publishedSnapshot, toPath: s.spool.outbox + "/snapshot-bench-2.xml")
    try s.exporter.recover()
    let done = try s.state.lastPublished()
    #expect(done?.sequence == seq && done?.status == .done)
    #expect(!FileManager.default.fileExists(atPath: s.spool.state + "/next.xml"))
  }
}
