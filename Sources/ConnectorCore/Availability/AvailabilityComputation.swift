/// The availability rules of SPEC §3 applied one practitioner at a time: everything but the
/// bookings is grouped once, and each practitioner's days are computed from that practitioner's
/// bookings alone. Export reads, computes and writes one practitioner before reading the next
/// one's bookings, so its memory does not grow with the practice; `AvailabilityEngine.compute`
/// drives the same code over a whole `PracticeBook`, so both give the same days.
public struct AvailabilityComputation {
  /// Published practitioners (active and online), sorted by id, each id once. Call
  /// `days(ofPractitionerAt:bookings:_:)` for each index in order to get every day and diagnostic.
  public let practitioners: [Practitioner]
  /// Index into `practitioners` by staff id.
  let indexByID: [Int64: Int]

  private let options: AvailabilityOptions
  private let horizon: Int
  private let firstDay: Int
  private let cutoff: Int
  private let rowsByPractitioner: [[DiaryRow]]
  private let blocksByBucket: [Int: [DiaryBlock]]
  private let holidayFlags: [Bool]
  private let gaps: DaylightSavingGaps
  private let gapFlags: [Bool]
  private let typesByStaff: [Int64?: [AppointmentType]]
  private var diagnostics: [AvailabilityDiagnostic] = []

  // Buffers reused from one practitioner and day to the next, so the loop does not allocate
  // per booking or per slot.
  private var occupancy = DayOccupancy()
  private var open: [TemplateSlot] = []
  private var dayOfBooking: [Int32] = []
  private var dayOffsets: [Int]
  private var dayEntries: [(column: Int, start: Int, end: Int)] = []

  /// Groups `book` for computing; `book.bookings` is not used (pass each practitioner's
  /// bookings to `days(ofPractitionerAt:bookings:_:)`).
  public init(_ book: PracticeBook, options: AvailabilityOptions) {
    self.options = options
    horizon = options.effectiveHorizonDays
    firstDay = options.asOf.date.dayNumber
    var seen = Set<Int64>()
    practitioners = book.practitioners.filter { $0.active && $0.onlineBooking }
      .sorted { $0.id < $1.id }
      .filter { seen.insert($0.id).inserted }
    let count = practitioners.count
    var indexByID: [Int64: Int] = [:]
    indexByID.reserveCapacity(count)
    for (index, practitioner) in practitioners.enumerated() { indexByID[practitioner.id] = index }
    self.indexByID = indexByID

    var rowsByPractitioner = Array(repeating: [DiaryRow](), count: count)
    for row in book.diaryRows {
      if let p = indexByID[row.staffID] { rowsByPractitioner[p].append(row) }
    }
    self.rowsByPractitioner = rowsByPractitioner
    var blocksByBucket: [Int: [DiaryBlock]] = [:]
    for block in book.blocks {
      guard let p = indexByID[block.staffID] else { continue }
      let d = block.date.dayNumber - firstDay
      guard d >= 0, d < horizon else { continue }
      blocksByBucket[p * horizon + d, default: []].append(block)
    }
    self.blocksByBucket = blocksByBucket
    let (firstDay, horizon) = (firstDay, horizon)
    holidayFlags = (0..<horizon).map { book.holidays.contains(LocalDate(dayNumber: firstDay + $0)) }
    let gaps = DaylightSavingGaps(timeZone: options.timeZone, firstDay: firstDay, dayCount: horizon)
    self.gaps = gaps
    gapFlags = (0..<horizon).map { gaps.touches(day: firstDay + $0) }
    var typesByStaff: [Int64?: [AppointmentType]] = [:]
    for type in book.appointmentTypes { typesByStaff[type.staffID, default: []].append(type) }
    self.typesByStaff = typesByStaff
    cutoff = options.earliestStart
    dayOffsets = Array(repeating: 0, count: horizon + 1)
  }

  /// Diagnostics of the practitioners computed so far: their diary rows (both diaries, whether
  /// or not used in the horizon) and their blocks inside the horizon, in report order.
  public var sortedDiagnostics: [AvailabilityDiagnostic] {
    diagnostics.sorted(by: AvailabilityEngine.reportOrder)
  }

  /// Computes every date of the horizon for `practitioners[p]` and hands each day to `body`, in
  /// date order. `bookings` are that practitioner's, in any order; cancelled ones, other staff's,
  /// ones outside the horizon and ones in columns that do not count are ignored.
  public mutating func days(
    ofPractitionerAt p: Int, bookings: [BookedInterval], _ body: (DayAvailability) throws -> Void
  ) rethrows {
    let practitioner = practitioners[p]
    let template = DiaryTemplate(practitioner: practitioner, rows: rowsByPractitioner[p], diagnostics: &diagnostics)
    let columns = AvailabilityEngine.countingColumnCount(for: practitioner, options: options)
    bucket(bookings, of: practitioner.id, countingColumns: columns)
    let typesForEveryone = typesByStaff[nil] ?? []
    var catalog = AppointmentTypeCatalog(offered: typesForEveryone + (typesByStaff[practitioner.id] ?? []))
    for d in 0..<horizon {
      let date = LocalDate(dayNumber: firstDay + d)
      occupancy.reset(columnCount: columns)
      var wholeDay = holidayFlags[d]
      if !blocksByBucket.isEmpty, let blocks = blocksByBucket[p * horizon + d] {
        // Every block is interpreted, even on a holiday, so each bad one is reported.
        for block in blocks.sorted(by: { $0.id < $1.id }) {
          switch AvailabilityEngine.interpret(block, of: practitioner) {
          case .wholeDay: wholeDay = true
          case .partial(let start, let end): occupancy.addBlock(start: start, end: end)
          case .invalid(let diagnostic):
            wholeDay = true
            diagnostics.append(diagnostic)
          }
        }
      }
      let slots = template.slots(on: date, anchor: practitioner.rosterAnchor)
      let dayBase = date.dayNumber * 1440
      guard !wholeDay, let last = slots.last, dayBase + last.start >= cutoff else {
        try body(DayAvailability(resourceID: practitioner.id, date: date, ranges: []))
        continue
      }
      for k in dayOffsets[d]..<dayOffsets[d + 1] {
        let booking = dayEntries[k]
        occupancy.addBooking(column: booking.column, start: booking.start, end: booking.end)
      }
      occupancy.prepare()
      open.removeAll(keepingCapacity: true)
      let checkGaps = gapFlags[d]
      for slot in slots {
        let wall = dayBase + slot.start
        guard
          AvailabilityEngine.isPublished(
            wallMinute: wall, cutoff: cutoff, inGap: checkGaps && gaps.skips(wallMinute: wall),
            blocked: occupancy.isBlocked(start: slot.start, end: slot.end),
            anyColumnFree: occupancy.anyColumnFree(start: slot.start, end: slot.end))
        else { continue }
        AvailabilityEngine.merge(slot, into: &open)
      }
      let ranges = open.map {
        AvailabilityRange(
          start: MinuteOfDay($0.start), end: MinuteOfDay($0.end), slotLengthSeconds: $0.interval * 60,
          appointmentTypeCodes: catalog.codes(interval: $0.interval, rangeMinutes: $0.end - $0.start))
      }
      try body(DayAvailability(resourceID: practitioner.id, date: date, ranges: ranges))
    }
  }

  /// Groups one practitioner's occupying bookings by day of the horizon with a counting sort:
  /// two linear passes into buffers that are reused for the next practitioner.
  private mutating func bucket(_ bookings: [BookedInterval], of staffID: Int64, countingColumns: Int) {
    for i in dayOffsets.indices { dayOffsets[i] = 0 }
    dayOfBooking.removeAll(keepingCapacity: true)
    for booking in bookings {
      let d = booking.date.dayNumber - firstDay
      // Cancelled bookings and columns that do not count never affect availability.
      guard booking.staffID == staffID, booking.occupies, booking.durationMinutes > 0,
        booking.column >= 1, booking.column <= countingColumns, d >= 0, d < horizon
      else {
        dayOfBooking.append(-1)
        continue
      }
      dayOfBooking.append(Int32(d))
      dayOffsets[d + 1] += 1
    }
    for i in 1..<dayOffsets.count { dayOffsets[i] += dayOffsets[i - 1] }
    let total = dayOffsets[horizon]
    if dayEntries.count < total {
      dayEntries.append(contentsOf: repeatElement((column: 0, start: 0, end: 0), count: total - dayEntries.count))
    }
    var fill = dayOffsets
    for (i, booking) in bookings.enumerated() where dayOfBooking[i] >= 0 {
      let d = Int(dayOfBooking[i])
      dayEntries[fill[d]] = (booking.column, booking.start.minutes, booking.end)
      fill[d] += 1
    }
  }
}
