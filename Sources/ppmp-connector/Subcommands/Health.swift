import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `health`: one monitoring-plugin line and exit status (Nagios, Icinga, Checkmk, Sensu).
  struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the connector's infrastructure for a monitoring system: one line, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
      discussion: """
        Checks the age of the last run and of the last one that finished its work, whether it \
        failed, how long the oldest drop has waited \
        in the inbox, the archive chain as the catalog records it, and free space on the spool's \
        file system. Rejected bookings are business as usual and never raise the state. Only \
        reads: safe while a batch runs. The line ends with performance data after '|'.
        """)

    @OptionGroup var common: CommonOptions

    @Option(name: .customLong("warning-age"), help: "WARNING when the last run ended this many seconds ago or more.")
    var warningAge: Int64 = HealthCheck.Thresholds().warningAge

    @Option(name: .customLong("critical-age"), help: "CRITICAL when the last run ended this many seconds ago or more.")
    var criticalAge: Int64 = HealthCheck.Thresholds().criticalAge

    @Option(name: .customLong("warning-waiting"), help: "WARNING when the oldest inbox drop has waited this many seconds or more.")
    var warningWaiting: Int64 = HealthCheck.Thresholds().warningWaiting

    @Option(name: .customLong("critical-waiting"), help: "CRITICAL when the oldest inbox drop has waited this many seconds or more.")
    var criticalWaiting: Int64 = HealthCheck.Thresholds().criticalWaiting

    @Option(name: .customLong("warning-free-mib"), help: "WARNING when the spool's file system has less than this many MiB free.")
    var warningFreeMiB: Int64 = HealthCheck.Thresholds().warningFreeBytes / 1024 / 1024

    @Option(name: .customLong("critical-free-mib"), help: "CRITICAL when the spool's file system has less than this many MiB free.")
    var criticalFreeMiB: Int64 = HealthCheck.Thresholds().criticalFreeBytes / 1024 / 1024

    func validate() throws {
      guard warningAge >= 0, warningWaiting >= 0, warningFreeMiB >= 0, criticalFreeMiB >= 0 else {
        throw ValidationError("thresholds must not be negative")
      }
      guard criticalAge >= warningAge else { throw ValidationError("--critical-age must be at least --warning-age") }
      guard criticalWaiting >= warningWaiting else { throw ValidationError("--critical-waiting must be at least --warning-waiting") }
      guard warningFreeMiB >= criticalFreeMiB else { throw ValidationError("--warning-free-mib must be at least --critical-free-mib") }
    }

    func run() throws {
      var t = HealthCheck.Thresholds()
      t.warningAge = warningAge
      t.criticalAge = criticalAge
      t.warningWaiting = warningWaiting
      t.criticalWaiting = criticalWaiting
      t.warningFreeBytes = warningFreeMiB * 1024 * 1024
      t.criticalFreeBytes = criticalFreeMiB * 1024 * 1024
      let report: HealthCheck.Report
      do {
        let configuration = try common.loadConfiguration()
        let status = try SpoolStatus.read(configuration: configuration)
        report = HealthCheck.evaluate(
          status: status, freeBytes: HealthCheck.freeBytes(at: configuration.spoolPath), now: Date(), thresholds: t)
      } catch {
        // A plugin that cannot look says UNKNOWN, never a stack of diagnostics.
        report = HealthCheck.unknown("\(error)")
      }
      Console.out(report.line)
      if report.state != .ok { throw ExitCode(report.state.rawValue) }
    }
  }
}
