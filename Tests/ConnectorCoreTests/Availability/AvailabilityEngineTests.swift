import ConnectorFixtures
import Foundation
import Testing
@testable import ConnectorCore

private typealias F = AvailabilityFixture

@Suite struct AvailabilityEngineTests {
  // MARK: Diaries

  @Test func alternateWeekUsesAlternateDiary() {
    let rows = [F.row(1, .main, "09:00", "10:00"), F.row(2, .alternate, "14:00", "15:00")]
    let doctor = F.practitioner(anchor: F.monday)
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [doctor], diaryRows: rows), options: F.options(horizon: 15))
    #expect(F.ranges(result, on: F.monday) == ["09:00-10:00/15"])
    #expect(F.ranges(result, on: F.monday.adding(days: 7)) == ["14:00-15:00/15"])
    #expect(F.ranges(result, on: F.monday.adding(days: 14)) == ["09:00-10:00/15"])
    #expect(AvailabilityEngine.diary(for: doctor, on: F.monday.adding(days: 7), rows: rows) == .alternate)
    // Before the anchor's week the roster has not started: main diary every week.
    let later = F.practitioner(anchor: F.monday.adding(days: 7))
    #expect(AvailabilityEngine.diary(for: later, on: F.monday, rows: rows) == .main)
    #expect(AvailabilityEngine.diary(for: later, on: F.monday.adding(days: -7), rows: rows) == .main)
    #expect(AvailabilityEngine.diary(for: later, on: F.monday.adding(days: 14), rows: rows) == .alternate)
  }

  @Test func alternateFallsBackToMainWithoutAlternateRows() {
    // Alternate rows exist only on Tuesday, so an odd-week Monday keeps the main diary.
    let rows = [F.row(1, .main, weekday: 1, "09:00", "10:00"), F.row(2, .alternate, weekday: 2, "14:00", "15:00")]
    let doctor = F.practitioner(anchor: F.monday.adding(days: -7))
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [doctor], diaryRows: rows), options: F.options(horizon: 2))
    #expect(AvailabilityEngine.diary(for: doctor, on: F.monday, rows: rows) == .main)
    #expect(F.ranges(result, on: F.monday) == ["09:00-10:00/15"])
    #expect(F.ranges(result, on: F.monday.adding(days: 1)) == ["14:00-15:00/15"])
    // Without an anchor the alternate diary never applies.
    #expect(AvailabilityEngine.diary(for: F.practitioner(), on: F.monday.adding(days: 8), rows: rows) == .main)
  }

  @Test func trailingPartialSlotDroppedAndReported() {
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: [F.row(7, "09:00", "10:10")]),
      options: F.options(horizon: 14))
    #expect(F.ranges(result) == ["09:00-10:00/15"])
    #expect(F.ranges(result, on: F.monday.adding(days: 7)) == ["09:00-10:00/15"])
    #expect(result.diagnostics.map(\.kind) == [.trailingPartialSlot])
    #expect(result.diagnostics.first?.diaryRowID == 7)
    #expect(result.diagnostics.first?.text == "10:10")
  }

  @Test func invalidDiaryRowsSkippedAndReportedOnceEach() {
    let rows = [
      F.row(9, .alternate, weekday: 4, "9am", "10:00"),  // alternate never used: no anchor
      F.row(3, .main, weekday: 2, "09:00", "08:00"),
      F.row(1, .main, weekday: 1, "9:00 am", "10:00"),
      F.row(4, .main, weekday: 3, "09:00", "10:00", interval: 0),
      F.row(2, .main, weekday: 1, "11:00", "12:00"),
      F.row(5, .alternate, weekday: 1, "10:00", "25:00"),
    ]
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: rows), options: F.options(horizon: 21))
    #expect(result.diagnostics.map(\.kind) == [.invalidDiaryTime, .endNotAfterStart, .invalidInterval, .invalidDiaryTime, .invalidDiaryTime])
    #expect(result.diagnostics.map(\.diaryRowID) == [1, 3, 4, 5, 9])
    #expect(result.diagnostics.map(\.text) == ["9:00 am", "08:00", "0", "25:00", "9am"])
    let thursday = result.diagnostics.last!
    #expect(thursday.diary == .alternate && thursday.weekday == 4)
    for fragment in ["Dr Jane Citizen1", "alternate diary", "Thursday", "\"9am\"", "Fix:"] {
      #expect(thursday.message.contains(fragment), "missing \(fragment) in \(thursday.message)")
    }
    // The bad rows are skipped, never guessed; the good row still publishes.
    #expect(F.ranges(result) == ["11:00-12:00/15"])
    #expect(F.ranges(result, on: F.monday.adding(days: 1)) == [])
    // doctor's entry point reports the same rows for an unpublished practitioner.
    let hidden = F.practitioner(online: false)
    #expect(AvailabilityEngine.diaryDiagnostics(for: hidden, rows: rows).map(\.diaryRowID) == [1, 3, 4, 5, 9])
  }

  @Test func overlappingRowsKeepTheEarlierStartingRowsSlots() {
    // Row 3 (20-minute) and row 5 (15-minute) start together: row 3 wins on the lower id. Row 5
    // keeps only 09:45, the one slot clear of row 3's; row 8 (09:30) loses 09:30 and 09:45.
    let rows = [F.row(5, "09:00", "10:00"), F.row(3, "09:00", "09:40", interval: 20), F.row(8, "09:30", "10:30")]
    let slots = AvailabilityEngine.slots(
      for: F.practitioner(), on: F.monday, rows: rows, blocks: [], isHoliday: false, bookings: [],
      options: F.options())
    #expect(slots.map(\.start.description) == ["09:00", "09:20", "09:45", "10:00", "10:15"])
    #expect(zip(slots, slots.dropFirst()).allSatisfy { $0.end <= $1.start })
    #expect(slots.first?.intervalMinutes == 20)
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: rows), options: F.options())
    #expect(F.ranges(result) == ["09:00-09:40/20", "09:45-10:30/15"])
    #expect(result.diagnostics.map(\.kind) == [.overlappingDiaryRows, .overlappingDiaryRows])
    #expect(result.diagnostics.map(\.diaryRowID) == [5, 8])
    #expect(result.diagnostics.first?.message.contains("3 of its 4 slots") == true, "\(result.diagnostics)")
  }

  // MARK: Days off

  @Test func holidayHasNoAvailability() {
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: [F.row(1)], holidays: [F.monday]),
      options: F.options(horizon: 8))
    #expect(F.ranges(result) == [])
    #expect(F.ranges(result, on: F.monday.adding(days: 7)) == ["09:00-10:00/15"])
  }

  @Test func wholeDayBlockHasNoAvailability() {
    let blocks = [DiaryBlock(id: 1, staffID: 1, date: F.monday, reason: "Conference")]
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: [F.row(1)], blocks: blocks),
      options: F.options(horizon: 8))
    #expect(F.ranges(result) == [])
    #expect(F.ranges(result, on: F.monday.adding(days: 7)) == ["09:00-10:00/15"])
    #expect(result.diagnostics.isEmpty)
  }

  @Test func partialBlockTakesOverlappingSlots() {
    let blocks = [DiaryBlock(id: 1, staffID: 1, date: F.monday, startText: "09:20", endText: "9:40am")]
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: [F.row(1)], blocks: blocks), options: F.options())
    #expect(F.ranges(result) == ["09:00-09:15/15", "09:45-10:00/15"])
  }

  @Test func invalidBlockTimeBlocksWholeDayAndIsReported() {
    let blocks = [
      DiaryBlock(id: 4, staffID: 1, date: F.monday, startText: "9:30 am", endText: "10:00"),
      DiaryBlock(id: 5, staffID: 1, date: F.monday.adding(days: 7), startText: "09:30", endText: nil),
    ]
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: [F.row(1)], blocks: blocks),
      options: F.options(horizon: 15))
    #expect(F.ranges(result) == [])
    #expect(F.ranges(result, on: F.monday.adding(days: 7)) == [])
    #expect(F.ranges(result, on: F.monday.adding(days: 14)) == ["09:00-10:00/15"])
    #expect(result.diagnostics.map(\.kind) == [.invalidBlockTime, .invalidBlockTime])
    #expect(result.diagnostics.map(\.blockID) == [4, 5])
    #expect(result.diagnostics.first?.text == "9:30 am")
  }

  // MARK: Bookings and columns

  @Test func cancelledAppointmentFreesSlot() {
    let book = { (occupies: Bool) in
      PracticeBook(
        practitioners: [F.practitioner()], diaryRows: [F.row(1)],
        bookings: [F.booking(1, "09:15", occupies: occupies)])
    }
    #expect(F.ranges(AvailabilityEngine.compute(book(true), options: F.options())) == ["09:00-09:15/15", "09:30-10:00/15"])
    #expect(F.ranges(AvailabilityEngine.compute(book(false), options: F.options())) == ["09:00-10:00/15"])
  }

  @Test func appointmentStraddlingSlotBoundaryTakesBoth() {
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: [F.row(1)], bookings: [F.booking(1, "09:10", minutes: 10)]),
      options: F.options())
    #expect(F.ranges(result) == ["09:30-10:00/15"])
  }

  @Test func secondColumnDoesNotCountByDefault() {
    let bookings = [F.booking(1, column: 2, "09:00"), F.booking(2, column: 1, "09:30")]
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner(columns: 2)], diaryRows: [F.row(1)], bookings: bookings),
      options: F.options())
    #expect(F.ranges(result) == ["09:00-09:30/15", "09:45-10:00/15"])
  }

  @Test func anyColumnModeKeepsSlotFreeWhileOneColumnFree() {
    let bookings = [
      F.booking(1, column: 1, "09:00"), F.booking(2, column: 2, "09:15"),
      F.booking(3, column: 1, "09:30"), F.booking(4, column: 2, "09:30"),
      F.booking(5, column: 3, "09:45"), F.booking(6, column: 1, "09:45"),  // column 3 does not exist
    ]
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner(columns: 2)], diaryRows: [F.row(1)], bookings: bookings),
      options: F.options(multiColumn: [1: .any]))
    #expect(F.ranges(result) == ["09:00-09:30/15", "09:45-10:00/15"])
  }

  @Test func slotsForIngestReportsLowestFreeColumns() {
    let bookings = [
      F.booking(1, column: 1, "09:00"), F.booking(2, column: 2, "09:00"), F.booking(3, column: 1, "09:15"),
      F.booking(4, column: 1, "09:30"), F.booking(5, column: 2, "09:30"), F.booking(6, column: 3, "09:30"),
      F.booking(7, staff: 2, column: 3, "09:15"), F.booking(8, column: 3, on: F.monday.adding(days: 1), "09:15"),
    ]
    let slots = AvailabilityEngine.slots(
      for: F.practitioner(columns: 3), on: F.monday, rows: [F.row(1)], blocks: [], isHoliday: false,
      bookings: bookings, options: F.options(multiColumn: [1: .any]))
    #expect(slots.map(\.freeColumns) == [[3], [2, 3], [], [1, 2, 3]])
    #expect(slots.map(\.published) == [true, true, false, true])
    let firstOnly = AvailabilityEngine.slots(
      for: F.practitioner(columns: 3), on: F.monday, rows: [F.row(1)], blocks: [], isHoliday: false,
      bookings: bookings, options: F.options())
    #expect(firstOnly.map(\.freeColumns) == [[], [], [], [1]])
    let holiday = AvailabilityEngine.slots(
      for: F.practitioner(), on: F.monday, rows: [F.row(1)], blocks: [], isHoliday: true, bookings: [],
      options: F.options())
    #expect(holiday.allSatisfy { $0.blocked && !$0.published && $0.freeColumns == [1] })
  }

  // MARK: Time

  @Test func leadMinutesHidesEarlySlots() {
    let book = PracticeBook(practitioners: [F.practitioner()], diaryRows: [F.row(1), F.row(2, weekday: 2)])
    let short = AvailabilityEngine.compute(book, options: F.options(asOf: "2026-03-02T08:00", horizon: 2, lead: 75))
    #expect(F.ranges(short) == ["09:15-10:00/15"])
    // A lead longer than a day reaches into the next date.
    let long = AvailabilityEngine.compute(book, options: F.options(asOf: "2026-03-02T08:00", horizon: 2, lead: 1530))
    #expect(F.ranges(long) == [])
    #expect(F.ranges(long, on: F.monday.adding(days: 1)) == ["09:30-10:00/15"])
  }

  @Test func asOfTimeHidesPastSlots() {
    let book = PracticeBook(practitioners: [F.practitioner()], diaryRows: [F.row(1), F.row(2, weekday: 2)])
    let result = AvailabilityEngine.compute(book, options: F.options(asOf: "2026-03-02T09:20", horizon: 2))
    #expect(F.ranges(result) == ["09:30-10:00/15"])
    #expect(F.ranges(result, on: F.monday.adding(days: 1)) == ["09:00-10:00/15"])
  }

  @Test func springForwardGapNotPublished() {
    // Sydney clocks jump from 02:00 to 03:00 on Sunday 2026-10-04.
    let sunday = LocalDate("2026-10-04")!
    let rows = [F.row(1, weekday: 7, "01:00", "04:00", interval: 30)]
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: rows),
      options: F.options(asOf: "2026-10-03T00:00", horizon: 9, timeZone: F.sydney))
    #expect(F.ranges(result, on: sunday) == ["01:00-02:00/30", "03:00-04:00/30"])
    #expect(F.ranges(result, on: sunday.adding(days: 7)) == ["01:00-04:00/30"])
    let slots = AvailabilityEngine.slots(
      for: F.practitioner(), on: sunday, rows: rows, blocks: [], isHoliday: false, bookings: [],
      options: F.options(asOf: "2026-10-03T00:00", timeZone: F.sydney))
    #expect(slots.map(\.published) == [true, true, false, false, true, true])
    // Perth has no daylight saving: the same diary is whole there.
    let perth = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: rows),
      options: F.options(asOf: "2026-10-03T00:00", horizon: 2))
    #expect(F.ranges(perth, on: sunday) == ["01:00-04:00/30"])
  }

  @Test func fallBackRepeatedHourStillPublished() {
    // Sydney clocks go back from 03:00 to 02:00 on Sunday 2026-04-05; 02:00–03:00 happens twice.
    let sunday = LocalDate("2026-04-05")!
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: [F.practitioner()], diaryRows: [F.row(1, weekday: 7, "01:00", "04:00", interval: 30)]),
      options: F.options(asOf: "2026-04-05T00:00", timeZone: F.sydney))
    #expect(F.ranges(result, on: sunday) == ["01:00-04:00/30"])
  }

  // MARK: Ranges

  @Test func mergingConsecutiveSlots() {
    let result = AvailabilityEngine.compute(
      PracticeBook(
        practitioners: [F.practitioner()],
        diaryRows: [F.row(1, "09:00", "10:00"), F.row(2, "10:00", "12:00")],
        bookings: [F.booking(1, "10:30", minutes: 30)]),
      options: F.options())
    #expect(F.ranges(result) == ["09:00-10:30/15", "11:00-12:00/15"])
    #expect(result.days.first?.ranges.first?.slotLengthSeconds == 900)
  }

  @Test func differentIntervalsDoNotMerge() {
    let result = AvailabilityEngine.compute(
      PracticeBook(
        practitioners: [F.practitioner()],
        diaryRows: [F.row(1, "09:00", "10:00"), F.row(2, "10:00", "11:00", interval: 20)]),
      options: F.options())
    #expect(F.ranges(result) == ["09:00-10:00/15", "10:00-11:00/20"])
  }

  @Test func appointmentTypeCodesPerRange() {
    let types = [
      AppointmentType(id: 1, code: "STD", name: "Standard", lengthMinutes: 15),
      AppointmentType(id: 2, code: "LONG", name: "Long", lengthMinutes: 30),
      AppointmentType(id: 3, code: "ODD", name: "Odd", lengthMinutes: 20),
      AppointmentType(id: 4, code: "OFF", name: "Offline", lengthMinutes: 15, online: false),
      AppointmentType(id: 5, code: "OTHER", name: "Other doctor", lengthMinutes: 15, staffID: 2),
      AppointmentType(id: 6, code: "MINE", name: "Mine", lengthMinutes: 45, staffID: 1),
      AppointmentType(id: 7, code: "ZERO", name: "Zero", lengthMinutes: 0),
      AppointmentType(id: 8, code: "HOUR", name: "Hour", lengthMinutes: 60),
    ]
    let result = AvailabilityEngine.compute(
      PracticeBook(
        practitioners: [F.practitioner()], diaryRows: [F.row(1, "09:00", "10:30")], appointmentTypes: types,
        bookings: [F.booking(1, "09:15", minutes: 30)]),
      options: F.options())
    let ranges = result.days.first?.ranges ?? []
    #expect(ranges.map(\.appointmentTypeCodes) == [["STD"], ["LONG", "MINE", "STD"]])
  }

  // MARK: Coverage of the snapshot

  @Test func everyPractitionerAndDatePresent() {
    let practitioners = [F.practitioner(30), F.practitioner(10), F.practitioner(20)]
    let rows = [F.row(1, staff: 10), F.row(2, staff: 30, weekday: 3)]
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: practitioners, diaryRows: rows), options: F.options(horizon: 7))
    let keys = result.days.map { "\($0.resourceID)@\($0.date)" }
    var expected: [String] = []
    for id in [10, 20, 30] {
      for day in 0..<7 { expected.append("\(id)@\(F.monday.adding(days: day))") }
    }
    #expect(keys == expected)
    #expect(result.days.filter { !$0.ranges.isEmpty }.map(\.resourceID) == [10, 30])
  }

  @Test func inactiveAndOfflineNotPublished() {
    let practitioners = [
      F.practitioner(1), F.practitioner(2, active: false), F.practitioner(3, online: false),
    ]
    let rows = [F.row(1, staff: 1), F.row(2, staff: 2), F.row(3, staff: 3)]
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: practitioners, diaryRows: rows), options: F.options(horizon: 3))
    #expect(Set(result.days.map(\.resourceID)) == [1])
    #expect(result.days.count == 3)
  }

  @Test func horizonIsClampedToNinetyDays() {
    let book = PracticeBook(practitioners: [F.practitioner()])
    #expect(AvailabilityEngine.compute(book, options: F.options(horizon: 500)).days.count == 90)
    #expect(AvailabilityEngine.compute(book, options: F.options(horizon: 0)).days.count == 1)
  }

  /// The ingest grid and the snapshot must never disagree about what is free.
  @Test func slotsAgreeWithCompute() {
    var generator = SplitMix64(seed: 42)
    let doctors = [F.practitioner(1, columns: 2), F.practitioner(2, columns: 3, anchor: F.monday)]
    var rows: [DiaryRow] = []
    var bookings: [BookedInterval] = []
    var blocks: [DiaryBlock] = []
    for doctor in doctors {
      for weekday in 1...6 {
        rows.append(F.row(Int64(rows.count + 1), staff: doctor.id, .main, weekday: weekday, "08:00", "12:00"))
        rows.append(F.row(Int64(rows.count + 1), staff: doctor.id, .alternate, weekday: weekday, "1:00pm", "5:10pm", interval: 20))
      }
      for day in 0..<14 {
        let date = F.monday.adding(days: day)
        for _ in 0..<12 {
          let start = 8 * 60 + Int(generator.next() % 540)
          bookings.append(
            BookedInterval(
              appointmentID: Int64(bookings.count), staffID: doctor.id, column: 1 + Int(generator.next() % 3), date: date,
              start: MinuteOfDay(start), durationMinutes: 5 + Int(generator.next() % 40),
              occupies: generator.next() % 5 != 0))
        }
        if day % 5 == 2 {
          blocks.append(DiaryBlock(id: Int64(blocks.count), staffID: doctor.id, date: date, startText: "10:10", endText: "2:00pm"))
        }
      }
    }
    let options = F.options(asOf: "2026-03-02T10:05", horizon: 14, lead: 30, multiColumn: [2: .any])
    let result = AvailabilityEngine.compute(
      PracticeBook(practitioners: doctors, diaryRows: rows, blocks: blocks, bookings: bookings), options: options)
    var compared = 0
    for day in result.days {
      let doctor = doctors.first { $0.id == day.resourceID }!
      let slots = AvailabilityEngine.slots(
        for: doctor, on: day.date, rows: rows, blocks: blocks, isHoliday: false, bookings: bookings, options: options)
      var merged: [String] = []
      var current: (start: MinuteOfDay, end: MinuteOfDay, interval: Int)?
      for slot in slots where slot.published {
        if let c = current, c.end == slot.start, c.interval == slot.intervalMinutes {
          current = (c.start, slot.end, c.interval)
        } else {
          if let c = current { merged.append("\(c.start)-\(c.end)/\(c.interval)") }
          current = (slot.start, slot.end, slot.intervalMinutes)
        }
      }
      if let c = current { merged.append("\(c.start)-\(c.end)/\(c.interval)") }
      #expect(merged == F.ranges(result, staff: day.resourceID, on: day.date), "\(day.resourceID) \(day.date)")
      compared += merged.count
    }
    #expect(compared > 20)
  }

  /// Not a benchmark (debug build): reports the time and catches accidental quadratic behaviour.
  @Test func fiveHundredPractitionersNinetyDaysStaysLinear() {
    var practitioners: [Practitioner] = []
    var rows: [DiaryRow] = []
    var bookings: [BookedInterval] = []
    for id in 1...Int64(500) {
      practitioners.append(F.practitioner(id, anchor: id % 3 == 0 ? F.monday : nil))
      for weekday in 1...5 {
        rows.append(F.row(Int64(rows.count + 1), staff: id, weekday: weekday, "08:00", "12:00"))
        rows.append(F.row(Int64(rows.count + 1), staff: id, weekday: weekday, "1:00pm", "5:00pm"))
      }
      rows.append(F.row(Int64(rows.count + 1), staff: id, .alternate, weekday: 2, "10:00", "14:00"))
      for day in 0..<90 where F.monday.adding(days: day).weekday <= 5 {
        let date = F.monday.adding(days: day)
        for slot in stride(from: 8 * 60, to: 17 * 60, by: 30) {
          bookings.append(
            BookedInterval(
              appointmentID: Int64(bookings.count), staffID: id, column: 1, date: date, start: MinuteOfDay(slot),
              durationMinutes: 15))
        }
      }
    }
    let book = PracticeBook(practitioners: practitioners.shuffled(), diaryRows: rows.shuffled(), bookings: bookings)
    let clock = ContinuousClock()
    var result: AvailabilityResult?
    let elapsed = clock.measure {
      result = AvailabilityEngine.compute(book, options: F.options(horizon: 90))
    }
    print("availability: 500 practitioners × 90 days, \(bookings.count) bookings: \(elapsed) (debug build)")
    #expect(result?.days.count == 500 * 90)
    #expect(result?.days.first?.ranges.count == 16)
    #expect(elapsed < .seconds(60))
  }
}

