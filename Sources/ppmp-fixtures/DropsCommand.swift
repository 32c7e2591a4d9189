import ArgumentParser
import ConnectorCore
import ConnectorFixtures
import Foundation

extension PPMPFixtures {
  /// `ppmp-fixtures drops`: writes booking and cancellation drops aimed at a practice's free slots.
  struct Drops: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write drop files aimed at a practice's free slots, with some conflicts and malformed drops.",
      discussion: """
        Bookings take free published slots as of --as-of (default: now in the practice's zone); about \
        one in twenty asks for a slot an earlier booking of the set takes (slot-unavailable). Patients \
        are partly existing files (some with case and spacing changed), partly new. Cancellations name \
        bookings made earlier in the same set. Files are drop-00001.xml, … in processing order. The same \
        options and database always give the same files.
        """
    )

    @Option(help: ArgumentHelp("The PPMP practice database to aim at (read only).", valueName: "db"))
    var database: String

    @Option(help: ArgumentHelp("Folder for the drop files (created if missing).", valueName: "dir"))
    var out: String

    @Option(help: "Number of booking messages.")
    var bookings: Int

    @Option(help: "Number of cancellation messages.")
    var cancellations: Int

    @Option(help: "Number of extra drops that cannot be read (not well-formed, DOCTYPE, wrong practiceId, schema-invalid).")
    var invalid: Int

    @Option(help: "Seed for the generator; the same seed gives the same drops.")
    var seed: UInt64

    @Option(name: .customLong("per-drop"), help: "Most messages in one drop.")
    var perDrop = 100

    @Option(name: .customLong("as-of"), help: "Practice time YYYY-MM-DDTHH:MM the free slots are computed for.")
    var asOf: String?

    @Option(name: .customLong("practice-id"), help: "practiceId written into the drops (the connector's practice_id).")
    var practiceID = "practice"

    @Option(name: .customLong("horizon-days"), help: "Days from the as-of date to aim at (the connector's horizon_days).")
    var horizonDays = 30

    func validate() throws {
      if let asOf, LocalDateTime(asOf) == nil {
        throw ValidationError("--as-of must be YYYY-MM-DDTHH:MM in practice time, e.g. 2026-11-24T08:00")
      }
      do {
        try spec().validate()
      } catch let error as DropFixtureError {
        throw ValidationError(error.description)
      }
      guard FileManager.default.fileExists(atPath: database) else {
        throw ValidationError("--database \(database) does not exist")
      }
    }

    func run() throws {
      let clock = ContinuousClock()
      let began = clock.now
      let summary: DropFixtureSummary
      do {
        summary = try DropFixtureGenerator.generate(spec(), database: database, into: out)
      } catch let error as DropFixtureError {
        FileHandle.standardError.write(Data("ppmp-fixtures: error: \(error)\n".utf8))
        throw ExitCode(65)
      } catch let error as CategorizedError {
        FileHandle.standardError.write(Data("ppmp-fixtures: error: \(error)\n".utf8))
        throw ExitCode(error.category == .data ? 65 : 74)
      }
      let seconds = Double((clock.now - began) / .milliseconds(1)) / 1000
      print(
        "\(out): \(summary.files.count) drop(s) as of \(summary.asOf): \(summary.bookings) bookings "
          + "(\(summary.conflicts) conflicting, \(summary.existingPatients) existing patients) from "
          + "\(summary.freeSlots) free slots, \(summary.cancellations) cancellations, "
          + "\(summary.invalidDrops) invalid drop(s) in \(String(format: "%.2f", seconds)) s")
    }

    private func spec() -> DropFixtureSpec {
      DropFixtureSpec(
        bookings: bookings, cancellations: cancellations, invalid: invalid, seed: seed, perDrop: perDrop,
        asOf: asOf.flatMap(LocalDateTime.init), practiceID: practiceID, horizonDays: horizonDays)
    }
  }
}
