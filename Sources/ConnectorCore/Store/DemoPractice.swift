import Foundation
import GRDB

/// The embedded demo practice: the bundled PPMP schema plus `demo.sql`, whose dates are
/// relative to a one-row `demo_clock` table so the demo never runs out of future days.
public enum DemoPractice {
  /// Marker of the line in demo.sql that sets the demo's "today"; replaced to pin the date.
  static let clockMarker = "-- demo_clock"

  /// Builds a new demo database at `path` (refuses to replace an existing file).
  /// `today` pins the demo's dates (for reproducible tests); nil uses SQLite's current date.
  public static func build(at path: String, today: LocalDate?) throws {
    guard !FileManager.default.fileExists(atPath: path) else {
      throw ConnectorError.usage("\(path) already exists; the demo never replaces a database")
    }
    let schema = try BundledResources.text("ppmp/schema.sql")
    var demo = try BundledResources.text("ppmp/demo.sql")
    if let today {
      demo = demo.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        line.contains(clockMarker)
          ? "CREATE TEMP TABLE demo_clock AS SELECT '\(today)' AS today; \(clockMarker)" : String(line)
      }.joined(separator: "\n")
    }
    do {
      let queue = try DatabaseQueue(path: path)
      try queue.write { db in
        try db.execute(sql: schema)
        try db.execute(sql: demo)
      }
      try queue.close()
      chmod(path, FileSystem.fileMode)
    } catch let error as DatabaseError {
      try? FileManager.default.removeItem(atPath: path)
      throw ConnectorError.dataError("building the demo database: \(error.message ?? "\(error)")")
    }
  }
}
