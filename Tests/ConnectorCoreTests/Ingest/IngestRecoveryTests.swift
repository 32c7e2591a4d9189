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
  func crashed(
    _ label: String, keepReceipt: Bool, keepJournal: Bool, keepReview: Bool = true, bookings: [BookingMessage] = Self.bookings
  ) throws -> (IngestTestPractice, [AnswerElement]) {
    let p = try IngestTestPractice(label)
    let bytes = try DropWriter.render(practiceID: "test", bookings: bookings, cancellations: [])
    try FileSystem.write(bytes, toNewFile: p.spool.inbox + "/drop.xml")
    try p.ingest()
    let first = try p.answers("receipt-drop.xml")
    // The drop is back in work/, its record still claimed.
    try FileManager.default.moveItem(atPath: p.spool.staging + "/inbox/drop.xml", toPath: p.spool.work + "/drop.xml")
    let queue = try DatabaseQueue(path: p.spool.stateDatabase)
    try queue.write { db in
      try db.execute(sql: "UPDATE drop_file SET status = 'claimed'" + (keepReceipt ? "" : ", answer_name = NULL"))
      if !keepJournal { try db.execute(sql: "DELETE FROM message") }
      if !keepReview { try db.execute(sql: "DELETE FROM review_candidate; DELETE FROM review_item") }
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

  /// The review queue is written after every booking of the drop: a crash before it leaves new
  /// files in PPMP that nobody was asked to look at. The next run finds each booking again by its
  /// token and queues its item then, with the candidates the first run would have offered.
  @Test func crashBeforeTheReviewQueueIsWrittenQueuesEachNewFileOnTheNextRun() throws {
    // Each patient with a phone of their own: a shared number would make every file a candidate
    // of every other, and matching Alice fills in her file's number part-way through the drop.
    let bookings = [
      IngestTestPractice.booking("k-new", phone: "0411 111 111"),
      IngestTestPractice.booking("k-twin", at: "2026-03-03T11:00", first: "Carol", last: "Twin", dob: "1990-02-02", phone: "0422 222 222"),
      IngestTestPractice.booking("k-alice", at: "2026-03-06T09:00", first: "Alice", last: "Smith", dob: "1980-01-01", phone: "0433 333 333"),
    ]
    let (reference, _) = try crashed("review-reference", keepReceipt: true, keepJournal: true, bookings: bookings)
    let queued = try ConnectorState(path: reference.spool.stateDatabase).reviewItems()
    #expect(queued.map(\.heMsgId) == ["k-new", "k-twin"])

    let (p, first) = try crashed("before-review", keepReceipt: false, keepJournal: false, keepReview: false, bookings: bookings)
    #expect(try ConnectorState(path: p.spool.stateDatabase).reviewItems().isEmpty)
    try p.ingest()
    #expect(try p.answers("receipt-drop.xml") == first)
    let requeued = try ConnectorState(path: p.spool.stateDatabase).reviewItems()
    #expect(requeued.map(\.heMsgId) == queued.map(\.heMsgId))
    #expect(requeued.map(\.newPatientID) == queued.map(\.newPatientID))
    #expect(requeued.map(\.match) == queued.map(\.match))
    #expect(requeued.map(\.candidates) == queued.map(\.candidates), "the same candidates, in the same order")
    #expect(queued.contains { !$0.candidates.isEmpty }, "the twins' booking has candidates to compare")
  }

  /// An item a person already resolved stays resolved when its booking is found again.
  @Test func aResolvedItemIsKeptAsItIsWhenItsDropIsAppliedAgain() throws {
    let (p, _) = try crashed("review-kept", keepReceipt: false, keepJournal: false)
    let state = try ConnectorState(path: p.spool.stateDatabase)
    let queue = try DatabaseQueue(path: p.spool.stateDatabase)
    try queue.write { try $0.execute(sql: "UPDATE review_item SET status = 'kept-new' WHERE he_msg_id = 'k-new'") }
    try queue.close()
    try p.ingest()
    #expect(try state.reviewItem(heMsgId: "k-new")?.status == .keptNew)
    #expect(try state.reviewItems().map(\.heMsgId) == ["k-twin"])
  }
}
