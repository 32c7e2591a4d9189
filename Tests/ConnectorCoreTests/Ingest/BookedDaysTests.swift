import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// Ingest keeps each practitioner-day it has read for the rest of the pass (`BookedDays`); what
/// another program writes to PPMP in between must still be seen by the next booking's check.
@Suite struct BookedDaysTests {
  func book(_ p: IngestTestPractice) throws -> AppointmentBook {
    let state = try ConnectorState(path: p.spool.stateDatabase)
    let options = AvailabilityOptions(
      asOf: LocalDateTime(IngestTestPractice.asOf)!, horizonDays: 14, leadMinutes: 120,
      timeZone: TimeZone(identifier: "Australia/Perth")!, multiColumn: [:])
    return try AppointmentBook(database: try PPMPDatabase(path: p.databasePath), options: options, patients: PatientIndex(state: state))
  }

  func request(_ id: String, at time: String) throws -> BookingRequest {
    try BookingChecks.check(IngestTestPractice.booking(id, at: time)).get()
  }

  @Test func aSlotAnotherProgramBooksBetweenTwoBookingsOfADayIsNotBookedTwice() throws {
    let p = try IngestTestPractice("days-concurrent")
    let book = try book(p)
    // The first booking reads staff 1's 3 March; the front desk then books 11:00 that day.
    #expect(try book.book(try request("d1", at: "2026-03-03T09:00")).get().existing == false)
    try p.write(
      """
      INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, patient_id, status, comments,
                                created_at, updated_at)
      VALUES (1, 1, '2026-03-03', '11:00', 30, 2, 'booked', 'front desk', 'x', 'x')
      """)
    guard case .failure(let rejection) = try book.book(try request("d2", at: "2026-03-03T11:00")) else {
      Issue.record("booked over the front desk's appointment")
      return
    }
    #expect(rejection.reason == .slotUnavailable)
    // Another program's block on a day already read counts too.
    try p.write("INSERT INTO diary_blocks (staff_id, block_date, start_time, end_time, reason) VALUES (1, '2026-03-03', '11:30', '12:00', 'x')")
    guard case .failure(let blocked) = try book.book(try request("d3", at: "2026-03-03T11:30")) else {
      Issue.record("booked into a block added after the day was read")
      return
    }
    #expect(blocked.reason == .slotUnavailable)
    #expect(try p.count("SELECT COUNT(*) FROM appointments WHERE appt_date = '2026-03-03' AND staff_id = 1") == 2)
  }

  @Test func theConnectorsOwnBookingsOfThePassAreKeptInTheDay() throws {
    let p = try IngestTestPractice("days-own")
    let book = try book(p)
    let first = try book.book(try request("o1", at: "2026-03-03T09:00")).get()
    // The same slot again: taken by the booking just made, which the kept day must count.
    guard case .failure(let rejection) = try book.book(try request("o2", at: "2026-03-03T09:15")) else {
      Issue.record("booked over the pass's own booking")
      return
    }
    #expect(rejection.reason == .slotUnavailable)
    // Its token is kept too: a re-delivery confirms the same appointment.
    let again = try book.book(try request("o1", at: "2026-03-03T09:00")).get()
    #expect(again.existing && again.appointmentID == first.appointmentID)
    // A token another program writes into that day's comments is seen as well.
    try p.write(
      """
      INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, patient_id, status, comments,
                                created_at, updated_at)
      VALUES (1, 1, '2026-03-03', '11:00', 30, 2, 'booked', 'HE_MSG_ID:o3', 'x', 'x')
      """)
    let moved = try book.book(try request("o3", at: "2026-03-03T10:00")).get()
    #expect(moved.existing && moved.patientID == 2)
  }

  /// The slot check keeps each day's grid and takes the pass's own bookings off it (`add`)
  /// instead of working it out again: after every booking the kept grid must equal the one
  /// recomputed from the day's bookings, including partial overlaps and a two-column diary.
  @Test func theKeptGridLosesEachOwnBookingAsRecomputingWould() throws {
    let p = try IngestTestPractice("days-grid")
    let options = AvailabilityOptions(
      asOf: LocalDateTime(IngestTestPractice.asOf)!, horizonDays: 14, leadMinutes: 120,
      timeZone: TimeZone(identifier: "Australia/Perth")!, multiColumn: [2: .any])
    let database = try PPMPDatabase(path: p.databasePath)
    var random = SeededRandom(seed: 19)
    try database.guarded("testing") { db in
      let practitioners = Dictionary(uniqueKeysWithValues: try PPMPDatabase.readPractitioners(db).map { ($0.id, $0) })
      let rows = try PPMPDatabase.readDiaryRows(db)
      let days = BookedDays(from: LocalDate("2026-03-02")!, to: LocalDate("2026-03-16")!)
      for (staff, dateText) in [(Int64(1), "2026-03-04"), (2, "2026-03-03"), (2, "2026-03-06")] {
        let date = LocalDate(dateText)!
        let practitioner = practitioners[staff]!
        func recomputed() throws -> [DiarySlot] {
          let day = try days.day(staffID: staff, date: date, db)
          return AvailabilityEngine.slots(
            for: practitioner, on: date, rows: rows, blocks: day.blocks, isHoliday: day.isHoliday, bookings: day.bookings,
            options: options)
        }
        days.keep(slots: try recomputed(), staffID: staff, date: date)
        var placed = 0
        for attempt in 0..<40 {
          let kept = try days.day(staffID: staff, date: date, db).slots!
          #expect(kept == (try recomputed()), "staff \(staff) \(dateText) after \(placed) bookings")
          // A free column of a random slot, for one or two slots (runs past a taken slot too:
          // the grid only records, the check that refuses overlaps is AppointmentBook's).
          let open = kept.filter { !$0.freeColumns.isEmpty }
          guard !open.isEmpty else { break }
          let slot = open[Int.random(in: 0..<open.count, using: &random)]
          let length = Int.random(in: 0..<2, using: &random) == 0 ? slot.intervalMinutes : slot.intervalMinutes * 2
          days.add(
            BookedInterval(
              appointmentID: 10_000 + Int64(attempt), staffID: staff, column: slot.freeColumns[Int.random(in: 0..<slot.freeColumns.count, using: &random)],
              date: date, start: slot.start, durationMinutes: length),
            carrier: TokenCarrier(id: 10_000 + Int64(attempt), patientID: 1, status: "booked", comments: "HE_MSG_ID:g\(attempt)"))
          placed += 1
        }
        #expect(placed > 3)
        #expect(try days.day(staffID: staff, date: date, db).slots! == (try recomputed()))
      }
    }
  }

  /// A day read ahead on another connection (`DayReadAhead`) stands in for the booking
  /// thread's own read only while nothing was forgotten since the read began: another
  /// program's commit after it, or a `forget` (a failed or cancelling transaction) in between,
  /// makes the booking thread read the day itself.
  @Test func aDayReadAheadIsUsedOnlyWhileNothingHappenedSince() throws {
    let p = try IngestTestPractice("days-ahead")
    let database = try PPMPDatabase(path: p.databasePath)
    let days = BookedDays(from: LocalDate("2026-03-02")!, to: LocalDate("2026-03-16")!)
    let march3 = LocalDate("2026-03-03")!
    let march4 = LocalDate("2026-03-04")!
    func bookings(_ staff: Int64, _ date: LocalDate) throws -> [String] {
      try database.queue.write { db in try days.day(staffID: staff, date: date, db).bookings.map(\.start.description) }
    }
    // Starts the pass: the data version is noted.
    #expect(try bookings(1, LocalDate("2026-03-09")!) == [])

    // Used when nothing happened since: an offer that is deliberately wrong (staff 1 has 10:00
    // on 4 March in PPMP) shows the booking thread took it instead of reading.
    days.offer(staffID: 1, date: march4, bookings: [], carriers: [], epoch: days.readAheadEpoch())
    #expect(try bookings(1, march4) == [])

    // A real read ahead, then another program books that day: the next check sees the commit.
    let ahead = DayReadAhead(path: p.databasePath, days: days)
    try ahead.readAhead([(staffID: 2, date: march3)])
    try p.write(
      """
      INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, patient_id, status, comments,
                                created_at, updated_at)
      VALUES (2, 2, '2026-03-03', '11:00', 30, 2, 'booked', 'front desk', 'x', 'x')
      """)
    #expect(try bookings(2, march3) == ["10:00", "11:00"])

    // An offer whose read began before a forget is dropped.
    let before = days.readAheadEpoch()
    days.forget()
    days.offer(staffID: 1, date: march4, bookings: [], carriers: [], epoch: before)
    #expect(try bookings(1, march4) == ["10:00"])
    ahead.close()
  }
}
