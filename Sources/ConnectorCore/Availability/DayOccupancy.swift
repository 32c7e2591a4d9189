/// The busy time of one practitioner-day: merged booking intervals per counting column and merged
/// partial blocks, queried slot by slot in ascending start order.
///
/// Queries use forward-only cursors, so a whole day costs O((slots + bookings) log bookings) and
/// the buffers are reused across days: no allocation per day once they have grown.
struct DayOccupancy {
  private var rawBookings: [(column: Int, start: Int, end: Int)] = []
  private var rawBlocks: [(start: Int, end: Int)] = []
  private var busyStart: [Int] = []
  private var busyEnd: [Int] = []
  /// Column `c` (1-based) owns `busy[columnBounds[c - 1] ..< columnBounds[c]]`.
  private var columnBounds: [Int] = [0, 0]
  private var cursors: [Int] = [0]
  private var blockStart: [Int] = []
  private var blockEnd: [Int] = []
  private var blockCursor = 0
  /// Counting columns are `1...columnCount`.
  private(set) var columnCount = 1

  /// Empties the day, keeping capacity, for a practitioner with `columnCount` counting columns.
  mutating func reset(columnCount: Int) {
    self.columnCount = max(columnCount, 1)
    rawBookings.removeAll(keepingCapacity: true)
    rawBlocks.removeAll(keepingCapacity: true)
  }

  /// Adds an occupying booking; ones outside the counting columns or without length are ignored.
  mutating func addBooking(column: Int, start: Int, end: Int) {
    guard column >= 1, column <= columnCount, end > start else { return }
    rawBookings.append((column, start, end))
  }

  /// Adds a partial diary block.
  mutating func addBlock(start: Int, end: Int) {
    guard end > start else { return }
    rawBlocks.append((start, end))
  }

  /// Sorts and merges what was added; call once before querying.
  mutating func prepare() {
    busyStart.removeAll(keepingCapacity: true)
    busyEnd.removeAll(keepingCapacity: true)
    columnBounds.removeAll(keepingCapacity: true)
    cursors.removeAll(keepingCapacity: true)
    rawBookings.sort { ($0.column, $0.start) < ($1.column, $1.start) }
    columnBounds.append(0)
    var i = 0
    for column in 1...columnCount {
      while i < rawBookings.count, rawBookings[i].column == column {
        let b = rawBookings[i]
        if let last = busyEnd.last, busyStart.count > columnBounds[column - 1], b.start <= last {
          busyEnd[busyEnd.count - 1] = max(last, b.end)
        } else {
          busyStart.append(b.start)
          busyEnd.append(b.end)
        }
        i += 1
      }
      columnBounds.append(busyStart.count)
      cursors.append(columnBounds[column - 1])
    }
    blockStart.removeAll(keepingCapacity: true)
    blockEnd.removeAll(keepingCapacity: true)
    blockCursor = 0
    rawBlocks.sort { $0.start < $1.start }
    for b in rawBlocks {
      if let last = blockEnd.last, b.start <= last {
        blockEnd[blockEnd.count - 1] = max(last, b.end)
      } else {
        blockStart.append(b.start)
        blockEnd.append(b.end)
      }
    }
  }

  /// Whether `[start, end)` overlaps a partial block. `start` must not decrease between calls.
  mutating func isBlocked(start: Int, end: Int) -> Bool {
    while blockCursor < blockEnd.count, blockEnd[blockCursor] <= start { blockCursor += 1 }
    return blockCursor < blockEnd.count && blockStart[blockCursor] < end
  }

  /// Whether `column` has no booking overlapping `[start, end)`. For each column, `start` must
  /// not decrease between calls (skipping calls is fine).
  mutating func isFree(column: Int, start: Int, end: Int) -> Bool {
    let limit = columnBounds[column]
    var cursor = cursors[column - 1]
    // Merged intervals are disjoint and sorted, so once one ends after `start` it is the only
    // candidate: the next ones start even later.
    while cursor < limit, busyEnd[cursor] <= start { cursor += 1 }
    cursors[column - 1] = cursor
    return cursor == limit || busyStart[cursor] >= end
  }

  /// Whether any counting column is free in `[start, end)`.
  mutating func anyColumnFree(start: Int, end: Int) -> Bool {
    for column in 1...columnCount where isFree(column: column, start: start, end: end) { return true }
    return false
  }
}
