import Foundation
import GRDB

/// The embedded demo practice: the bundled PPMP schema plus `demo.sql`, whose dates are
/// relative to a one-row `demo_clock` table so the demo never runs out of future days.
public enum DemoPractice {
  /// Builds a new demo database at `path` (refuses to replace an existing file).
  /// `today` pins the demo's dates (for reproducible tests); nil uses SQLite's current date.
  public static func build(at path: String, today: LocalDate?) throws {
    guard !FileManager.default.fileExists(atPath: path) else {
      throw ConnectorError.usage("\(path) already exists; the demo never replaces a database")
    }
    let schema = try PPMPBundledSQL.schema()
    let demo = try PPMPBundledSQL.demo(today: today)
    do {
      let queue = try SQLiteSettings.openQueue(path: path)
      try queue.write { db in
        try db.execute(sql: schema)
        try db.execute(sql: demo)
      }
      try queue.close()
      chmod(path, FileSystem.fileMode)
    } catch let error as DatabaseError {
      try? FileManager.default.removeItem(atPath: path)
      throw StoreError.demoBuildFailed(message: error.message ?? "\(error)")
    }
  }
}
