import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// The crash windows of one drop, rebuilt deterministically: the spool and journal are put back
/// in the state a SIGKILL at that point leaves, and the next run must answer exactly once with
/// the answer the first run would have given.
@Suite struct IngestRecoveryTests {
  static let bookings = [
    IngestTestPractice.booking("k-new"),
    IngestTestPractice.booking("k-twin", at: "2026-03-03T11:00", first: "Carol", last: "Twin", dob: "1990-02-02"),
    IngestTestPractice.booking("k-alice", at: "2026-03-06T09:00", first: "Alice", last: "Smith", dob: "1980-01-01"),
  ]

  /// Ingests one drop, then rewinds the spool to "claimed, in work/" as a crash would leave it.
  func crashed(_ label: String, keepReceipt: Bool, keepJournal: Bool) throws -> (IngestTestPractice, [AnswerElement]) {
    let p = try IngestTestPractice(label)
    let bytes = try DropWriter.render(practiceID: "test", bookings: Self.bookings, cancellations: [])
    try FileSystem.write(bytes, toNewFile: p.spool.inbox + "/drop.xml")
    try p.ingest()
    let first = try p.answers("receipt-drop.xml")
    // The drop is back in work/, its record still claimed.
    try FileManager.default.moveItem(atPath: p.spool.staging + "/inbox/drop.xml", toPath: p.spool.work + "/drop.xml")
    let queue = try DatabaseQueue(path: p.spool.stateDatabase)
    try queue.write { db in
      try db.execute(sql: "UPDATE drop_file SET status = 'claimed'" + (keepReceipt ? "" : ", answer_name = NULL"))
      if !keepJournal { try db.execute(sql: "DELETE FROM message") }
    }
    try queue.close()
    if !keepReceipt {
      try FileManager.default.removeItem(atPath: p.spool.outbox + "/receipt-drop.xml")
      try FileManager.default.removeItem(atPath: p.spool.staging + "/outbox/receipt-drop.xml")
    }
    return (p, first)
  }

  @Test func crashAfterTheReceiptIsWrittenFinishesWithoutASecondReceipt() throws {
    let (p, first) = try crashed("after-receipt", keepReceipt: true, keepJournal: true)
    let summary = try p.ingest()
    #expect(summary.answers.isEmpty)
    #expect(try p.outbox() == ["receipt-drop.xml"])
    #expect(try p.answers("receipt-drop.xml") == first)
    #expect(p.files(in: p.spool.work).isEmpty)
    #expect(p.files(in: p.spool.staging + "/inbox") == ["drop.xml"])
    #expect(p.files(in: p.spool.staging + "/outbox") == ["receipt-drop.xml"])
  }

  @Test func crashBeforeTheReceiptWithTheJournalWrittenAnswersOnceWithTheSameAnswers() throws {
    let (p, first) = try crashed("before-receipt", keepReceipt: false, keepJournal: true)
    try p.ingest()
    #expect(try p.outbox() == ["receipt-drop.xml"])
    #expect(try p.answers("receipt-drop.xml") == first)
  }

  @Test func crashBeforeTheJournalWriteStillReportsHowEachPatientWasMatched() throws {
    // PPMP committed every booking, the journal none: the token is the only record left.
    let (p, first) = try crashed("before-journal", keepReceipt: false, keepJournal: false)
    #expect(first.map { $0["patientMatch"] ?? "" } == ["created-no-match", "created-multiple-matches", "matched"])
    try p.ingest()
    #expect(try p.outbox() == ["receipt-drop.xml"])
    #expect(try p.answers("receipt-drop.xml") == first)
    for b in Self.bookings { #expect(try p.appointments(carrying: b.heMsgId).count == 1) }
    #expect(try p.count("SELECT COUNT(*) FROM patients") == 6)
  }
}
