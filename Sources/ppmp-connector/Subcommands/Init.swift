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

    @Option(
      name: .customLong("practice-id"),
      help: "practice_id written into a new connector.toml (default: demo with --demo, else practice, with a warning).")
    var practiceID: String?

    @Flag(help: "Build the demo PPMP database (never replaces an existing file) and place sample drops in the inbox.")
    var demo = false

    @Flag(name: .customLong("no-sample-drops"), help: "With --demo: leave the inbox empty.")
    var noSampleDrops = false

    func run() throws {
      try Console.run {
        let configPath = common.config ?? CommonOptions.defaultConfigPath
        let databasePath = common.database ?? (demo ? "ppmp-demo.sqlite" : "ppmp.sqlite")
        let spoolPath = common.spool ?? "spool"
        // Root must not create root-owned folders or a config in another user's spool.
        try SpoolLayout(root: spoolPath).refuseRootOnForeignSpool()
        if FileManager.default.fileExists(atPath: configPath) {
          // A flag that disagrees with the file would be ignored: say so instead of exiting 0.
          try checkFlagsAgree(with: ConnectorConfiguration.load(path: configPath), configPath: configPath)
          if !common.quiet { Console.out("kept existing \(configPath)") }
        } else {
          let practiceID = self.practiceID ?? (demo ? "demo" : ConnectorConfiguration().practiceID)
          if self.practiceID == nil && !demo {
            Console.err(
              "warning: wrote practice_id = \"\(practiceID)\"; set practice_id in \(configPath) to the practice's own id "
                + "(or run init with --practice-id ID) before the first run")
          }
          let text = ConnectorConfiguration.template(practiceID: practiceID, databasePath: databasePath, spoolPath: spoolPath)
          try FileSystem.writeAtomically(to: configPath, bytes: Array(text.utf8))
          if !common.quiet { Console.out("wrote \(configPath)") }
        }
        let configuration = try common.loadConfiguration()
        let spool = SpoolLayout(root: configuration.spoolPath)
        try spool.refuseRootOnForeignSpool()
        try spool.create()
        if !common.quiet { Console.out("spool ready at \(spool.root)") }
        if !demo && !FileManager.default.fileExists(atPath: configuration.databasePath) {
          Console.err(
            "warning: PPMP database \(configuration.databasePath) does not exist; `run` needs it "
              + "(fix database = in \(configPath), or run init with --database FILE on a new folder)")
        }
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

    /// Throws when `--database`, `--spool` or `--practice-id` differ from the existing file,
    /// naming each difference and how to make it (init never rewrites a connector.toml).
    private func checkFlagsAgree(with existing: ConnectorConfiguration, configPath: String) throws {
      func same(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).standardizedFileURL.path == URL(fileURLWithPath: b).standardizedFileURL.path
      }
      var differences: [String] = []
      if let database = common.database, !same(database, existing.databasePath) {
        differences.append("database = \"\(existing.databasePath)\" there, --database \(database) here")
      }
      if let spool = common.spool, !same(spool, existing.spoolPath) {
        differences.append("spool = \"\(existing.spoolPath)\" there, --spool \(spool) here")
      }
      if let practiceID, practiceID != existing.practiceID {
        differences.append("practice_id = \"\(existing.practiceID)\" there, --practice-id \(practiceID) here")
      }
      guard !differences.isEmpty else { return }
      throw ConnectorError.configuration(
        "\(configPath) already exists and init does not rewrite it: \(differences.joined(separator: "; ")). "
          + "To change it, edit \(configPath); to start over, move it away and run init again")
    }
  }
}
