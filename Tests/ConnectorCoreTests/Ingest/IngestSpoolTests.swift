import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// Re-deliveries, mixed drops and the spool rules of SPEC §4 at the Ingestor level.
@Suite struct IngestSpoolTests {
  static let bookings = [
    IngestTestPractice.booking("d-1"), IngestTestPractice.booking("d-2", at: "2026-03-03T11:00"),
    IngestTestPractice.booking("d-3", resource: 2, at: "2026-03-06T09:00", first: "Alice", last: "Smith", dob: "1980-01-01"),
  ]

  func confirmed(_ answers: [AnswerElement]) -> [String] {
    answers.filter { $0.name == "confirmInsert" }.map { "\($0["heMsgId"]!)=\($0["pmsAppointmentId"]!)/\($0["pmsPatientId"]!)" }
  }

  @Test func sameDropDeliveredAgainIsConfirmedWithTheSameIdsAndASecondReceipt() throws {
    let p = try IngestTestPractice("redeliver")
    let bytes = try DropWriter.render(practiceID: "test", bookings: Self.bookings, cancellations: [])
    try FileSystem.write(bytes, toNewFile: p.spool.inbox + "/drop.xml")
    try p.ingest()
    let appointments = try p.count("SELECT COUNT(*) FROM appointments")
    let patients = try p.count("SELECT COUNT(*) FROM patients")
    try FileSystem.write(bytes, toNewFile: p.spool.inbox + "/drop.xml")
    let again = try p.ingest()
    #expect(again.rejectedMessages == 0 && again.confirmed == 3)
    let receipts = try p.outbox(prefix: "receipt-")
    #expect(receipts.count == 2, "\(receipts)")
    let first = confirmed(try p.answers("receipt-drop.xml"))
    #expect(first.count == 3)
    #expect(confirmed(try p.answers(try #require(receipts.first { $0 != "receipt-drop.xml" }))) == first)
    #expect(try p.count("SELECT COUNT(*) FROM appointments") == appointments)
    #expect(try p.count("SELECT COUNT(*) FROM patients") == patients)
  }

  @Test func sameDropUnderTwoNamesInOneRunInsertsOnce() throws {
    let p = try IngestTestPractice("two-names")
    let bytes = try DropWriter.render(practiceID: "test", bookings: Self.bookings, cancellations: [])
    try FileSystem.write(bytes, toNewFile: p.spool.inbox + "/one.xml")
    try FileSystem.write(bytes, toNewFile: p.spool.inbox + "/two.xml")
    let summary = try p.ingest()
    #expect(summary.drops == 2 && summary.confirmed == 6)
    #expect(confirmed(try p.answers("receipt-one.xml")) == confirmed(try p.answers("receipt-two.xml")))
    for b in Self.bookings { #expect(try p.appointments(carrying: b.heMsgId).count == 1) }
  }

  @Test func journalLostStillConfirmsFromTheTokenInPPMP() throws {
    // The HE_MSG_ID token in PPMP, not the journal, is the source of truth.
    let p = try IngestTestPractice("no-journal")
    let bytes = try DropWriter.render(practiceID: "test", bookings: Self.bookings, cancellations: [])
    try FileSystem.write(bytes, toNewFile: p.spool.inbox + "/drop.xml")
    try p.ingest()
    let queue = try DatabaseQueue(path: p.spool.stateDatabase)
    try queue.write { try $0.execute(sql: "DELETE FROM message") }
    try queue.close()
    try FileSystem.write(bytes, toNewFile: p.spool.inbox + "/drop.xml")
    try p.ingest()
    let receipts = try p.outbox(prefix: "receipt-")
    #expect(receipts.count == 2)
    let ids = receipts.map { (try? p.answers($0)).map { $0.map { $0["pmsAppointmentId"] ?? "-" } } ?? [] }
    #expect(ids[0] == ids[1] && ids[0].count == 3)
    for b in Self.bookings { #expect(try p.appointments(carrying: b.heMsgId).count == 1) }
  }

  @Test func mixedDropRejectsOnlyItsBadMessages() throws {
    let p = try IngestTestPractice("mixed")
    var bad = IngestTestPractice.booking("bad-1")
    bad.dob = "yesterday"
    try p.drop("m.xml", bookings: [
      IngestTestPractice.booking("ok-1"), bad, IngestTestPractice.booking("taken", at: "2026-03-04T10:00"),
      IngestTestPractice.booking("ok-2", at: "2026-03-03T11:00"),
    ], cancellations: [CancellationMessage(heMsgId: "ghost", requestId: "q", updatedAt: "2026-03-02T00:00:00Z")])
    let summary = try p.ingest()
    #expect(summary.confirmed == 2 && summary.rejectedMessages == 3 && summary.dropsRejected == 0)
    let answers = try p.answers("receipt-m.xml")
    #expect(answers.map(\.name) == ["confirmInsert", "rejectInsert", "rejectInsert", "confirmInsert", "rejectUpdate"])
    #expect(answers.map { $0["reason"] ?? "" } == ["", "invalid-message", "slot-unavailable", "", "unknown-booking"])
  }

  @Test func inFlightNamesAreLeftAlone() throws {
    let p = try IngestTestPractice("in-flight")
    for name in [".hidden.xml", "x.tmp", "x.part"] {
      try p.drop(name, bookings: [IngestTestPractice.booking("f-\(name.count)")])
    }
    let summary = try p.ingest()
    #expect(summary.drops == 0)
    #expect(p.files(in: p.spool.inbox) == [".hidden.xml", "x.part", "x.tmp"])
    #expect(try p.outbox().isEmpty)
  }

  @Test func justWrittenDropWaitsForTheSettleTime() throws {
    let p = try IngestTestPractice("settle")
    p.configuration.settleSeconds = 30
    try p.drop("fresh.xml", bookings: [IngestTestPractice.booking("s1")])
    let old = try p.drop("old.xml", bookings: [IngestTestPractice.booking("s2", at: "2026-03-03T11:00")])
    var times = [timespec(tv_sec: time(nil) - 120, tv_nsec: 0), timespec(tv_sec: time(nil) - 120, tv_nsec: 0)]
    #expect(utimensat(AT_FDCWD, old, &times, 0) == 0)
    let summary = try p.ingest()
    #expect(summary.waiting == 1 && summary.drops == 1)
    #expect(p.files(in: p.spool.inbox) == ["fresh.xml"])
    #expect(try p.outbox() == ["receipt-old.xml"])
  }

  @Test func symlinkInTheInboxIsRefusedAndItsTargetNeverRead() throws {
    let p = try IngestTestPractice("symlink")
    let target = p.folder.child("elsewhere.xml")
    try FileSystem.write(try DropWriter.render(practiceID: "test", bookings: [IngestTestPractice.booking("sym")], cancellations: []), toNewFile: target)
    #expect(symlink(target, p.spool.inbox + "/link.xml") == 0)
    let summary = try p.ingest()
    #expect(summary.dropsRejected == 1)
    #expect(try p.appointments(carrying: "sym").isEmpty)
    let notice = try #require(try AnswerFile.elements(p.spool.outbox + "/rejected-link.xml").first)
    #expect(notice["reason"] == "not-a-regular-file")
    #expect(FileManager.default.fileExists(atPath: target))
  }

  @Test func dropsAreProcessedOldestFirstThenByName() throws {
    let p = try IngestTestPractice("oldest")
    // The same slot in each: whoever goes first gets it.
    let names = ["c.xml", "a.xml", "b.xml"]
    let ages: [String: Int] = ["c.xml": 300, "a.xml": 100, "b.xml": 100]
    for name in names {
      let path = try p.drop(name, bookings: [IngestTestPractice.booking("o-" + name, first: name)])
      var times = [timespec(tv_sec: 1_700_000_000 - ages[name]!, tv_nsec: 0), timespec(tv_sec: 1_700_000_000 - ages[name]!, tv_nsec: 0)]
      #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }
    let summary = try p.ingest()
    #expect(summary.answers == ["receipt-c.xml", "receipt-a.xml", "receipt-b.xml"])
    #expect(try p.answers("receipt-c.xml").first?.name == "confirmInsert")
    #expect(try p.answers("receipt-a.xml").first?["reason"] == "slot-unavailable")
  }

  @Test func answersValidateAndEverythingWrittenIsPrivate() throws {
    let p = try IngestTestPractice("modes")
    try p.drop("good.xml", bookings: Self.bookings, cancellations: [CancellationMessage(heMsgId: "nope", requestId: "q", updatedAt: "2026-03-02T00:00:00Z")])
    try p.rawDrop("broken.xml", "this is not XML at all")
    let summary = try p.ingest()
    #expect(summary.drops == 2 && summary.dropsRejected == 1)
    let receipt = ExchangeValidator.validate(path: p.spool.outbox + "/receipt-good.xml")
    #expect(receipt.kind == .receipt && receipt.errors.isEmpty, "\(receipt.errors)")
    let notice = ExchangeValidator.validate(path: p.spool.outbox + "/rejected-broken.xml")
    #expect(notice.kind == .dropRejected && notice.errors.isEmpty, "\(notice.errors)")
    #expect(p.files(in: p.spool.rejected) == ["broken.xml", "broken.xml.reason.txt"])
    let reason = try String(contentsOfFile: p.spool.rejected + "/broken.xml.reason.txt", encoding: .utf8)
    #expect(reason.contains("reason: not-well-formed"))
    #expect(p.files(in: p.spool.work).isEmpty && p.files(in: p.spool.inbox).isEmpty)
    // Every file and folder the run left is private.
    let root = p.spool.root
    let walker = try #require(FileManager.default.enumerator(atPath: root))
    var checked = 0
    for case let relative as String in walker {
      var st = stat()
      #expect(lstat(root + "/" + relative, &st) == 0)
      let expected: mode_t = (st.st_mode & S_IFMT) == S_IFDIR ? 0o700 : 0o600
      #expect(st.st_mode & 0o777 == expected, "\(relative) has mode \(String(st.st_mode & 0o777, radix: 8))")
      checked += 1
    }
    #expect(checked > 8)
  }
}
