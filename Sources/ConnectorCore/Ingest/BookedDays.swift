import Foundation
import GRDB

/// What the slot check reads of PPMP, kept for one ingest pass: each practitioner-day's
/// appointments (occupancy and `HE_MSG_ID` carriers), the horizon's diary blocks and holidays.
///
/// Every use comes inside the booking's write transaction, which first compares PPMP's data
/// version with the one the kept reads were made at: when another connection (PPMP, a front
/// desk) has committed since, everything kept is dropped and read again in that transaction, so
/// the check still sees every other user's booking. The connector's own inserts do not move the
/// version; `add` records them instead. A transaction that fails must `forget` (its insert may
/// have been recorded and then rolled back), and so must any other write of the book.
///
/// A day may also be read ahead on another connection (`DayReadAhead`, on the prefetch thread)
/// and offered: it is used only if nothing was forgotten since the read began. Every commit by
/// another connection after that moment is seen by a later data-version check, which forgets;
/// every commit of the connector's own goes into a day already kept, or follows a `forget`.
final class BookedDays: @unchecked Sendable {
  struct Day {
    var bookings: [BookedInterval]
    var carriers: [TokenCarrier]
    var blocks: [DiaryBlock]
    var isHoliday: Bool
    /// The day's diary grid as the slot check worked it out (`keep(slots:)`), kept level with
    /// the connector's own inserts by `add`; nil until the first check of the day.
    var slots: [DiarySlot]?
  }

  /// One practitioner-day.
  struct Key: Hashable {
    var staffID: Int64
    var date: LocalDate
  }

  /// Blocks and holidays are read for `[from, to)` at once; a date outside it is read alone.
  private let from: LocalDate
  private let to: LocalDate
  private var version: Int64?
  private var days: [Key: Day] = [:]
  private var blocks: [Key: [DiaryBlock]]?
  private var holidays: Set<LocalDate> = []
  /// Days read ahead (`offer`), and the count of `forget`s a read must not straddle. The only
  /// state another thread touches, under `lock`.
  private let lock = NSLock()
  private var epoch = 0
  private var offered: [Key: (bookings: [BookedInterval], carriers: [TokenCarrier])] = [:]

  init(from: LocalDate, to: LocalDate) {
    self.from = from
    self.to = to
  }

  /// Drops everything kept (a failed transaction, a cancellation, a new pass).
  func forget() {
    version = nil
    days.removeAll()
    blocks = nil
    lock.withLock {
      epoch += 1
      offered.removeAll()
    }
  }

  /// What a read ahead must note before its read begins, and hand back with the day.
  func readAheadEpoch() -> Int { lock.withLock { epoch } }

  /// A day read on another connection in a read that began after `readAheadEpoch()` returned
  /// `epoch`; dropped when anything was forgotten since.
  func offer(staffID: Int64, date: LocalDate, bookings: [BookedInterval], carriers: [TokenCarrier], epoch: Int) {
    lock.withLock {
      if epoch == self.epoch { offered[Key(staffID: staffID, date: date)] = (bookings, carriers) }
    }
  }

  /// The day as `db`'s transaction sees it.
  func day(staffID: Int64, date: LocalDate, _ db: Database) throws -> Day {
    let now = try PPMPDatabase.dataVersion(db)
    if now != version {
      forget()
      version = now
    }
    let key = Key(staffID: staffID, date: date)
    if let day = days[key] { return day }
    let (bookings, carriers) = try lock.withLock { offered.removeValue(forKey: key) }
      ?? PPMPDatabase.readDay(db, staffID: staffID, date: date)
    let day: Day
    if date >= from, date < to {
      if blocks == nil {
        blocks = Dictionary(grouping: try PPMPDatabase.readBlocks(db, from: from, to: to)) { Key(staffID: $0.staffID, date: $0.date) }
        holidays = try PPMPDatabase.readHolidays(db, from: from, to: to)
      }
      day = Day(bookings: bookings, carriers: carriers, blocks: blocks?[key] ?? [], isHoliday: holidays.contains(date))
    } else {
      let next = date.adding(days: 1)
      day = Day(
        bookings: bookings, carriers: carriers, blocks: try PPMPDatabase.readBlocks(db, from: date, to: next, staffID: staffID),
        isHoliday: !(try PPMPDatabase.readHolidays(db, from: date, to: next)).isEmpty)
    }
    days[key] = day
    return day
  }

  /// Keeps the slot check's grid of a day read through `day`.
  func keep(slots: [DiarySlot], staffID: Int64, date: LocalDate) {
    days[Key(staffID: staffID, date: date)]?.slots = slots
  }

  /// Records an appointment the connector inserted in the current transaction. A kept grid
  /// loses the booking's column in every slot the booking overlaps, as recomputing it with the
  /// booking would: nothing else a slot's state depends on (blocks, lead time, daylight saving)
  /// changed, so a slot is still published only while some column is free.
  func add(_ booking: BookedInterval, carrier: TokenCarrier) {
    let key = Key(staffID: booking.staffID, date: booking.date)
    guard var day = days.removeValue(forKey: key) else { return }
    day.bookings.append(booking)
    day.carriers.append(carrier)
    if var slots = day.slots {
      day.slots = nil
      let start = booking.start.minutes
      let end = booking.end
      for i in slots.indices where slots[i].start.minutes < end && slots[i].end.minutes > start {
        slots[i].freeColumns.removeAll { $0 == booking.column }
        if slots[i].freeColumns.isEmpty { slots[i].published = false }
      }
      day.slots = slots
    }
    days[key] = day
  }
}
