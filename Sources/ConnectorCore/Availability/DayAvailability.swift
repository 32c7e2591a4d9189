/// A run of free, consecutive diary slots of one length, published as a snapshot `range`.
public struct AvailabilityRange: Hashable, Sendable {
  /// Start of the first slot (practice wall-clock time).
  public var start: MinuteOfDay
  /// End of the last slot.
  public var end: MinuteOfDay
  /// Length of each slot in the range, in seconds (`slotLength`).
  public var slotLengthSeconds: Int
  /// `pmsAppointmentTypeIds`: codes of the online appointment types this practitioner offers
  /// (`staffID` nil or equal to the practitioner) whose length is a positive multiple of the slot
  /// interval and fits in the range; sorted by code.
  public var appointmentTypeCodes: [String]

  /// Creates a range.
  public init(start: MinuteOfDay, end: MinuteOfDay, slotLengthSeconds: Int, appointmentTypeCodes: [String] = []) {
    self.start = start
    self.end = end
    self.slotLengthSeconds = slotLengthSeconds
    self.appointmentTypeCodes = appointmentTypeCodes
  }
}

/// What one practitioner offers on one date (a snapshot `day`).
public struct DayAvailability: Hashable, Sendable {
  /// `pmsResourceId`: the practitioner's `staff.id`.
  public var resourceID: Int64
  /// The practice-local date.
  public var date: LocalDate
  /// Free ranges sorted by start; empty when nothing is free (the day is still published).
  public var ranges: [AvailabilityRange]

  /// Creates a day.
  public init(resourceID: Int64, date: LocalDate, ranges: [AvailabilityRange]) {
    self.resourceID = resourceID
    self.date = date
    self.ranges = ranges
  }
}
