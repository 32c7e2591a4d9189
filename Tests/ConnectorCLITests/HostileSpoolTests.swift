import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// One bad file must never stop a practice's bookings: hostile inbox entries (names XML and
/// terminals cannot carry, names at the length limit, names that are not UTF-8, hard links,
/// future mtimes) are each answered once or reported, and the good drop behind them always moves.
@Suite struct HostileSpoolTests {
  /// A booking into practitioner 1's free morning (09:00–12:30 in 15-minute slots) of the demo.
  static func booking(_ id: String, at time: String = "2026-03-05T10:00", first: String = "Quentin", last: String = "Zebedee", dob: String = "1977-07-07") -> BookingMessage {
    BookingMessage.make(
      heMsgId: id, bookingId: "b-" + id, resourceID: 1, typeCode: nil, start: LocalDateTime(time)!, lengthMinutes: 15,
      bookedTime: "2026-03-01T00:00:00Z", firstName: first, lastName: last, dob: dob, phone: "0455 555 555")
  }

  static func drop(_ bookings: [BookingMessage], _ cancellations: [CancellationMessage] = []) throws -> [UInt8] {
    try DropWriter.render(practiceID: "demo", bookings: bookings, cancellations: cancellations)
  }

  /// Creates `inbox/<raw name>` byte for byte (the name need not be UTF-8) with mtime `mtime`.
  static func place(_ spool: DemoSpool, raw: [UInt8], _ bytes: [UInt8], mtime: Int? = nil) throws {
    let path = Array(spool.inbox.utf8) + [UInt8(ascii: "/")] + raw + [0]
    let fd = path.withUnsafeBufferPointer { p in
      p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
    }
    #expect(fd >= 0)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, bytes.count) }
    if let mtime {
      var times = [timespec(tv_sec: mtime, tv_nsec: 0), timespec(tv_sec: mtime, tv_nsec: 0)]
      _ = futimens(fd, &times)
    }
    close(fd)
  }

  /// The good drop that must be answered whatever is in front of it: placed an hour "later".
  static func placeGoodDrop(_ spool: DemoSpool, id: String = "good-1", at time: String = "2026-03-05T10:45") throws {
    try place(spool, raw: Array("zz-good.xml".utf8), try drop([booking(id, at: time)]), mtime: Int(Date().timeIntervalSince1970) - 10)
  }

  static func receiptEntries(_ spool: DemoSpool, _ name: String) throws -> [AnswerElement] {
    try AnswerFile.entries(spool.outbox + "/" + name)
  }

  @Test func aControlCharacterInADropNameIsEscapedAndTheDropAnsweredOnce() throws {
    let spool = try DemoSpool(label: "name-control")
    try spool.prepareForIngest()
    try Self.place(spool, raw: Array("a\u{1b}[31mb.xml".utf8), try Self.drop([Self.booking("ctl-1")]), mtime: Int(Date().timeIntervalSince1970) - 20)
    try Self.placeGoodDrop(spool)
    let r = try spool.run(["ingest"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(try spool.outboxFiles(prefix: "receipt-") == ["receipt-a%1B[31mb.xml", "receipt-zz-good.xml"])
    let root = try AnswerFile.elements(spool.outbox + "/receipt-a%1B[31mb.xml")[0]
    #expect(root["drop"] == "a%1B[31mb.xml")
    #expect(try Self.receiptEntries(spool, "receipt-a%1B[31mb.xml").map(\.name) == ["confirmInsert"])
    #expect(try Self.receiptEntries(spool, "receipt-zz-good.xml").map(\.name) == ["confirmInsert"])
    #expect(spool.files(in: spool.work).isEmpty && spool.files(in: spool.inbox).isEmpty)
    // No byte of the name reaches a terminal: not in what ingest, status or doctor print.
    for command in [["status"], ["doctor"], ["status", "--json"]] {
      let out = try spool.run(command)
      #expect(!out.stdout.contains("\u{1b}") && !out.stderr.contains("\u{1b}"), "\(command)")
    }
    #expect(!r.stdout.contains("\u{1b}") && !r.stderr.contains("\u{1b}"))
    // The next run has nothing left to do: the queue moved.
    let again = try spool.run(["ingest"])
    #expect(again.status == 0 && again.stdout.contains("0 drop(s)"), "\(again.stdout)\(again.stderr)")
  }

  @Test func aNameAtTheLengthLimitIsAnsweredUnderAShortenedStableName() throws {
    let spool = try DemoSpool(label: "name-long")
    try spool.prepareForIngest()
    let long = String(repeating: "x", count: 226) + ".xml"  // 230 bytes: legal, leaves no room for receipt-
    let longer = String(repeating: "é", count: 125) + ".xml"  // 254 bytes, and not readable XML
    try Self.place(spool, raw: Array(long.utf8), try Self.drop([Self.booking("long-1")]), mtime: Int(Date().timeIntervalSince1970) - 30)
    try Self.place(spool, raw: Array(longer.utf8), Array("not xml".utf8), mtime: Int(Date().timeIntervalSince1970) - 20)
    try Self.placeGoodDrop(spool)
    let r = try spool.run(["ingest"])
    #expect(r.status == 1, "\(r.stdout)\(r.stderr)")  // the unreadable one is rejected
    let receipts = try spool.outboxFiles(prefix: "receipt-")
    #expect(receipts.count == 2 && receipts.contains("receipt-zz-good.xml"), "\(receipts)")
    let shortened = try #require(receipts.first { $0 != "receipt-zz-good.xml" })
    #expect(shortened.utf8.count <= 8 + DropName.maxBytes && shortened.contains("~"), "\(shortened)")
    #expect(try Self.receiptEntries(spool, shortened).map(\.name) == ["confirmInsert"])
    let notices = try spool.outboxFiles(prefix: "rejected-")
    #expect(notices.count == 1 && notices[0].hasPrefix("rejected-éé"), "\(notices)")
    let rejected = spool.files(in: spool.rejected)
    #expect(rejected.count == 2 && rejected.contains { $0.hasSuffix(".reason.txt") }, "\(rejected)")
    #expect(spool.files(in: spool.work).isEmpty && spool.files(in: spool.inbox).isEmpty)
    // The shortened name is stable: the same delivered name maps to the same safe name.
    #expect(DropName(long).safe == DropName(long).safe && DropName(long).safe != DropName(long + "x").safe)
  }

  @Test func namesThatAreNotUTF8AreClaimedAndAnsweredNotSkipped() throws {
    let spool = try DemoSpool(label: "name-bytes")
    try spool.prepareForIngest()
    let now = Int(Date().timeIntervalSince1970)
    try Self.place(spool, raw: Array("bad".utf8) + [0xFF, 0xFE] + Array(".xml".utf8), try Self.drop([Self.booking("nb-1")]), mtime: now - 30)
    try Self.place(
      spool, raw: Array("latin1-Ren".utf8) + [0xE9] + Array("e.xml".utf8),
      try Self.drop([Self.booking("nb-2", at: "2026-03-05T10:15")]), mtime: now - 20)
    let before = try spool.run(["status", "--json"])
    #expect(before.stdout.contains("\"inbox\" : 2"), "\(before.stdout)")
    let r = try spool.run(["ingest"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(try spool.outboxFiles(prefix: "receipt-") == ["receipt-bad%FF%FE.xml", "receipt-latin1-Ren%E9e.xml"])
    #expect(spool.files(in: spool.work).isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool.inbox).isEmpty)
    #expect(try spool.tokenCounts()["nb-1"] == 1 && spool.tokenCounts()["nb-2"] == 1)
  }

  @Test func aHardLinkIsRefusedWithoutReadingOrKeepingTheOtherFile() throws {
    let spool = try DemoSpool(label: "hard-link")
    try spool.prepareForIngest()
    let secret = spool.folder.child("secret.txt")
    try FileSystem.write(Array("TOP-SECRET-CONTENT".utf8), toNewFile: secret)
    #expect(link(secret, spool.inbox + "/linked.xml") == 0)
    try Self.placeGoodDrop(spool)
    let r = try spool.run(["run"])
    #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
    let notice = try AnswerFile.elements(spool.outbox + "/rejected-linked.xml")[0]
    #expect(notice["reason"] == "not-a-regular-file" && (notice["detail"] ?? "").contains("2 hard links"), "\(notice.attributes)")
    #expect(notice["dropSha256"] == nil)
    #expect(try spool.outboxFiles(prefix: "receipt-") == ["receipt-zz-good.xml"])
    // rejected/ keeps the reason only, never a second name for the file.
    #expect(spool.files(in: spool.rejected) == ["linked.xml.reason.txt"])
    #expect(FileSystem.fileInfo(secret)?.links == 1)
    #expect(String(decoding: spool.contents(secret), as: UTF8.self) == "TOP-SECRET-CONTENT")
    // Its content is nowhere in the spool: not staged, not archived (archives are compressed, so
    // read them back with the auditor's own extract).
    let grep = try CommandRunner.run("/usr/bin/grep", ["-rl", "TOP-SECRET-CONTENT", spool.folder.child("spool")])
    #expect(grep.stdout.isEmpty, "\(grep.stdout)")
    let extracted = spool.folder.child("extracted")
    for archive in try CommandRunner.run("/usr/bin/find", [spool.folder.child("spool/archive"), "-name", "*.tar.zst"]).stdout
      .split(separator: "\n")
    {
      let out = extracted + "/" + UUID().uuidString
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
      #expect(try CommandRunner.run("/usr/bin/bsdtar", ["-xf", String(archive), "-C", out]).status == 0)
      let inArchive = try CommandRunner.run("/usr/bin/grep", ["-rl", "TOP-SECRET-CONTENT", out])
      #expect(inArchive.stdout.isEmpty, "\(inArchive.stdout)")
    }
  }

  @Test func aDropWithAFutureMtimeIsReportedAndClaimedAfterSettling() throws {
    let spool = try DemoSpool(label: "future-mtime")
    try spool.prepareForIngest(settleSeconds: 1)
    let week = Int(Date().timeIntervalSince1970) + 7 * 86_400
    try Self.place(spool, raw: Array("from-the-future.xml".utf8), try Self.drop([Self.booking("fut-1")]), mtime: week)
    let first = try spool.run(["ingest"])
    #expect(first.status == 0 && first.stdout.contains("0 drop(s)"), "\(first.stdout)\(first.stderr)")
    let status = try spool.run(["status"])
    #expect(status.stdout.contains("1 with a modification time in the future"), "\(status.stdout)")
    let doctor = try spool.run(["doctor"])
    #expect(doctor.stdout.contains("drop-mtime-in-future") && doctor.stdout.contains("from-the-future.xml"), "\(doctor.stdout)")
    // Seen unchanged for settle_seconds of the connector's own clock: claimed, not in 7 days.
    Thread.sleep(forTimeInterval: 1.2)
    let second = try spool.run(["ingest"])
    #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
    #expect(try spool.outboxFiles(prefix: "receipt-") == ["receipt-from-the-future.xml"])
  }

  @Test func aPaddedDateOfBirthInPPMPStillMatchesThePatient() throws {
    let spool = try DemoSpool(label: "dob-padded")
    try spool.prepareForIngest()
    _ = try spool.sql(
      "INSERT INTO patients (id, first_name, last_name, dob, mobile, created_at, created_by) "
        + "VALUES (9001, 'Padded', 'Person', '1966-06-16 ', '', '2026-01-01 00:00:00', 'staff');")
    try spool.placeDrop("padded.xml", try Self.drop([Self.booking("pad-1", first: "Padded", last: "Person", dob: "1966-06-16")]))
    let r = try spool.run(["ingest"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    let entry = try #require(try Self.receiptEntries(spool, "receipt-padded.xml").first)
    #expect(entry["patientMatch"] == "matched" && entry["pmsPatientId"] == "9001", "\(entry.attributes)")
  }

  @Test func stagedCopiesOfAdoptedDropsAre0600() throws {
    let spool = try DemoSpool(label: "staged-mode")
    try spool.prepareForIngest()
    try Self.placeGoodDrop(spool)  // written 0644, as a transfer job would
    let r = try spool.run(["ingest"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)\(String(decoding: spool.contents(spool.outbox + "/receipt-zz-good.xml"), as: UTF8.self))")
    let staged = spool.folder.child("spool/state/staging/inbox/zz-good.xml")
    #expect(FileSystem.fileInfo(staged).map { $0.mode & 0o777 } == 0o600)
    let doctor = try spool.run(["doctor"])
    #expect(!doctor.stdout.contains("spool-file-mode"), "\(doctor.stdout)")
  }

  @Test func oneRequestIdIsOneCancellationWithinADropAsAcrossDrops() throws {
    let spool = try DemoSpool(label: "request-id")
    try spool.prepareForIngest()
    try spool.placeDrop("a.xml", try Self.drop([Self.booking("rq-1"), Self.booking("rq-2", at: "2026-03-05T10:15")]))
    #expect(try spool.run(["ingest"]).status == 0)
    try spool.placeDrop(
      "b.xml",
      try Self.drop(
        [], [
          CancellationMessage(heMsgId: "rq-1", requestId: "req-1", updatedAt: "2026-03-02T00:00:00Z"),
          CancellationMessage(heMsgId: "rq-1", requestId: "req-1", updatedAt: "2026-03-02T00:00:00Z"),
          CancellationMessage(heMsgId: "rq-2", requestId: "req-1", updatedAt: "2026-03-02T00:00:00Z"),
        ]))
    _ = try spool.run(["ingest"])
    let answers = try Self.receiptEntries(spool, "receipt-b.xml")
    #expect(answers.map(\.name) == ["confirmUpdate", "confirmUpdate", "rejectUpdate"])
    #expect(answers[0]["pmsAppointmentId"] == answers[1]["pmsAppointmentId"])
    #expect(answers[2]["reason"] == "duplicate-message")
    // rq-2 was never cancelled: the duplicate requestId did not touch it.
    #expect(try spool.sql("SELECT status FROM appointments WHERE comments LIKE '%HE_MSG_ID:rq-2%';") == "booked\n")
    // Across drops the same rule: same content → the same answer, other content → duplicate.
    try spool.placeDrop(
      "c.xml",
      try Self.drop(
        [], [
          CancellationMessage(heMsgId: "rq-1", requestId: "req-1", updatedAt: "2026-03-02T00:00:00Z"),
          CancellationMessage(heMsgId: "rq-2", requestId: "req-1", updatedAt: "2026-03-02T00:00:00Z"),
        ]))
    _ = try spool.run(["ingest"])
    #expect(try Self.receiptEntries(spool, "receipt-c.xml").map { $0["reason"] ?? $0.name } == ["confirmUpdate", "duplicate-message"])
  }

  /// Patient names reach a log only with `--verbose`, one line per message; never without it.
  @Test func verboseLogsOneLinePerMessageWithThePatientAndOnlyThen() throws {
    let spool = try DemoSpool(label: "verbose")
    try spool.prepareForIngest()
    try spool.placeDrop("quiet.xml", try Self.drop([Self.booking("vb-1")]))
    let plain = try spool.run(["run"])
    #expect(!plain.stderr.contains("Zebedee") && !plain.stdout.contains("Zebedee") && !plain.stderr.contains("step=message"))
    try spool.placeDrop("loud.xml", try Self.drop([Self.booking("vb-2", at: "2026-03-05T10:15")]))
    let verbose = try spool.run(["run", "--verbose"])
    let lines = verbose.stderr.split(separator: "\n").filter { $0.contains("step=message") }
    #expect(lines.count == 1, "\(verbose.stderr)")
    #expect(lines.first?.contains("heMsgId=vb-2") == true && lines.first?.contains("Quentin Zebedee") == true, "\(lines)")
  }
}
