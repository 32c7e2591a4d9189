import Foundation
import GRDB

/// Reads the practitioner-days a drop's bookings fall on ahead of their write transactions, on a
/// read-only PPMP connection of its own (`BookingPrefetch`'s thread), and offers each to the
/// pass's `BookedDays`. On a large appointment book nearly every booking falls on a day not seen
/// before, and reading it was a tenth of the booking thread's time.
///
/// The days of a few bookings at a time are read in one read transaction that begins after the
/// epoch is noted, so `BookedDays` can tell whether anything was forgotten (an outside commit
/// seen, a failed or cancelling transaction) while or since they were read. The booking thread
/// has not reached any of those bookings yet, so none of its commits can be missing from them.
final class DayReadAhead {
  /// Drops with fewer bookings read their days on the booking thread: opening another
  /// connection costs more than it saves.
  static let worthFrom = 100

  private let path: String
  private let days: BookedDays
  private var queue: DatabaseQueue?
  private var read: Set<BookedDays.Key> = []

  init(path: String, days: BookedDays) {
    self.path = path
    self.days = days
  }

  /// Reads and offers each day not read before in this pass, all in one read transaction: the
  /// connection's page cache, emptied by every commit of the booking thread, then serves the
  /// index pages the days share.
  func readAhead(_ wanted: [(staffID: Int64, date: LocalDate)]) throws {
    let fresh = wanted.filter { read.insert(BookedDays.Key(staffID: $0.staffID, date: $0.date)).inserted }
    guard !fresh.isEmpty else { return }
    if queue == nil {
      var config = Configuration()
      config.readonly = true
      config.busyMode = .timeout(5)
      config.label = "ppmp-days-ahead"
      queue = try SQLiteSettings.openQueue(path: path, configuration: config)
    }
    let epoch = days.readAheadEpoch()
    let contents = try queue!.read { db in try fresh.map { try PPMPDatabase.readDay(db, staffID: $0.staffID, date: $0.date) } }
    for (day, contents) in zip(fresh, contents) {
      days.offer(staffID: day.staffID, date: day.date, bookings: contents.bookings, carriers: contents.carriers, epoch: epoch)
    }
  }

  /// Closes the connection (end of the drop).
  func close() {
    try? queue?.close()
    queue = nil
  }
}
