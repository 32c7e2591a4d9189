import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `doctor [--json]`: the Healthengine troubleshooting checklist, automated (SPEC §9).
  struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the practice's diaries, staff settings, bookings, spool and archive for known problems.",
      discussion: """
        Only reads: it never takes the spool lock, so it can run while a batch runs. Each finding has a \
        severity, a stable code, what is wrong, where, and how to fix it; codes are listed in \
        docs/operations.md. Exit status 1 when any finding is an error, 0 otherwise. Output never \
        names patients: appointments are named by id.
        """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print the findings as a JSON array (sorted keys): severity, code, what, where, fix.")
    var json = false

    func run() throws {
      try Console.run {
        let configuration = try common.loadConfiguration()
        let findings = ConnectorCore.Doctor(configuration: configuration, asOf: common.asOfValue).examine()
        if json {
          let encoder = JSONEncoder()
          encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
          Console.out(String(decoding: try encoder.encode(findings), as: UTF8.self))
        } else if !common.quiet || findings.contains(where: { $0.severity == .error }) {
          Self.printHuman(findings, quiet: common.quiet)
        }
        return findings.contains { $0.severity == .error } ? ExitStatus.partial : ExitStatus.success
      }
    }

    /// Grouped by severity, errors first; `--quiet` keeps only the errors.
    static func printHuman(_ findings: [DoctorFinding], quiet: Bool) {
      let counts = DoctorFinding.Severity.allCases.map { s in (s, findings.filter { $0.severity == s }.count) }
      Console.out("doctor: " + counts.map { "\($0.1) \($0.0.rawValue)(s)" }.joined(separator: ", "))
      for (severity, count) in counts where count > 0 && (!quiet || severity == .error) {
        Console.out("")
        Console.out(["ERRORS", "WARNINGS", "INFORMATION"][severity.rank])
        var previous: DoctorFinding?
        for f in findings where f.severity == severity {
          Console.out("- [\(f.code)] \(f.what)")
          let place = f.location.summary
          if !place.isEmpty { Console.out("    where: \(place)") }
          // Rows of one problem share their fix: said once, not once per row.
          if previous?.code == f.code && previous?.fix == f.fix {
            Console.out("    fix:   as above")
          } else if !f.fix.isEmpty {
            Console.out("    fix:   \(f.fix)")
          }
          previous = f
        }
      }
    }
  }
}
