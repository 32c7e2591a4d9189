import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// The journal keeps whole `MessageOutcome`s and migrates what older versions wrote.
@Suite struct MessageJournalTests {
  @Test func everyOutcomeReadsBackAsItWasRecorded() throws {
    let folder = try TemporaryFolder("journal-roundtrip")
    let state = try ConnectorState(path: folder.child("connector.sqlite"))
    let outcomes: [MessageOutcome] = [
      .confirmInsert(heMsgId: "m1", bookingId: "b1", appointmentID: 7, patientID: 9, match: .createdMultipleMatches),
      .rejectInsert(heMsgId: "m2", bookingId: "b2", reason: .slotUnavailable, detail: "the 09:15 slot is already booked"),
      .confirmUpdate(heMsgId: "m1", requestId: "r1", appointmentID: 7),
      .rejectUpdate(heMsgId: "m3", requestId: "r2", reason: .unknownBooking, detail: "no PPMP appointment carries it"),
    ]
    try state.record(outcomes.map { JournalEntry(outcome: $0, contentSHA256: "sha-" + $0.key) }, dropSHA256: "d", at: "t")
    let bookings = try state.journalEntries(kind: .booking, keys: ["m1", "m2", "unknown"])
    let cancellations = try state.journalEntries(kind: .cancellation, keys: ["r1", "r2"])
    #expect(bookings["m1"]?.outcome == outcomes[0] && bookings["m2"]?.outcome == outcomes[1] && bookings["unknown"] == nil)
    #expect(cancellations["r1"]?.outcome == outcomes[2] && cancellations["r2"]?.outcome == outcomes[3])
    #expect(bookings["m1"]?.contentSHA256 == "sha-m1" && bookings["m1"]?.placement == nil)
  }

  /// A drop's keys are read in lists of a fixed length: more keys than one list, repeated keys
  /// and keys of another kind must each come back exactly as a lookup per key would.
  @Test func aDropsKeysAreReadInListsAndEachFindsItsOwnEntry() throws {
    let folder = try TemporaryFolder("journal-lists")
    let state = try ConnectorState(path: folder.child("connector.sqlite"))
    let recorded = (0..<700).filter { $0 % 3 != 0 }.map { i in
      JournalEntry(
        outcome: .confirmInsert(heMsgId: "m\(i)", bookingId: "b\(i)", appointmentID: Int64(i), patientID: 1, match: .matched),
        contentSHA256: "sha-\(i)")
    }
    try state.record(
      recorded + [JournalEntry(outcome: .confirmUpdate(heMsgId: "m3", requestId: "m3", appointmentID: 3), contentSHA256: "c")],
      dropSHA256: "d", at: "t")
    let keys = (0..<700).map { "m\($0)" } + ["m1", "m2", "m1"]
    let found = try state.journalEntries(kind: .booking, keys: keys)
    #expect(found.count == recorded.count)
    for i in 0..<700 {
      let entry = found["m\(i)"]
      if i % 3 == 0 {
        #expect(entry == nil, "m\(i) was never recorded as a booking")
      } else {
        #expect(entry?.contentSHA256 == "sha-\(i)" && entry?.outcome.heMsgId == "m\(i)", "m\(i)")
      }
    }
    #expect(try state.journalEntries(kind: .cancellation, keys: ["m3"])["m3"]?.contentSHA256 == "c")
    #expect(try state.journalEntries(kind: .booking, keys: []).isEmpty)
  }

  /// Matching reads a date of birth's files from the key index alone (a covering index), and
  /// the unused names index is gone.
  @Test func theKeyIndexServesDateOfBirthLookupsWithoutTheTable() throws {
    let folder = try TemporaryFolder("journal-key-index")
    let state = try ConnectorState(path: folder.child("connector.sqlite"))
    try state.queue.read { db in
      let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'patient_key' ORDER BY name")
      #expect(indexes == ["patient_key_lookup", "patient_key_mobile"])
      let plan = try Row.fetchAll(
        db,
        sql: "EXPLAIN QUERY PLAN SELECT patient_id, first_key, last_key, dob_key, mobile_key FROM patient_key WHERE dob_key = '2000-01-01'"
      ).map { $0["detail"] as String }
      #expect(plan.contains { $0.contains("COVERING INDEX patient_key_lookup") }, "\(plan)")
    }
  }

  /// Before v4, a booking rebuilt from PPMP's tokens kept its placement as `ppmp-placement:…`
  /// inside content_sha256; the migration moves it into its own column.
  @Test func aRebuiltPlacementMovesOutOfTheHashColumn() throws {
    let folder = try TemporaryFolder("journal-migrate")
    let path = folder.child("connector.sqlite")
    let state = try ConnectorState(path: path)
    try state.queue.write { db in
      try db.execute(
        sql: """
          ALTER TABLE message DROP COLUMN booking_id;
          ALTER TABLE message DROP COLUMN detail;
          ALTER TABLE message DROP COLUMN placement;
          DELETE FROM grdb_migrations WHERE identifier = 'v4-typed-journal';
          INSERT INTO message (kind, msg_key, he_msg_id, content_sha256, outcome, appointment_id, patient_id, patient_match,
                               drop_sha256, processed_at)
          VALUES ('booking', 'old-1', 'old-1', 'ppmp-placement:3 2026-03-04T10:00 30', 'confirmInsert', 11, 12, 'matched', '', 't'),
                 ('booking', 'old-2', 'old-2', 'abcdef', 'confirmInsert', 13, 14, 'created-no-match', 'd', 't');
          """)
    }
    let reopened = try ConnectorState(path: path)
    let entries = try reopened.journalEntries(kind: .booking, keys: ["old-1", "old-2"])
    #expect(entries["old-1"]?.placement == BookingPlacement(resourceID: 3, start: "2026-03-04T10:00", minutes: 30))
    #expect(entries["old-1"]?.contentSHA256 == nil)
    #expect(entries["old-2"]?.placement == nil && entries["old-2"]?.contentSHA256 == "abcdef")
    #expect(
      entries["old-2"]?.outcome
        == .confirmInsert(heMsgId: "old-2", bookingId: "", appointmentID: 13, patientID: 14, match: .createdNoMatch))
  }
}
