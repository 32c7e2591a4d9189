import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `init [--demo]`: the spool tree and a commented connector.toml.
  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create the spool tree (mode 0700) and a commented connector.toml.",
      discussion: "With --demo, also build the demo PPMP database from the bundled fixtures.")

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("practice-id"), help: "practice_id written into a new connector.toml.")
    var practiceID = "demo"

    @Flag(help: "Build the demo PPMP database (never replaces an existing file) and place sample drops in the inbox.")
    var demo = false

    @Flag(name: .customLong("no-sample-drops"), help: "With --demo: leave the inbox empty.")
    var noSampleDrops = false

    func run() throws {
      try Console.run {
        let configPath = common.config ?? CommonOptions.defaultConfigPath
        let databasePath = common.database ?? (demo ? "ppmp-demo.sqlite" : "ppmp.sqlite")
        let spoolPath = common.spool ?? "spool"
        if FileManager.default.fileExists(atPath: configPath) {
          if !common.quiet { Console.out("kept existing \(configPath)") }
        } else {
          let text = ConnectorConfiguration.template(practiceID: practiceID, databasePath: databasePath, spoolPath: spoolPath)
          try FileSystem.writeAtomically(to: configPath, bytes: Array(text.utf8))
          if !common.quiet { Console.out("wrote \(configPath)") }
        }
        let configuration = try common.loadConfiguration()
        let spool = SpoolLayout(root: configuration.spoolPath)
        try spool.create()
        if !common.quiet { Console.out("spool ready at \(spool.root)") }
        if demo {
          if FileManager.default.fileExists(atPath: configuration.databasePath) {
            if !common.quiet { Console.out("kept existing demo database \(configuration.databasePath)") }
          } else {
            let today = common.asOf.flatMap(LocalDateTime.init)?.date
            try DemoPractice.build(at: configuration.databasePath, today: today)
            if !common.quiet { Console.out("built demo PPMP database \(configuration.databasePath)") }
            if !noSampleDrops {
              let asOf = common.asOfValue ?? LocalDateTime.now(in: TimeZone(identifier: "Australia/Perth") ?? .current)
              try DemoDrops.place(
                in: spool.inbox, database: configuration.databasePath, practiceID: configuration.practiceID, asOf: asOf)
              if !common.quiet { Console.out("placed sample drops in \(spool.inbox)") }
            }
          }
        }
        return ExitStatus.success
      }
    }
  }
}
