/// One row of PPMP's `staff` table: a practitioner whose diary may be published.
public struct Practitioner: Hashable, Sendable {
  public var id: Int64
  public var title: String?
  public var firstName: String
  public var lastName: String
  public var active: Bool
  public var onlineBooking: Bool
  /// Setup > Staff > 1st Available > Slot Duration. Must be 0; anything else is a `doctor` warning.
  public var slotDuration: Int
  /// Patients seen side by side (appointment book columns).
  public var columns: Int
  /// A Monday; dates an odd number of whole weeks after it use the alternate diary.
  public var rosterAnchor: LocalDate?

  public init(
    id: Int64, title: String? = nil, firstName: String, lastName: String, active: Bool = true,
    onlineBooking: Bool = true, slotDuration: Int = 0, columns: Int = 1, rosterAnchor: LocalDate? = nil
  ) {
    self.id = id
    self.title = title
    self.firstName = firstName
    self.lastName = lastName
    self.active = active
    self.onlineBooking = onlineBooking
    self.slotDuration = slotDuration
    self.columns = columns
    self.rosterAnchor = rosterAnchor
  }

  /// "Dr Jane Citizen": the name published as `pmsResourceName`.
  public var displayName: String {
    [title, firstName, lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
  }
}

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

/// One row of `appointment_types`.
public struct AppointmentType: Hashable, Sendable {
  public var id: Int64
  /// Published as `pmsAppointmentTypeId`.
  public var code: String
  public var name: String
  public var lengthMinutes: Int
  /// `nil`: offered by every practitioner.
  public var staffID: Int64?
  public var online: Bool

  public init(
    id: Int64, code: String, name: String, lengthMinutes: Int, staffID: Int64? = nil, online: Bool = true
  ) {
    self.id = id
    self.code = code
    self.name = name
    self.lengthMinutes = lengthMinutes
    self.staffID = staffID
    self.online = online
  }
}

/// Appointment status as PPMP stores it.
public enum AppointmentStatus: String, Hashable, Sendable, CaseIterable {
  case booked, arrived, completed, dna, cancelled

  /// Whether a status text frees its slots: `cancelled` in any case, nothing else
  /// (docs/rules.md; the same test as `PPMPDatabase.occupyingStatus`).
  public static func isCancelled(_ text: String) -> Bool { text.lowercased() == cancelled.rawValue }
}

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

/// How occupied columns count for a practitioner (`[practitioner.<id>] multi_column`).
public enum MultiColumnMode: String, Hashable, Sendable {
  /// Only column 1 counts (the default).
  case first
  /// A slot is free while any of the practitioner's columns is free in it.
  case any
}
