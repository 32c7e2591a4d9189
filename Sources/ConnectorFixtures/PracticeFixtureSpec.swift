import ConnectorCore

/// What `PracticeFixtureGenerator` builds: a practice of a given size, reproducible from `seed`.
public struct PracticeFixtureSpec: Hashable, Sendable {
  /// Number of `staff` rows (practitioners).
  public var practitioners: Int
  /// Days of diary activity (appointments, blocks, holidays) from `start`.
  public var days: Int
  /// Number of `patients` rows, including a few deliberate name-and-DOB duplicates.
  public var patients: Int
  /// Fraction (0...1) of column-1 diary slots holding a non-cancelled appointment.
  public var bookedFraction: Double
  /// Seed for the generator's own PRNG: the same spec always gives the same rows.
  public var seed: UInt64
  /// First day of the generated period; also fixes every `created_at`/`updated_at`.
  public var start: LocalDate

  /// Upper bounds that keep a mistyped command from filling the disk.
  public static let maxPractitioners = 5_000
  /// The longest period, in days (a year and a bit; the connector's horizon is at most 90).
  public static let maxDays = 400
  /// The most patients.
  public static let maxPatients = 5_000_000

  /// Creates a spec; call `validate()` (or let `generate` do it) before relying on the values.
  public init(
    practitioners: Int, days: Int, patients: Int, bookedFraction: Double, seed: UInt64,
    start: LocalDate
  ) {
    self.practitioners = practitioners
    self.days = days
    self.patients = patients
    self.bookedFraction = bookedFraction
    self.seed = seed
    self.start = start
  }

  /// Throws `PracticeFixtureError.invalidSpec` naming the first field out of range.
  public func validate() throws {
    func fail(_ field: String, _ detail: String) -> PracticeFixtureError {
      .invalidSpec(field: field, detail: detail)
    }
    guard (1...Self.maxPractitioners).contains(practitioners) else {
      throw fail("practitioners", "must be between 1 and \(Self.maxPractitioners), got \(practitioners)")
    }
    guard (1...Self.maxDays).contains(days) else {
      throw fail("days", "must be between 1 and \(Self.maxDays), got \(days)")
    }
    guard (0...Self.maxPatients).contains(patients) else {
      throw fail("patients", "must be between 0 and \(Self.maxPatients), got \(patients)")
    }
    guard bookedFraction.isFinite, (0...1).contains(bookedFraction) else {
      throw fail("bookedFraction", "must be between 0 and 1, got \(bookedFraction)")
    }
    guard (1...9000).contains(start.year) else {
      throw fail("start", "must be a date between years 1 and 9000, got \(start)")
    }
  }
}

/// Row counts of a generated practice, for progress messages and tests.
public struct PracticeFixtureSummary: Hashable, Sendable {
  /// `staff` rows.
  public var practitioners = 0
  /// `diary_times` rows.
  public var diaryRows = 0
  /// `diary_blocks` rows.
  public var blocks = 0
  /// `holidays` rows.
  public var holidays = 0
  /// `appointment_types` rows.
  public var appointmentTypes = 0
  /// `patients` rows.
  public var patients = 0
  /// `appointments` rows, cancelled ones included.
  public var appointments = 0
  /// Appointments with status `cancelled`.
  public var cancelledAppointments = 0
  /// Appointments whose comments carry an `HE_MSG_ID:` token.
  public var healthengineAppointments = 0
  /// Column-1 diary slots of active practitioners that were open for booking (not on a
  /// holiday, not blocked); `bookedFraction` of them hold a non-cancelled column-1 appointment.
  public var bookableSlots = 0

  /// An empty summary.
  public init() {}
}

/// Why a practice fixture could not be generated.
public enum PracticeFixtureError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A spec field is out of range.
  case invalidSpec(field: String, detail: String)
  /// The output file already exists; the generator only ever creates new databases.
  case outputExists(path: String)
  /// SQLite (through GRDB) failed; the message is SQLite's own with GRDB's context.
  case database(path: String, message: String)
  /// Moving the finished database into place failed.
  case io(path: String, message: String)

  /// A one-line explanation for the CLI.
  public var description: String {
    switch self {
    case .invalidSpec(let field, let detail): return "invalid \(field): \(detail)"
    case .outputExists(let path): return "\(path) already exists"
    case .database(let path, let message): return "\(path): \(message)"
    case .io(let path, let message): return "\(path): \(message)"
    }
  }
}
