import ConnectorArchive
import ConnectorCore
import ConnectorTestSupport
import Foundation
import GRDB
import Testing

/// `ArchiveAuditor` over real archives written by `BagArchiver`: chain verification against
/// tampering (the first problem names the culprit), `find` from the index and by scanning, `show`.
@Suite struct ArchiveAuditorTests {
  /// A spool holding `count` archives, one per day from 2026-03-02, each with that day's files.
  private func chain(_ label: String, count: Int = 3, codec: ArchiveCodec = .zstd) throws -> ArchiveTestSpool {
    let spool = try ArchiveTestSpool(label: label)
    for day in 2..<(2 + count) {
      try spool.stageDay(day)
      try #require(try spool.archive(day: day, codec: codec) != nil)
    }
    return spool
  }

  private func archivePath(_ spool: ArchiveTestSpool, _ sequence: Int, _ codec: ArchiveCodec = .zstd) -> String {
    spool.spool.archive + "/2026-03/demo-\(sequence).\(codec.fileExtension)"
  }

  @Test func anIntactChainOfThreeVerifiesWithAndWithoutTheCatalog() throws {
    let spool = try chain("intact")
    for auditor in [spool.auditor(), spool.auditor(withCatalog: false)] {
      let report = auditor.verify()
      #expect(report.isIntact, "\(report.problems)")
      #expect(report.archives.map(\.sequence) == [1, 2, 3])
    }
    #expect(spool.auditor().archiveFiles() == ["2026-03/demo-1.tar.zst", "2026-03/demo-2.tar.zst", "2026-03/demo-3.tar.zst"])
  }

  @Test(arguments: [ArchiveCodec.zstd, .gzip, .xz])
  func oneFlippedPayloadByteIsNamedByArchiveAndMember(codec: ArchiveCodec) throws {
    let spool = try chain("flip-\(codec.rawValue)", codec: codec)
    // "HE-3-B" occurs only in day 3's drop, inside the second archive.
    try flipPayloadByte(in: archivePath(spool, 2, codec), marker: "HE-3-B", codec: codec)
    for auditor in [spool.auditor(), spool.auditor(withCatalog: false)] {
      let report = auditor.verify()
      #expect(!report.isIntact)
      let first = try #require(report.problems.first)
      #expect(first.hasPrefix("demo-2.\(codec.fileExtension): data/inbox/drop-3.xml was altered"), "\(report.problems)")
      // The altered tar stream also breaks the next link; that comes after the cause.
      #expect(report.problems.contains { $0.hasPrefix("demo-3.\(codec.fileExtension): Previous-Archive-SHA256") }, "\(report.problems)")
    }
  }

  @Test func theFirstBrokenLinkIsNamedFirstWhenSeveralArchivesAreAltered() throws {
    let spool = try chain("first-of-two", count: 4)
    // Alter the later archive first, so file order on disk or in time cannot explain the result.
    try flipPayloadByte(in: archivePath(spool, 4), marker: "HE-5-B")
    try flipPayloadByte(in: archivePath(spool, 2), marker: "HE-3-B")
    let report = spool.auditor(withCatalog: false).verify()
    #expect(report.problems.first?.hasPrefix("demo-2.tar.zst: data/inbox/drop-3.xml was altered") == true, "\(report.problems)")
    #expect(report.problems.contains { $0.hasPrefix("demo-4.tar.zst: data/inbox/drop-5.xml was altered") })
  }

  @Test func aRemovedArchiveInTheMiddleIsNamed() throws {
    let spool = try chain("removed")
    try FileManager.default.removeItem(atPath: archivePath(spool, 2))
    let withCatalog = spool.auditor().verify()
    #expect(
      withCatalog.problems.first == "archive sequence 2 is missing before demo-3.tar.zst (the catalog records 2026-03/demo-2.tar.zst)",
      "\(withCatalog.problems)")
    let alone = spool.auditor(withCatalog: false).verify()
    #expect(alone.problems == ["archive sequence 2 is missing before demo-3.tar.zst"])
  }

  @Test func anArchiveReplacedByAnotherValidBagIsNamed() throws {
    let spool = try chain("replaced")
    // A second spool with the same first day (so the same first archive) and a different
    // second day: its demo-2 is a complete, valid bag that links to demo-1.
    let other = try ArchiveTestSpool(label: "replacement")
    try other.stageDay(2)
    try other.archive(day: 2)
    try other.stageDay(3, salt: "forged")
    try other.archive(day: 3)
    let forged = archivePath(other, 2)
    #expect(BagVerifier.verify(path: forged).problems.isEmpty)
    try FileManager.default.removeItem(atPath: archivePath(spool, 2))
    try FileManager.default.copyItem(atPath: forged, toPath: archivePath(spool, 2))

    // With the catalog, the replaced archive itself is named first.
    let withCatalog = spool.auditor().verify()
    #expect(withCatalog.problems.first?.hasPrefix("demo-2.tar.zst: file SHA-256") == true, "\(withCatalog.problems)")
    #expect(withCatalog.problems.first?.contains("replaced or altered") == true)
    // With the archive folder alone, the forgery is consistent in itself; the chain breaks at
    // the next archive, whose link still holds the original's hash.
    let alone = spool.auditor(withCatalog: false).verify()
    #expect(alone.problems.count == 1, "\(alone.problems)")
    #expect(alone.problems.first?.hasPrefix("demo-3.tar.zst: Previous-Archive-SHA256") == true)
    #expect(alone.problems.first?.contains("demo-2.tar.zst") == true)
  }

  @Test func anArchiveDamagedInItsCompressedBytesIsNamedFirstNotReportedMissing() throws {
    let spool = try chain("rot")
    // Bit rot in the compressed file itself: nothing of the archive can be read any more.
    let path = archivePath(spool, 2)
    var bytes = spool.bytes(path)
    for i in (bytes.count / 2)..<(bytes.count / 2 + 16) { bytes[i] = 0 }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    for auditor in [spool.auditor(), spool.auditor(withCatalog: false)] {
      let report = auditor.verify()
      #expect(report.problems.first?.hasPrefix("demo-2.tar.zst: unreadable: ") == true, "\(report.problems)")
      #expect(!report.problems.contains { $0.contains("missing") }, "\(report.problems)")
      #expect(report.archives.map { ($0.path as NSString).lastPathComponent } == ["demo-1.tar.zst", "demo-2.tar.zst", "demo-3.tar.zst"])
    }
  }

  @Test func aRecordedArchiveMissingAtTheEndIsNamed() throws {
    let spool = try chain("missing-last")
    try FileManager.default.removeItem(atPath: archivePath(spool, 3))
    #expect(spool.auditor().verify().problems == ["2026-03/demo-3.tar.zst: recorded in the catalog but missing from the archive folder"])
  }

  @Test func catalogProblemsCheckTheRecordedChainWithoutReadingAnArchive() throws {
    let spool = try chain("catalog")
    #expect(spool.auditor().catalogProblems().isEmpty)
    // Unreadable bytes at the recorded size: only a read finds them (status leaves it to doctor).
    let path = archivePath(spool, 2)
    try Data(repeating: 0, count: spool.bytes(path).count).write(to: URL(fileURLWithPath: path))
    #expect(spool.auditor().catalogProblems().isEmpty)
    let read = spool.auditor().verify().problems
    #expect(read.first?.hasPrefix("demo-2.tar.zst: ") == true, "\(read)")

    try spool.state.queue.write {
      try $0.execute(sql: "UPDATE archive SET previous_tar_sha256 = ? WHERE sequence = 3", arguments: [BagLayout.zeroHash])
    }
    let relinked = spool.auditor().catalogProblems()
    #expect(relinked.count == 1)
    #expect(relinked.first?.hasPrefix("demo-3.tar.zst: Previous-Archive-SHA256 \(BagLayout.zeroHash) does not match the tar SHA-256 the catalog records for demo-2.tar.zst") == true, "\(relinked)")

    try spool.state.queue.write { try $0.execute(sql: "DELETE FROM archive WHERE sequence = 2") }
    #expect(spool.auditor().catalogProblems() == [
      "archive sequence 2 is missing from the catalog before demo-3.tar.zst",
      "demo-2.tar.zst: not recorded in the catalog (put there by hand, or left by a run that stopped before recording it)",
    ])
    #expect(spool.auditor(withCatalog: false).catalogProblems() == [
      "the catalog (state/connector.sqlite) is missing; `ppmp-connector audit verify` reads the archives themselves"
    ])
  }

  @Test func findGivesTheSameMembersFromTheIndexAndByScanning() throws {
    let spool = try chain("find")
    let expected = [
      ArchiveHit("2026-03/demo-2.tar.zst", "data/inbox/drop-3.xml"),
      ArchiveHit("2026-03/demo-2.tar.zst", "data/outbox/receipt-drop-3.xml"),
    ]
    #expect(try spool.auditor().find(heMsgId: "HE-3-A").map(ArchiveHit.init) == expected)
    #expect(try spool.auditor(withCatalog: false).find(heMsgId: "HE-3-A").map(ArchiveHit.init) == expected)
    #expect(try spool.auditor(withCatalog: false).find(heMsgId: "HE-3-B").map(ArchiveHit.init) == [expected[0]])
    #expect(try spool.auditor().find(heMsgId: "HE-9-A").isEmpty)
    #expect(try spool.auditor(withCatalog: false).find(heMsgId: "HE-9-A").isEmpty)
  }

  /// Without the catalog, the archives are scanned in chain order too: demo-10 after demo-9, not
  /// after demo-1 as sorting by name would put it.
  @Test func findListsArchivesInChainOrderWithAndWithoutTheCatalog() throws {
    let spool = try ArchiveTestSpool(label: "find-order")
    for day in 2..<13 {
      try spool.stageDay(day)
      try spool.stage("outbox/receipt-again-\(day).xml", ArchiveSamples.receipt(heMsgId: "HE-EVERY-DAY"))
      try #require(try spool.archive(day: day) != nil)
    }
    let expected = (1...11).map { ArchiveHit("2026-03/demo-\($0).tar.zst", "data/outbox/receipt-again-\($0 + 1).xml") }
    #expect(try spool.auditor().find(heMsgId: "HE-EVERY-DAY").map(ArchiveHit.init) == expected)
    #expect(try spool.auditor(withCatalog: false).find(heMsgId: "HE-EVERY-DAY").map(ArchiveHit.init) == expected)
  }

  /// The index names candidates (a 40-bit key can collide) and find reads them to confirm; an
  /// archive without an index row (recorded before the index existed) is read whole.
  @Test func findConfirmsIndexCandidatesAndReadsArchivesWithoutAnIndex() throws {
    let spool = try chain("find-confirm")
    let drop = ArchiveHit("2026-03/demo-2.tar.zst", "data/inbox/drop-3.xml")
    let receipt = ArchiveHit("2026-03/demo-2.tar.zst", "data/outbox/receipt-drop-3.xml")
    #expect(try spool.state.archiveMembers(heMsgId: "HE-3-B").map(\.member) == ["data/inbox/drop-3.xml"])
    // Point the drop's entries at the receipt, as a colliding key would: the receipt does not
    // mention HE-3-B, so reading it drops the candidate.
    try spool.state.queue.write { db in
      let text = try String.fetchOne(db, sql: "SELECT members FROM archive_index WHERE sequence = 2")!
      let swapped = text.split(separator: "\n").map { $0 == "data/inbox/drop-3.xml" ? "data/outbox/receipt-drop-3.xml" : String($0) }
      try db.execute(sql: "UPDATE archive_index SET members = ? WHERE sequence = 2", arguments: [swapped.joined(separator: "\n")])
    }
    #expect(try spool.state.archiveMembers(heMsgId: "HE-3-B").map(\.member).contains("data/outbox/receipt-drop-3.xml"))
    #expect(try spool.auditor().find(heMsgId: "HE-3-B").map(ArchiveHit.init).isEmpty)
    // Without index rows every archive is read.
    try spool.state.queue.write { try $0.execute(sql: "DELETE FROM archive_index") }
    #expect(try spool.auditor().find(heMsgId: "HE-3-A").map(ArchiveHit.init) == [drop, receipt])
    #expect(try spool.auditor().find(heMsgId: "HE-3-B").map(ArchiveHit.init) == [drop])
  }

  /// A catalog from before the per-archive index (a row per mention in `archive_message`):
  /// opening it migrates to `archive_index`, and find reads those archives whole.
  @Test func aCatalogWithTheOldIndexMigratesAndFindStillAnswers() throws {
    let spool = try chain("migrate", count: 2)
    try spool.state.queue.write { db in
      try db.execute(
        sql: """
          DROP TABLE archive_index;
          CREATE TABLE archive_message (he_msg_id TEXT NOT NULL, sequence INTEGER NOT NULL, member TEXT NOT NULL,
            PRIMARY KEY (he_msg_id, sequence, member));
          INSERT INTO archive_message VALUES ('HE-3-A', 2, 'data/inbox/drop-3.xml');
          DELETE FROM grdb_migrations WHERE identifier = 'v2-archive-index';
          """)
    }
    let reopened = try ConnectorState(path: spool.state.path)
    let tables = try reopened.queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
    #expect(tables.contains("archive_index") && !tables.contains("archive_message"))
    #expect(try reopened.indexedArchives().isEmpty)
    let auditor = ArchiveAuditor(archiveFolder: spool.spool.archive, state: reopened)
    #expect(try auditor.find(heMsgId: "HE-3-A").map(ArchiveHit.init) == [
      ArchiveHit("2026-03/demo-2.tar.zst", "data/inbox/drop-3.xml"),
      ArchiveHit("2026-03/demo-2.tar.zst", "data/outbox/receipt-drop-3.xml"),
    ])
  }

  @Test func findByScanningSkipsXMLMembersOverTheLimitInsteadOfFailing() throws {
    let spool = try chain("find-limit", count: 2)
    // Each day's delta is about 2.5 kB, the drop and receipt well under 1 kB.
    let hits = try spool.auditor(withCatalog: false).find(heMsgId: "HE-3-A", memberLimit: 1024).map(ArchiveHit.init)
    #expect(hits == [ArchiveHit("2026-03/demo-2.tar.zst", "data/inbox/drop-3.xml"), ArchiveHit("2026-03/demo-2.tar.zst", "data/outbox/receipt-drop-3.xml")])
  }

  @Test func showPrintsAMemberByShortOrFullNameAndRefusesAnUnknownOne() throws {
    let spool = try chain("show", count: 2)
    let drop = Array(ArchiveSamples.drop(heMsgId: "HE-3-A", secondId: "HE-3-B").utf8)
    let auditor = spool.auditor(withCatalog: false)
    for member in ["data/inbox/drop-3.xml", "inbox/drop-3.xml", "demo-2/data/inbox/drop-3.xml"] {
      #expect(try auditor.show(archive: "demo-2", member: member) == drop, "\(member)")
    }
    let info = String(decoding: try auditor.show(archive: "2026-03/demo-2.tar.zst", member: "bag-info.txt"), as: UTF8.self)
    #expect(info.contains("Archive-Sequence: 2\n"))
    #expect(info.contains("Previous-Archive-SHA256: \(try spool.state.archives()[0].tarSHA256)\n"))
    #expect(throws: ConnectorError.self) { try auditor.show(archive: "demo-2", member: "data/inbox/drop-2.xml") }
    #expect(throws: ConnectorError.self) { try auditor.show(archive: "demo-9", member: "bag-info.txt") }
  }
}

/// One `find` result, comparable.
private struct ArchiveHit: Equatable, CustomStringConvertible {
  var archive: String
  var member: String
  init(_ archive: String, _ member: String) {
    self.archive = archive
    self.member = member
  }
  init(_ hit: (archive: String, member: String)) { self.init(hit.archive, hit.member) }
  var description: String { "\(archive) \(member)" }
}
