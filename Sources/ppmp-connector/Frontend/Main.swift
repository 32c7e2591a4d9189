import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// Parses and runs as ArgumentParser's own `main()` does, except that a usage error exits 2,
  /// as documented (ArgumentParser's default is 64, EX_USAGE).
  static func main() {
    SQLiteSettings.apply()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      guard code == .validationFailure else { exit(withError: error) }
      FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
      exit(withError: ExitCode(ExitStatus.usage))
    }
  }
}
