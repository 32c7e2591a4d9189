import ArgumentParser
import ConnectorCore
import Foundation

/// Where the CLI talks to people: results on stdout, diagnostics on stderr.
enum Console {
  static func out(_ line: String) {
    print(terminalSafe(line))
  }

  /// `line` with control characters other than tab and line ends written `%XX`: file names,
  /// PPMP text and error details can hold escape sequences that would drive a terminal.
  static func terminalSafe(_ line: String) -> String {
    guard line.unicodeScalars.contains(where: isUnsafe) else { return line }
    var out = ""
    for scalar in line.unicodeScalars {
      if isUnsafe(scalar) {
        for b in String(scalar).utf8 { out += String(format: "%%%02X", b) }
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  private static func isUnsafe(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x09, 0x0A, 0x0D: return false
    case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
    default: return false
    }
  }

  /// Whether stderr is a terminal: progress is shown there, never in a pipe or a log file.
  static let stderrIsTerminal = isatty(2) == 1

  /// A progress line that rewrites itself on a terminal; nothing otherwise.
  static func progress(_ label: String, _ done: Int, _ total: Int) {
    guard stderrIsTerminal, total > 1 else { return }
    let end = done >= total ? "\n" : ""
    FileHandle.standardError.write(Data("\r\(label) \(done)/\(total)\(end)".utf8))
  }

  static func err(_ line: String) {
    FileHandle.standardError.write(Data((terminalSafe(line) + "\n").utf8))
  }

  /// Runs a command body, turning library errors into one stderr line and SPEC §8's exit status.
  static func run(_ body: () throws -> Int32) throws {
    let status: Int32
    do {
      status = try body()
    } catch let error as ConnectorError {
      err("ppmp-connector: error: \(error)")
      throw ExitCode(ExitStatus.code(for: error))
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
