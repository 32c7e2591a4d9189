import ConnectorTestSupport
import Foundation
import Testing

/// Usage errors exit 2, as the help and docs/operations.md say, whatever the parser's default.
@Suite struct UsageCLITests {
  @Test(arguments: [["run", "--bogus"], ["run", "--as-of", "tomorrow"], ["audit", "nope"], ["export", "extra-argument"]])
  func aUsageErrorExits2WithTheParsersMessage(_ arguments: [String]) throws {
    let folder = try TemporaryFolder("usage")
    let r = try CommandRunner.run("ppmp-connector", arguments, in: folder.path)
    #expect(r.status == 2, "\(arguments): \(r.status) \(r.stderr)")
    #expect(r.stderr.contains("Error:") || r.stderr.contains("error:"), "\(r.stderr)")
  }

  @Test func helpAndVersionStillExit0() throws {
    let folder = try TemporaryFolder("usage-help")
    #expect(try CommandRunner.run("ppmp-connector", ["--help"], in: folder.path).status == 0)
    #expect(try CommandRunner.run("ppmp-connector", ["--version"], in: folder.path).status == 0)
    #expect(try CommandRunner.run("ppmp-connector", ["run", "--help"], in: folder.path).status == 0)
  }
}
