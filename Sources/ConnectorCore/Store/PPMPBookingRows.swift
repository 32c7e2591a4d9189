import Foundation
import GRDB
import GRDBSQLite

/// An appointment row as ingest sees it when it looks for a booking's token.
public struct TokenCarrier: Sendable, Equatable {
  public var id: Int64
  public var patientID: Int64
  public var status: String
  public var comments: String
}

/// An appointment row with where it was placed, for rebuilding the journal from PPMP's tokens.
public struct PlacedAppointment: Sendable, Equatable {
  public var id: Int64
  public var patientID: Int64
  public var staffID: Int64
  public var date: String
  public var startTime: String
  public var durationMinutes: Int
  public var comments: String
}

/// A patient row as matching compares it.
public struct PatientRow: Sendable, Equatable {
  public var id: Int64
  public var firstName: String
  public var lastName: String
  public var dob: String
  public var mobile: String?
  public var createdBy: String?
}

/// The appointment the connector inserts for a confirmed booking (SPEC §6).
public struct NewAppointment: Sendable, Equatable {
  public var staffID: Int64
  public var column: Int
  public var date: String
  public var startTime: String
  public var durationMinutes: Int
  public var patientID: Int64
  public var typeID: Int64?
  public var comments: String
  public var colour: String?
  public var stamp: String
}

/// The patient file the connector creates when no single patient matches.
public struct NewPatient: Sendable, Equatable {
  public var firstName: String
  public var lastName: String
  public var dob: String
  public var mobile: String?
  public var email: String?
  public var stamp: String
}

/// Every statement ingest runs against PPMP's appointments and patients. Each takes the
/// `Database` of a transaction the caller holds (`PPMPDatabase.guardedWrite`), so a slot check and
/// the insert after it see the same book. Statements on the per-booking path are cached: each runs
/// once per message, and preparing one costs more than running it.
public enum PPMPBookingRows {
  /// Where each of `ids` is and its status, in chunks of a few hundred ids per statement: the
  /// change check reads the tracked appointments by primary key, never a range of the book.
  public static func sightings(_ db: Database, ids: [Int64]) throws -> [Int64: AppointmentSighting] {
    var found: [Int64: AppointmentSighting] = [:]
    found.reserveCapacity(ids.count)
    // One cached statement for the process's life: a statement per list length made `watch`
    // cache a new one whenever the tracked count moved, up to 500 statements, each as large as
    // its list, held for the connection's life.
    let chunk = 500
    let statement = try db.cachedStatement(
      sql: "SELECT id, staff_id, appt_date, start_time, status FROM appointments WHERE id IN (\(databaseQuestionMarks(count: chunk)))")
    for part in PaddedKeyLists.lists(ids, size: chunk) {
      let rows = try Row.fetchCursor(statement, arguments: StatementArguments(part))
      while let row = try rows.next() {
        let time: String = row[3] ?? ""
        found[row[0]] = AppointmentSighting(
          resourceID: row[1], start: (row[2] as String? ?? "") + "T" + time.prefix(5), status: row[4] ?? "")
      }
    }
    return found
  }

  /// One appointment by id.
  public static func appointment(_ db: Database, id: Int64) throws -> TokenCarrier? {
    try Row.fetchOne(
      db.cachedStatement(sql: "SELECT id, patient_id, status, comments FROM appointments WHERE id = ?"), arguments: [id]
    ).map(carrier)
  }

  private static func carrier(_ row: Row) -> TokenCarrier {
    TokenCarrier(id: row[0], patientID: row[1] ?? 0, status: row[2] ?? "", comments: row[3] ?? "")
  }

  /// Calls `body` with the id and comments of every appointment whose comments hold
  /// `HE_MSG_ID:`, lowest id first, streaming (the book can hold a million rows).
  public static func forEachTokenComment(_ db: Database, _ body: (Int64, String) throws -> Void) throws {
    let rows = try Row.fetchCursor(db, sql: "SELECT id, comments FROM appointments WHERE comments LIKE '%HE_MSG_ID:%' ORDER BY id")
    while let row = try rows.next() { try body(row[0], row[1] ?? "") }
  }

  /// Every appointment whose comments hold `HE_MSG_ID:`, with where it was placed.
  public static func placedTokenAppointments(_ db: Database) throws -> [PlacedAppointment] {
    try Row.fetchAll(
      db,
      sql: """
        SELECT id, patient_id, staff_id, appt_date, start_time, duration_minutes, comments FROM appointments
        WHERE comments LIKE '%HE_MSG_ID:%' ORDER BY id
        """
    ).map {
      PlacedAppointment(
        id: $0[0], patientID: $0[1] ?? 0, staffID: $0[2], date: $0[3], startTime: $0[4], durationMinutes: $0[5],
        comments: $0[6] ?? "")
    }
  }

  /// Inserts a booked appointment and returns its id.
  public static func insertAppointment(_ db: Database, _ a: NewAppointment) throws -> Int64 {
    try DirectStatement(
      db,
      sql: """
        INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, patient_id, type_id,
                                  status, comments, colour, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?)
        """
    ).run { p in
      p.add(a.staffID)
      p.add(a.column)
      p.add(a.date)
      p.add(a.startTime)
      p.add(a.durationMinutes)
      p.add(a.patientID)
      p.add(a.typeID)
      p.add(a.comments)
      p.add(a.colour)
      p.add(a.stamp)
      p.add(a.stamp)
    }
    return db.lastInsertedRowID
  }

  /// Marks an appointment cancelled.
  public static func cancelAppointment(_ db: Database, id: Int64, stamp: String) throws {
    try db.execute(sql: "UPDATE appointments SET status = 'cancelled', updated_at = ? WHERE id = ?", arguments: [stamp, id])
  }

  /// The patient columns every patient read selects, in the order `patient(_:)` and
  /// `patientChanges`' walk read them.
  static let patientColumns = "id, first_name, last_name, dob, mobile, created_by"

  /// Every patient, lowest id first, one at a time.
  public static func forEachPatient(_ db: Database, _ body: (PatientRow) throws -> Void) throws {
    let rows = try Row.fetchCursor(db, sql: "SELECT \(patientColumns) FROM patients ORDER BY id")
    while let row = try rows.next() { try body(patient(row)) }
  }

  /// One patient by id.
  public static func patient(_ db: Database, id: Int64) throws -> PatientRow? {
    try Row.fetchOne(
      db, sql: "SELECT \(patientColumns) FROM patients WHERE id = ?", arguments: [id]
    ).map(patient)
  }

  static func patientRow(_ row: Row) -> PatientRow { patient(row) }

  private static func patient(_ row: Row) -> PatientRow {
    PatientRow(
      id: row[0], firstName: row[1] ?? "", lastName: row[2] ?? "", dob: row[3] ?? "", mobile: row[4], createdBy: row[5])
  }

  /// Patients by id, lowest first (ids not in PPMP are left out).
  public static func patients(ids: [Int64], _ db: Database) throws -> [PatientRow] {
    let statement = try db.cachedStatement(
      sql: "SELECT \(patientColumns) FROM patients WHERE id = ?")
    return try ids.sorted().compactMap { try Row.fetchOne(statement, arguments: [$0]).map(patient) }
  }

  /// Puts an appointment on another patient's file (a review item linked by a person).
  public static func moveAppointment(_ db: Database, id: Int64, toPatient patientID: Int64, stamp: String) throws {
    try db.execute(
      sql: "UPDATE appointments SET patient_id = ?, updated_at = ? WHERE id = ?", arguments: [patientID, stamp, id])
  }

  /// How many appointments a patient's file holds.
  public static func appointmentCount(ofPatient id: Int64, _ db: Database) throws -> Int {
    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM appointments WHERE patient_id = ?", arguments: [id]) ?? 0
  }

  /// The lowest appointment id on a patient's file.
  public static func firstAppointment(ofPatient id: Int64, _ db: Database) throws -> Int64? {
    try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM appointments WHERE patient_id = ?", arguments: [id])
  }

  /// Fills a patient's mobile number.
  public static func setMobile(_ db: Database, patientID: Int64, to phone: String) throws {
    try db.execute(sql: "UPDATE patients SET mobile = ? WHERE id = ?", arguments: [phone, patientID])
  }

  /// Creates a patient file marked `created_by = 'healthengine'` and returns its id.
  public static func insertPatient(_ db: Database, _ p: NewPatient) throws -> Int64 {
    try db.cachedStatement(
      sql: """
        INSERT INTO patients (first_name, last_name, dob, mobile, email, created_at, created_by)
        VALUES (?, ?, ?, ?, ?, ?, 'healthengine')
        """
    ).execute(arguments: [p.firstName, p.lastName, p.dob, p.mobile, p.email, p.stamp])
    return db.lastInsertedRowID
  }
}

/// What changed in PPMP's patients since the connector's key index last saw them.
public struct PatientChanges: Sendable, Equatable {
  /// Rows that are new or differ from the raw values the index holds, lowest id first.
  public var changed: [PatientRow]
  /// Indexed ids no longer in PPMP.
  public var gone: [Int64]
}

extension PPMPDatabase {
  /// Compares every PPMP patient row with the raw values in the connector's `patient_key` table
  /// (in `statePath`, attached for the duration). Both tables are walked once in id order side by
  /// side, compared on SQLite's own bytes; no row crosses into Swift unless it changed. This is
  /// how staff edits made since the last look are found without triggers or columns in PPMP.
  /// (A `LEFT JOIN` looked each of the 200,000 ids up in the index's table: twice the time, all
  /// of it holding the state's read lock.)
  public func patientChanges(keyIndexIn statePath: String) throws -> PatientChanges {
    do {
      return try queue.inDatabase { db in
        try db.execute(sql: "ATTACH DATABASE ? AS connector_state", arguments: [statePath])
        defer { try? db.execute(sql: "DETACH DATABASE connector_state") }
        let people = try db.makeStatement(
          sql: "SELECT \(PPMPBookingRows.patientColumns) FROM main.patients ORDER BY id")
        let keys = try db.makeStatement(
          sql: "SELECT patient_id, raw_first, raw_last, raw_dob, raw_mobile FROM connector_state.patient_key ORDER BY patient_id")
        let (p, k) = (people.sqliteStatement, keys.sqliteStatement)
        let peopleRows = try Row.fetchCursor(people)
        let keyRows = try Row.fetchCursor(keys)
        var changed: [PatientRow] = []
        var gone: [Int64] = []
        var hasKey = try keyRows.next() != nil
        while try peopleRows.next() != nil {
          let id = sqlite3_column_int64(p, 0)
          while hasKey, sqlite3_column_int64(k, 0) < id {
            gone.append(sqlite3_column_int64(k, 0))
            hasKey = try keyRows.next() != nil
          }
          if hasKey, sqlite3_column_int64(k, 0) == id {
            if !(1...4).allSatisfy({ Self.sameValue(p, $0, k, $0) }) { changed.append(Self.patientRow(p)) }
            hasKey = try keyRows.next() != nil
          } else {
            changed.append(Self.patientRow(p))
          }
        }
        while hasKey {
          gone.append(sqlite3_column_int64(k, 0))
          hasKey = try keyRows.next() != nil
        }
        return PatientChanges(changed: changed, gone: gone)
      }
    } catch let error as DatabaseError {
      throw StoreError.from(error, "comparing patients with the connector's key index in", path)
    }
  }

  /// `a IS b` for two text-or-NULL columns: both NULL, or neither NULL with the same bytes.
  private static func sameValue(_ a: OpaquePointer, _ i: Int32, _ b: OpaquePointer, _ j: Int32) -> Bool {
    let aNull = sqlite3_column_type(a, i) == SQLITE_NULL
    let bNull = sqlite3_column_type(b, j) == SQLITE_NULL
    guard !aNull, !bNull else { return aNull == bNull }
    return columnText(a, i).elementsEqual(columnText(b, j))
  }

  /// The patient row the statement is on (`PPMPBookingRows.patientColumns`).
  private static func patientRow(_ s: OpaquePointer) -> PatientRow {
    func text(_ i: Int32) -> String? {
      sqlite3_column_type(s, i) == SQLITE_NULL ? nil : String(decoding: columnText(s, i), as: UTF8.self)
    }
    return PatientRow(
      id: sqlite3_column_int64(s, 0), firstName: text(1) ?? "", lastName: text(2) ?? "", dob: text(3) ?? "", mobile: text(4),
      createdBy: text(5))
  }
}

/// An upcoming appointment as `doctor`'s token check reads it (no patient columns).
public struct UpcomingAppointment: Sendable, Equatable {
  public var id: Int64
  public var staffID: Int64
  public var date: String
  public var startTime: String
  public var comments: String
}

extension PPMPDatabase {
  /// Appointments on or after `date` that occupy their slots, by id.
  public func upcomingAppointments(from date: LocalDate) throws -> [Int64: UpcomingAppointment] {
    try guarded("checking HE_MSG_ID tokens in") { db in
      var out: [Int64: UpcomingAppointment] = [:]
      let cursor = try Row.fetchCursor(
        db,
        sql: "SELECT id, staff_id, appt_date, start_time, comments FROM appointments WHERE appt_date >= ? AND \(Self.occupyingStatus)",
        arguments: [date.description])
      while let row = try cursor.next() {
        out[row[0]] = UpcomingAppointment(id: row[0], staffID: row[1], date: row[2], startTime: row[3], comments: row[4] ?? "")
      }
      return out
    }
  }

  /// Upcoming appointments whose comments mention Healthengine but hold no `HE_MSG_ID:` token,
  /// by date, time and id.
  public func upcomingHealthengineMentionsWithoutToken(from date: LocalDate) throws -> [UpcomingAppointment] {
    try guarded("checking HE_MSG_ID tokens in") { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT id, staff_id, appt_date, start_time, comments FROM appointments
          WHERE \(Self.occupyingStatus) AND appt_date >= ? AND lower(comments) LIKE '%healthengine%'
            AND comments NOT LIKE '%HE_MSG_ID:%' ORDER BY appt_date, start_time, id
          """, arguments: [date.description]
      ).map { UpcomingAppointment(id: $0[0], staffID: $0[1], date: $0[2], startTime: $0[3], comments: $0[4] ?? "") }
    }
  }
}
