import ArgumentParser
import ConnectorCore

/// The `ppmp-connector` command: a thin shell over ConnectorCore.
@main
struct PPMPConnector: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ppmp-connector",
    abstract: "Batch file-exchange connector between a PPMP appointment book and Healthengine.",
    discussion: """
      Exit status: 0 done; 1 done but something was rejected (or files differ); 2 usage or \
      configuration error; 65 input unusable; 74 I/O failure; 75 another run holds the lock.
      """,
    version: ConnectorVersion.string,
    subcommands: [
      Init.self, Run.self, Watch.self, Ingest.self, Export.self, Diff.self, Validate.self, Archive.self, Audit.self, Doctor.self, Status.self,
      HTMLReport.self, Health.self, Ack.self, Resend.self, Review.self,
    ]
  )
}
