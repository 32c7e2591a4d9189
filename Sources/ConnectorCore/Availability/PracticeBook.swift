/// Everything the availability engine reads. Arrays may be in any order; the engine groups them once.
public struct PracticeBook: Sendable {
  /// All rows of `staff` (unpublished ones are ignored by the engine).
  public var practitioners: [Practitioner]
  /// All rows of `diary_times`, both diaries.
  public var diaryRows: [DiaryRow]
  /// All rows of `diary_blocks` (the engine only looks at those inside the horizon).
  public var blocks: [DiaryBlock]
  /// Dates of `holidays`.
  public var holidays: Set<LocalDate>
  /// All rows of `appointment_types`.
  public var appointmentTypes: [AppointmentType]
  /// Appointments that may occupy diary time (cancelled ones may be included with `occupies == false`).
  public var bookings: [BookedInterval]

  /// Creates a book; everything but the practitioners defaults to empty.
  public init(
    practitioners: [Practitioner], diaryRows: [DiaryRow] = [], blocks: [DiaryBlock] = [],
    holidays: Set<LocalDate> = [], appointmentTypes: [AppointmentType] = [], bookings: [BookedInterval] = []
  ) {
    self.practitioners = practitioners
    self.diaryRows = diaryRows
    self.blocks = blocks
    self.holidays = holidays
    self.appointmentTypes = appointmentTypes
    self.bookings = bookings
  }
}
