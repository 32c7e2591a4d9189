/// The parts of an `appointments` row that decide whether a slot is taken.
public struct BookedInterval: Hashable, Sendable {
  public var appointmentID: Int64
  public var staffID: Int64
  public var column: Int
  public var date: LocalDate
  public var start: MinuteOfDay
  public var durationMinutes: Int
  /// `false` for cancelled appointments, which free their slots.
  public var occupies: Bool

  public init(
    appointmentID: Int64, staffID: Int64, column: Int, date: LocalDate, start: MinuteOfDay,
    durationMinutes: Int, occupies: Bool = true
  ) {
    self.appointmentID = appointmentID
    self.staffID = staffID
    self.column = column
    self.date = date
    self.start = start
    self.durationMinutes = durationMinutes
    self.occupies = occupies
  }

  public var end: Int { start.minutes + durationMinutes }
}
