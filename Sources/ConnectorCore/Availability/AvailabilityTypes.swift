import Foundation

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

/// A problem in the practice's diary data that made the engine skip or distrust a row or block.
public struct AvailabilityDiagnostic: Hashable, Sendable, CustomStringConvertible {
  /// What is wrong.
  public enum Kind: String, Hashable, Sendable {
    /// A diary row's start or end time is not in one of the two valid forms; the row is skipped.
    case invalidDiaryTime
    /// A diary row ends at or before its start; the row is skipped.
    case endNotAfterStart
    /// A diary row's interval is zero or negative; the row is skipped.
    case invalidInterval
    /// A diary row's span is not a whole number of intervals; its last, partial slot is dropped.
    case trailingPartialSlot
    /// A diary block's times are unreadable or inconsistent; the whole day is treated as blocked.
    case invalidBlockTime
    /// A diary row overlaps a row of the same diary and weekday that starts earlier (or starts
    /// together and has a lower id); its slots that overlap kept slots are not published.
    case overlappingDiaryRows
  }

  /// What is wrong.
  public var kind: Kind
  /// The practitioner's `staff.id`.
  public var practitionerID: Int64
  /// The practitioner's display name ("Dr Jane Citizen").
  public var practitionerName: String
  /// The diary of the offending row; `nil` for blocks.
  public var diary: DiaryKind?
  /// ISO weekday (1 = Monday) of the offending row, or of the block's date.
  public var weekday: Int?
  /// `diary_times.id` of the offending row; `nil` for blocks.
  public var diaryRowID: Int64?
  /// `diary_blocks.id` of the offending block; `nil` for rows.
  public var blockID: Int64?
  /// The offending block's date; `nil` for rows.
  public var date: LocalDate?
  /// The offending text exactly as stored, e.g. `9:00 am` (the interval, for `invalidInterval`).
  public var text: String
  /// A sentence naming practitioner, diary, weekday and the text, and how to fix it.
  public var message: String

  /// Creates a diagnostic.
  public init(
    kind: Kind, practitionerID: Int64, practitionerName: String, diary: DiaryKind? = nil, weekday: Int? = nil,
    diaryRowID: Int64? = nil, blockID: Int64? = nil, date: LocalDate? = nil, text: String, message: String
  ) {
    self.kind = kind
    self.practitionerID = practitionerID
    self.practitionerName = practitionerName
    self.diary = diary
    self.weekday = weekday
    self.diaryRowID = diaryRowID
    self.blockID = blockID
    self.date = date
    self.text = text
    self.message = message
  }

  /// The human-readable message.
  public var description: String { message }
}

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

/// How and for when availability is computed.
public struct AvailabilityOptions: Sendable {
  /// The practice-local instant the computation is for; the horizon starts on its date.
  public var asOf: LocalDateTime
  /// Number of dates published, starting with `asOf.date`; clamped to 1...90 by the engine.
  public var horizonDays: Int
  /// Slots starting less than this many minutes of elapsed time after `asOf` are not published
  /// (may exceed a day; see `earliestStart`).
  public var leadMinutes: Int
  /// The practice's IANA time zone, used to hide wall-clock times skipped by daylight saving.
  public var timeZone: TimeZone
  /// Per-practitioner column rule (`[practitioner.<id>] multi_column`); missing means `.first`.
  public var multiColumn: [Int64: MultiColumnMode]

  /// Creates options with the spec's defaults (30 days, no lead, first column only).
  public init(
    asOf: LocalDateTime, horizonDays: Int = 30, leadMinutes: Int = 0, timeZone: TimeZone,
    multiColumn: [Int64: MultiColumnMode] = [:]
  ) {
    self.asOf = asOf
    self.horizonDays = horizonDays
    self.leadMinutes = leadMinutes
    self.timeZone = timeZone
    self.multiColumn = multiColumn
  }

  /// The column rule for one practitioner.
  public func multiColumnMode(for practitionerID: Int64) -> MultiColumnMode {
    multiColumn[practitionerID] ?? .first
  }

  /// The earliest wall-clock start that may be published or booked: `asOf` plus `leadMinutes` of
  /// elapsed time, as practice wall-clock minutes (`LocalDateTime.absoluteMinutes`). See
  /// `LeadTime.earliestWallMinute` for the daylight-saving rules.
  public var earliestStart: Int {
    LeadTime.earliestWallMinute(asOf: asOf, leadMinutes: leadMinutes, timeZone: timeZone)
  }

  /// `horizonDays` clamped to the range the spec allows (1...90).
  public var effectiveHorizonDays: Int { min(max(horizonDays, 1), 90) }
}

/// The engine's output: the snapshot's availability plus what it had to skip.
public struct AvailabilityResult: Sendable {
  /// Every published practitioner (active and online) × every date of the horizon, sorted by
  /// `resourceID` then `date`; days with nothing free have empty `ranges`.
  public var days: [DayAvailability]
  /// Problems found, ordered by practitioner id, diary (main, alternate, then blocks), weekday and
  /// row id (blocks: date, block id); each bad row or block is reported once.
  public var diagnostics: [AvailabilityDiagnostic]

  /// Creates a result.
  public init(days: [DayAvailability], diagnostics: [AvailabilityDiagnostic]) {
    self.days = days
    self.diagnostics = diagnostics
  }
}

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
