import GRDB
import GRDBSQLite

/// The horizon's occupying bookings for export, read in one scan of the appointments in table
/// order and grouped per practitioner in memory, so that export can still take one
/// practitioner's bookings at a time.
///
/// Why not a scan ordered by practitioner: through `ppmpc_appointments_staff_date` that costs
/// SQLite a table lookup per row, about a tenth more than the plain scan. Each booking is packed
/// into 16 bytes plus a 4-byte link to its practitioner's next (about 8 MB for 500
/// practitioners × 90 days, 32 MB for 2,000), against 48 bytes as a `BookedInterval`.
struct HorizonBookings {
  private struct Packed {
    var appointmentID: Int64
    var day: UInt16
    var start: UInt16
    var duration: UInt16
    var column: UInt16
  }

  private let from: LocalDate
  private let slots: [Int64: Int]
  /// Per practitioner slot, the first and last of its bookings in `packed` (-1: none).
  private var first: [Int32]
  private var last: [Int32]
  private var packed: [Packed] = []
  /// Per booking, the index of the same practitioner's next booking (-1: none).
  private var next: [Int32] = []

  private init(staff: [Int64], from: LocalDate) {
    self.from = from
    slots = Dictionary(staff.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    first = Array(repeating: -1, count: staff.count)
    last = first
  }

  /// Reads the occupying bookings of `[from, to)` of the practitioners in `staff`; nil when a
  /// booking's values do not fit the packing (the caller then reads them another way).
  /// `checkpoint` runs every few thousand rows; what it throws ends the read.
  static func read(
    _ db: Database, from: LocalDate, to: LocalDate, staff: [Int64], checkpoint: (() throws -> Void)? = nil
  ) throws -> HorizonBookings? {
    let statement = try db.cachedStatement(
      sql: """
        SELECT id, staff_id, column_no, appt_date, start_time, duration_minutes FROM appointments
        WHERE appt_date >= ? AND appt_date < ? AND \(PPMPDatabase.occupyingStatus)
        """)
    try statement.setArguments([from.description, to.description])
    // Stepped here rather than through a GRDB cursor, whose per-row closure and retains cost
    // more than the packing: this runs once per appointment of the horizon.
    let sqlite = statement.sqliteStatement
    defer { sqlite3_reset(sqlite) }
    var bookings = HorizonBookings(staff: staff, from: from)
    // Rows in table order usually come practitioner by practitioner: remember the last slot.
    var lastStaff = Int64.min
    var lastSlot: Int?
    var rows = 0
    while true {
      rows &+= 1
      if rows & 8191 == 0 { try checkpoint?() }
      let code = sqlite3_step(sqlite)
      if code == SQLITE_DONE { break }
      guard code == SQLITE_ROW else {
        throw DatabaseError(
          resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
          sql: statement.sql)
      }
      guard let booking = PPMPDatabase.occupyingBooking(sqlite) else { continue }
      if booking.staffID != lastStaff {
        lastStaff = booking.staffID
        lastSlot = bookings.slots[booking.staffID]
      }
      guard let slot = lastSlot else { continue }
      guard bookings.add(booking, slot: slot) else { return nil }
    }
    return bookings
  }

  private mutating func add(_ booking: BookedInterval, slot: Int) -> Bool {
    let day = booking.date.dayNumber - from.dayNumber
    let limit = Int(UInt16.max)
    guard (0...limit).contains(day), (0...limit).contains(booking.start.minutes),
      (0...limit).contains(booking.durationMinutes), (0...limit).contains(booking.column), packed.count < Int32.max
    else { return false }
    let index = Int32(packed.count)
    packed.append(
      Packed(
        appointmentID: booking.appointmentID, day: UInt16(day), start: UInt16(booking.start.minutes),
        duration: UInt16(booking.durationMinutes), column: UInt16(booking.column)))
    next.append(-1)
    if last[slot] >= 0 { next[Int(last[slot])] = index } else { first[slot] = index }
    last[slot] = index
    return true
  }

  /// The practitioner's bookings, in table order.
  func bookings(of staffID: Int64) -> [BookedInterval] {
    guard let slot = slots[staffID] else { return [] }
    var out: [BookedInterval] = []
    var i = first[slot]
    while i >= 0 {
      let p = packed[Int(i)]
      out.append(
        BookedInterval(
          appointmentID: p.appointmentID, staffID: staffID, column: Int(p.column),
          date: LocalDate(dayNumber: from.dayNumber + Int(p.day)), start: MinuteOfDay(Int(p.start)),
          durationMinutes: Int(p.duration)))
      i = next[Int(i)]
    }
    return out
  }
}
