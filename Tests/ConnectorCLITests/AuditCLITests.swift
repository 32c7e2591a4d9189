import ConnectorTestSupport
import Foundation
import Testing

/// `archive` and `audit …` through the real binary on a demo spool: three archives made by the
/// commands a practice runs (export, ingest, next day's export), then verified, searched,
/// printed, tampered with and extracted.
@Suite struct AuditCLITests {
  /// A demo spool with three archives: the first snapshot, the ingested sample drops with their
  /// receipts and notices, the next day's delta.
  func spoolWithThreeArchives(_ label: String) throws -> DemoSpool {
    let spool = try DemoSpool(label: label)
    let steps: [([String], String)] = [
      (["export"], "2026-03-02T08:00"), (["archive"], "2026-03-02T09:00"),
      (["ingest"], "2026-03-02T10:00"), (["archive"], "2026-03-02T11:00"),
      (["export"], "2026-03-03T08:00"), (["archive"], "2026-03-03T09:00"),
    ]
    for (arguments, asOf) in steps {
      let r = try spool.run(arguments, asOf: asOf)
      // ingest exits 1: the sample drops include messages that must be rejected.
      guard r.status == 0 || (arguments == ["ingest"] && r.status == 1) else {
        throw HarnessError.failed("\(arguments) exited \(r.status): \(r.stderr)")
      }
    }
    return spool
  }

  private func archive(_ spool: DemoSpool, _ sequence: Int) -> String {
    spool.folder.child("spool/archive/2026-03/demo-\(sequence).tar.zst")
  }

  /// Files and folders under `folder`, relative, sorted (symlinks listed, not followed).
  private func listing(_ folder: String) -> [String] {
    ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  private func sh(_ script: String, in folder: String) throws -> CommandResult {
    try CommandRunner.run("/bin/sh", ["-c", script], in: folder)
  }

  @Test func archiveWritesTheChainAndVerifyAndListReportItIntact() throws {
    let spool = try spoolWithThreeArchives("audit-intact")
    let verify = try spool.run(["audit", "verify"])
    #expect(verify.status == 0, "\(verify.stderr)")
    #expect(verify.stdout == "audit: 3 archive(s); every manifest hash and the chain verify\n")
    #expect(verify.stderr.isEmpty)

    let list = try spool.run(["audit", "list"])
    #expect(list.status == 0)
    let rows = list.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
    #expect(rows.map { $0.first } == ["1", "2", "3"])
    #expect(rows.map { $0.last } == ["2026-03/demo-1.tar.zst", "2026-03/demo-2.tar.zst", "2026-03/demo-3.tar.zst"])
    #expect(rows.allSatisfy { $0.contains("yes") }, "\(list.stdout)")
    // The ingest archive: the two drops, the receipt and the rejection notice.
    #expect(rows[1][1] == "2026-03-02" && rows[1][2] == "4", "\(list.stdout)")

    let json = try spool.run(["audit", "list", "--json"])
    let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
    #expect(parsed?.map { $0["sequence"] as? Int } == [1, 2, 3])
    #expect(parsed?.allSatisfy { $0["intact"] as? Bool == true } == true)

    // Bookkeeping the CLI leaves: staging emptied, private modes, nothing else in the month.
    #expect(listing(spool.folder.child("spool/state/staging")).allSatisfy { !$0.hasSuffix(".xml") })
    let month = spool.folder.child("spool/archive/2026-03")
    #expect(try FileManager.default.contentsOfDirectory(atPath: month).sorted() == ["demo-1.tar.zst", "demo-2.tar.zst", "demo-3.tar.zst"])
    #expect((try FileManager.default.attributesOfItem(atPath: month)[.posixPermissions] as? Int) == 0o700)
    for n in 1...3 {
      #expect((try FileManager.default.attributesOfItem(atPath: archive(spool, n))[.posixPermissions] as? Int) == 0o600)
    }
    // Nothing staged: archive says so and writes nothing.
    let again = try spool.run(["archive"], asOf: "2026-03-03T10:00")
    #expect(again.status == 0 && again.stdout == "archive: nothing staged\n", "\(again.stdout)")
  }

  @Test func verifyNamesTheArchiveAndMemberHoldingAFlippedByte() throws {
    let spool = try spoolWithThreeArchives("audit-flip")
    // Decompress, flip one byte of the first drop's payload, recompress: what a tamperer does.
    let path = archive(spool, 2)
    let flip = try sh(
      """
      zstd -q -d -c demo-2.tar.zst > t.tar && \
      off=$(grep -abo 'he-sample-1001' t.tar | head -1 | cut -d: -f1) && \
      printf 'X' | dd of=t.tar bs=1 seek="$off" conv=notrunc status=none && \
      zstd -q -f t.tar -o demo-2.tar.zst && rm t.tar
      """, in: (path as NSString).deletingLastPathComponent)
    #expect(flip.status == 0, "\(flip.stderr)")
    for arguments in [["audit", "verify"], ["audit", "verify", "--archive-dir", "spool/archive"]] {
      let r = try spool.run(arguments)
      #expect(r.status == 1, "\(arguments)")
      let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
      #expect(first.hasPrefix("audit: FAILED: demo-2.tar.zst: data/inbox/he-sample-drop-1.xml was altered"), "\(r.stderr)")
      #expect(r.stderr.contains("also: demo-3.tar.zst: Previous-Archive-SHA256"), "\(r.stderr)")
    }
    let list = try spool.run(["audit", "list"])
    #expect(list.stdout.split(separator: "\n").filter { $0.contains(" no ") }.count == 1, "\(list.stdout)")
  }

  @Test func verifyNamesAnArchiveRemovedFromTheMiddle() throws {
    let spool = try spoolWithThreeArchives("audit-removed")
    try FileManager.default.removeItem(atPath: archive(spool, 2))
    let r = try spool.run(["audit", "verify"])
    #expect(r.status == 1)
    #expect(
      r.stderr.hasPrefix(
        "audit: FAILED: archive sequence 2 is missing before demo-3.tar.zst (the catalog records 2026-03/demo-2.tar.zst)"),
      "\(r.stderr)")
    let alone = try spool.run(["audit", "verify", "--archive-dir", "spool/archive"])
    #expect(alone.status == 1)
    #expect(alone.stderr == "audit: FAILED: archive sequence 2 is missing before demo-3.tar.zst\n", "\(alone.stderr)")
  }

  /// A run killed after renaming its archive into place and removing the staged copies, before
  /// the catalog row: nothing is staged, so no archive comes due, yet the next run records it.
  @Test func theNextRunRecordsAnArchiveAKilledRunLeftUnrecorded() throws {
    let spool = try spoolWithThreeArchives("audit-orphan")
    let state = spool.folder.child("spool/state/connector.sqlite")
    let r0 = try CommandRunner.run(
      "/usr/bin/sqlite3",
      [state, "DELETE FROM archive WHERE sequence = 3"],
      in: spool.path)
    try #require(r0.status == 0, "\(r0.stderr)")
    #expect(try spool.run(["audit", "verify"]).stderr.contains("demo-3.tar.zst: not recorded in the catalog"))
    // The same minute again: nothing new to stage, and an hourly archive is not due.
    let run = try spool.run(["run"], asOf: "2026-03-03T09:00")
    #expect([0, 1].contains(run.status), "\(run.stderr)")
    let verify = try spool.run(["audit", "verify"])
    #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    #expect(try spool.run(["audit", "list"]).stdout.contains("demo-3.tar.zst"))
  }

  @Test func verifyNamesAnArchiveDamagedInItsCompressedBytesFirst() throws {
    let spool = try spoolWithThreeArchives("audit-rot")
    let path = archive(spool, 2)
    var bytes = spool.contents(path)
    for i in 600..<616 { bytes[i] = 0 }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    for arguments in [["audit", "verify"], ["audit", "verify", "--archive-dir", "spool/archive"]] {
      let r = try spool.run(arguments)
      #expect(r.status == 1)
      #expect(r.stderr.hasPrefix("audit: FAILED: demo-2.tar.zst: unreadable: "), "\(r.stderr)")
      #expect(!r.stderr.contains("missing"), "\(r.stderr)")
    }
  }

  @Test func verifyNamesAnArchiveReplacedByAValidBagOfAnotherSpool() throws {
    let spool = try spoolWithThreeArchives("audit-replaced")
    // Another spool whose second archive is a complete bag linking to the same first archive
    // (same demo, same clock) but holding the next day's delta instead of the ingested drops.
    let other = try DemoSpool(label: "audit-forger")
    for (arguments, asOf) in [(["export"], "2026-03-02T08:00"), (["archive"], "2026-03-02T09:00"),
                              (["export"], "2026-03-03T08:00"), (["archive"], "2026-03-03T09:00")] {
      #expect(try other.run(arguments, asOf: asOf).status == 0)
    }
    #expect(try other.run(["audit", "verify"]).status == 0)
    // Same demo, same clock, same staged files: byte-identical first archives.
    #expect(spool.contents(archive(spool, 1)) == other.contents(archive(other, 1)))
    try FileManager.default.removeItem(atPath: archive(spool, 2))
    try FileManager.default.copyItem(atPath: archive(other, 2), toPath: archive(spool, 2))

    let r = try spool.run(["audit", "verify"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("audit: FAILED: demo-2.tar.zst: file SHA-256 "), "\(r.stderr)")
    #expect(r.stderr.contains("(replaced or altered)"))
    // An auditor with only the archive folder: the forged bag is consistent, the next link is not.
    let alone = try spool.run(["audit", "verify", "--archive-dir", "spool/archive"])
    #expect(alone.status == 1)
    #expect(alone.stderr.hasPrefix("audit: FAILED: demo-3.tar.zst: Previous-Archive-SHA256 "), "\(alone.stderr)")
    #expect(alone.stderr.contains("of demo-2.tar.zst"))
  }

  @Test func findUsesTheCatalogAndFallsBackToScanningTheArchiveFolder() throws {
    let spool = try spoolWithThreeArchives("audit-find")
    let expected = """
      2026-03/demo-2.tar.zst\tdata/inbox/he-sample-drop-1.xml
      2026-03/demo-2.tar.zst\tdata/outbox/receipt-he-sample-drop-1.xml

      """
    let fromCatalog = try spool.run(["audit", "find", "he-sample-1001"])
    #expect(fromCatalog.status == 0)
    #expect(fromCatalog.stdout == expected)
    // The catalog gone: only the archive folder, copied elsewhere as an auditor would get it.
    let copy = spool.folder.child("auditor-copy")
    try FileManager.default.copyItem(atPath: spool.folder.child("spool/archive"), toPath: copy)
    try FileManager.default.removeItem(atPath: spool.folder.child("spool/state/connector.sqlite"))
    let scanned = try spool.run(["audit", "find", "--archive-dir", copy, "he-sample-1001"])
    #expect(scanned.status == 0, "\(scanned.stderr)")
    #expect(scanned.stdout == expected)

    let none = try spool.run(["audit", "find", "--archive-dir", copy, "he-nowhere-1"])
    #expect(none.status == 1)
    #expect(none.stdout.isEmpty && none.stderr == "audit: he-nowhere-1 is in no archive\n")
  }

  @Test func showPrintsOneMemberByteForByte() throws {
    let spool = try spoolWithThreeArchives("audit-show")
    // The receipt was hard-linked into staging, so the outbox still has the original.
    let receipt = try spool.run(["audit", "show", "demo-2", "data/outbox/receipt-he-sample-drop-1.xml"])
    #expect(receipt.status == 0, "\(receipt.stderr)")
    #expect(Array(receipt.stdout.utf8) == spool.contents(spool.outbox + "/receipt-he-sample-drop-1.xml"))
    #expect(!receipt.stdout.isEmpty)
    let info = try spool.run(["audit", "show", "--archive-dir", "spool/archive", "demo-3", "bag-info.txt"])
    #expect(info.stdout.contains("Archive-Sequence: 3\nPrevious-Archive-SHA256: "), "\(info.stdout)")
    let missing = try spool.run(["audit", "show", "demo-3", "data/inbox/nothing.xml"])
    #expect(missing.status == 2)
    #expect(missing.stdout.isEmpty && missing.stderr.contains("demo-3 has no member data/inbox/nothing.xml"))
  }

  /// Without a member, `show` lists the archive's files with their sizes, each under the name
  /// `show` takes, so an auditor can find a member without extracting anything.
  @Test func showWithoutAMemberListsTheArchiveFilesAsShowNamesThem() throws {
    let spool = try spoolWithThreeArchives("audit-show-list")
    let listing = try spool.run(["audit", "show", "demo-2"])
    #expect(listing.status == 0, "\(listing.stderr)")
    let rows = listing.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
    let names = rows.compactMap { $0.count == 2 ? $0[1] : nil }
    #expect(names.contains("bag-info.txt") && names.contains("data/outbox/receipt-he-sample-drop-1.xml"), "\(listing.stdout)")
    let receiptSize = rows.first { $0.last == "data/outbox/receipt-he-sample-drop-1.xml" }.flatMap { Int($0[0]) }
    #expect(receiptSize == spool.contents(spool.outbox + "/receipt-he-sample-drop-1.xml").count)
    for name in names {
      #expect(try spool.run(["audit", "show", "demo-2", name]).status == 0, "\(name)")
    }
  }

  @Test func extractWritesTheBagIntoAnEmptyFolderAndRefusesANonEmptyOne() throws {
    let spool = try spoolWithThreeArchives("audit-extract")
    let target = spool.folder.child("out")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    let r = try spool.run(["audit", "extract", "demo-2", target])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("audit: extracted 8 file(s), 5 folder(s), "), "\(r.stdout)")
    #expect(
      spool.contents(target + "/demo-2/data/outbox/receipt-he-sample-drop-1.xml")
        == spool.contents(spool.outbox + "/receipt-he-sample-drop-1.xml"))
    let check = try sh("sha256sum --strict -c manifest-sha256.txt", in: target + "/demo-2")
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

    let before = listing(target)
    let again = try spool.run(["audit", "extract", "demo-2", target])
    #expect(again.status == 65)
    #expect(again.stderr.contains("not empty"), "\(again.stderr)")
    #expect(listing(target) == before)
  }

  /// One hostile archive built with GNU tar, and the text the refusal must contain.
  struct HostileArchive: CustomTestStringConvertible, Sendable {
    var name: String
    /// Runs in `<tmp>/work/sub`; writes `hostile.tar.gz` one level up. `$ESCAPE` is an
    /// absolute path outside the target that must not exist after the extraction.
    var script: String
    var refusal: String
    var testDescription: String { name }
  }

  static let hostileArchives: [HostileArchive] = [
    HostileArchive(
      name: "dot-dot member",
      script: "echo evil > ../escaped.txt && tar -czPf ../hostile.tar.gz ../escaped.txt && rm ../escaped.txt",
      refusal: "'..'"),
    HostileArchive(
      name: "absolute member",
      script: "mkdir -p \"$(dirname \"$ESCAPE\")\" && echo evil > \"$ESCAPE\" && tar -czPf ../hostile.tar.gz \"$ESCAPE\" && rm \"$ESCAPE\"",
      refusal: "absolute member names are refused"),
    HostileArchive(
      name: "symlink member",
      script: "ln -s /etc link && tar -czf ../hostile.tar.gz link",
      refusal: "link is a symlink: only regular files and folders are allowed"),
    HostileArchive(
      // Inside a bag's payload, so that the link is the first thing wrong with it.
      name: "hard link member",
      script: "mkdir -p bag/data && echo a > bag/data/a && ln bag/data/a bag/data/b && tar -czf ../hostile.tar.gz bag",
      refusal: "is a hardlink: only regular files and folders are allowed"),
  ]

  @Test(arguments: hostileArchives)
  func extractRefusesAHostileArchiveAndWritesNothingOutsideTheTarget(hostile: HostileArchive) throws {
    let spool = try DemoSpool(label: "audit-hostile")
    let work = spool.folder.child("work")
    try FileManager.default.createDirectory(atPath: work + "/sub", withIntermediateDirectories: true)
    let escape = spool.folder.child("outside/escaped.txt")
    let build = try CommandRunner.run("/bin/sh", ["-c", hostile.script], in: work + "/sub", environment: ["ESCAPE": escape])
    #expect(build.status == 0, "\(build.stderr)")
    let parent = spool.folder.child("parent")
    let target = parent + "/target"
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    let folderBefore = listing(spool.path)

    let r = try spool.run(["audit", "extract", work + "/hostile.tar.gz", target])
    #expect(r.status == 65, "\(r.stdout)\(r.stderr)")
    #expect(r.stderr.contains("refusing to extract"), "\(r.stderr)")
    #expect(r.stderr.contains(hostile.refusal), "\(r.stderr)")
    #expect(r.stdout.isEmpty)
    // Nothing was written outside the target; the refused member is not in it either.
    #expect(listing(spool.path).filter { !$0.hasPrefix("parent/target/") } == folderBefore)
    #expect(!FileManager.default.fileExists(atPath: escape))
    #expect(!FileManager.default.fileExists(atPath: parent + "/escaped.txt"))
    #expect(!FileManager.default.fileExists(atPath: work + "/escaped.txt"))
    #expect(listing(target).isEmpty, "\(listing(target))")
  }

  @Test func extractStopsAtMaxExtractBytesFromTheConfiguration() throws {
    let spool = try spoolWithThreeArchives("audit-oversized")
    // The first archive holds a 102 kB snapshot; cap extraction at 8 KiB (the ingest archive, 4.7 kB in all, fits).
    let config = spool.folder.child("connector.toml")
    let text = try String(contentsOfFile: config, encoding: .utf8)
      .replacingOccurrences(of: "max_extract_bytes = 1073741824", with: "max_extract_bytes = 8192")
    #expect(text.contains("max_extract_bytes = 8192"))
    try text.write(toFile: config, atomically: true, encoding: .utf8)
    let target = spool.folder.child("parent/target")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    let r = try spool.run(["audit", "extract", "demo-1", target])
    #expect(r.status == 65, "\(r.stdout)\(r.stderr)")
    #expect(r.stderr.contains("refusing to extract demo-1"), "\(r.stderr)")
    #expect(r.stderr.contains("snapshot-demo-1.xml"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: target + "/demo-1/data/outbox/snapshot-demo-1.xml"))
    #expect(listing(spool.folder.child("parent")).allSatisfy { $0.hasPrefix("target") })
    // The small archive still extracts under the same cap.
    let small = spool.folder.child("parent/small")
    try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
    #expect(try spool.run(["audit", "extract", "demo-2", small]).status == 0)
  }
}
