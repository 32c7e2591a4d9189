/// One diary slot of one practitioner-day with its state, as ingest needs it to decide whether a
/// requested booking fits and which column it goes in.
public struct DiarySlot: Hashable, Sendable {
  /// Slot start (practice wall-clock time).
  public var start: MinuteOfDay
  /// Slot end: `start + intervalMinutes`.
  public var end: MinuteOfDay
  /// Slot length in minutes.
  public var intervalMinutes: Int
  /// The slot overlaps a diary block, or the day is a holiday or wholly blocked.
  public var blocked: Bool
  /// Counting columns with no occupying booking overlapping the slot, ascending (only column 1 in
  /// `.first` mode; `1...columns` in `.any` mode).
  public var freeColumns: [Int]
  /// The slot is offered: not blocked, some counting column free, not before `asOf` plus lead,
  /// and its local start exists (not in a daylight-saving gap).
  public var published: Bool

  /// Creates a slot.
  public init(
    start: MinuteOfDay, end: MinuteOfDay, intervalMinutes: Int, blocked: Bool, freeColumns: [Int], published: Bool
  ) {
    self.start = start
    self.end = end
    self.intervalMinutes = intervalMinutes
    self.blocked = blocked
    self.freeColumns = freeColumns
    self.published = published
  }
}
