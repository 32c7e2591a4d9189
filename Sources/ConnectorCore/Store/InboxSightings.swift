import Foundation
import GRDB

extension ConnectorState {
  /// When the connector first saw each inbox file (by its name as the file system holds it),
  /// with the size and mtime it had then.
  public func inboxSightings() throws -> [[UInt8]: InboxSighting] {
    try read("reading inbox sightings in") { db in
      var out: [[UInt8]: InboxSighting] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT name, size, mtime, first_seen FROM inbox_sighting") {
        let name: Data = row[0]
        out[Array(name)] = InboxSighting(size: row[1], mtime: row[2], firstSeen: row[3])
      }
      return out
    }
  }

  /// Replaces the sightings with `current` (files no longer in the inbox are forgotten).
  public func replaceInboxSightings(_ current: [[UInt8]: InboxSighting]) throws {
    try write("recording inbox sightings in") { db in
      try db.execute(sql: "DELETE FROM inbox_sighting")
      let insert = try db.makeStatement(sql: "INSERT INTO inbox_sighting (name, size, mtime, first_seen) VALUES (?, ?, ?, ?)")
      for (name, s) in current { try insert.execute(arguments: [Data(name), s.size, s.mtime, s.firstSeen]) }
    }
  }
}
