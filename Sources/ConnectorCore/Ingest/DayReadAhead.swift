import Foundation
import GRDB

/// Reads the practitioner-days a drop's bookings fall on ahead of their write transactions, on a
/// read-only PPMP connection of its own (`BookingPrefetch`'s thread), and offers each to the
/// pass's `BookedDays`. On a large appointment book nearly every booking falls on a day not seen
/// before, and reading it was a tenth of the booking thread's time.
///
/// Each day is read in a read transaction of its own that begins after the epoch is noted, so
/// `BookedDays` can tell whether anything was forgotten (an outside commit seen, a failed or
/// cancelling transaction) while or since it was read.
final class DayReadAhead {
  /// Drops with fewer bookings read their days on the booking thread: opening another
  /// connection costs more than it saves.
  static let worthFrom = 100

  private let path: String
  private let days: BookedDays
  private var queue: DatabaseQueue?
  private var read: Set<String> = []

  init(path: String, days: BookedDays) {
    self.path = path
    self.days = days
  }

  /// Reads and offers the day, once per pass.
  func readAhead(staffID: Int64, date: LocalDate) throws {
    guard read.insert("\(staffID) \(date)").inserted else { return }
    if queue == nil {
      var config = Configuration()
      config.readonly = true
      config.busyMode = .timeout(5)
      config.label = "ppmp-days-ahead"
      queue = try SQLiteSettings.openQueue(path: path, configuration: config)
    }
    let epoch = days.readAheadEpoch()
    // One statement, so its own read transaction (autocommit), begun at its first step, after
    // the epoch: GRDB's `read` wrapped it in four more statements, each prepared afresh.
    let day = try queue!.inDatabase { db in try PPMPDatabase.readDay(db, staffID: staffID, date: date) }
    days.offer(staffID: staffID, date: date, bookings: day.bookings, carriers: day.carriers, epoch: epoch)
  }

  /// Closes the connection (end of the drop).
  func close() {
    try? queue?.close()
    queue = nil
  }
}
