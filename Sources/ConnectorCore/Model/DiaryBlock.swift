/// One row of `diary_blocks`. `startText`/`endText` are `nil` for a whole-day block.
public struct DiaryBlock: Hashable, Sendable {
  public var id: Int64
  public var staffID: Int64
  public var date: LocalDate
  public var startText: String?
  public var endText: String?
  public var reason: String?

  public init(
    id: Int64, staffID: Int64, date: LocalDate, startText: String? = nil, endText: String? = nil,
    reason: String? = nil
  ) {
    self.id = id
    self.staffID = staffID
    self.date = date
    self.startText = startText
    self.endText = endText
    self.reason = reason
  }
}
