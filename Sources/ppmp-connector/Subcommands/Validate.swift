import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `validate FILE…`: check exchange files against the bundled XSDs.
  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check exchange files against the XSDs; the kind is taken from each file's root element.",
      discussion: "Exit status 0 when every file is valid, 65 when any is not.")

    @Argument(help: "Snapshot, delta, drop, receipt or dropRejected files.")
    var files: [String]

    @Flag(help: "Print only problems.")
    var quiet = false

    func run() throws {
      try Console.run {
        var allValid = true
        for file in files {
          let report = ExchangeValidator.validate(path: file)
          if report.errors.isEmpty {
            if !quiet { Console.out("\(file): valid \(report.kind?.rawValue ?? "")") }
            for p in report.messageProblems { Console.err("\(file): warning: \(p)") }
          } else {
            allValid = false
            for e in report.errors { Console.err("\(file):\(e.line.map { "\($0):" } ?? "")\(e.column.map { "\($0):" } ?? "") \(e.message)") }
          }
        }
        return allValid ? ExitStatus.success : ExitStatus.dataError
      }
    }
  }
}
