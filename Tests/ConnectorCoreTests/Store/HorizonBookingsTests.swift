import ConnectorFixtures
import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// Export takes each practitioner's bookings from one unordered scan grouped in memory
/// (`HorizonBookings`), or from the ordered scan when a value does not fit its packing; either
/// way a practitioner gets exactly the occupying bookings `readOccupyingBookings` finds for them.
@Suite struct HorizonBookingsTests {
  static let start = LocalDate("2026-03-02")!

  static func practice(seed: UInt64, in folder: TemporaryFolder) throws -> PPMPDatabase {
    let path = folder.child("ppmp.sqlite")
    try PracticeFixtureGenerator.generate(
      PracticeFixtureSpec(practitioners: 12, days: 20, patients: 50, bookedFraction: 0.5, seed: seed, start: start), into: path)
    let database = try PPMPDatabase(path: path)
    // Rows the reads must treat alike: an odd time (a whole-day booking), a cancelled booking,
    // one outside the horizon.
    try database.queue.write { db in
      for (staff, date, time, status) in [
        (3, "2026-03-05", "9am", "booked"), (4, "2026-03-07", "11:00", "cancelled"),
        (5, "2026-05-07", "11:00", "booked"),
      ] {
        try db.execute(
          sql: """
            INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, status, comments, created_at, updated_at)
            VALUES (?, 1, ?, ?, 30, ?, '', 'x', 'x')
            """, arguments: [staff, date, time, status])
      }
    }
    return database
  }

  /// Per practitioner of the book, the bookings `readBook` hands out, and the reference.
  static func compare(_ database: PPMPDatabase) throws -> (handedOut: [[BookedInterval]], reference: [[BookedInterval]]) {
    let byID = { (a: BookedInterval, b: BookedInterval) in a.appointmentID < b.appointmentID }
    let handedOut = try database.readBook(from: start, days: 14) { _, book, bookingsOf in
      try book.practitioners.map(\.id).sorted().map { try bookingsOf($0).sorted(by: byID) }
    }
    let reference = try database.queue.read { db in
      let staff = try PPMPDatabase.readPractitioners(db).map(\.id).sorted()
      return try staff.map {
        try PPMPDatabase.readOccupyingBookings(db, from: start, to: start.adding(days: 14), staffID: $0).sorted(by: byID)
      }
    }
    return (handedOut, reference)
  }

  @Test(arguments: 1...4)
  func eachPractitionerGetsTheirOccupyingBookings(seed: UInt64) throws {
    let folder = try TemporaryFolder("horizon-bookings")
    let database = try Self.practice(seed: seed, in: folder)
    let packed = try database.queue.read { db in
      try HorizonBookings.read(db, from: Self.start, to: Self.start.adding(days: 14), staff: [1, 2, 3])
    }
    #expect(packed != nil)
    let (handedOut, reference) = try Self.compare(database)
    #expect(reference.joined().count > 50)
    #expect(handedOut == reference)
  }

  @Test func aBookingThatDoesNotPackIsReadByTheOrderedScan() throws {
    let folder = try TemporaryFolder("horizon-bookings-wide")
    let database = try Self.practice(seed: 9, in: folder)
    try database.queue.write { db in
      try db.execute(
        sql: """
          INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, status, comments, created_at, updated_at)
          VALUES (2, 1, '2026-03-04', '09:00', 70000, 'booked', '', 'x', 'x')
          """)
    }
    let packed = try database.queue.read { db in
      try HorizonBookings.read(db, from: Self.start, to: Self.start.adding(days: 14), staff: [1, 2, 3])
    }
    #expect(packed == nil)
    let (handedOut, reference) = try Self.compare(database)
    #expect(reference.joined().contains { $0.durationMinutes == 70000 })
    #expect(handedOut == reference)
  }
}
