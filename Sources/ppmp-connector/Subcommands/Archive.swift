import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `archive`: roll staged files into an archive now.
  struct Archive: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Roll every staged drop, receipt, notice, snapshot and delta into the next archive now.")

    @OptionGroup var common: CommonOptions

    func run() throws {
      try Console.run {
        let context = try common.makeContext()
        let archiver = try context.makeArchiver()
        let record = try archiver.archive(asOf: context.asOf, timeZone: context.timeZone)
        if !common.quiet {
          for a in archiver.adopted {
            Console.out("archive: recorded \(context.spool.archive)/\(a.path), left unrecorded by an earlier run")
          }
        }
        if let record {
          // An archive by hand restarts the cadence as a run's archive does.
          try ArchiveSchedule.recordArchive(at: context.asOf, in: context.state)
          if !common.quiet {
            Console.out(
              "archive: wrote \(context.spool.archive)/\(record.path) (\(record.payloadFiles) file(s), \(record.payloadBytes) bytes → \(record.fileBytes) bytes)")
          }
        } else if !common.quiet && archiver.adopted.isEmpty {
          Console.out("archive: nothing staged")
        }
        return ExitStatus.success
      }
    }
  }
}
