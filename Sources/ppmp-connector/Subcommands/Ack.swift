import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `ack <heMsgId|requestId>`: marks an action-needed rejection handled.
  struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Mark a rejection that needed a person as handled, so status and doctor stop listing it.",
      discussion: """
        ID is the heMsgId of the booking or the requestId of the cancellation, as `status` and \
        `doctor` list them; --all acknowledges every open item. Running it again for the same id changes nothing and exits 0. An id \
        that names no action-needed item exits 65. Safe while a batch runs.
        """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "The heMsgId or requestId of the item.")
    var id: String?

    @Flag(help: "Acknowledge every open item (after an upgrade listed rejections handled long ago).")
    var all = false

    func validate() throws {
      try common.refuseClockAndDatabase(for: "ack")
      guard (id == nil) != !all else { throw ValidationError("give either an ID or --all") }
    }

    func run() throws {
      try Console.run {
        let configuration = try common.loadConfiguration()
        let spool = SpoolLayout(root: configuration.spoolPath)
        // Root would leave files the spool's owner cannot read or replace.
        try spool.refuseRootOnForeignSpool()
        guard FileManager.default.fileExists(atPath: spool.stateDatabase) else {
          throw ConnectorError.dataError("no action-needed item: the connector has not run on \(spool.root) yet")
        }
        let state = try ConnectorState(path: spool.stateDatabase)
        let now = ISO8601DateFormatter().string(from: Date())
        guard let id else {
          let done = try state.acknowledgeAllActionNeeded(at: now)
          if !common.quiet { Console.out("acknowledged \(done.count) item(s)") }
          return ExitStatus.success
        }
        let result = try state.acknowledgeActionNeeded(id, at: now)
        if result.isUnknown {
          throw ConnectorError.dataError(
            "no action-needed item has the heMsgId or requestId \(id); `ppmp-connector status` lists the open ones")
        }
        for item in result.acknowledged where !common.quiet {
          Console.out("acknowledged: \(item.summary)")
        }
        for item in result.alreadyAcknowledged where !common.quiet {
          Console.out("already acknowledged at \(item.acknowledgedAt ?? "?"): \(item.summary)")
        }
        return ExitStatus.success
      }
    }
  }
}
