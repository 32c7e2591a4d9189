import Foundation

/// The availability rules of SPEC §3 as pure functions: diaries, blocks, holidays and bookings in,
/// published ranges (and the per-slot grid ingest needs) out.
public enum AvailabilityEngine {
  /// Computes the snapshot availability of every published practitioner (active and online)
  /// for every date of the horizon, plus diagnostics for rows and blocks it had to skip or distrust.
  ///
  /// Diary-row diagnostics cover both diaries of every published practitioner, whether or not a
  /// diary is used in the horizon; block diagnostics cover blocks inside the horizon. Use
  /// `diaryDiagnostics(for:rows:)` to check unpublished practitioners too.
  public static func compute(_ book: PracticeBook, options: AvailabilityOptions) -> AvailabilityResult {
    var computation = AvailabilityComputation(book, options: options)
    let count = computation.practitioners.count
    var bookingsByPractitioner = Array(repeating: [BookedInterval](), count: count)
    // Bookings usually arrive ordered by staff, so remembering the last lookup skips most hashing.
    var lastStaff: Int64?
    var lastIndex: Int?
    for booking in book.bookings {
      if booking.staffID != lastStaff {
        lastStaff = booking.staffID
        lastIndex = computation.indexByID[booking.staffID]
      }
      if let p = lastIndex { bookingsByPractitioner[p].append(booking) }
    }
    var days: [DayAvailability] = []
    days.reserveCapacity(count * options.effectiveHorizonDays)
    for p in 0..<count {
      computation.days(ofPractitionerAt: p, bookings: bookingsByPractitioner[p]) { days.append($0) }
    }
    return AvailabilityResult(days: days, diagnostics: computation.sortedDiagnostics)
  }

  /// The diary grid of one practitioner on one date with each slot's state, for ingest to check
  /// a requested booking and pick the lowest free column.
  ///
  /// `rows` are that practitioner's rows (both diaries; this picks main or alternate), `blocks` and
  /// `bookings` that practitioner's on that date (others are ignored, as are cancelled bookings).
  /// Slots come sorted by start.
  public static func slots(
    for practitioner: Practitioner, on date: LocalDate, rows: [DiaryRow], blocks: [DiaryBlock], isHoliday: Bool,
    bookings: [BookedInterval], options: AvailabilityOptions
  ) -> [DiarySlot] {
    var ignored: [AvailabilityDiagnostic] = []
    return slots(
      for: practitioner, on: date, template: DiaryTemplate(practitioner: practitioner, rows: rows, diagnostics: &ignored),
      blocks: blocks, isHoliday: isHoliday, bookings: bookings, options: options)
  }

  /// `slots(for:on:rows:…)` from the practitioner's template built once (ingest checks thousands
  /// of bookings against the same few templates).
  static func slots(
    for practitioner: Practitioner, on date: LocalDate, template diary: DiaryTemplate, blocks: [DiaryBlock], isHoliday: Bool,
    bookings: [BookedInterval], options: AvailabilityOptions
  ) -> [DiarySlot] {
    let template = diary.slots(on: date, anchor: practitioner.rosterAnchor)
    guard !template.isEmpty else { return [] }
    let columns = countingColumnCount(for: practitioner, options: options)
    var occupancy = DayOccupancy()
    occupancy.reset(columnCount: columns)
    var wholeDay = isHoliday
    for block in blocks where block.staffID == practitioner.id && block.date == date {
      switch interpret(block, of: practitioner) {
      case .wholeDay, .invalid: wholeDay = true
      case .partial(let start, let end): occupancy.addBlock(start: start, end: end)
      }
    }
    for booking in bookings where booking.occupies && booking.staffID == practitioner.id && booking.date == date {
      occupancy.addBooking(column: booking.column, start: booking.start.minutes, end: booking.end)
    }
    occupancy.prepare()
    let gaps = DaylightSavingGaps(timeZone: options.timeZone, firstDay: date.dayNumber, dayCount: 1)
    let checkGaps = gaps.touches(day: date.dayNumber)
    let cutoff = options.earliestStart
    let dayBase = date.dayNumber * 1440
    var result: [DiarySlot] = []
    result.reserveCapacity(template.count)
    for slot in template {
      let blocked = occupancy.isBlocked(start: slot.start, end: slot.end) || wholeDay
      var free: [Int] = []
      for column in 1...columns where occupancy.isFree(column: column, start: slot.start, end: slot.end) {
        free.append(column)
      }
      let wall = dayBase + slot.start
      let published = isPublished(
        wallMinute: wall, cutoff: cutoff, inGap: checkGaps && gaps.skips(wallMinute: wall), blocked: blocked,
        anyColumnFree: !free.isEmpty)
      result.append(
        DiarySlot(
          start: MinuteOfDay(slot.start), end: MinuteOfDay(slot.end), intervalMinutes: slot.interval,
          blocked: blocked, freeColumns: free, published: published))
    }
    return result
  }

  /// The one test of whether a diary slot is published (docs/rules.md), for export and for
  /// ingest's booking check alike: it starts at or after the lead-time cut-off, its wall-clock
  /// start exists (not in a daylight-saving gap), no block overlaps it, and some counting column
  /// is free for all of it. Holidays and whole-day blocks count as blocked. The occupancy tests
  /// are the caller's, evaluated only when the cheaper ones pass (export asks them of the
  /// occupancy; ingest has already worked out each slot's free columns and passes what it has).
  @inline(__always)
  static func isPublished(
    wallMinute: Int, cutoff: Int, inGap: Bool, blocked: @autoclosure () -> Bool, anyColumnFree: @autoclosure () -> Bool
  ) -> Bool {
    wallMinute >= cutoff && !inGap && !blocked() && anyColumnFree()
  }

  /// Which diary (main or alternate) applies to `practitioner` on `date`: alternate on an odd
  /// number of whole weeks after the Monday of the roster anchor's week (never before it) when `rows`
  /// hold alternate rows for that weekday (docs/rules.md, "Fortnightly rosters").
  public static func diary(for practitioner: Practitioner, on date: LocalDate, rows: [DiaryRow]) -> DiaryKind {
    var ignored: [AvailabilityDiagnostic] = []
    let relevant = rows.filter { $0.staffID == practitioner.id && $0.weekday == date.weekday }
    return DiaryTemplate(practitioner: practitioner, rows: relevant, diagnostics: &ignored)
      .kind(on: date, anchor: practitioner.rosterAnchor)
  }

  /// Diagnostics for one practitioner's diary rows (both diaries), in report order; for `doctor`,
  /// which checks every practitioner, published or not.
  public static func diaryDiagnostics(for practitioner: Practitioner, rows: [DiaryRow]) -> [AvailabilityDiagnostic] {
    var diagnostics: [AvailabilityDiagnostic] = []
    _ = DiaryTemplate(practitioner: practitioner, rows: rows, diagnostics: &diagnostics)
    return diagnostics.sorted(by: reportOrder)
  }

  /// Weekdays on which one of the practitioner's diaries has rows but none of them yields a
  /// slot (every row invalid or too short): in force on such a day, that diary publishes
  /// nothing. An alternate diary like this still applies on its weeks; the main diary is never
  /// used in its place (docs/rules.md, "Fortnightly rosters").
  public static func unusableDiaryDays(for practitioner: Practitioner, rows: [DiaryRow]) -> [(diary: DiaryKind, weekday: Int)] {
    var ignored: [AvailabilityDiagnostic] = []
    let template = DiaryTemplate(practitioner: practitioner, rows: rows, diagnostics: &ignored)
    return DiaryKind.allCases.flatMap { kind in
      (1...7).filter { template.isUnusable(kind, weekday: $0) }.map { (diary: kind, weekday: $0) }
    }
  }

  /// The Monday the practitioner's fortnightly roster counts its weeks from (the Monday of the
  /// anchor's week), or nil without an anchor. Dates before it always use the main diary.
  public static func rosterStart(of practitioner: Practitioner) -> LocalDate? {
    practitioner.rosterAnchor.map(DiaryTemplate.rosterStart)
  }

  /// Columns that count for `practitioner`: 1 in `.first` mode, all of them in `.any` mode.
  public static func countingColumnCount(for practitioner: Practitioner, options: AvailabilityOptions) -> Int {
    options.multiColumnMode(for: practitioner.id) == .any ? max(practitioner.columns, 1) : 1
  }

  /// Appends `slot` to the range it continues (same length, starting where the range ends) or
  /// opens a new one. Looking back past the last range lets two offset diary grids on one day
  /// each keep their own continuous ranges instead of fragmenting one another.
  static func merge(_ slot: TemplateSlot, into open: inout [TemplateSlot]) {
    var k = open.count - 1
    while k >= 0 {
      if open[k].end == slot.start && open[k].interval == slot.interval {
        open[k].end = slot.end
        return
      }
      k -= 1
    }
    open.append(slot)
  }

  enum BlockSpan {
    case wholeDay
    case partial(Int, Int)
    case invalid(AvailabilityDiagnostic)
  }

  /// A block's busy time. Anything unreadable blocks the whole day: publishing time the practice
  /// meant to block is worse than hiding time it meant to offer.
  static func interpret(_ block: DiaryBlock, of practitioner: Practitioner) -> BlockSpan {
    if block.startText == nil && block.endText == nil { return .wholeDay }
    let start = block.startText.flatMap(DiaryTime.parse)
    let end = block.endText.flatMap(DiaryTime.parse)
    if let start, let end, end > start { return .partial(start.minutes, end.minutes) }
    let text: String
    let problem: String
    switch (block.startText, block.endText) {
    case (let s?, _) where start == nil:
      text = s
      problem = "start time \"\(s)\" is not a valid diary time"
    case (_, let e?) where end == nil:
      text = e
      problem = "end time \"\(e)\" is not a valid diary time"
    case (let s?, let e?):
      text = e
      problem = "end time \"\(e)\" is not after start time \"\(s)\""
    case (let s?, nil):
      text = s
      problem = "it has a start time \"\(s)\" but no end time"
    case (nil, let e?):
      text = e
      problem = "it has an end time \"\(e)\" but no start time"
    case (nil, nil):
      return .wholeDay
    }
    return .invalid(
      AvailabilityDiagnostic(
        kind: .invalidBlockTime, practitionerID: practitioner.id, practitionerName: practitioner.displayName,
        weekday: block.date.weekday, blockID: block.id, date: block.date, text: text,
        problem: "\(practitioner.displayName) (staff \(practitioner.id)), diary block \(block.id) on \(block.date) "
          + "(\(weekdayName(block.date.weekday))): \(problem); the whole day is treated as blocked.",
        fix: "enter both times as 24-hour \"09:00\" or 12-hour \"9:00am\", or clear both for a whole-day block."))
  }

  /// Practitioner id, diary (main, alternate, then blocks), weekday, row id, block date, block id.
  static func reportOrder(_ a: AvailabilityDiagnostic, _ b: AvailabilityDiagnostic) -> Bool {
    func rank(_ diary: DiaryKind?) -> Int {
      switch diary {
      case .main: 0
      case .alternate: 1
      case nil: 2
      }
    }
    let ka = (a.practitionerID, rank(a.diary), a.weekday ?? 0, a.diaryRowID ?? 0)
    let kb = (b.practitionerID, rank(b.diary), b.weekday ?? 0, b.diaryRowID ?? 0)
    if ka != kb { return ka < kb }
    // Blocks: by date first, since a block's weekday alone does not place it in time.
    return (a.date?.dayNumber ?? 0, a.blockID ?? 0) < (b.date?.dayNumber ?? 0, b.blockID ?? 0)
  }
}
