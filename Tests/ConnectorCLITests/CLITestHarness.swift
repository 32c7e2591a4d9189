import ConnectorTestSupport
import Foundation

/// A demo spool in a temp folder, driven through the real `ppmp-connector` binary.
final class DemoSpool {
  let folder: TemporaryFolder
  /// The logical clock every command gets, and the demo's "today".
  let asOf: String

  init(asOf: String = "2026-03-02T08:00", label: String = "cli") throws {
    folder = try TemporaryFolder(label)
    self.asOf = asOf
    let r = try run(["init", "--demo", "--practice-id", "demo"])
    guard r.status == 0 else { throw HarnessError.failed("init --demo: \(r.stderr)") }
  }

  var path: String { folder.path }
  var outbox: String { folder.child("spool/outbox") }
  var inbox: String { folder.child("spool/inbox") }
  var database: String { folder.child("ppmp-demo.sqlite") }

  /// Runs `ppmp-connector` in the spool's folder with `--as-of` appended where it applies.
  @discardableResult
  func run(_ arguments: [String], asOf override: String? = nil) throws -> CommandResult {
    var args = arguments
    let takesClock = ["init", "export", "ingest", "run", "archive", "doctor"].contains(arguments.first ?? "")
    if takesClock && !args.contains("--as-of") { args += ["--as-of", override ?? asOf] }
    return try CommandRunner.run("ppmp-connector", args, in: path)
  }

  func outboxFiles(prefix: String = "") throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") }.sorted()
  }

  func contents(_ path: String) -> [UInt8] {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
  }
}

enum HarnessError: Error { case failed(String) }
