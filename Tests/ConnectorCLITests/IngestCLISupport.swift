import ConnectorCore
import ConnectorTestSupport
import Foundation

/// Ingest-specific helpers over the demo spool: an empty inbox that claims at once, generated
/// drops, and direct looks into the PPMP database with the stock `sqlite3`.
extension DemoSpool {
  var work: String { folder.child("spool/work") }
  var rejected: String { folder.child("spool/rejected") }
  var lockFile: String { folder.child("spool/state/lock") }

  /// Removes the demo's sample drops and turns the settle check off, so a drop written by the
  /// test is claimed by the next run.
  func prepareForIngest(settleSeconds: Int = 0) throws {
    for name in try FileManager.default.contentsOfDirectory(atPath: inbox) {
      try FileManager.default.removeItem(atPath: inbox + "/" + name)
    }
    let config = folder.child("connector.toml")
    let text = try String(contentsOfFile: config, encoding: .utf8)
      .replacingOccurrences(of: "settle_seconds = 2", with: "settle_seconds = \(settleSeconds)")
    try text.write(toFile: config, atomically: true, encoding: .utf8)
  }

  /// Runs `ppmp-fixtures drops` against the demo database into `folder` (default: the inbox).
  func generateDrops(bookings: Int, cancellations: Int = 0, invalid: Int = 0, perDrop: Int, seed: Int, into target: String? = nil) throws -> [String] {
    let out = target ?? inbox
    let r = try CommandRunner.run(
      "ppmp-fixtures",
      [
        "drops", "--database", database, "--out", out, "--bookings", "\(bookings)", "--cancellations", "\(cancellations)",
        "--invalid", "\(invalid)", "--per-drop", "\(perDrop)", "--seed", "\(seed)", "--as-of", asOf, "--practice-id", "demo",
        "--horizon-days", "30",
      ])
    guard r.status == 0 else { throw HarnessError.failed("ppmp-fixtures drops: \(r.stderr)") }
    return try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".xml") }.sorted()
  }

  /// Writes a drop into the inbox.
  func placeDrop(_ name: String, _ bytes: [UInt8]) throws {
    try FileSystem.write(bytes, toNewFile: inbox + "/" + name)
  }

  /// `sqlite3 -batch` output of `query` on the demo PPMP database.
  func sql(_ query: String) throws -> String {
    let r = try CommandRunner.run("/usr/bin/sqlite3", ["-batch", database, query])
    guard r.status == 0 else { throw HarnessError.failed("sqlite3: \(r.stderr)") }
    return r.stdout
  }

  /// A text image of the rows ingest may touch, to show a run left PPMP alone.
  func ppmpFingerprint() throws -> String {
    try sql("SELECT * FROM appointments ORDER BY id; SELECT * FROM patients ORDER BY id;")
  }

  /// How many appointments carry each HE_MSG_ID token (exact tokens, any status).
  func tokenCounts() throws -> [String: Int] {
    var counts: [String: Int] = [:]
    let text = try sql("SELECT replace(comments, char(10), ' ') FROM appointments WHERE comments LIKE '%HE_MSG_ID:%';")
    for line in text.split(separator: "\n") {
      var rest = Substring(line)
      while let r = rest.range(of: "HE_MSG_ID:") {
        let id = rest[r.upperBound...].prefix { $0.isLetter || $0.isNumber || "._:-".contains($0) }
        counts[String(id), default: 0] += 1
        rest = rest[r.upperBound...]
      }
    }
    return counts
  }

  func files(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
  }
}
