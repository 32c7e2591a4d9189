import Testing

@testable import ConnectorCore

/// One cadence rule for the runner and for `status`.
@Suite struct ArchiveScheduleTests {
  static let nine = LocalDateTime("2026-03-02T09:00")!

  @Test func runsCadenceCountsRunsSinceTheLastArchive() {
    var s = ArchiveSchedule(every: .runs(3), hasArchive: true, runsSinceArchive: 1, lastArchiveMinutes: nil)
    #expect(!s.isDue(stagedFiles: 5, at: Self.nine) && s.nextDue == "after 2 more runs")
    s.runsSinceArchive = 2
    #expect(s.isDue(stagedFiles: 5, at: Self.nine) && s.nextDue == "after 1 more run")
    #expect(!s.isDue(stagedFiles: 0, at: Self.nine))
  }

  @Test func minutesCadenceCountsLogicalTimeAndNothingArchivedYetIsDue() {
    let last = Self.nine.absoluteMinutes
    let s = ArchiveSchedule(every: .minutes(60), hasArchive: true, runsSinceArchive: 0, lastArchiveMinutes: last)
    #expect(!s.isDue(stagedFiles: 1, at: LocalDateTime("2026-03-02T09:59")!))
    #expect(s.isDue(stagedFiles: 1, at: LocalDateTime("2026-03-02T10:00")!))
    #expect(s.nextDue == "2026-03-02T10:00")
    let fresh = ArchiveSchedule(every: .minutes(60), hasArchive: false, runsSinceArchive: 0, lastArchiveMinutes: nil)
    #expect(fresh.isDue(stagedFiles: 1, at: Self.nine) && fresh.nextDue == "next run")
  }

  /// A run with a clock years ahead recorded its archive there; later runs on the right clock
  /// must not wait years for the next one.
  @Test func anArchiveDatedInTheFutureNeverFreezesTheCadence() {
    let future = LocalDateTime("2031-06-01T08:00")!.absoluteMinutes
    let s = ArchiveSchedule(every: .minutes(60), hasArchive: true, runsSinceArchive: 0, lastArchiveMinutes: future)
    #expect(s.isDue(stagedFiles: 1, at: Self.nine))
  }
}
