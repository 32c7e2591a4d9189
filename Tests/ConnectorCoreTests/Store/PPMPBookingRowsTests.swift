import ConnectorTestSupport
import Foundation
import GRDB
import GRDBSQLite
import Testing

@testable import ConnectorCore

/// The change check reads tracked appointments by id in fixed-size chunks: whatever the count,
/// it must find exactly the rows that exist, and it must not prepare a statement per count.
@Suite struct PPMPBookingRowsTests {
  @Test(arguments: [1, 3, 499, 500, 501, 1203])
  func sightingsFindExactlyTheAppointmentsThatExist(count: Int) throws {
    let folder = try TemporaryFolder("booking-rows-sightings")
    let path = folder.child("ppmp.sqlite")
    try DemoPractice.build(at: path, today: LocalDate("2026-03-02"))
    let database = try PPMPDatabase(path: path)
    let existing = try database.queue.read { try Int64.fetchAll($0, sql: "SELECT id FROM appointments ORDER BY id") }
    try #require(!existing.isEmpty)
    // Every other id is one no appointment has, so padding a chunk must not invent rows.
    let missingBase = (existing.max() ?? 0) + 1_000
    let ids = (0..<count).map { $0 % 2 == 0 ? existing[($0 / 2) % existing.count] : missingBase + Int64($0) }
    let found = try database.queue.read { try PPMPBookingRows.sightings($0, ids: ids) }
    #expect(Set(found.keys) == Set(ids.filter { $0 < missingBase }))

    // One statement shape for every count: the connection's prepared statements do not grow
    // with the number of distinct counts a long-running watch meets.
    let statements = try database.queue.read { db -> [Int] in
      var after: [Int] = []
      for n in [2, 7, 120, 333] {
        _ = try PPMPBookingRows.sightings(db, ids: Array(ids.prefix(n)))
        var count = 0
        var statement = sqlite3_next_stmt(db.sqliteConnection, nil)
        while statement != nil {
          count += 1
          statement = sqlite3_next_stmt(db.sqliteConnection, statement)
        }
        after.append(count)
      }
      return after
    }
    #expect(Set(statements).count == 1, "prepared statements after each count: \(statements)")
  }

  /// Earlier versions added a date-of-birth index to PPMP's patients for matching; matching now
  /// uses the connector's own key index, so opening the database removes it (each new patient
  /// file paid a page write for it).
  @Test func openingRemovesTheOldMatchingIndexFromPPMP() throws {
    let folder = try TemporaryFolder("booking-rows-old-index")
    let path = folder.child("ppmp.sqlite")
    try DemoPractice.build(at: path, today: LocalDate("2026-03-02"))
    let queue = try DatabaseQueue(path: path)
    try queue.write { try $0.execute(sql: "CREATE INDEX ppmpc_patients_dob_trim ON patients(trim(dob))") }
    try queue.close()
    let database = try PPMPDatabase(path: path)
    let indexes = try database.queue.read {
      try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ppmpc_%' ORDER BY name")
    }
    #expect(indexes == ["ppmpc_appointments_staff_date", "ppmpc_diary_blocks_staff_date", "ppmpc_diary_times_staff"])
  }
}
