import ConnectorArchive
import ConnectorCore
import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@Suite struct BagArchiverTests {
  static let codecs: [ArchiveCodec] = [.zstd, .gzip, .xz]

  @Test(arguments: codecs)
  func sameStagedFilesAndSequenceGiveIdenticalArchiveBytes(codec: ArchiveCodec) throws {
    var files: [[UInt8]] = []
    var records: [ArchiveRecord] = []
    for label in ["a", "b"] {
      let spool = try ArchiveTestSpool(label: "determinism-\(label)")
      try spool.stageDay(2)
      let record = try #require(try spool.archive(codec: codec))
      files.append(spool.bytes(spool.path(of: record)))
      records.append(record)
    }
    #expect(!files[0].isEmpty)
    #expect(files[0] == files[1])
    #expect(records[0].path == "2026-03/demo-1.\(codec.fileExtension)")
    #expect(records[0].fileSHA256 == records[1].fileSHA256)
  }

  @Test func chainHashIsTheSameWhateverTheCodec() throws {
    var tarHashes: Set<String> = []
    var fileHashes: Set<String> = []
    for codec in Self.codecs {
      let spool = try ArchiveTestSpool(label: "codec-\(codec.rawValue)")
      try spool.stageDay(2)
      let record = try #require(try spool.archive(codec: codec))
      tarHashes.insert(record.tarSHA256)
      fileHashes.insert(record.fileSHA256)
    }
    // The compressed files differ; the uncompressed tar stream, the chain link, does not.
    #expect(fileHashes.count == 3)
    #expect(tarHashes.count == 1)
  }

  /// Stages the usual day plus a name the manifest must percent-encode (`%`), which a validator
  /// would otherwise decode into another name, and archives it.
  private func archiveWithAwkwardName(
    _ label: String, _ codec: ArchiveCodec, name: String = "drop 50%20 off.xml"
  ) throws -> (ArchiveTestSpool, String) {
    let spool = try ArchiveTestSpool(label: label)
    try spool.stageDay(2)
    try spool.stage("inbox/" + name, ArchiveSamples.drop(heMsgId: "HE-P1", secondId: "HE-P2"))
    let record = try #require(try spool.archive(codec: codec))
    return (spool, spool.path(of: record))
  }

  @Test(arguments: codecs)
  func stockTarAndBsdtarExtractTheArchiveAndSha256sumChecksTheManifest(codec: ArchiveCodec) throws {
    let (spool, archive) = try archiveWithAwkwardName("stock-\(codec.rawValue)", codec)
    let flag = ["zstd": "--zstd", "gzip": "--gzip", "xz": "--xz"][codec.rawValue]!
    let extractions: [(String, [String])] = [
      ("/usr/bin/tar", [flag, "-xf", archive]),
      ("/usr/bin/bsdtar", ["-xf", archive]),
    ]
    for (index, (tool, arguments)) in extractions.enumerated() {
      let target = spool.folder.child("out-\(index)")
      try FileSystem.makeFolder(target)
      let x = try runTool(tool, arguments, in: target)
      #expect(x.status == 0, "\(tool): \(x.stderr)")
      let bag = target + "/demo-1"
      #expect(spool.bytes(bag + "/data/inbox/drop 50%20 off.xml") == Array(ArchiveSamples.drop(heMsgId: "HE-P1", secondId: "HE-P2").utf8))
      // sha256sum reads manifest paths literally, so the one percent-encoded line is left out.
      let check = try runTool(
        "/bin/sh", ["-c", "grep -v '%' manifest-sha256.txt | sha256sum --strict -c - && sha256sum --strict -c tagmanifest-sha256.txt"],
        in: bag)
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
      #expect(check.stdout.components(separatedBy: ": OK").count - 1 == 3 + 3, "\(check.stdout)")
    }
  }

  @Test(
    .enabled(if: bagitValidatorAvailable, "PyPI's bagit cannot be imported by python3; run scripts/ensure-deps.sh"),
    arguments: codecs)
  func extractedBagPassesTheBagItValidator(codec: ArchiveCodec) throws {
    // bagit-python (1.9) decodes only %0A/%0D in manifest paths, not RFC 8493's %25, so a
    // name with "%" would fail there while being correct; a space still exercises quoting.
    let (spool, archive) = try archiveWithAwkwardName("bagit-\(codec.rawValue)", codec, name: "drop fifty off.xml")
    let target = spool.folder.child("out")
    try FileSystem.makeFolder(target)
    #expect(try runTool("/usr/bin/bsdtar", ["-xf", archive], in: target).status == 0)
    let v = try runTool("/usr/bin/env", ["python3", "-m", "bagit", "--validate", target + "/demo-1"])
    #expect(v.status == 0, "bagit: \(v.stderr)")
    #expect(v.stderr.contains("demo-1 is valid"), "\(v.stderr)")
  }

  @Test(.enabled(if: bagitValidatorAvailable, "PyPI's bagit cannot be imported by python3; run scripts/ensure-deps.sh"))
  func bagitValidatorRejectsATamperedExtractedBag() throws {
    // Proves the validator step above can fail: the same check on an altered payload.
    let spool = try ArchiveTestSpool(label: "bagit-negative")
    try spool.stageDay(2)
    let record = try #require(try spool.archive())
    let target = spool.folder.child("out")
    try FileSystem.makeFolder(target)
    #expect(try runTool("/usr/bin/bsdtar", ["-xf", spool.path(of: record)], in: target).status == 0)
    let file = target + "/demo-1/data/inbox/drop-2.xml"
    try (String(decoding: spool.bytes(file), as: UTF8.self) + " ").write(toFile: file, atomically: false, encoding: .utf8)
    let v = try runTool("/usr/bin/env", ["python3", "-m", "bagit", "--validate", target + "/demo-1"])
    #expect(v.status != 0)
  }

  @Test func catalogRowRecordsSizesHashesAndTheChain() throws {
    let spool = try ArchiveTestSpool(label: "catalog")
    try spool.stageDay(2)
    let stagedBytes = try spool.stagedFiles().reduce(Int64(0)) {
      $0 + Int64(try FileManager.default.attributesOfItem(atPath: spool.spool.staging + "/" + $1)[.size] as! Int)
    }
    let first = try #require(try spool.archive(day: 2))
    try spool.stageDay(3)
    let second = try #require(try spool.archive(day: 3))

    #expect(try spool.state.archives() == [first, second])
    #expect(first.sequence == 1 && second.sequence == 2)
    #expect(first.previousTarSHA256 == String(repeating: "0", count: 64))
    #expect(second.previousTarSHA256 == first.tarSHA256)
    #expect(first.payloadFiles == 3)
    #expect(first.payloadBytes == stagedBytes)
    #expect(first.baggingDate == "2026-03-02")
    for record in [first, second] {
      let path = spool.path(of: record)
      #expect(record.fileSHA256 == (try SHA256Digest.hex(ofFile: path)))
      #expect(record.fileBytes == FileSystem.fileInfo(path)!.size)
      #expect(record.fileBytes > 0)
      let report = BagVerifier.verify(path: path)
      #expect(report.problems.isEmpty, "\(report.problems)")
      #expect(record.tarSHA256 == report.tarSHA256)
      #expect(FileSystem.fileInfo(path)!.mode & 0o777 == 0o600)
    }
    #expect(FileSystem.fileInfo(spool.spool.archive + "/2026-03")!.mode & 0o777 == 0o700)
    // Every staged copy went into an archive and is gone; nothing else is in the month folder.
    #expect(spool.stagedFiles().isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool.spool.archive + "/2026-03").sorted() == ["demo-1.tar.zst", "demo-2.tar.zst"])
    #expect(try spool.state.archiveMembers(heMsgId: "HE-3-A").map(\.member) == ["data/inbox/drop-3.xml", "data/outbox/receipt-drop-3.xml"])
  }

  /// The archiver's read-back checks the payload by the tar stream's XXH64 instead of hashing
  /// every member again: the checksum must be that of the stream `zstd -d` gives.
  @Test func theStreamChecksumReadBackIsThatOfTheDecompressedTar() throws {
    let spool = try ArchiveTestSpool(label: "stream-checksum")
    try spool.stageDay(2)
    let record = try #require(try spool.archive())
    let path = spool.path(of: record)
    let tarPath = spool.folder.child("stream.tar")
    #expect(try CommandRunner.run("/usr/bin/zstd", ["-q", "-d", path, "-o", tarPath]).status == 0)
    var expected = XXHash64()
    spool.bytes(tarPath).withUnsafeBytes { expected.update($0) }
    let report = BagVerifier.verify(path: path, payload: .streamChecksum)
    #expect(report.problems.isEmpty, "\(report.problems)")
    #expect(report.tarXXH64 == expected.finalize())
    let decompressedSHA256 = try SHA256Digest.hex(ofFile: tarPath)
    #expect(report.tarSHA256 == record.tarSHA256 && report.tarSHA256 == decompressedSHA256)
    #expect(report.payloadFiles == 3 && report.payloadSHA256.isEmpty)
    #expect(BagVerifier.verify(path: path).tarXXH64 == nil)
  }

  @Test func nothingStagedWritesNothing() throws {
    let spool = try ArchiveTestSpool(label: "empty")
    #expect(try spool.archive() == nil)
    #expect(try spool.state.archives().isEmpty)
  }

  @Test func aTakenNameGetsASuffixAndTheFileThereIsKept() throws {
    let spool = try ArchiveTestSpool(label: "taken")
    let month = spool.spool.archive + "/2026-03"
    try FileSystem.makeFolder(month)
    let foreign = Array("not ours".utf8)
    try FileSystem.write(foreign, toNewFile: month + "/demo-1.tar.zst")
    try spool.stageDay(2)
    let record = try #require(try spool.archive())
    #expect(record.path == "2026-03/demo-1.1.tar.zst")
    #expect(spool.bytes(month + "/demo-1.tar.zst") == foreign)
    #expect(BagVerifier.verify(path: spool.path(of: record)).problems.isEmpty)
  }

  @Test func stagedFilesStayWhenTheArchiveCannotBeWritten() throws {
    let spool = try ArchiveTestSpool(label: "unwritable")
    try spool.stageDay(2)
    let before = spool.stagedFiles()
    // A file where the month folder belongs: the archive cannot be created.
    try FileSystem.write([], toNewFile: spool.spool.archive + "/2026-03")
    #expect(throws: ConnectorError.self) { try spool.archive() }
    #expect(spool.stagedFiles() == before)
    #expect(try spool.state.archives().isEmpty)
  }

  /// A run that stops after the rename and before the catalog insert, simulated with a trigger
  /// that makes the insert fail: the archive is on disk, unrecorded. The archiver removes the
  /// staged copies just before the insert; `keepStaged` puts them back, as a run stopping
  /// between the rename and that removal would have left them.
  private func crashBeforeRecording(_ spool: ArchiveTestSpool, keepStaged: Bool = true) throws {
    let backup = spool.folder.child("staging-backup")
    try FileManager.default.copyItem(atPath: spool.spool.staging, toPath: backup)
    try spool.state.queue.write {
      try $0.execute(sql: "CREATE TRIGGER crash BEFORE INSERT ON archive BEGIN SELECT RAISE(ABORT, 'simulated crash'); END")
    }
    #expect(throws: StoreError.self) { try spool.archive(day: 2) }
    try spool.state.queue.write { try $0.execute(sql: "DROP TRIGGER crash") }
    #expect(spool.stagedFiles().isEmpty)
    if keepStaged {
      try FileManager.default.removeItem(atPath: spool.spool.staging)
      try FileManager.default.moveItem(atPath: backup, toPath: spool.spool.staging)
    }
  }

  @Test func aRunStoppingAfterTheStagedCopiesWentLeavesAnArchiveTheNextRunAdopts() throws {
    let spool = try ArchiveTestSpool(label: "orphan-unstaged")
    try spool.stageDay(2)
    try crashBeforeRecording(spool, keepStaged: false)
    #expect(try spool.state.archives().isEmpty)
    let archiver = spool.archiver()
    // Nothing staged: the adopted archive is the whole result; no second copy of day 2.
    #expect(try archiver.archive(asOf: LocalDateTime("2026-03-03T18:00")!, timeZone: ArchiveTestSpool.zone) == nil)
    #expect(archiver.adopted.map(\.path) == ["2026-03/demo-1.tar.zst"])
    #expect(try spool.state.archives().map(\.sequence) == [1])
    #expect(try spool.state.archiveMembers(heMsgId: "HE-2-A").count == 2)
    #expect(spool.auditor().verify().isIntact)
  }

  @Test func anArchiveLeftUnrecordedIsAdoptedInsteadOfWrittenTwice() throws {
    let spool = try ArchiveTestSpool(label: "orphan")
    try spool.stageDay(2)
    let staged = spool.stagedFiles()
    try crashBeforeRecording(spool)
    let orphan = spool.spool.archive + "/2026-03/demo-1.tar.zst"
    #expect(FileManager.default.fileExists(atPath: orphan))
    #expect(spool.stagedFiles() == staged)
    #expect(try spool.state.archives().isEmpty)
    let orphanBytes = spool.bytes(orphan)

    try spool.stageDay(3)
    let archiver = spool.archiver()
    let next = try #require(try archiver.archive(asOf: LocalDateTime("2026-03-03T18:00")!, timeZone: ArchiveTestSpool.zone))
    let adopted = try #require(archiver.adopted.first)
    #expect(archiver.adopted.count == 1)
    #expect(adopted.sequence == 1 && adopted.path == "2026-03/demo-1.tar.zst")
    #expect(adopted.fileSHA256 == (try SHA256Digest.hex(ofFile: orphan)))
    #expect(adopted.payloadFiles == 3)
    #expect(spool.bytes(orphan) == orphanBytes)
    // Day 3 alone went into the next archive, linked to the adopted one; no duplicate sequence.
    #expect(next.sequence == 2 && next.payloadFiles == 3)
    #expect(next.previousTarSHA256 == adopted.tarSHA256)
    #expect(BagVerifier.verify(path: spool.path(of: next)).members.allSatisfy { $0.contains("-3") })
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool.spool.archive + "/2026-03").sorted() == ["demo-1.tar.zst", "demo-2.tar.zst"])
    #expect(spool.stagedFiles().isEmpty)
    #expect(try spool.state.archiveMembers(heMsgId: "HE-2-A").count == 2)
    let chain = spool.auditor().verify()
    #expect(chain.isIntact, "\(chain.problems)")
  }

  @Test func anOrphanAloneIsAdoptedAndNothingNewIsWritten() throws {
    let spool = try ArchiveTestSpool(label: "orphan-alone")
    try spool.stageDay(2)
    try crashBeforeRecording(spool)
    // A staged file of the same name but other content is not the archived copy: it stays.
    let receipt = spool.spool.staging + "/outbox/receipt-drop-2.xml"
    try FileManager.default.removeItem(atPath: receipt)
    try FileSystem.write(Array("changed".utf8), toNewFile: receipt)
    let archiver = spool.archiver()
    let next = try archiver.archive(asOf: LocalDateTime("2026-03-03T18:00")!, timeZone: ArchiveTestSpool.zone)
    #expect(archiver.adopted.map(\.sequence) == [1])
    #expect(next?.sequence == 2)
    #expect(next?.payloadFiles == 1)
    #expect(try spool.state.archives().count == 2)
    #expect(spool.auditor().verify().isIntact)
  }
}
