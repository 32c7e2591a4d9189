import ArgumentParser
import ConnectorCore
import Foundation

/// Options every command that works on a spool shares (SPEC §8).
struct CommonOptions: ParsableArguments {
  @Option(help: "Configuration file.")
  var config: String?

  @Option(help: "Spool folder (overrides spool = in the configuration).")
  var spool: String?

  @Option(help: "PPMP SQLite database (overrides database = in the configuration).")
  var database: String?

  @Option(name: .customLong("as-of"), help: "Practice-local time YYYY-MM-DDTHH:MM that fixes the clock, for reproducible output.")
  var asOf: String?

  @Flag(help: "Print only errors.")
  var quiet = false

  @Flag(help: "Print more detail, including patient names in logs.")
  var verbose = false

  func validate() throws {
    if let asOf, LocalDateTime(asOf) == nil {
      throw ValidationError("--as-of must be YYYY-MM-DDTHH:MM in practice time, e.g. 2026-11-24T08:00")
    }
  }

  /// Refuses `--as-of` and `--database` for a command that uses neither, so an operator is never
  /// led to think they changed what it did.
  func refuseClockAndDatabase(for command: String) throws {
    if asOf != nil { throw ValidationError("\(command) takes no --as-of: it records the time it runs") }
    if database != nil { throw ValidationError("\(command) takes no --database: it never opens the PPMP database") }
  }

  static let defaultConfigPath = "connector.toml"

  /// The configuration file merged with the command-line overrides. A missing `--config` file
  /// is an error, and so is a missing default `connector.toml` unless `--spool` names the spool
  /// (then the defaults apply): a command started in the wrong folder says so, instead of
  /// complaining about a default spool folder the operator never chose.
  func loadConfiguration() throws -> ConnectorConfiguration {
    var configuration: ConnectorConfiguration
    if let config {
      configuration = try ConnectorConfiguration.load(path: config)
    } else if FileManager.default.fileExists(atPath: Self.defaultConfigPath) {
      configuration = try ConnectorConfiguration.load(path: Self.defaultConfigPath)
    } else if spool != nil {
      configuration = ConnectorConfiguration()
    } else {
      throw ConnectorError.configuration(
        "no \(Self.defaultConfigPath) in \(FileManager.default.currentDirectoryPath) "
          + "(pass --config FILE, or run `ppmp-connector init`)")
    }
    if let spool { configuration.spoolPath = spool }
    if let database { configuration.databasePath = database }
    return configuration
  }

  /// `--as-of` parsed (validated in `validate()`); nil means "now in the practice's zone".
  var asOfValue: LocalDateTime? { asOf.flatMap(LocalDateTime.init) }

  /// The connector opened on this configuration and clock. Recovery warnings (lost or damaged
  /// state rebuilt on open) go to stderr unless `printingWarnings` is false (`run` reports them
  /// through its status instead).
  func makeContext(printingWarnings: Bool = true) throws -> ConnectorContext {
    let context = try ConnectorContext(configuration: loadConfiguration(), asOf: asOfValue)
    if printingWarnings { for w in context.recoveryWarnings { Console.err("warning: \(w)") } }
    return context
  }
}
