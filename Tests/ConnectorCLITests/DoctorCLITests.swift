import ConnectorTestSupport
import Foundation
import Testing

/// `doctor --json` findings of a demo spool.
private func findings(_ spool: DemoSpool) throws -> (status: Int32, findings: [[String: Any]], stdout: String) {
  let r = try spool.run(["doctor", "--json"])
  let array = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], "\(r.stderr)")
  return (r.status, array, r.stdout)
}

private func location(_ finding: [String: Any]) -> [String: Any] { finding["where"] as? [String: Any] ?? [:] }

private func sqlite(_ database: String, _ sql: String) throws {
  let r = try CommandRunner.run("/usr/bin/sqlite3", [database, sql])
  guard r.status == 0 else { throw HarnessError.failed("sqlite3: \(r.stderr)") }
}

@Suite struct DoctorCLITests {
  @Test func demoPracticeReportsEverySeededProblem() throws {
    let spool = try DemoSpool(label: "doctor-demo")
    let (status, all, stdout) = try findings(spool)
    #expect(status == 1)
    let invalid = all.filter { $0["code"] as? String == "invalid-diary-time" }
    #expect(Set(invalid.compactMap { location($0)["diary"] as? String }) == ["main", "alternate"])
    #expect(invalid.allSatisfy { location($0)["practitionerId"] as? Int == 5 && $0["severity"] as? String == "error" })
    let texts = Set(invalid.compactMap { location($0)["rowText"] as? String })
    #expect(texts.contains("9:00 am–5:00pm every 15 min") && texts.contains("0900–12:00 every 15 min"), "\(texts)")
    func one(_ code: String) -> [String: Any]? { all.first { $0["code"] as? String == code } }
    #expect(location(try #require(one("slot-duration-not-zero")))["practitionerId"] as? Int == 6)
    #expect(location(try #require(one("multi-column-default-mode")))["practitionerId"] as? Int == 3)
    #expect(location(try #require(one("inconsistent-slot-lengths")))["practitionerId"] as? Int == 9)
    let removed = try #require(one("he-msg-id-removed"))
    #expect(removed["severity"] as? String == "error" && location(removed)["appointmentId"] != nil)
    #expect(location(removed)["practitionerId"] as? Int == 6 && location(removed)["practitionerName"] as? String == "Mr Tom Williams")
    #expect(one("ppmp-version-no-colour") == nil)
    // Stable JSON: sorted keys, every finding with the five fields.
    #expect(all.allSatisfy { Set($0.keys) == ["code", "fix", "severity", "what", "where"] })
    #expect(stdout.range(of: "\"code\"")!.lowerBound < stdout.range(of: "\"fix\"")!.lowerBound)

    try sqlite(spool.database, "UPDATE settings SET value='8.10' WHERE key='ppmp_version'")
    let old = try findings(spool).findings.compactMap { $0["code"] as? String }.filter { $0.hasPrefix("ppmp-version") }
    #expect(old == ["ppmp-version-no-colour", "ppmp-version-new-patient-files"])
  }

  @Test func tokenRemovedFromAConfirmedBookingIsFoundThroughTheJournal() throws {
    let spool = try DemoSpool(label: "doctor-token")
    #expect(try spool.run(["run"]).status == 1)
    #expect(try findings(spool).findings.filter { ($0["what"] as? String)?.contains("he-sample-1001") == true }.isEmpty)
    try sqlite(spool.database, "UPDATE appointments SET comments = 'Rebooked by phone' WHERE comments LIKE '%HE_MSG_ID:he-sample-1001%'")
    let (status, all, stdout) = try findings(spool)
    #expect(status == 1)
    let hit = all.filter { $0["code"] as? String == "he-msg-id-removed" && ($0["what"] as? String)?.contains("he-sample-1001") == true }
    #expect(hit.count == 1)
    #expect((hit.first?["fix"] as? String)?.contains("HE_MSG_ID:he-sample-1001") == true)
    // The booking's patient is never named.
    #expect(!stdout.contains("Newpatient") && !stdout.contains("0400 000"))
  }

  @Test func brokenArchiveChainIsAnError() throws {
    let spool = try DemoSpool(label: "doctor-archive")
    #expect(try spool.run(["run"]).status == 1)
    #expect(try findings(spool).findings.first { $0["code"] as? String == "archive-chain-broken" } == nil)
    let archive = spool.path + "/spool/archive/2026-03/demo-1.tar.zst"
    let handle = try #require(FileHandle(forWritingAtPath: archive))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data([0x42]))
    try handle.close()
    let broken = try findings(spool).findings.first { $0["code"] as? String == "archive-chain-broken" }
    #expect(broken?["severity"] as? String == "error")
    let status = try jsonObject(try spool.run(["status", "--json"]).stdout)
    #expect((status["archive"] as? [String: Any])?["chainVerified"] as? Bool == false)
    // A readable archive leaks patient data: reported with its path under archive/.
    chmod(archive, 0o644)
    let leak = try findings(spool).findings.first { $0["code"] as? String == "spool-file-permissions" }
    #expect((leak?["what"] as? String)?.contains("2026-03/demo-1.tar.zst") == true, "\(String(describing: leak))")
  }

  @Test func doctorRunsWhileABatchHoldsTheLock() throws {
    let spool = try DemoSpool(label: "doctor-locked")
    let holder = try LockHolder(lockFile: spool.lockFile)
    let r = try spool.run(["doctor"])
    #expect(r.status == 1, "\(r.stderr)")
    #expect(r.stdout.contains("ERRORS") && r.stdout.contains("[invalid-diary-time]"), "\(r.stdout)")
    #expect(holder.process.isRunning)
    let status = try spool.run(["status"])
    #expect(status.status == 0 && status.stdout.contains("no run yet"))
  }
}
