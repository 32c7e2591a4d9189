import ArgumentParser
import ConnectorCore
import Foundation

/// Where the CLI talks to people: results on stdout, diagnostics on stderr.
enum Console {
  static func out(_ line: String) {
    print(line)
  }

  static func err(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }

  /// Runs a command body, turning library errors into one stderr line and SPEC §8's exit status.
  static func run(_ body: () throws -> Int32) throws {
    let status: Int32
    do {
      status = try body()
    } catch let error as ConnectorError {
      err("ppmp-connector: error: \(error)")
      throw ExitCode(error.exitCode)
    } catch let error as ExitCode {
      throw error
    } catch let error as ValidationError {
      throw error
    } catch {
      err("ppmp-connector: error: \(error)")
      throw ExitCode(ExitStatus.ioError)
    }
    if status != 0 { throw ExitCode(status) }
  }
}
