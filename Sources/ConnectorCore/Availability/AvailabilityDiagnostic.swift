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

    /// `doctor`'s stable finding code for this kind.
    public var code: String {
      switch self {
      case .invalidDiaryTime: "invalid-diary-time"
      case .endNotAfterStart: "diary-end-not-after-start"
      case .invalidInterval: "invalid-diary-interval"
      case .trailingPartialSlot: "partial-diary-slot"
      case .invalidBlockTime: "invalid-block-time"
      case .overlappingDiaryRows: "overlapping-diary-rows"
      }
    }

    /// Whether the row is skipped: availability is lost, so `doctor` and `export` call it an
    /// error (for a published practitioner); the other kinds are warnings.
    public var skipsRow: Bool {
      switch self {
      case .invalidDiaryTime, .endNotAfterStart, .invalidInterval: true
      case .trailingPartialSlot, .invalidBlockTime, .overlappingDiaryRows: false
      }
    }
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
  /// What is wrong, naming practitioner, diary, weekday and the text, and what the engine does about it.
  public var problem: String
  /// How to fix it in PPMP.
  public var fix: String

  /// The problem and its fix as one line, as exports and logs print it.
  public var message: String { "\(problem) Fix: \(fix)" }

  /// Creates a diagnostic.
  public init(
    kind: Kind, practitionerID: Int64, practitionerName: String, diary: DiaryKind? = nil, weekday: Int? = nil,
    diaryRowID: Int64? = nil, blockID: Int64? = nil, date: LocalDate? = nil, text: String, problem: String,
    fix: String
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
    self.problem = problem
    self.fix = fix
  }

  /// The human-readable message.
  public var description: String { message }
}
