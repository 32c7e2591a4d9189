import Foundation
import GRDB
import GRDBSQLite

/// PPMP's `settings` table, typed.
public struct PracticeSettings: Sendable, Equatable {
  public var ppmpVersion: String
  public var practiceName: String
  public var timeZoneIdentifier: String
  /// `#RRGGBB` applied to inserted bookings when PPMP is 8.22 or newer.
  public var healthengineColour: String?

  /// PPMP version as comparable numbers ("9.6" → [9, 6]).
  public var versionParts: [Int] { ppmpVersion.split(separator: ".").map { Int($0) ?? 0 } }

  /// Whether `ppmpVersion` is at least `major.minor`.
  public func isAtLeast(_ major: Int, _ minor: Int) -> Bool {
    let p = versionParts
    let (a, b) = (p.first ?? 0, p.count > 1 ? p[1] : 0)
    return a > major || (a == major && b >= minor)
  }
}

/// An open PPMP appointment book (SPEC §2).
///
/// Opening checks every table and column of the documented model and fails with a message that
/// names what is missing. Reads happen in one read transaction; writes (ingest) each in their
/// own short write transaction.
public final class PPMPDatabase: Sendable {
  /// The documented model: table → columns the connector relies on.
  public static let requiredColumns: [(table: String, columns: [String])] = [
    ("settings", ["key", "value"]),
    ("staff", ["id", "title", "first_name", "last_name", "active", "online_booking", "slot_duration", "columns", "roster_anchor"]),
    ("diary_times", ["id", "staff_id", "diary", "weekday", "start_time", "end_time", "interval_minutes"]),
    ("diary_blocks", ["id", "staff_id", "block_date", "start_time", "end_time", "reason"]),
    ("holidays", ["holiday_date", "name"]),
    ("appointment_types", ["id", "code", "name", "length_minutes", "staff_id", "online"]),
    ("patients", ["id", "first_name", "last_name", "dob", "mobile", "email", "created_at", "created_by"]),
    ("appointments", ["id", "staff_id", "column_no", "appt_date", "start_time", "duration_minutes", "patient_id", "type_id", "status", "comments", "colour", "created_at", "updated_at"]),
  ]

  public let path: String
  public let queue: DatabaseQueue

  /// Opens an existing PPMP database and checks its schema. `readOnly` opens it without write
  /// access (export); otherwise the connector's documented indexes are created if missing.
  public init(path: String, readOnly: Bool = false) throws {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError.missingDatabase(path: path)
    }
    var config = Configuration()
    config.readonly = readOnly
    config.busyMode = .timeout(5)
    config.label = "ppmp"
    if !readOnly {
      // Per-message transactions must be cheap (SPEC §11: ≥ 5,000 bookings/s); durability is
      // restored by one WAL fsync before any receipt claims a booking (AppointmentBook.makeDurable).
      // A bounded 32 MiB page cache (SQLite's default is 2 MiB) keeps the patients table's
      // index pages in memory across a drop's bookings instead of re-reading them from the OS.
      // Checkpoints every 8,192 WAL pages (32 MiB) instead of SQLite's 1,000: each checkpoint
      // copies the pages back and syncs the WAL and the database, and a drop's bookings rewrite
      // the same few pages over and over, so fewer checkpoints copy far fewer pages and sync far
      // less often. The setting belongs to this connection only.
      config.prepareDatabase { db in
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        try db.execute(sql: "PRAGMA cache_size = -32768")
        try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
      }
    }
    do {
      queue = try SQLiteSettings.openQueue(path: path, configuration: config)
    } catch let error as DatabaseError
      where [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN].contains(error.resultCode)
    {
      // Held by PPMP (or the disk failing) is an I/O condition that passes (exit 74), not bad data.
      throw StoreError.from(error, "opening", path)
    } catch {
      throw StoreError.cannotOpen(path: path, message: "\(error)")
    }
    self.path = path
    try checkSchema()
    if !readOnly {
      try ensureIndexes()
      do {
        // WAL lets PPMP keep reading while the connector writes; the setting persists in the file.
        try queue.writeWithoutTransaction { db in _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
      } catch let error as DatabaseError {
        throw StoreError.from(error, "switching to WAL journal mode", path)
      }
    }
  }

  /// Throws `StoreError.notPPMP` naming every missing table and column.
  public func checkSchema() throws {
    let missing: [String] = try guarded("checking the schema of") { db in
      var missing: [String] = []
      for (table, columns) in Self.requiredColumns {
        let present = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String })
        if present.isEmpty {
          missing.append("table \(table)")
        } else {
          missing += columns.filter { !present.contains($0) }.map { "column \(table).\($0)" }
        }
      }
      return missing
    }
    if !missing.isEmpty {
      throw StoreError.notPPMP(path: path, missing: missing)
    }
  }

  private func ensureIndexes() throws {
    let sql = try PPMPBundledSQL.connectorIndexes()
    try guardedWrite("adding the connector's indexes to") { db in try db.execute(sql: sql) }
  }

  /// Runs `body` in a read transaction, mapping SQLite failures to `StoreError`.
  public func guarded<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
    do {
      return try queue.read(body)
    } catch let error as DatabaseError {
      throw StoreError.from(error, what, path)
    }
  }

  /// Runs `body` in one write transaction (`BEGIN IMMEDIATE`), mapping SQLite failures to
  /// `StoreError`; `body`'s error rolls it back and is rethrown.
  ///
  /// Ingest runs one per message. Its `BEGIN` and `COMMIT` are statements prepared once per
  /// connection: GRDB's own `write` prepares both afresh each time, a tenth of a booking's time.
  public func guardedWrite<T>(_ what: @autoclosure () -> String, _ body: (Database) throws -> T) throws -> T {
    do {
      return try queue.writeWithoutTransaction { db in
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
          let result = try body(db)
          try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
          return result
        } catch {
          // A failed COMMIT may leave the transaction open (SQLITE_BUSY): never leave it so.
          if db.isInsideTransaction { try? db.rollback() }
          throw error
        }
      }
    } catch let error as DatabaseError {
      throw StoreError.from(error, what(), path)
    }
  }

  /// Reads `settings`; the timezone must be a known IANA zone.
  public static func readSettings(_ db: Database) throws -> PracticeSettings {
    var values: [String: String] = [:]
    for row in try Row.fetchAll(db, sql: "SELECT key, value FROM settings") {
      values[row[0]] = row[1]
    }
    let tz = values["timezone"] ?? "UTC"
    guard TimeZone(identifier: tz) != nil else {
      throw StoreError.unknownTimeZone(tz)
    }
    return PracticeSettings(
      ppmpVersion: values["ppmp_version"] ?? "0",
      practiceName: values["practice_name"] ?? "",
      timeZoneIdentifier: tz,
      healthengineColour: values["he_colour"].flatMap { $0.isEmpty ? nil : $0 })
  }

  public static func readPractitioners(_ db: Database) throws -> [Practitioner] {
    try Row.fetchAll(
      db,
      sql: """
        SELECT id, title, first_name, last_name, active, online_booking, slot_duration, columns, roster_anchor
        FROM staff ORDER BY id
        """
    ).map { row in
      Practitioner(
        id: row[0], title: row[1], firstName: row[2], lastName: row[3], active: (row[4] as Int? ?? 0) != 0,
        onlineBooking: (row[5] as Int? ?? 0) != 0, slotDuration: row[6] ?? 0, columns: max(1, row[7] ?? 1),
        rosterAnchor: (row[8] as String?).flatMap { LocalDate($0) })
    }
  }

  public static func readDiaryRows(_ db: Database, staffID: Int64? = nil) throws -> [DiaryRow] {
    let sql = """
      SELECT id, staff_id, diary, weekday, start_time, end_time, interval_minutes FROM diary_times
      \(staffID == nil ? "" : "WHERE staff_id = ?") ORDER BY staff_id, id
      """
    return try Row.fetchAll(db, sql: sql, arguments: staffID.map { [$0] } ?? []).compactMap { row in
      guard let diary = DiaryKind(rawValue: row[2]) else { return nil }
      return DiaryRow(
        id: row[0], staffID: row[1], diary: diary, weekday: row[3], startText: row[4] ?? "", endText: row[5] ?? "",
        intervalMinutes: row[6] ?? 0)
    }
  }

  /// Blocks dated in `[from, to)`.
  public static func readBlocks(_ db: Database, from: LocalDate, to: LocalDate, staffID: Int64? = nil) throws -> [DiaryBlock] {
    var sql = "SELECT id, staff_id, block_date, start_time, end_time, reason FROM diary_blocks WHERE block_date >= ? AND block_date < ?"
    var args: [any DatabaseValueConvertible] = [from.description, to.description]
    if let staffID {
      sql += " AND staff_id = ?"
      args.append(staffID)
    }
    // Cached: ingest runs this once per booking, and preparing a statement costs more than running it.
    return try Row.fetchAll(db.cachedStatement(sql: sql + " ORDER BY id"), arguments: StatementArguments(args)).compactMap { row in
      guard let date = LocalDate(row[2] as String) else { return nil }
      let start: String? = row[3]
      let end: String? = row[4]
      return DiaryBlock(
        id: row[0], staffID: row[1], date: date, startText: start?.isEmpty == true ? nil : start,
        endText: end?.isEmpty == true ? nil : end, reason: row[5])
    }
  }

  public static func readHolidays(_ db: Database, from: LocalDate, to: LocalDate) throws -> Set<LocalDate> {
    Set(
      try String.fetchAll(
        db.cachedStatement(sql: "SELECT holiday_date FROM holidays WHERE holiday_date >= ? AND holiday_date < ?"),
        arguments: [from.description, to.description]
      ).compactMap { LocalDate($0) })
  }

  public static func readAppointmentTypes(_ db: Database) throws -> [AppointmentType] {
    try Row.fetchAll(
      db, sql: "SELECT id, code, name, length_minutes, staff_id, online FROM appointment_types ORDER BY code"
    ).map { row in
      AppointmentType(
        id: row[0], code: row[1], name: row[2], lengthMinutes: row[3], staffID: row[4],
        online: (row[5] as Int? ?? 0) != 0)
    }
  }

  /// The status rule (docs/rules.md, "Appointment status"): the known values are compared
  /// case-insensitively, and only `cancelled` frees time; any other value, unknown words and
  /// NULL included, occupies its slots (doctor names the unknown ones).
  static let occupyingStatus = "coalesce(lower(status), '') <> '\(AppointmentStatus.cancelled.rawValue)'"

  /// Status values outside the model (`AppointmentStatus`, compared case-insensitively) on
  /// appointments dated in `[from, to)`, each with how many appointments carry it, most first.
  /// NULL is reported as an empty value.
  public static func readUnknownStatuses(_ db: Database, from: LocalDate, to: LocalDate) throws -> [(status: String, count: Int)] {
    let known = AppointmentStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    return try Row.fetchAll(
      db,
      sql: """
        SELECT coalesce(status, ''), count(*) FROM appointments
        WHERE appt_date >= ? AND appt_date < ? AND coalesce(lower(status), '') NOT IN (\(known))
        GROUP BY coalesce(status, '') ORDER BY count(*) DESC, coalesce(status, '')
        """, arguments: [from.description, to.description]
    ).map { (status: $0[0], count: $0[1]) }
  }

  /// Appointments dated in `[from, to)` that are not cancelled: the ones that take slots.
  /// Rows with an unreadable date or time are returned in `unreadable` so nothing is silently
  /// published over them.
  public static func readOccupyingBookings(
    _ db: Database, from: LocalDate, to: LocalDate, staffID: Int64? = nil
  ) throws -> [BookedInterval] {
    var sql = """
      SELECT id, staff_id, column_no, appt_date, start_time, duration_minutes FROM appointments
      WHERE appt_date >= ? AND appt_date < ? AND \(Self.occupyingStatus)
      """
    var args: [any DatabaseValueConvertible] = [from.description, to.description]
    if let staffID {
      sql += " AND staff_id = ?"
      args.append(staffID)
    }
    let statement = try db.cachedStatement(sql: sql)
    let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(args))
    var result: [BookedInterval] = []
    while try cursor.next() != nil {
      if let booking = occupyingBooking(statement.sqliteStatement) { result.append(booking) }
    }
    return result
  }

  /// One practitioner's day as ingest's slot check needs it, in one statement: the appointments
  /// that occupy slots, and (lowest id first) the rows dated exactly `date` whose comments hold
  /// `HE_MSG_ID:`, for the re-delivery check. The range on `appt_date` is the one
  /// `readOccupyingBookings` uses, so both see the same bookings.
  public static func readDay(
    _ db: Database, staffID: Int64, date: LocalDate
  ) throws -> (bookings: [BookedInterval], carriers: [TokenCarrier]) {
    let statement = try db.cachedStatement(
      sql: """
        SELECT id, staff_id, column_no, appt_date, start_time, duration_minutes, \(Self.occupyingStatus),
               patient_id, status, comments FROM appointments
        WHERE staff_id = ? AND appt_date >= ? AND appt_date < ?
        """)
    let day = Array(date.description.utf8)
    let cursor = try Row.fetchCursor(statement, arguments: [staffID, date.description, date.adding(days: 1).description])
    var bookings: [BookedInterval] = []
    var carriers: [TokenCarrier] = []
    // Read from the C text: most rows carry no token, and a Swift String per comment cost more
    // than the statement.
    while try cursor.next() != nil {
      let sqlite = statement.sqliteStatement
      if sqlite3_column_int64(sqlite, 6) != 0, let booking = occupyingBooking(sqlite) { bookings.append(booking) }
      // Only an exact `HE_MSG_ID:` can carry a token (`AppointmentBook.comments(_:carry:)`).
      let comments = columnText(sqlite, 9)
      guard ByteSearch.contains(UnsafeRawBufferPointer(comments), tokenPrefix), columnText(sqlite, 3).elementsEqual(day) else { continue }
      carriers.append(
        TokenCarrier(
          id: sqlite3_column_int64(sqlite, 0), patientID: sqlite3_column_int64(sqlite, 7),
          status: String(decoding: columnText(sqlite, 8), as: UTF8.self), comments: String(decoding: comments, as: UTF8.self)))
    }
    // Sorted here, not in SQL: ORDER BY id built a temporary b-tree for every day read.
    carriers.sort { $0.id < $1.id }
    return (bookings, carriers)
  }

  /// The booking on the statement's current row (columns id, staff_id, column_no, appt_date,
  /// start_time, duration_minutes); nil when the date is unreadable. Columns are read by index
  /// straight from SQLite and parsed from the C text, without a Swift String per value: export
  /// runs this once per appointment of the horizon.
  static func occupyingBooking(_ sqlite: SQLiteStatement) -> BookedInterval? {
    guard let date = parseDate(columnText(sqlite, 3)) else { return nil }
    // An appointment whose time PPMP stored oddly still occupies its day: treat it as taking
    // the whole day rather than publishing a slot that may be taken.
    let timeBytes = columnText(sqlite, 4)
    let start = parseHHMM(timeBytes) ?? DiaryTime.parse(String(decoding: timeBytes, as: UTF8.self))
    return BookedInterval(
      appointmentID: sqlite3_column_int64(sqlite, 0), staffID: sqlite3_column_int64(sqlite, 1),
      column: Int(sqlite3_column_int64(sqlite, 2)), date: date, start: start ?? MinuteOfDay(0),
      durationMinutes: start == nil ? 1440 : max(0, Int(sqlite3_column_int64(sqlite, 5))))
  }

  /// Settings and everything of the book but its bookings, for `[from, to)`.
  private static func readBookWithoutBookings(
    _ db: Database, from: LocalDate, to: LocalDate
  ) throws -> (PracticeSettings, PracticeBook) {
    let settings = try readSettings(db)
    let book = PracticeBook(
      practitioners: try readPractitioners(db),
      diaryRows: try readDiaryRows(db),
      blocks: try readBlocks(db, from: from, to: to),
      holidays: try readHolidays(db, from: from, to: to),
      appointmentTypes: try readAppointmentTypes(db))
    return (settings, book)
  }

  /// Everything availability needs for `[from, to)`, read in one read transaction.
  public func loadBook(from: LocalDate, days: Int) throws -> (PracticeSettings, PracticeBook) {
    let to = from.adding(days: days)
    return try guarded("reading") { db in
      var (settings, book) = try Self.readBookWithoutBookings(db, from: from, to: to)
      book.bookings = try Self.readOccupyingBookings(db, from: from, to: to)
      return (settings, book)
    }
  }

  /// What `loadBook` reads, without holding the horizon's appointments in memory as
  /// `BookedInterval`s (export): `body` gets the book with no bookings and, inside the same read
  /// transaction, a function that returns one practitioner's occupying bookings of
  /// `[from, from + days)`. Call it with ascending staff ids. The bookings come from one plain
  /// scan of the appointments, packed per practitioner (`HorizonBookings`); should a value not
  /// fit the packing, from a scan ordered by staff (`ppmpc_appointments_staff_date` serves the
  /// order) that a practitioner's bookings are taken from as they come. `checkpoint` runs every
  /// few thousand rows of the scan; what it throws ends the read (an export giving way).
  public func readBook<T>(
    from: LocalDate, days: Int, checkpoint: (() throws -> Void)? = nil,
    _ body: (PracticeSettings, PracticeBook, _ bookingsOf: (Int64) throws -> [BookedInterval]) throws -> T
  ) throws -> T {
    let to = from.adding(days: days)
    return try guarded("reading") { db in
      let (settings, book) = try Self.readBookWithoutBookings(db, from: from, to: to)
      if let horizon = try HorizonBookings.read(
        db, from: from, to: to, staff: book.practitioners.map(\.id), checkpoint: checkpoint)
      {
        return try body(settings, book) { staffID in horizon.bookings(of: staffID) }
      }
      let statement = try db.cachedStatement(
        sql: """
          SELECT id, staff_id, column_no, appt_date, start_time, duration_minutes FROM appointments
          WHERE appt_date >= ? AND appt_date < ? AND \(Self.occupyingStatus) ORDER BY staff_id
          """)
      // The cursor steps the statement (GRDB keeps its error handling and statement reset).
      let cursor = try Row.fetchCursor(statement, arguments: [from.description, to.description])
      var pending: BookedInterval?
      var exhausted = false
      var lastAsked = Int64.min
      /// The next readable booking of the scan.
      func next() throws -> BookedInterval? {
        while try cursor.next() != nil {
          if let booking = Self.occupyingBooking(statement.sqliteStatement) { return booking }
        }
        return nil
      }
      return try body(settings, book) { staffID in
        precondition(staffID > lastAsked, "readBook: bookings must be asked for in ascending staff id order")
        lastAsked = staffID
        var result: [BookedInterval] = []
        while !exhausted {
          if pending == nil {
            pending = try next()
            if pending == nil {
              exhausted = true
              break
            }
          }
          guard let booking = pending, booking.staffID <= staffID else { break }
          if booking.staffID == staffID { result.append(booking) }
          pending = nil
        }
        return result
      }
    }
  }

  /// A text column's bytes as SQLite holds them (valid until the next step); empty for NULL.
  static func columnText(_ statement: SQLiteStatement, _ index: Int32) -> UnsafeBufferPointer<UInt8> {
    guard let text = sqlite3_column_text(statement, index) else { return UnsafeBufferPointer(start: nil, count: 0) }
    return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index)))
  }

  private static let tokenPrefix = Array("HE_MSG_ID:".utf8)

  /// `LocalDate(text)` without its per-call array (one call per appointment in `readBook`).
  private static func parseDate(_ u: UnsafeBufferPointer<UInt8>) -> LocalDate? {
    guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
      let y = digits(u, 0, 4), let m = digits(u, 5, 7), let d = digits(u, 8, 10)
    else { return nil }
    return LocalDate(year: y, month: m, day: d)
  }

  /// `MinuteOfDay(hhmm: text)` without its per-call array.
  private static func parseHHMM(_ u: UnsafeBufferPointer<UInt8>) -> MinuteOfDay? {
    guard u.count == 5, u[2] == UInt8(ascii: ":"), let h = digits(u, 0, 2), let m = digits(u, 3, 5) else { return nil }
    return MinuteOfDay(hour: h, minute: m)
  }

  private static func digits(_ u: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
    var value = 0
    for i in from..<to {
      let b = u[i]
      guard b >= 48, b <= 57 else { return nil }
      value = value * 10 + Int(b - 48)
    }
    return value
  }
}
