/// Which of a practitioner's two diaries a row belongs to.
public enum DiaryKind: String, Hashable, Sendable, CaseIterable {
  case main
  case alternate
}

/// One row of `diary_times`, with the start and end exactly as the practice typed them.
public struct DiaryRow: Hashable, Sendable {
  public var id: Int64
  public var staffID: Int64
  public var diary: DiaryKind
  /// ISO weekday, 1 = Monday.
  public var weekday: Int
  public var startText: String
  public var endText: String
  public var intervalMinutes: Int

  public init(
    id: Int64, staffID: Int64, diary: DiaryKind, weekday: Int, startText: String, endText: String,
    intervalMinutes: Int
  ) {
    self.id = id
    self.staffID = staffID
    self.diary = diary
    self.weekday = weekday
    self.startText = startText
    self.endText = endText
    self.intervalMinutes = intervalMinutes
  }
}
