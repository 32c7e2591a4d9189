import Foundation
import GRDB

/// The PPMP tables of SPEC §2, in the order they are declared.
let ppmpTables = [
  "settings", "staff", "diary_times", "diary_blocks", "holidays", "appointment_types", "patients",
  "appointments",
]

/// Every row of every PPMP table, in rowid order, as text: equal dumps mean equal content.
func dumpTables(_ db: Database) throws -> [String] {
  var lines: [String] = []
  for table in ppmpTables {
    lines.append("-- \(table)")
    for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") {
      lines.append(row.description)
    }
  }
  return lines
}

/// Opens an existing database read-only.
func openReadOnly(_ path: String) throws -> DatabaseQueue {
  var configuration = Configuration()
  configuration.readonly = true
  return try DatabaseQueue(path: path, configuration: configuration)
}
