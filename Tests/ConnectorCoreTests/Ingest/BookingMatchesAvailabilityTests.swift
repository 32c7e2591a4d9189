import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// `AppointmentBook.book` and the published availability must agree: a slot the snapshot offers
/// is bookable, a grid time it does not offer is refused, and a booked slot leaves the next
/// publication.
@Suite struct BookingMatchesAvailabilityTests {
  @Test(arguments: [UInt64(3), 8])
  func publishedSlotsAreBookableAndUnpublishedOnesAreNot(seed: UInt64) throws {
    let p = try IngestTestPractice("agree")
    try p.useGeneratedPractice(practitioners: 6, days: 10, seed: seed)
    p.configuration.horizonDays = 10
    let asOf = LocalDateTime(IngestTestPractice.asOf)!
    func publish() throws -> SnapshotContent {
      let exporter = Exporter(
        configuration: p.configuration, spool: p.spool, database: try PPMPDatabase(path: p.databasePath),
        state: try ConnectorState(path: p.spool.stateDatabase))
      _ = try exporter.export(asOf: asOf, full: true)
      return try SnapshotContent(path: p.spool.publishedSnapshot)
    }
    let before = try publish()
    var offered: [BookingMessage] = []
    var refused: [BookingMessage] = []
    var n = 0
    for day in before.days {
      let starts = Set(day.ranges.map(\.start.minutes))
      for (i, range) in day.ranges.enumerated() {
        let slot = range.slotLengthSeconds / 60
        n += 1
        // One whole-range booking on odd ranges (every slot it covers must be free), one slot otherwise.
        let minutes = i % 2 == 1 ? range.end.minutes - range.start.minutes : slot
        offered.append(
          IngestTestPractice.booking(
            "ok-\(n)", resource: day.resourceID, at: "\(day.date)T\(range.start)", minutes: minutes, type: nil,
            first: "P\(n)", last: "Q"))
        // The grid time right after a range is taken, blocked or outside the session.
        if !starts.contains(range.end.minutes) && range.end.minutes + slot <= 24 * 60 {
          refused.append(
            IngestTestPractice.booking(
              "no-\(n)", resource: day.resourceID, at: "\(day.date)T\(range.end)", minutes: slot, type: nil,
              first: "P\(n)", last: "R"))
        }
      }
    }
    #expect(offered.count > 20 && refused.count > 10)
    try p.drop("d.xml", bookings: offered + refused)
    try p.ingest()
    let answers = try p.answers("receipt-d.xml")
    let confirmed = Set(answers.filter { $0.name == "confirmInsert" }.compactMap { $0["heMsgId"] })
    for b in offered { #expect(confirmed.contains(b.heMsgId), "\(b.heMsgId) \(b.pmsResourceId!) \(b.pmsAppointmentTime!)") }
    for a in answers where a["heMsgId"]?.hasPrefix("no-") == true {
      #expect(a.name == "rejectInsert" && a["reason"] == "slot-unavailable", "\(a)")
    }
    // Every booked start has left the published availability.
    let after = try publish()
    for b in offered {
      let start = LocalDateTime(b.pmsAppointmentTime!)!
      let day = after.days.first { "\($0.resourceID)" == b.pmsResourceId && $0.date == start.date }
      #expect(day?.ranges.contains { $0.start.minutes <= start.time.minutes && start.time.minutes < $0.end.minutes } != true)
    }
  }
}
