import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `resend NAME`: a receipt, rejection notice, snapshot or delta back into outbox/.
  struct Resend: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Put a file the connector wrote back into outbox/ (taken too early or lost by the transfer job).",
      discussion: """
        NAME is the outbox file name (receipt-….xml, rejected-….xml, a snapshot or delta). The \
        copy comes from the archive staging area or the newest archive holding it, and appears in \
        outbox/ whole. A name the connector never wrote is refused (exit 65); a different file \
        already in outbox/ under that name is never replaced (exit 65); the same file already \
        there is left alone (exit 0). Safe while a batch runs.
        """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "The outbox file name.")
    var name: String

    func validate() throws { try common.refuseClockAndDatabase(for: "resend") }

    func run() throws {
      try Console.run {
        let configuration = try common.loadConfiguration()
        let spool = SpoolLayout(root: configuration.spoolPath)
        // Root would leave files the spool's owner cannot read or replace.
        try spool.refuseRootOnForeignSpool()
        let state = FileManager.default.fileExists(atPath: spool.stateDatabase) ? try ConnectorState(path: spool.stateDatabase) : nil
        switch try OutboxResender(spool: spool, state: state).resend(name) {
        case .restored(let source, let bytes):
          if !common.quiet { Console.out("resent: outbox/\(name) (\(bytes) bytes) from \(source)") }
        case .alreadyThere:
          if !common.quiet { Console.out("resent: outbox/\(name) is already there with the same content; nothing to do") }
        }
        return ExitStatus.success
      }
    }
  }
}
