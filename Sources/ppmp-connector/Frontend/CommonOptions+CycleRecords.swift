import ConnectorCore
import Foundation

/// What `run` and `watch` leave for monitoring besides status.json: the metrics file, and the
/// status of a cycle that failed before it started.
extension CommonOptions {
  /// Rewrites the metrics file from what the cycle left (and its exit status), so a cycle that
  /// failed before recording a run is still visible. A run that found the lock held writes
  /// nothing: the process holding it will. Failing to write is a warning, not a failed cycle.
  func writeMetrics(exitCode: Int32) {
    guard exitCode != ExitStatus.tempFail, let configuration = try? loadConfiguration(),
      FileSystem.fileInfo(SpoolLayout(root: configuration.spoolPath).state) != nil,
      SpoolLayout(root: configuration.spoolPath).foreignOwnerForRoot() == nil
    else { return }
    do {
      try MetricsFile.write(configuration: configuration, cycleExitCode: exitCode)
    } catch {
      Console.err("warning: metrics file not written: \(error)")
    }
  }

  /// A cycle that fails before it starts (missing or locked database, low disk, a bad spool)
  /// still says so in status.json; one that found the lock held (exit 75) writes nothing.
  func recordFailedStart(_ error: Error, startedAt: Date) {
    let code = ExitStatus.code(for: error)
    guard code != ExitStatus.tempFail, let configuration = try? loadConfiguration() else { return }
    BatchRunner.recordFailedStart(
      spool: SpoolLayout(root: configuration.spoolPath), error: error, exitCode: code, startedAt: startedAt,
      asOf: asOfValue)
  }

  /// Writes `report_html` when configured; a page that cannot be written is a warning.
  func writeReportPage(_ context: ConnectorContext) {
    guard let page = context.configuration.reportHTMLPath else { return }
    do {
      try FrontDeskReport.gather(configuration: context.configuration, asOf: context.asOf).write(to: page)
    } catch {
      Console.err("warning: report_html: \(error)")
    }
  }
}
