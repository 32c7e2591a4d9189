/// One item of `doctor`'s checklist (SPEC §9): what is wrong, where, and how to fix it.
///
/// The JSON form (`doctor --json`) uses these property names, except `location`, which is
/// written as `where`. Codes are stable kebab-case ids that monitoring and the operations guide
/// refer to; wording of `what` and `fix` may improve between versions.
public struct DoctorFinding: Codable, Sendable, Equatable {
  /// How much a finding matters. `error` makes `doctor` exit 1.
  public enum Severity: String, Codable, Sendable, CaseIterable {
    case error
    case warning
    case info

    /// Errors first, then warnings, then information.
    public var rank: Int {
      switch self {
      case .error: 0
      case .warning: 1
      case .info: 2
      }
    }
  }

  /// Where a finding applies. Only the fields that make sense for it are set; no field ever holds
  /// patient data (appointments are named by id, never by patient).
  public struct Location: Codable, Sendable, Equatable {
    /// `staff.id` of the practitioner concerned.
    public var practitionerId: Int64?
    /// The practitioner's display name, as published.
    public var practitionerName: String?
    /// `main` or `alternate`.
    public var diary: String?
    /// "Monday" … "Sunday".
    public var weekday: String?
    /// `diary_times.id` (or `diary_blocks.id` for a block finding).
    public var rowId: Int64?
    /// The row as typed: `start–end every N min`.
    public var rowText: String?
    /// The offending text alone, exactly as stored.
    public var text: String?
    /// A spool file or folder.
    public var file: String?
    /// `appointments.id`.
    public var appointmentId: Int64?
    /// A date the finding concerns (an appointment's or a block's).
    public var date: String?

    /// Creates a location; every field is optional.
    public init(
      practitionerId: Int64? = nil, practitionerName: String? = nil, diary: String? = nil, weekday: String? = nil,
      rowId: Int64? = nil, rowText: String? = nil, text: String? = nil, file: String? = nil, appointmentId: Int64? = nil,
      date: String? = nil
    ) {
      self.practitionerId = practitionerId
      self.practitionerName = practitionerName
      self.diary = diary
      self.weekday = weekday
      self.rowId = rowId
      self.rowText = rowText
      self.text = text
      self.file = file
      self.appointmentId = appointmentId
      self.date = date
    }

    /// A practitioner's location.
    public static func practitioner(_ p: Practitioner) -> Location {
      Location(practitionerId: p.id, practitionerName: p.displayName)
    }

    /// One line for people: "Ms Chloe Anderson (staff 5), main diary, Tuesday, row 12 "9:00 am–5:00pm every 15 min"".
    public var summary: String {
      var parts: [String] = []
      if let practitionerName, let practitionerId {
        parts.append("\(practitionerName) (staff \(practitionerId))")
      } else if let practitionerId {
        parts.append("staff \(practitionerId)")
      }
      if let diary { parts.append("\(diary) diary") }
      if let weekday { parts.append(weekday) }
      if let rowId { parts.append("row \(rowId)" + (rowText.map { " \"\($0)\"" } ?? "")) }
      if let appointmentId { parts.append("appointment \(appointmentId)") }
      if let date { parts.append(date) }
      if let file { parts.append(file) }
      return parts.joined(separator: ", ")
    }
  }

  public var severity: Severity
  /// Stable kebab-case id, e.g. `invalid-diary-time`.
  public var code: String
  /// What is wrong, in one or two sentences.
  public var what: String
  /// Where it is.
  public var location: Location
  /// How to fix it (in the Healthengine article's words where it has them).
  public var fix: String

  /// Creates a finding.
  public init(_ severity: Severity, _ code: String, what: String, where location: Location = Location(), fix: String) {
    self.severity = severity
    self.code = code
    self.what = what
    self.location = location
    self.fix = fix
  }

  private enum CodingKeys: String, CodingKey {
    case severity, code, what, fix
    case location = "where"
  }
}
