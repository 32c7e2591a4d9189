import Foundation
import GRDB

/// One publication: a snapshot or delta written to the outbox.
public struct PublicationRecord: Sendable, Equatable {
  public enum Status: String, Sendable { case pending, done, abandoned }
  public var sequence: Int64
  public var kind: PublicationKind
  public var status: Status
  /// Outbox file name.
  public var file: String
  /// SHA-256 of the outbox file.
  public var fileSHA256: String
  /// SHA-256 of the full snapshot this publication brings the receiver to (the next delta's base).
  public var snapshotSHA256: String
  public var asOf: String
  public var baseSequence: Int64?
}

/// The connector's own database, `state/connector.sqlite`: publication sequence, the message
/// journal, drop attempts and the archive catalog. Schema changes go through migrations.
public final class ConnectorState: Sendable {
  public let path: String
  public let queue: DatabaseQueue
  /// True when this open created the file: either a new spool, or the state was lost (deleted,
  /// moved aside) and `ConnectorContext` must rebuild what it can from the spool.
  public let wasCreated: Bool

  public init(path: String) throws {
    var config = Configuration()
    config.busyMode = .timeout(5)
    config.label = "connector-state"
    // A drop's index and journal writes touch pages all over tables of hundreds of thousands of
    // rows: with SQLite's 2 MiB default they spilled mid-transaction. `watch` frees it after
    // each cycle (`releaseMemory`).
    config.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -32768") }
    let isNew = !FileManager.default.fileExists(atPath: path)
    do {
      queue = try SQLiteSettings.openQueue(path: path, configuration: config)
      if isNew { chmod(path, FileSystem.fileMode) }
      try Self.migrator.migrate(queue)
    } catch let error as DatabaseError {
      // Garbage in the file is not an I/O hiccup a retry fixes (74): say what it is and how to
      // recover. The file is left in place on purpose: it may be evidence, and moving state
      // aside is the operator's decision (docs/reliability.md).
      if error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
        throw StoreError.damagedState(path: path, detail: error.message ?? "not a database")
      }
      throw StoreError.stateUnavailable(path: path, message: error.message ?? "\(error)")
    }
    self.path = path
    wasCreated = isNew
  }

  static var migrator: DatabaseMigrator {
    var m = DatabaseMigrator()
    m.registerMigration("v1-publications") { db in
      try db.execute(
        sql: """
          CREATE TABLE publication (
            sequence INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            file TEXT NOT NULL,
            file_sha256 TEXT NOT NULL DEFAULT '',
            snapshot_sha256 TEXT NOT NULL DEFAULT '',
            as_of TEXT NOT NULL,
            base_sequence INTEGER
          );
          """)
    }
    m.registerMigration("v1-journal") { db in
      try db.execute(
        sql: """
          -- One row per drop file claimed from the inbox (by its name in work/ and content hash).
          CREATE TABLE drop_file (
            id INTEGER PRIMARY KEY,
            original_name TEXT NOT NULL,
            work_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,          -- claimed | answered | rejected | done
            answer_name TEXT,              -- receipt-… or rejected-… in outbox/
            last_error TEXT
          );
          CREATE INDEX drop_file_work ON drop_file(work_name, status);
          -- The latest outcome per message key: the idempotency anchor beside PPMP's HE_MSG_ID token.
          CREATE TABLE message (
            kind TEXT NOT NULL,            -- booking | cancellation
            msg_key TEXT NOT NULL,         -- heMsgId for bookings, requestId for cancellations
            he_msg_id TEXT NOT NULL,
            content_sha256 TEXT NOT NULL,
            outcome TEXT NOT NULL,         -- pending | confirmInsert | rejectInsert | confirmUpdate | rejectUpdate
            reason TEXT,
            appointment_id INTEGER,
            patient_id INTEGER,
            patient_match TEXT,
            drop_sha256 TEXT NOT NULL,
            processed_at TEXT NOT NULL,
            PRIMARY KEY (kind, msg_key)
          );
          CREATE INDEX message_he ON message(he_msg_id);
          """)
    }
    m.registerMigration("v1-archive-catalog") { db in
      try db.execute(
        sql: """
          CREATE TABLE archive (
            sequence INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            path TEXT NOT NULL,              -- relative to the spool's archive/ folder
            codec TEXT NOT NULL,
            file_sha256 TEXT NOT NULL,       -- of the compressed file
            tar_sha256 TEXT NOT NULL,        -- of the uncompressed tar stream: the chain link
            previous_tar_sha256 TEXT NOT NULL,
            payload_files INTEGER NOT NULL,
            payload_bytes INTEGER NOT NULL,
            file_bytes INTEGER NOT NULL,
            bagging_date TEXT NOT NULL,
            first_file_date TEXT,
            last_file_date TEXT
          );
          CREATE TABLE archive_message (
            he_msg_id TEXT NOT NULL,
            sequence INTEGER NOT NULL REFERENCES archive(sequence),
            member TEXT NOT NULL,
            PRIMARY KEY (he_msg_id, sequence, member)
          );
          """)
    }
    m.registerMigration("v1-meta") { db in
      try db.execute(sql: "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    }
    m.registerMigration("v2-archive-index") { db in
      // A row per heMsgId mention made indexing two thirds of an archive's time; one compact,
      // sorted array per archive replaces it (ArchiveMessageIndex). Archives recorded before
      // have no row here, and `audit find` reads them instead.
      try db.execute(
        sql: """
          DROP TABLE archive_message;
          CREATE TABLE archive_index (
            sequence INTEGER PRIMARY KEY,    -- written just before its archive row (recordArchiveIndex)
            members TEXT NOT NULL,           -- payload paths in archive order, manifest-encoded, one per line
            mentions BLOB NOT NULL           -- sorted little-endian UInt64: 40-bit id hash << 24 | member ordinal
          );
          """)
    }
    m.registerMigration("v3-inbox-sighting") { db in
      // First-seen times of inbox files: the settle check and the waiting age use the
      // connector's own clock, not a sender's mtime (which may be in the future, or days old
      // after `cp -p`).
      try db.execute(
        sql: """
          CREATE TABLE inbox_sighting (
            name BLOB PRIMARY KEY,           -- the file name as the file system holds it
            size INTEGER NOT NULL,
            mtime INTEGER NOT NULL,
            first_seen INTEGER NOT NULL      -- wall-clock seconds
          );
          """)
    }
    m.registerMigration("v4-typed-journal") { db in
      // The journal keeps the whole answer (booking id, reject detail), so a repeated message is
      // answered from a `MessageOutcome` read back, and a rebuilt booking's placement has a
      // column of its own instead of a prefix inside content_sha256.
      try db.execute(
        sql: """
          ALTER TABLE message ADD COLUMN booking_id TEXT;
          ALTER TABLE message ADD COLUMN detail TEXT;
          ALTER TABLE message ADD COLUMN placement TEXT;
          UPDATE message SET placement = substr(content_sha256, 16), content_sha256 = ''
            WHERE content_sha256 LIKE 'ppmp-placement:%';
          """)
    }
    m.registerMigration("v5-requests-events") { db in
      // Requests are journaled like the other messages (kind 'request'), with the outbox file that
      // answers them. A refresh or events document is a `publication` row of its own kind (same
      // sequence counter, never the delta chain's base); what each must hold is kept beside it
      // until it is written, so a crash between the receipt and the document loses nothing.
      try db.execute(
        sql: """
          ALTER TABLE message ADD COLUMN request_kind TEXT;
          ALTER TABLE message ADD COLUMN answer_file TEXT;
          CREATE TABLE refresh_item (
            sequence INTEGER NOT NULL,       -- the refresh's publication; 0: the next one written
            item TEXT NOT NULL,              -- 'day <resourceId|*> <date>' | 'resources' | 'appointmentTypes'
            request_id TEXT NOT NULL,        -- '' for a day put in unasked (after slot-unavailable)
            PRIMARY KEY (sequence, item, request_id)
          );
          -- Every booking the connector placed, as the PPMP change check last saw it.
          CREATE TABLE tracked_booking (
            he_msg_id TEXT PRIMARY KEY,
            booking_id TEXT NOT NULL,        -- '' when rebuilt from PPMP's tokens
            appointment_id INTEGER NOT NULL,
            resource_id INTEGER NOT NULL,
            start TEXT NOT NULL,             -- YYYY-MM-DDTHH:MM as last seen
            status TEXT NOT NULL,            -- PPMP status text as last seen
            in_horizon INTEGER NOT NULL,     -- inside the horizon at the last check
            closed_by TEXT                   -- TrackedBooking.Closure: no longer checked
          );
          -- start = '': confirmed by ingest, not seen by the check yet (the journal adds these rows).
          CREATE INDEX tracked_unseen ON tracked_booking(start) WHERE start = '';
          INSERT INTO tracked_booking (he_msg_id, booking_id, appointment_id, resource_id, start, status, in_horizon)
            SELECT msg_key, COALESCE(booking_id, ''), appointment_id, 0, '', '', 1 FROM message
            WHERE kind = 'booking' AND outcome = 'confirmInsert' AND appointment_id IS NOT NULL;
          -- Events documents: the events each carries (written from here, so a crash between sealing
          -- and writing loses none), the change requests each answers, and which are sealed.
          CREATE TABLE appointment_event (
            sequence INTEGER NOT NULL,
            ordinal INTEGER NOT NULL,
            name TEXT NOT NULL,              -- cancel | didNotAttend | pmsAppointmentMoved | noPmsAppointmentChange
            he_msg_id TEXT NOT NULL,
            booking_id TEXT NOT NULL,
            appointment_id INTEGER NOT NULL,
            reason TEXT,
            from_start TEXT,
            to_start TEXT,
            resource_id INTEGER,
            request_id TEXT,
            PRIMARY KEY (sequence, ordinal)
          );
          CREATE INDEX appointment_event_he ON appointment_event(he_msg_id);
          CREATE TABLE change_request (
            sequence INTEGER NOT NULL,
            request_id TEXT NOT NULL,
            he_msg_id TEXT NOT NULL,
            PRIMARY KEY (sequence, request_id)
          );
          CREATE TABLE events_sealed (sequence INTEGER PRIMARY KEY);
          """)
    }
    m.registerMigration("v6-review-queue") { db in
      // patient_key: the normalised matching keys of every PPMP patient, with the raw values they
      // came from (PPMPDatabase.patientChanges compares those to find staff edits). review_item
      // and review_candidate: bookings that got a new file, with the files offered instead.
      try db.execute(
        sql: """
          CREATE TABLE patient_key (
            patient_id INTEGER PRIMARY KEY,
            first_key TEXT NOT NULL, last_key TEXT NOT NULL, dob_key TEXT NOT NULL, mobile_key TEXT,
            raw_first TEXT, raw_last TEXT, raw_dob TEXT, raw_mobile TEXT
          );
          CREATE INDEX patient_key_exact ON patient_key(dob_key, last_key, first_key);
          CREATE INDEX patient_key_names ON patient_key(last_key, first_key);
          CREATE INDEX patient_key_mobile ON patient_key(mobile_key);
          CREATE TABLE review_item (
            he_msg_id TEXT PRIMARY KEY,
            appointment_id INTEGER NOT NULL,
            new_patient_id INTEGER NOT NULL,
            patient_match TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open',
            resolved_at TEXT,
            linked_patient_id INTEGER
          );
          CREATE INDEX review_item_status ON review_item(status, queued_at);
          CREATE TABLE review_candidate (
            he_msg_id TEXT NOT NULL REFERENCES review_item(he_msg_id),
            rank INTEGER NOT NULL,
            patient_id INTEGER NOT NULL,
            score INTEGER NOT NULL,
            agreement TEXT NOT NULL,
            PRIMARY KEY (he_msg_id, rank)
          );
          """)
    }
    m.registerMigration("v7-action-needed") { db in
      try db.execute(sql: ActionNeededItem.tableSQL)
    }
    m.registerMigration("v8-patient-key-lookup") { db in
      // Matching reads every indexed file with the booking's date of birth: with the mobile in
      // the index those rows come from one or two index pages, not one table page each (tens of
      // random reads per booking once the index outgrows the cache). Nothing looks files up by
      // names alone, so that index only cost every insert.
      try db.execute(
        sql: """
          DROP INDEX patient_key_names;
          DROP INDEX patient_key_exact;
          CREATE INDEX patient_key_lookup ON patient_key(dob_key, last_key, first_key, mobile_key);
          """)
    }
    return m
  }

  /// A small key/value store for run bookkeeping (runs since the last archive, …).
  public func meta(_ key: String) throws -> String? {
    try read("reading") { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
  }

  public func setMeta(_ key: String, _ value: String) throws {
    try write("writing") { db in
      try db.execute(
        sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        arguments: [key, value])
    }
  }

  func write<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
    do {
      return try queue.write(body)
    } catch let error as DatabaseError {
      throw StoreError.from(error, what, path)
    }
  }

  func read<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
    do {
      return try queue.read(body)
    } catch let error as DatabaseError {
      throw StoreError.from(error, what, path)
    }
  }

  /// Reserves the next publication sequence (never reused, even when abandoned).
  public func reservePublication(kind: PublicationKind, file: String, asOf: String, baseSequence: Int64?) throws -> Int64 {
    try write("reserving a publication sequence in") { db in
      let next = (try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM publication") ?? 0) + 1
      try db.execute(
        sql: "INSERT INTO publication (sequence, kind, status, file, as_of, base_sequence) VALUES (?, ?, 'pending', ?, ?, ?)",
        arguments: [next, kind.rawValue, file, asOf, baseSequence])
      return next
    }
  }

  /// The sequence the next reservation will get.
  public func nextSequence() throws -> Int64 {
    try read("reading") { db in (try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM publication") ?? 0) + 1 }
  }

  public func updatePublication(_ sequence: Int64, file: String? = nil, fileSHA256: String? = nil, snapshotSHA256: String? = nil, status: PublicationRecord.Status) throws {
    try write("recording a publication in") { db in
      try db.execute(
        sql: """
          UPDATE publication SET status = ?, file = COALESCE(?, file), file_sha256 = COALESCE(?, file_sha256),
            snapshot_sha256 = COALESCE(?, snapshot_sha256) WHERE sequence = ?
          """,
        arguments: [status.rawValue, file, fileSHA256, snapshotSHA256, sequence])
    }
  }

  /// Publications of the delta chain (snapshots and deltas), or with `kind` of that one kind.
  public func publications(status: PublicationRecord.Status? = nil, kind: PublicationKind? = nil) throws -> [PublicationRecord] {
    try read("reading publications from") { db in
      let kinds = kind.map { [$0.rawValue] } ?? PublicationKind.allCases.filter(\.isChained).map(\.rawValue)
      let rows = try Row.fetchAll(
        db,
        sql: "SELECT sequence, kind, status, file, file_sha256, snapshot_sha256, as_of, base_sequence FROM publication"
          + " WHERE kind IN (\(kinds.map { _ in "?" }.joined(separator: ", ")))"
          + (status == nil ? "" : " AND status = ?") + " ORDER BY sequence",
        arguments: StatementArguments(kinds + (status.map { [$0.rawValue] } ?? [])))
      return rows.map { row in
        PublicationRecord(
          sequence: row[0], kind: PublicationKind(rawValue: row[1]) ?? .snapshot,
          status: PublicationRecord.Status(rawValue: row[2]) ?? .abandoned, file: row[3], fileSHA256: row[4],
          snapshotSHA256: row[5], asOf: row[6], baseSequence: row[7])
      }
    }
  }

  /// Makes the next reserved sequence at least `sequence + 1` (after the state was lost, so a new
  /// publication never reuses a sequence the receiver has already seen).
  public func raiseSequenceFloor(to sequence: Int64) throws {
    try write("raising the publication sequence in") { db in
      let current = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM publication") ?? 0
      guard sequence > current else { return }
      try db.execute(
        sql: "INSERT INTO publication (sequence, kind, status, file, as_of) VALUES (?, 'snapshot', 'abandoned', '', '')",
        arguments: [sequence])
    }
  }

  /// The last publication whose outbox file is durable.
  public func lastPublished() throws -> PublicationRecord? {
    try publications(status: .done).last
  }
}
