import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `export [--full]`: snapshot + delta only.
  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Publish availability: a delta against the last publication, or a full snapshot.",
      discussion: "Without a previous publication (or with --full) the full snapshot is written.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Always write the full snapshot (a manual resync).")
    var full = false

    func run() throws {
      try Console.run {
        let context = try common.makeContext()
        let result = try context.makeExporter().export(asOf: context.asOf, full: full)
        Report.export(result, spool: context.spool, quiet: common.quiet)
        return ExitStatus.success
      }
    }
  }

  /// `ingest`: drops only.
  struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Apply booking and cancellation drops from the inbox and write a receipt per drop.",
      discussion: "Exit status 1 when a drop or a message was rejected.")

    @OptionGroup var common: CommonOptions

    func run() throws {
      try Console.run {
        let context = try common.makeContext()
        let ingestor = try context.makeIngestor()
        ingestor.progress = { done, total in Console.progress("ingest: drops", done, total) }
        if common.verbose {
          let log = StepLog(quiet: false)
          ingestor.onMessage = { drop, outcome, patient in log.message(drop: drop, outcome, patient: patient) }
        }
        let summary = try ingestor.run()
        Console.leaveToExit(context, ingestor)
        Report.ingest(summary, quiet: common.quiet)
        return summary.hadRejections ? ExitStatus.partial : ExitStatus.success
      }
    }
  }
}
