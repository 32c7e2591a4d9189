import ArgumentParser
import ConnectorCore
import ConnectorFixtures
import Foundation

extension PPMPFixtures {
  /// `ppmp-fixtures practice`: writes a new PPMP database with diaries, patients and appointments.
  struct Practice: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a new PPMP practice database (diaries, patients, appointments).",
      discussion: """
        The same options always produce the same rows. Dates run for --days days from --start \
        (default: today in UTC); the first day counts as "today" for appointment statuses.
        """
    )

    @Option(help: ArgumentHelp("The SQLite database to create.", valueName: "db"))
    var out: String

    @Option(help: "Number of practitioners (1-\(PracticeFixtureSpec.maxPractitioners)).")
    var practitioners: Int

    @Option(help: "Days of diary activity from the start date (1-\(PracticeFixtureSpec.maxDays)).")
    var days: Int

    @Option(help: "Number of patients (0-\(PracticeFixtureSpec.maxPatients)).")
    var patients: Int

    @Option(help: ArgumentHelp("Fraction of diary slots booked (0-1).", valueName: "fraction"))
    var booked: Double

    @Option(help: "Seed for the generator; the same seed gives the same database content.")
    var seed: UInt64

    @Option(help: ArgumentHelp("First day, YYYY-MM-DD (default: today in UTC).", valueName: "date"))
    var start: String?

    @Flag(help: "Replace --out if it already exists.")
    var force = false

    func validate() throws {
      if let start, LocalDate(start) == nil {
        throw ValidationError("--start must be an existing date written YYYY-MM-DD, got '\(start)'")
      }
      do {
        try spec().validate()
      } catch PracticeFixtureError.invalidSpec(let field, let detail) {
        // Name the flag the user typed, not the spec property.
        let flag = field == "bookedFraction" ? "booked" : field
        throw ValidationError("--\(flag) \(detail)")
      }
      if !force, FileManager.default.fileExists(atPath: out) {
        throw ValidationError("\(out) already exists; pass --force to replace it")
      }
    }

    func run() throws {
      if force, FileManager.default.fileExists(atPath: out) {
        try FileManager.default.removeItem(atPath: out)
      }
      let spec = spec()
      let clock = ContinuousClock()
      let began = clock.now
      let summary = try PracticeFixtureGenerator.generate(spec, into: out)
      let seconds = (clock.now - began) / .milliseconds(1) / 1000
      print(
        "\(out): \(summary.practitioners) practitioners, \(spec.days) days from \(spec.start), "
          + "\(summary.patients) patients, \(summary.appointments) appointments "
          + "(\(summary.cancelledAppointments) cancelled, \(summary.healthengineAppointments) Healthengine) "
          + "in \(String(format: "%.2f", seconds)) s"
      )
    }

    private func spec() -> PracticeFixtureSpec {
      PracticeFixtureSpec(
        practitioners: practitioners, days: days, patients: patients, bookedFraction: booked,
        seed: seed, start: start.flatMap { LocalDate($0) } ?? Self.todayInUTC()
      )
    }

    private static func todayInUTC() -> LocalDate {
      LocalDate(dayNumber: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down)))
    }
  }
}
