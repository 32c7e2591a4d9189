import ArgumentParser
import ConnectorCore
import Foundation

/// Where the CLI talks to people: results on stdout, diagnostics on stderr.
enum Console {
  static func out(_ line: String) {
    print(terminalSafe(line))
  }

  /// `line` with unprintable characters other than tab and line ends written `%XX`, by the
  /// rule drop names follow: file names, PPMP text and error details can hold escape sequences
  /// that would drive a terminal.
  static func terminalSafe(_ line: String) -> String {
    DropName.escapingUnprintable(line, keepingLineBreaks: true)
  }

  /// Whether stderr is a terminal: progress is shown there, never in a pipe or a log file.
  static let stderrIsTerminal = isatty(2) == 1

  /// A progress line that rewrites itself on a terminal; nothing otherwise.
  static func progress(_ label: String, _ done: Int, _ total: Int) {
    guard stderrIsTerminal, total > 1 else { return }
    let end = done >= total ? "\n" : ""
    FileHandle.standardError.write(Data("\r\(label) \(done)/\(total)\(end)".utf8))
  }

  /// Ends a one-shot command's use of `context` without taking apart what it built: after a
  /// large drop, freeing the appointment book's day cache and the other per-drop structures
  /// (hundreds of thousands of small allocations) took 20 ms, which the process's exit gives
  /// back at no cost. The databases are closed here, as the teardown would have closed them;
  /// a close that fails leaves the connection to the exit, which SQLite recovers from on the
  /// next open, so it never fails a command whose work is done.
  static func leaveToExit(_ context: ConnectorContext, _ others: AnyObject...) {
    try? context.closeDatabases()
    keptForExit += [context] + others
  }

  nonisolated(unsafe) private static var keptForExit: [AnyObject] = []

  static func err(_ line: String) {
    FileHandle.standardError.write(Data((terminalSafe(line) + "\n").utf8))
  }

  /// Runs a command body, turning library errors into one stderr line and the documented exit status.
  static func run(_ body: () throws -> Int32) throws {
    let status: Int32
    do {
      status = try body()
    } catch let error as ExitCode {
      throw error
    } catch let error as ValidationError {
      throw error
    } catch {
      err("ppmp-connector: error: \(error)")
      throw ExitCode(ExitStatus.code(for: error))
    }
    if status != 0 { throw ExitCode(status) }
  }
}
