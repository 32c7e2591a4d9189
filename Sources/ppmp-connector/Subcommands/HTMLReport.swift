import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `report --html FILE`: the front-desk page. (Named `HTMLReport` because `Report` is the
  /// frontend's step summaries.)
  struct HTMLReport: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "report",
      abstract: "Write the front-desk HTML report: health, recent activity, queues, doctor findings, free hours published.",
      discussion: """
        One self-contained page (no script, nothing fetched, no patient details), written atomically. \
        Only reads: safe while a batch runs. With --as-of the page is reproducible byte for byte; \
        without it, the last run's time is used. `report_html = "FILE"` in connector.toml writes \
        the same page after every run.
        """)

    @OptionGroup var common: CommonOptions

    @Option(help: "The HTML file to write.")
    var html: String

    func validate() throws {
      if html.isEmpty { throw ValidationError("--html needs a file name") }
    }

    func run() throws {
      try Console.run {
        let report = try FrontDeskReport.gather(configuration: common.loadConfiguration(), asOf: common.asOfValue)
        try report.write(to: html)
        if !common.quiet { Console.out("report: wrote \(html)") }
        return ExitStatus.success
      }
    }
  }
}
