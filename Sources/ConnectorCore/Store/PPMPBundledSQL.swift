import Foundation

/// The SQL shipped in `Resources/ppmp` (also reachable as `Fixtures/ppmp`): the documented PPMP
/// schema with the connector's indexes, and the demo practice.
public enum PPMPBundledSQL {
  /// The comment line in `schema.sql` after which only the connector's own indexes follow.
  public static let connectorIndexesMarker = "-- connector indexes --"

  /// The comment that ends the one line of `demo.sql` creating the `demo_clock` table ("today").
  public static let demoClockMarker = "-- demo_clock"

  /// The whole of `schema.sql`: SPEC §2's tables, then the connector's indexes. Runs on new databases.
  public static func schema() throws -> String {
    try resource("schema")
  }

  /// The `CREATE TABLE` part of `schema.sql`, without the connector's indexes; for bulk loads
  /// that build the indexes after the rows.
  public static func tables() throws -> String {
    let text = try schema()
    guard let marker = text.range(of: "\n" + connectorIndexesMarker) else {
      throw PPMPBundledSQLError.markerMissing(resource: "schema.sql", marker: connectorIndexesMarker)
    }
    return String(text[..<marker.lowerBound]) + "\n"
  }

  /// The connector's own indexes (`CREATE INDEX IF NOT EXISTS`), safe to apply to an existing
  /// practice database any number of times.
  public static func connectorIndexes() throws -> String {
    let text = try schema()
    guard let marker = text.range(of: "\n" + connectorIndexesMarker) else {
      throw PPMPBundledSQLError.markerMissing(resource: "schema.sql", marker: connectorIndexesMarker)
    }
    return String(text[text.index(after: marker.lowerBound)...])
  }

  /// `demo.sql`, to run after `schema()` on a new database.
  ///
  /// - Parameter today: the date the demo is built around; `nil` keeps the file's own
  ///   `date('now')` (UTC). Pinning it makes the demo reproducible.
  public static func demo(today: LocalDate? = nil) throws -> String {
    let text = try resource("demo")
    guard let today else { return text }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let clockLines = lines.indices.filter {
      lines[$0].hasSuffix(demoClockMarker) && lines[$0].hasPrefix("CREATE TEMP TABLE demo_clock")
    }
    guard clockLines.count == 1, let line = clockLines.first else {
      throw PPMPBundledSQLError.markerMissing(resource: "demo.sql", marker: demoClockMarker)
    }
    // `today` is a validated LocalDate, so its text needs no SQL escaping.
    lines[line] = "CREATE TEMP TABLE demo_clock AS SELECT '\(today)' AS today; \(demoClockMarker)"
    return lines.joined(separator: "\n")
  }

  private static func resource(_ name: String) throws -> String {
    do {
      return try BundledResources.text("ppmp/\(name).sql")
    } catch BundledResourceError.missing {
      throw PPMPBundledSQLError.resourceMissing(name: "ppmp/\(name).sql")
    } catch {
      throw PPMPBundledSQLError.unreadable(name: "ppmp/\(name).sql", message: "\(error)")
    }
  }
}

/// Why the bundled PPMP SQL could not be provided.
public enum PPMPBundledSQLError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The program lacks the file (a packaging error).
  case resourceMissing(name: String)
  /// The file exists but could not be read as UTF-8.
  case unreadable(name: String, message: String)
  /// The file no longer has the marker line code relies on to split or edit it.
  case markerMissing(resource: String, marker: String)

  /// A one-line explanation for logs and the CLI.
  public var description: String {
    switch self {
    case .resourceMissing(let name):
      return "bundled resource \(name) is not compiled into this program"
    case .unreadable(let name, let message):
      return "bundled resource \(name) could not be read: \(message)"
    case .markerMissing(let resource, let marker):
      return "\(resource) has no single line marked '\(marker)'"
    }
  }
}
