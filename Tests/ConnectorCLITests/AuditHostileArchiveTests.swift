import ConnectorTestSupport
import Foundation
import Testing

/// Hostile archives (Fixtures/hostile-archives/manifest.tsv, built by
/// scripts/make-hostile-archives.py) through the real binary: `audit verify`, `audit list`,
/// `audit show` and `audit extract` with `--archive-dir` alone, and `status` / `doctor` on a spool
/// that holds one.
@Suite struct AuditHostileArchiveTests {
  /// One row of manifest.tsv.
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var verifies: Bool
    var problem: String
    var extracts: Bool
    var testDescription: String { name }
  }

  static let cases: [Case] = {
    let text = (try? String(contentsOfFile: RepositoryPaths.fixture("hostile-archives/manifest.tsv"), encoding: .utf8)) ?? ""
    return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
      let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      return Case(name: f[0], verifies: f[1] == "ok", problem: f[2], extracts: f[3] == "extracted")
    }
  }()

  /// The cap the table's figures assume (`payload-oversized` holds an 80 MiB member).
  static let maxExtractBytes = 64 * 1024 * 1024

  /// A temp folder holding `connector.toml` (the cap) and `<case>/2026-03/demo-1.tar.zst`.
  private func build(_ name: String, label: String, extra: [String] = []) throws -> TemporaryFolder {
    let folder = try TemporaryFolder(label)
    try "max_extract_bytes = \(Self.maxExtractBytes)\n".write(toFile: folder.child("connector.toml"), atomically: true, encoding: .utf8)
    let script = RepositoryPaths.root + "/scripts/make-hostile-archives.py"
    let made = try CommandRunner.run("/usr/bin/env", ["python3", script, folder.path] + extra + [name], in: folder.path)
    guard made.status == 0 else { throw HarnessError.failed("make-hostile-archives.py \(name): \(made.stderr)") }
    return folder
  }

  private func connector(_ arguments: [String], in folder: TemporaryFolder) throws -> CommandResult {
    try CommandRunner.run("ppmp-connector", arguments, in: folder.path)
  }

  private func listing(_ folder: String) -> [String] {
    ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  /// Peak resident set (KiB) and wall time of one command, from GNU time.
  private func measured(_ arguments: [String], in folder: TemporaryFolder) throws -> (result: CommandResult, maxRSSKiB: Int, seconds: Double) {
    let report = folder.child("time.txt")
    let r = try CommandRunner.run(
      "/usr/bin/time", ["-f", "%M %e", "-o", report, RepositoryPaths.executable("ppmp-connector")] + arguments, in: folder.path)
    // GNU time puts "Command exited with non-zero status N" on a line before the figures.
    let last = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n").last ?? ""
    let fields = last.split(whereSeparator: \.isWhitespace)
    return (r, Int(fields.first ?? "") ?? .max, Double(fields.last ?? "") ?? .infinity)
  }

  static let timeAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/time")

  @Test func theManifestListsEveryCaseTheScriptBuilds() throws {
    #expect(Self.cases.count == 14)
    #expect(Self.cases.first?.name == "intact" && Self.cases.first?.verifies == true)
    #expect(Self.cases.dropFirst().allSatisfy { !$0.verifies && !$0.extracts && !$0.problem.isEmpty })
  }

  @Test(arguments: cases)
  func verifyListAndExtractTreatAHostileArchiveAsTheManifestSays(_ c: Case) throws {
    let folder = try build(c.name, label: "hostile-archive-\(c.name)")
    let archives = folder.child(c.name)
    let verify = try connector(["audit", "verify", "--archive-dir", archives], in: folder)
    if c.verifies {
      #expect(verify.status == 0, "\(verify.stderr)")
      #expect(verify.stdout == "audit: 1 archive(s); every manifest hash and the chain verify\n")
    } else {
      #expect(verify.status == 1, "\(verify.stdout)\(verify.stderr)")
      #expect(verify.stderr.hasPrefix("audit: FAILED: demo-1.tar.zst: "), "\(verify.stderr)")
      #expect(verify.stderr.contains(c.problem), "\(verify.stderr)")
    }

    let list = try connector(["audit", "list", "--json", "--archive-dir", archives], in: folder)
    #expect(list.status == 0, "\(list.stderr)")
    let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
    #expect(rows?.map { $0["intact"] as? Bool } == [c.verifies], "\(list.stdout)")

    let target = folder.child("target")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    let before = listing(folder.path)
    let extract = try connector(["audit", "extract", "--archive-dir", archives, "demo-1", target], in: folder)
    if c.extracts {
      #expect(extract.status == 0, "\(extract.stderr)")
      #expect(listing(target).contains("demo-1/data/inbox/drop-1.xml"))
    } else {
      #expect(extract.status == 65, "\(extract.stdout)\(extract.stderr)")
      #expect(extract.stderr.contains("refusing to extract demo-1"), "\(extract.stderr)")
      #expect(extract.stdout.isEmpty)
      // A refused extraction leaves nothing behind: not the refused member, not what came before it.
      #expect(listing(target).isEmpty, "\(listing(target).prefix(5))")
    }
    #expect(listing(folder.path).filter { !$0.hasPrefix("target/") } == before.filter { !$0.hasPrefix("target/") })
  }

  @Test(.enabled(if: timeAvailable))
  func theTagFileBombIsRefusedByNameInBoundedMemory() throws {
    let folder = try build("tag-bomb", label: "hostile-tag-bomb")
    let archives = folder.child("tag-bomb")
    #expect(FileSystemSize.of(archives + "/2026-03/demo-1.tar.zst") < 64 * 1024)
    for command in [["audit", "verify"], ["audit", "list"]] {
      let m = try measured(command + ["--archive-dir", archives], in: folder)
      // The 64 members are 1 GiB; the caps keep a read to a few buffers.
      #expect(m.maxRSSKiB < 128 * 1024, "\(command): peak RSS \(m.maxRSSKiB) KiB")
      #expect(m.seconds < 10, "\(command): \(m.seconds) s")
      if command == ["audit", "verify"] {
        #expect(m.result.status == 1)
        #expect(m.result.stderr.contains("demo-1/junk-00.bin"), "\(m.result.stderr)")
      } else {
        #expect(m.result.status == 0 && m.result.stdout.contains(" no "), "\(m.result.stdout)")
      }
    }
  }

  @Test func showRefusesAnAmbiguousMemberAndOneVerifyWouldRefuse() throws {
    let folder = try build("duplicate-member", label: "hostile-show")
    let duplicate = try connector(["audit", "show", "--archive-dir", folder.child("duplicate-member"), "demo-1", "data/dup.xml"], in: folder)
    #expect(duplicate.status == 65, "\(duplicate.stdout)\(duplicate.stderr)")
    #expect(duplicate.stdout.isEmpty)
    #expect(duplicate.stderr.contains("demo-1/data/dup.xml appears twice"), "\(duplicate.stderr)")

    let dotdot = try build("manifest-dotdot", label: "hostile-show-dotdot")
    let evil = try connector(["audit", "show", "--archive-dir", dotdot.child("manifest-dotdot"), "demo-1", "data/../../evil.xml"], in: dotdot)
    #expect(evil.status == 65, "\(evil.stdout)\(evil.stderr)")
    #expect(evil.stdout.isEmpty)
    #expect(evil.stderr.contains("'..'"), "\(evil.stderr)")
    // The safe member of the same archive still prints.
    let safe = try connector(["audit", "show", "--archive-dir", dotdot.child("manifest-dotdot"), "demo-1", "data/inbox/drop-1.xml"], in: dotdot)
    #expect(safe.status == 0 && safe.stdout == "<drop/>\n", "\(safe.stderr)")
  }

  @Test func aPayloadMemberOverMaxExtractBytesIsRefusedByItsHeaderNotHashed() throws {
    // 1 GiB of zeros in one member (32 KiB compressed), against the default cap of 1 GiB lowered
    // to 64 MiB: refused from the header, so verify stays fast.
    let folder = try build("payload-oversized", label: "hostile-huge", extra: ["--huge-bytes", String(1 << 30)])
    let started = Date()
    let verify = try connector(["audit", "verify", "--archive-dir", folder.child("payload-oversized")], in: folder)
    let seconds = Date().timeIntervalSince(started)
    #expect(verify.status == 1)
    #expect(verify.stderr.contains("demo-1/data/outbox/huge.xml is 1073741824 bytes, over the cap of 67108864"), "\(verify.stderr)")
    #expect(seconds < 2.5, "verify took \(seconds) s")
  }

  @Test(.enabled(if: timeAvailable))
  func statusAnswersFromTheCatalogWithoutReadingArchives() throws {
    let spool = try DemoSpool(label: "hostile-status")
    #expect(try spool.run(["run"]).status == 1)
    let month = spool.folder.child("spool/archive/2026-03")
    let archive = month + "/demo-1.tar.zst"
    let intact = try jsonObject(try spool.run(["status", "--json"]).stdout)
    #expect((intact["archive"] as? [String: Any])?["chainVerified"] as? Bool == true)

    // A tag-file bomb dropped into the archive folder: status names it from the catalog's
    // view (not recorded), without reading its gigabyte.
    let made = try build("tag-bomb", label: "hostile-status-bomb")
    try FileManager.default.copyItem(atPath: made.child("tag-bomb/2026-03/demo-1.tar.zst"), toPath: month + "/demo-9.tar.zst")
    let m = try measured(["status", "--json"], in: spool.folder)
    #expect(m.result.status == 0, "\(m.result.stderr)")
    #expect(m.maxRSSKiB < 128 * 1024, "peak RSS \(m.maxRSSKiB) KiB")
    let bombed = (try jsonObject(m.result.stdout))["archive"] as? [String: Any]
    #expect(bombed?["chainVerified"] as? Bool == false)
    #expect((bombed?["firstProblem"] as? String)?.hasPrefix("demo-9.tar.zst: not recorded in the catalog") == true, "\(String(describing: bombed))")
    // The full read stays in audit verify and doctor, which name the bomb's member.
    let verify = try spool.run(["audit", "verify"])
    #expect(verify.status == 1 && verify.stderr.contains("demo-1/junk-00.bin is neither a tag file"), "\(verify.stderr)")
    let doctor = try spool.run(["doctor", "--json"])
    #expect(doctor.stdout.contains("junk-00.bin"), "\(doctor.stdout)")
    try FileManager.default.removeItem(atPath: month + "/demo-9.tar.zst")

    // The same bytes replaced in place, at the same size: status trusts the catalog (the
    // archiver verified the file before recording it); doctor and audit verify read it.
    let size = try #require(FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int)
    try Data(repeating: 0x5A, count: size).write(to: URL(fileURLWithPath: archive))
    let replaced = (try jsonObject(try spool.run(["status", "--json"]).stdout))["archive"] as? [String: Any]
    #expect(replaced?["chainVerified"] as? Bool == true)
    #expect(try spool.run(["audit", "verify"]).status == 1)
    #expect(try spool.run(["doctor", "--json"]).stdout.contains("archive-chain-broken"))

    // A change the catalog can see without reading: the file's size, and the file's absence.
    try Data(repeating: 0x5A, count: size + 1).write(to: URL(fileURLWithPath: archive))
    let grown = try spool.run(["status"])
    #expect(grown.status == 0)
    #expect(grown.stdout.contains("chain BROKEN: demo-1.tar.zst: the file is \(size + 1) bytes, the catalog recorded \(size)"), "\(grown.stdout)")
    try FileManager.default.removeItem(atPath: archive)
    let gone = (try jsonObject(try spool.run(["status", "--json"]).stdout))["archive"] as? [String: Any]
    #expect(gone?["chainVerified"] as? Bool == false)
    #expect((gone?["firstProblem"] as? String) == "2026-03/demo-1.tar.zst: recorded in the catalog but missing from the archive folder")
  }

  private func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }
}

/// File sizes for the tests' expectations.
enum FileSystemSize {
  static func of(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? .max
  }
}
