import ConnectorTestSupport
import ConnectorFixtures
import Foundation
import GRDB

@testable import ConnectorCore

/// A tiny hand-written PPMP practice and an empty spool in a temp folder, ingested through the
/// real `Ingestor` (real SQLite files), so each test sees exactly the rows it reasons about.
///
/// Monday 2026-03-02 08:00 (Perth) is "now"; lead time 120 minutes; horizon 14 days.
/// - staff 1: one column, weekdays 09:00–12:00 in 15-minute slots; booked 2026-03-04 10:00–10:30;
///   blocked all of 2026-03-05.
/// - staff 2: two columns counted (`multi_column = any`), weekdays 09:00–12:00 in 30-minute slots;
///   column 1 booked 2026-03-03 10:00.
/// - staff 3: inactive.
/// - types: STD (anyone), OWN2 (staff 2 only), OFF (not online).
/// - patients: Alice Smith (no mobile), Bob Jones (mobile 0400 000 000), Carol Twin twice.
final class IngestTestPractice {
  let folder: TemporaryFolder
  let spool: SpoolLayout
  let databasePath: String
  var configuration: ConnectorConfiguration
  static let asOf = "2026-03-02T08:00"

  init(_ label: String, ppmpVersion: String = "9.6") throws {
    folder = try TemporaryFolder("ingest-\(label)")
    spool = SpoolLayout(root: folder.child("spool"))
    try spool.create()
    databasePath = folder.child("ppmp.sqlite")
    let queue = try DatabaseQueue(path: databasePath)
    try queue.write { db in
      try db.execute(sql: try PPMPBundledSQL.schema())
      try db.execute(
        sql: """
          INSERT INTO settings VALUES ('ppmp_version', ?), ('practice_name', 'Test Practice'),
            ('timezone', 'Australia/Perth'), ('he_colour', '#1E90FF');
          INSERT INTO staff (id, title, first_name, last_name, active, online_booking, slot_duration, columns) VALUES
            (1, 'Ms', 'Ann', 'One', 1, 1, 0, 1), (2, 'Mr', 'Ben', 'Two', 1, 1, 0, 2), (3, 'Dr', 'Cat', 'Three', 0, 1, 0, 1);
          WITH RECURSIVE wd(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM wd WHERE n < 5)
          INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes)
            SELECT s.id, 'main', wd.n, '09:00', '12:00', CASE s.id WHEN 2 THEN 30 ELSE 15 END
            FROM wd, staff AS s;
          INSERT INTO diary_blocks (staff_id, block_date, start_time, end_time, reason) VALUES (1, '2026-03-05', NULL, NULL, 'Leave');
          INSERT INTO appointment_types (id, code, name, length_minutes, staff_id, online) VALUES
            (1, 'STD', 'Standard', 30, NULL, 1), (2, 'OWN2', 'Two only', 30, 2, 1), (3, 'OFF', 'Offline', 30, NULL, 0);
          INSERT INTO patients (id, first_name, last_name, dob, mobile, created_at, created_by) VALUES
            (1, 'Alice', 'Smith', '1980-01-01', NULL, 'x', 'ppmp'),
            (2, 'Bob', 'Jones', '1970-05-05', '0400 000 000', 'x', 'ppmp'),
            (3, 'Carol', 'Twin', '1990-02-02', NULL, 'x', 'ppmp'),
            (4, 'carol ', 'TWIN', '1990-02-02', NULL, 'x', 'ppmp');
          INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, patient_id, status, comments, created_at, updated_at) VALUES
            (1, 1, '2026-03-04', '10:00', 30, 1, 'booked', '', 'x', 'x'),
            (2, 1, '2026-03-03', '10:00', 30, 2, 'booked', '', 'x', 'x');
          """, arguments: [ppmpVersion])
    }
    try queue.close()
    configuration = ConnectorConfiguration()
    configuration.practiceID = "test"
    configuration.databasePath = databasePath
    configuration.spoolPath = spool.root
    configuration.horizonDays = 14
    configuration.leadMinutes = 120
    configuration.settleSeconds = 0
    configuration.multiColumn = [2: .any]
  }

  /// Replaces the hand-written practice with a generated one (Perth, from 2026-03-02).
  func useGeneratedPractice(practitioners: Int, days: Int, seed: UInt64) throws {
    try FileManager.default.removeItem(atPath: databasePath)
    try PracticeFixtureGenerator.generate(
      PracticeFixtureSpec(
        practitioners: practitioners, days: days, patients: 300, bookedFraction: 0.5, seed: seed,
        start: LocalDate("2026-03-02")!), into: databasePath)
    configuration.multiColumn = [:]
  }

  /// Runs one ingest pass at `asOf` with fresh handles, as a new process would.
  @discardableResult
  func ingest(asOf: String = IngestTestPractice.asOf) throws -> IngestSummary {
    let database = try PPMPDatabase(path: databasePath)
    let state = try ConnectorState(path: spool.stateDatabase)
    let options = AvailabilityOptions(
      asOf: LocalDateTime(asOf)!, horizonDays: configuration.horizonDays, leadMinutes: configuration.leadMinutes,
      timeZone: TimeZone(identifier: "Australia/Perth")!, multiColumn: configuration.multiColumn)
    let ingestor = Ingestor(
      configuration: configuration, spool: spool, state: state, book: try AppointmentBook(database: database, options: options, patients: PatientIndex(state: state)))
    return try ingestor.run()
  }

  /// Writes a drop into the inbox (0600) and returns its path.
  @discardableResult
  func drop(
    _ name: String, bookings: [BookingMessage] = [], cancellations: [CancellationMessage] = [], practiceID: String = "test"
  ) throws -> String {
    let path = spool.inbox + "/" + name
    try FileSystem.write(
      try DropWriter.render(practiceID: practiceID, bookings: bookings, cancellations: cancellations), toNewFile: path)
    return path
  }

  /// Writes raw bytes as a drop.
  @discardableResult
  func rawDrop(_ name: String, _ text: String) throws -> String {
    let path = spool.inbox + "/" + name
    try FileSystem.write(Array(text.utf8), toNewFile: path)
    return path
  }

  /// A valid booking: staff 1 on Tuesday 2026-03-03 at `time` for 30 minutes, Dana New (no file yet).
  static func booking(
    _ id: String, resource: Int64 = 1, at time: String = "2026-03-03T10:00", minutes: Int = 30, type: String? = "STD",
    first: String = "Dana", last: String = "New", dob: String = "1985-06-07", phone: String? = "0411 111 111",
    reason: String? = "Sore knee"
  ) -> BookingMessage {
    .make(
      heMsgId: id, bookingId: "b-" + id, resourceID: resource, typeCode: type, start: LocalDateTime(time)!,
      lengthMinutes: minutes, bookedTime: "2026-03-01T23:00:00Z", firstName: first, lastName: last, dob: dob, phone: phone,
      reason: reason)
  }

  /// The answers of the outbox file `name`, root left out.
  func answers(_ name: String) throws -> [AnswerElement] { try AnswerFile.entries(spool.outbox + "/" + name) }

  /// Outbox file names (no temporaries), sorted.
  func outbox(prefix: String = "") throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: spool.outbox).filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") }
      .sorted()
  }

  func files(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  /// Reads the PPMP database directly.
  func read<T>(_ body: (Database) throws -> T) throws -> T {
    let queue = try DatabaseQueue(path: databasePath)
    defer { try? queue.close() }
    return try queue.read(body)
  }

  func write(_ sql: String, _ arguments: StatementArguments = []) throws {
    let queue = try DatabaseQueue(path: databasePath)
    defer { try? queue.close() }
    try queue.write { try $0.execute(sql: sql, arguments: arguments) }
  }

  /// Appointments whose comments carry the exact token for `heMsgId`.
  func appointments(carrying heMsgId: String) throws -> [Row] {
    try read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM appointments WHERE comments LIKE ? ORDER BY id", arguments: ["%HE_MSG_ID:\(heMsgId)%"])
        .filter { AppointmentBook.comments($0["comments"], carry: heMsgId) }
    }
  }

  func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
    try read { try Int.fetchOne($0, sql: sql, arguments: arguments) ?? -1 }
  }

  /// A digest of every PPMP table's rows, to show a database was not touched.
  func databaseFingerprint() throws -> String {
    try read { db in
      var text = ""
      for table in ["patients", "appointments", "staff", "settings"] {
        for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") { text += "\(table):\(row)\n" }
      }
      return text
    }
  }
}
