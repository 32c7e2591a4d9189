import ConnectorCore
import Foundation
import GRDB

/// Writes synthetic PPMP practice databases for tests and benchmarks (SPEC §11).
///
/// Realistic on purpose: Monday–Friday diaries with lunch breaks, some alternate fortnightly
/// rosters and Saturday mornings, 15/20/30-minute intervals, a few 12-hour diary times, blocks,
/// holidays, appointment types, patients with some name-and-DOB duplicates, appointments in
/// `bookedFraction` of the slots (about 5% more cancelled) and a share of Healthengine bookings
/// carrying `HE_MSG_ID:` tokens. Every value comes from the spec's seed through a private
/// SplitMix64 generator (never the system RNG, never `Hasher`, never the wall clock), so the same
/// spec gives the same rows on every machine and Swift version.
public enum PracticeFixtureGenerator {
  /// The `he_colour` setting of generated practices, also on their Healthengine bookings.
  public static let healthengineColour = "#1E90FF"

  /// Creates the database at `path` (which must not exist) and fills it from `spec`.
  ///
  /// The database is built under a temporary name beside `path` in one transaction with
  /// reused prepared statements, and renamed into place only when complete.
  @discardableResult
  public static func generate(_ spec: PracticeFixtureSpec, into path: String) throws
    -> PracticeFixtureSummary
  {
    try spec.validate()
    let fileManager = FileManager.default
    guard !fileManager.fileExists(atPath: path) else { throw PracticeFixtureError.outputExists(path: path) }
    let partialPath = path + ".partial"
    try? fileManager.removeItem(atPath: partialPath)
    let tables = try PPMPBundledSQL.tables()
    let indexes = try PPMPBundledSQL.connectorIndexes()

    let summary: PracticeFixtureSummary
    do {
      var configuration = Configuration()
      // Rows are generated consistent; checking every reference would only slow the bulk load.
      configuration.foreignKeysEnabled = false
      configuration.label = "ppmp-fixtures"
      configuration.prepareDatabase { db in
        // A brand-new file nobody else reads: durability comes from the final rename.
        try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA cache_size = -65536")
      }
      let queue = try DatabaseQueue(path: partialPath, configuration: configuration)
      summary = try queue.write { db in
        try db.execute(sql: tables)
        var writer = try PracticeWriter(db: db, spec: spec)
        let summary = try writer.writeAll()
        try db.execute(sql: indexes)
        return summary
      }
      try queue.close()
    } catch let error as DatabaseError {
      try? fileManager.removeItem(atPath: partialPath)
      throw PracticeFixtureError.database(path: path, message: "\(error)")
    } catch {
      try? fileManager.removeItem(atPath: partialPath)
      throw error
    }

    do {
      try fileManager.moveItem(atPath: partialPath, toPath: path)
    } catch {
      try? fileManager.removeItem(atPath: partialPath)
      throw PracticeFixtureError.io(path: path, message: "\(error)")
    }
    return summary
  }
}
