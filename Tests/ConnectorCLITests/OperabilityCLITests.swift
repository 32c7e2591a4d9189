import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Holds an exclusive SQLite lock on a database from a `sqlite3` process, the way PPMP does
/// mid-transaction, until `release()` (or deinit) closes its stdin.
final class SQLiteLockHolder {
  let process = Process()
  private let stdin = Pipe()
  private let stdout = Pipe()

  init(database: String) throws {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = ["-batch", database]
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = FileHandle.nullDevice
    try process.run()
    // A write inside the transaction makes the lock exclusive whatever the journal mode.
    stdin.fileHandleForWriting.write(
      Data("BEGIN EXCLUSIVE; CREATE TABLE lock_probe(x); SELECT 'held';\n".utf8))
    let line = stdout.fileHandleForReading.availableData
    guard String(decoding: line, as: UTF8.self).contains("held") else {
      release()
      throw HarnessError.failed("sqlite3 never took the lock on \(database)")
    }
  }

  func release() {
    if process.isRunning {
      try? stdin.fileHandleForWriting.close()
      process.waitUntilExit()
    }
  }

  deinit { release() }
}

/// SPEC §16 (issue 18): what an operator sees when running the connector for real.
@Suite(.serialized) struct OperabilityCLITests {
  /// A demo spool after one good run; returns it and the `lastSuccessAt` that run recorded.
  private func spoolAfterGoodRun(_ label: String) throws -> (DemoSpool, String) {
    let spool = try DemoSpool(label: label)
    let first = try spool.run(["run"])
    #expect([0, 1].contains(first.status), "\(first.stderr)")
    let status = try jsonObject(try spool.run(["status", "--json"]).stdout)
    let lastSuccess = try #require(status["lastSuccessAt"] as? String)
    #expect((status["lastRun"] as? [String: Any])?["lastSuccessAt"] as? String == lastSuccess)
    #expect(status["lastRunAgeSeconds"] as? Int != nil)
    return (spool, lastSuccess)
  }

  /// The failure is in status.json: outcome failed, the cause in errors, the exit status, and
  /// the earlier success kept.
  private func expectRecordedFailure(
    _ spool: DemoSpool, exit: Int32, cause: String, lastSuccess: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let status = try jsonObject(try spool.run(["status", "--json"]).stdout)
    let lastRun = try #require(status["lastRun"] as? [String: Any], sourceLocation: sourceLocation)
    #expect(lastRun["outcome"] as? String == "failed", sourceLocation: sourceLocation)
    #expect(lastRun["exitCode"] as? Int == Int(exit), sourceLocation: sourceLocation)
    let errors = lastRun["errors"] as? [String] ?? []
    #expect(errors.contains { $0.contains(cause) }, "\(errors)", sourceLocation: sourceLocation)
    #expect(status["lastSuccessAt"] as? String == lastSuccess, sourceLocation: sourceLocation)
    #expect(lastRun["lastSuccessAt"] as? String == lastSuccess, sourceLocation: sourceLocation)
    #expect((status["lastRunAgeSeconds"] as? Int).map { $0 >= 0 } == true, sourceLocation: sourceLocation)
    let human = try spool.run(["status"])
    #expect(human.stdout.contains("failed, exit \(exit)"), "\(human.stdout)", sourceLocation: sourceLocation)
    #expect(human.stdout.contains("last success: \(lastSuccess)") && human.stdout.contains(" ago)"), "\(human.stdout)",
            sourceLocation: sourceLocation)
  }

  @Test func aMissingDatabaseIsRecordedAsAFailedRun() throws {
    let (spool, lastSuccess) = try spoolAfterGoodRun("ops-nodb")
    let r = try spool.run(["run", "--database", spool.folder.child("gone.sqlite")])
    #expect(r.status == 2, "\(r.stderr)")
    try expectRecordedFailure(spool, exit: 2, cause: "does not exist", lastSuccess: lastSuccess)
    let page = spool.folder.child("front.html")
    let report = try spool.run(["report", "--html", page])
    #expect(report.status == 0, "\(report.stderr)")
    let html = String(decoding: spool.contents(page), as: UTF8.self)
    #expect(html.contains("✖ \(lastSuccess)"), "the front-desk page shows when the last good run ended")
    // The next good run is a success again.
    #expect([0, 1].contains(try spool.run(["run"]).status))
    let status = try jsonObject(try spool.run(["status", "--json"]).stdout)
    #expect(status["lastSuccessAt"] as? String != nil && (status["lastRun"] as? [String: Any])?["outcome"] as? String != "failed")
  }

  @Test func aDatabaseThatIsNotPPMPIsRecordedAsAFailedRun() throws {
    let (spool, lastSuccess) = try spoolAfterGoodRun("ops-notppmp")
    let other = spool.folder.child("other.sqlite")
    let made = try CommandRunner.run("/usr/bin/sqlite3", [other, "CREATE TABLE invoices(id INTEGER);"])
    #expect(made.status == 0)
    let r = try spool.run(["run", "--database", other])
    #expect(r.status == 65, "\(r.stderr)")
    try expectRecordedFailure(spool, exit: 65, cause: "is not a PPMP database", lastSuccess: lastSuccess)
  }

  @Test func aDatabaseLockedByPPMPIsRecordedAsAFailedRunWithExit74() throws {
    let (spool, lastSuccess) = try spoolAfterGoodRun("ops-dblocked")
    let holder = try SQLiteLockHolder(database: spool.database)
    let r = try spool.run(["run"])
    holder.release()
    #expect(r.status == 74, "\(r.stderr)")
    #expect(r.stderr.contains("database is locked"), "\(r.stderr)")
    try expectRecordedFailure(spool, exit: 74, cause: "database is locked", lastSuccess: lastSuccess)
  }

  @Test(.enabled(if: FaultMounts.available, "needs root and mount(8)"))
  func lowDiskIsRecordedAsAFailedRun() throws {
    let (spool, lastSuccess) = try spoolAfterGoodRun("ops-lowdisk")
    let root = spool.folder.child("spool")
    let saved = spool.folder.child("spool-saved")
    try FileManager.default.moveItem(atPath: root, toPath: saved)
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
    let r = try FaultMounts.withTmpfs("20m", over: root) {
      let copy = try CommandRunner.run("/bin/cp", ["-a", saved + "/.", root])
      #expect(copy.status == 0, "\(copy.stderr)")
      // Leave less than the 16 MiB the spool check asks for.
      let fill = try CommandRunner.run("/usr/bin/fallocate", ["-l", "8m", root + "/filler"])
      #expect(fill.status == 0, "\(fill.stderr)")
      let r = try spool.run(["run"])
      try expectRecordedFailure(spool, exit: 74, cause: "free space on", lastSuccess: lastSuccess)
      return r
    }
    #expect(r.status == 74, "\(r.stderr)")
  }

  @Test func aRunRefusedByTheLockLeavesTheStatusAlone() throws {
    let (spool, _) = try spoolAfterGoodRun("ops-lock75")
    let statusFile = spool.folder.child("spool/state/status.json")
    let before = spool.contents(statusFile)
    let holder = try LockHolder(lockFile: spool.lockFile)
    let locked = try spool.run(["run", "--database", spool.folder.child("gone.sqlite")])
    holder.release()
    // The status belongs to the run holding the lock: the refused run does not write it, even
    // though it would have failed anyway.
    #expect(locked.status == 75, "\(locked.stderr)")
    #expect(spool.contents(statusFile) == before)
  }
}

/// Item 13: a command started where there is no connector.toml says so.
@Suite struct MissingConfigurationCLITests {
  @Test(arguments: [["run"], ["status"], ["doctor"], ["export"]])
  func aFolderWithoutConnectorTomlIsNamed(_ arguments: [String]) throws {
    let folder = try TemporaryFolder("ops-noconfig")
    let r = try CommandRunner.run("ppmp-connector", arguments, in: folder.path)
    #expect(r.status == 2, "\(r.stderr)")
    let cwd = URL(fileURLWithPath: folder.path).resolvingSymlinksInPath().path
    #expect(r.stderr.contains("no connector.toml in ") && r.stderr.contains("pass --config FILE, or run `ppmp-connector init`"), "\(r.stderr)")
    #expect(r.stderr.contains(cwd) || r.stderr.contains(folder.path), "\(r.stderr)")
    #expect(!r.stderr.contains("spool folder"), "\(r.stderr)")
    // Nothing was created in the wrong folder.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }
}

/// Item 6: `init` never silently ignores a flag, and says what it guessed.
@Suite struct InitGuessesCLITests {
  @Test func reRunningInitWithADifferentDatabaseOrPracticeIDFailsNamingTheDifference() throws {
    let spool = try DemoSpool(label: "ops-init-rerun")
    let config = spool.folder.child("connector.toml")
    let before = spool.contents(config)
    let db = try spool.run(["init", "--database", "/srv/ppmp/other.sqlite"])
    #expect(db.status == 2, "\(db.stderr)")
    #expect(db.stderr.contains("database = ") && db.stderr.contains("--database /srv/ppmp/other.sqlite") && db.stderr.contains("edit"), "\(db.stderr)")
    #expect(!db.stdout.contains("kept existing"))
    let id = try spool.run(["init", "--practice-id", "riverside"])
    #expect(id.status == 2, "\(id.stderr)")
    #expect(id.stderr.contains("practice_id = \"demo\" there, --practice-id riverside here"), "\(id.stderr)")
    #expect(spool.contents(config) == before)
    // The same values again (or none) are fine: init is still idempotent.
    let same = try spool.run(["init", "--practice-id", "demo", "--database", "ppmp-demo.sqlite"])
    #expect(same.status == 0 && same.stdout.contains("kept existing"), "\(same.stderr)")
    #expect(try spool.run(["init"]).status == 0)
  }

  @Test func aMissingDatabaseAndAGuessedPracticeIDAreWarnings() throws {
    let folder = try TemporaryFolder("ops-init-nodb")
    let r = try CommandRunner.run("ppmp-connector", ["init", "--database", "missing.sqlite"], in: folder.path)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("warning: PPMP database") && r.stderr.contains("missing.sqlite does not exist"), "\(r.stderr)")
    #expect(r.stderr.contains("warning: wrote practice_id = \"practice\""), "\(r.stderr)")
    #expect(FileSystem.fileInfo(folder.child("spool/inbox")) != nil, "the spool is created all the same")
    let text = try String(contentsOfFile: folder.child("connector.toml"), encoding: .utf8)
    #expect(text.contains("practice_id = \"practice\""))
    let quietWithID = try CommandRunner.run(
      "ppmp-connector", ["init", "--practice-id", "riverside", "--config", "other.toml", "--database", "missing.sqlite"], in: folder.path)
    #expect(quietWithID.status == 0 && !quietWithID.stderr.contains("practice_id"), "\(quietWithID.stderr)")
  }
}

/// Item 7: root on a spool another user owns is refused before anything is touched.
@Suite struct RootOnForeignSpoolCLITests {
  @Test(.enabled(if: getuid() == 0, "needs root: the refusal is about running as root"))
  func rootIsRefusedOnASpoolOwnedByAnotherUser() throws {
    let spool = try DemoSpool(label: "ops-root")
    #expect([0, 1].contains(try spool.run(["run"]).status))
    let root = spool.folder.child("spool")
    let chown = try CommandRunner.run("/bin/chown", ["-R", "nobody", root])
    #expect(chown.status == 0, "\(chown.stderr)")
    func listing() throws -> String {
      try CommandRunner.run("/usr/bin/find", [root, "-printf", "%p %u %s %T@\\n"]).stdout
    }
    let before = try listing()
    for command in [["run"], ["export"], ["archive"], ["init"]] {
      let r = try spool.run(command)
      #expect(r.status == 2, "\(command): \(r.stderr)")
      #expect(r.stderr.contains("belongs to nobody"), "\(r.stderr)")
      #expect(r.stderr.contains("runuser -u nobody -- ppmp-connector \(command[0])"), "\(r.stderr)")
    }
    #expect(try listing() == before, "nothing in the spool was created, changed or chowned")
    let rootOwned = try CommandRunner.run("/usr/bin/find", [root, "-uid", "0"]).stdout
    #expect(rootOwned.isEmpty, "\(rootOwned)")
    // Reading is harmless and still works as root.
    #expect(try spool.run(["status"]).status == 0)
  }
}

/// Item 8: a spool the user cannot read is named as such: the real errno, and no `init` advice.
@Suite struct UnreadableSpoolCLITests {
  static let canSwitchUser = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")

  @Test(.enabled(if: canSwitchUser, "needs root and runuser to run as nobody"))
  func aSpoolOwnedByAnotherUserIsPermissionDeniedNotMissing() throws {
    let spool = try DemoSpool(label: "ops-unreadable")
    // The practice folder and connector.toml readable by nobody; the spool stays root's 0700.
    chmod(spool.path, 0o755)
    chmod(spool.folder.child("connector.toml"), 0o644)
    let binary = RepositoryPaths.executable("ppmp-connector")
    func asNobody(_ arguments: [String]) throws -> CommandResult {
      try CommandRunner.run("/usr/sbin/runuser", ["-u", "nobody", "--", binary] + arguments, in: spool.path)
    }
    for command in [["status"], ["run"]] {
      let r = try asNobody(command)
      #expect(r.status == 74, "\(command): \(r.stderr)")
      #expect(r.stderr.contains("Permission denied (errno 13)") && !r.stderr.contains("Input/output"), "\(r.stderr)")
    }
    let doctor = try asNobody(["doctor", "--json"])
    #expect(!doctor.stdout.contains("spool-folder-missing"), "\(doctor.stdout)")
    // The status file cannot be read either: that is not "no run yet".
    #expect(!doctor.stdout.contains("no-run-yet") && doctor.stdout.contains("status-unreadable"), "\(doctor.stdout)")
    let findings = try #require(try JSONSerialization.jsonObject(with: Data(doctor.stdout.utf8)) as? [[String: Any]])
    let unreadable = findings.filter { $0["code"] as? String == "spool-unreadable" }
    #expect(unreadable.count == 1, "\(doctor.stdout)")
    let fix = unreadable.first?["fix"] as? String ?? ""
    #expect(fix.contains("chown") && fix.contains("Do not run init"), "\(fix)")
    #expect((unreadable.first?["what"] as? String ?? "").contains("Permission denied"))
  }
}

/// Item 14: the auditors' list in chain order with typed JSON, and extract into a new folder.
@Suite struct AuditToolsCLITests {
  @Test func listIsInSequenceOrderWithJSONNumbersAndBooleans() throws {
    let spool = try AuditCLITests().spoolWithThreeArchives("ops-audit-list")
    // Copies filed so that name order (month folder first) is 2, 3, 1.
    let dir = spool.folder.child("copies")
    let source = spool.folder.child("spool/archive/2026-03")
    for (sequence, month) in [(1, "2026-09"), (2, "2026-01"), (3, "2026-05")] {
      try FileManager.default.createDirectory(atPath: dir + "/" + month, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: source + "/demo-\(sequence).tar.zst", toPath: dir + "/\(month)/demo-\(sequence).tar.zst")
    }
    let json = try spool.run(["audit", "list", "--json", "--archive-dir", dir])
    #expect(json.status == 0, "\(json.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    #expect(rows.map { $0["sequence"] as? Int } == [1, 2, 3], "\(json.stdout)")
    #expect(rows.map { $0["archive"] as? String } == ["2026-09/demo-1.tar.zst", "2026-01/demo-2.tar.zst", "2026-05/demo-3.tar.zst"])
    #expect(!json.stdout.contains("\"yes\"") && !json.stdout.contains("\"sequence\" : \""), "\(json.stdout)")
    for row in rows {
      #expect(row["intact"] as? Bool == true)
      #expect(row["files"] is Int && row["payloadBytes"] is Int && row["fileBytes"] is Int, "\(row)")
      #expect((row["fileBytes"] as? Int ?? 0) > 0)
    }
    let text = try spool.run(["audit", "list", "--archive-dir", dir])
    let firsts = text.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").first.map(String.init) }
    #expect(firsts == ["1", "2", "3"], "\(text.stdout)")
  }

  @Test func extractCreatesAMissingTargetFolderAndCallsItAFolder() throws {
    let spool = try AuditCLITests().spoolWithThreeArchives("ops-audit-extract")
    let target = spool.folder.child("new/out")
    let r = try spool.run(["audit", "extract", "demo-2", target])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(FileManager.default.fileExists(atPath: target + "/demo-2/bag-info.txt"))
    #expect((try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int) == 0o700)
    let again = try spool.run(["audit", "extract", "demo-2", target])
    #expect(again.status == 65)
    #expect(again.stderr.contains("the target folder \(target) is not empty") && !again.stderr.contains("member"), "\(again.stderr)")
  }
}
