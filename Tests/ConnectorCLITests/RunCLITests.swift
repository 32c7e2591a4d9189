import ConnectorTestSupport
import Foundation
import Testing

/// Parses a command's stdout as a JSON object.
func jsonObject(_ text: String) throws -> [String: Any] {
  try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// Counts `<name ` elements in an XML file's text.
func count(_ element: String, in bytes: [UInt8]) -> Int {
  String(decoding: bytes, as: UTF8.self).components(separatedBy: "<\(element) ").count - 1
}

/// Holds `state/lock` from another process, the way a running batch does, until `release()`
/// (or deinit) closes the child's stdin.
final class LockHolder {
  let process = Process()
  private let stdin = Pipe()

  init(lockFile: String) throws {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    process.arguments = ["-x", lockFile, "/bin/sh", "-c", "read line"]
    process.standardInput = stdin
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Wait until the lock is really taken: `flock -n` fails while it is held.
    for _ in 0..<200 {
      let probe = try CommandRunner.run("/usr/bin/flock", ["-n", lockFile, "true"])
      if probe.status != 0 { return }
      usleep(20_000)
    }
    release()
    throw HarnessError.failed("flock never took \(lockFile)")
  }

  /// Lets the holder end, which frees the lock.
  func release() {
    try? stdin.fileHandleForWriting.close()
    process.waitUntilExit()
  }

  deinit { release() }
}

@Suite struct RunCLITests {
  @Test func demoRunThenNothingNewThenNextDay() throws {
    let spool = try DemoSpool(label: "run-e2e")
    let first = try spool.run(["run"])
    // The sample drops hold deliberate rejections: done, something rejected.
    #expect(first.status == 1, "\(first.stderr)")
    // A sample booking is refused slot-unavailable: that day goes out again in a refresh, numbered
    // after the snapshot.
    #expect(try spool.outboxFiles() == [
      "receipt-he-sample-drop-1.xml", "refresh-demo-2.xml", "rejected-he-sample-drop-2.xml", "snapshot-demo-1.xml",
    ])
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path + "/spool/rejected").sorted() == [
      "he-sample-drop-2.xml", "he-sample-drop-2.xml.reason.txt",
    ])
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool.inbox).isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path + "/spool/work").isEmpty)
    #expect(FileManager.default.fileExists(atPath: spool.path + "/spool/archive/2026-03/demo-1.tar.zst"))
    // Patient names from the drops never reach the log.
    #expect(!first.stderr.contains("Newpatient") && !first.stdout.contains("Newpatient"))

    let receipt = spool.contents(spool.outbox + "/receipt-he-sample-drop-1.xml")
    let status = try jsonObject(try spool.run(["status", "--json"]).stdout)
    let lastRun = try #require(status["lastRun"] as? [String: Any])
    let ingest = try #require(lastRun["ingest"] as? [String: Any])
    #expect(status["hasRun"] as? Bool == true)
    #expect(lastRun["outcome"] as? String == "rejections" && lastRun["exitCode"] as? Int == 1)
    #expect(ingest["confirmed"] as? Int == count("confirmInsert", in: receipt) + count("confirmUpdate", in: receipt))
    #expect(ingest["rejectedMessages"] as? Int == count("rejectInsert", in: receipt) + count("rejectUpdate", in: receipt))
    #expect(ingest["drops"] as? Int == 2 && ingest["dropsRejected"] as? Int == 1)
    let export = try #require(lastRun["export"] as? [String: Any])
    #expect(export["file"] as? String == "snapshot-demo-1.xml" && export["outcome"] as? String == "snapshot")
    let queue = try #require(status["queue"] as? [String: Any])
    #expect(queue["inbox"] as? Int == 0 && queue["rejected"] as? Int == 1 && queue["oldestWaitingSeconds"] == nil)
    let archive = try #require(status["archive"] as? [String: Any])
    #expect(archive["count"] as? Int == 1 && archive["chainVerified"] as? Bool == true)
    #expect(archive["lastName"] as? String == "demo-1" && archive["lastPath"] as? String == "2026-03/demo-1.tar.zst")
    #expect(archive["nextDue"] as? String == "2026-03-02T09:00")

    let second = try spool.run(["run"])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(try spool.outboxFiles().count == 4)
    let secondStatus = try #require(try jsonObject(try spool.run(["status", "--json"]).stdout)["lastRun"] as? [String: Any])
    #expect((secondStatus["export"] as? [String: Any])?["outcome"] as? String == "unchanged")

    let third = try spool.run(["run"], asOf: "2026-03-03T08:00")
    #expect(third.status == 0, "\(third.stderr)")
    #expect(try spool.outboxFiles(prefix: "delta-") == ["delta-demo-3.xml"])
    let human = try spool.run(["status"])
    #expect(human.status == 0 && human.stdout.contains("as of 2026-03-03T08:00") && human.stdout.contains("chain verified"), "\(human.stdout)")
  }

  @Test func statusBeforeAnyRunSaysSo() throws {
    let spool = try DemoSpool(label: "status-none")
    let human = try spool.run(["status"])
    #expect(human.status == 0)
    #expect(human.stdout.contains("no run yet") && human.stdout.contains("inbox 2"), "\(human.stdout)")
    let json = try jsonObject(try spool.run(["status", "--json"]).stdout)
    #expect(json["hasRun"] as? Bool == false && json["lastRun"] == nil)
    #expect(!FileManager.default.fileExists(atPath: spool.path + "/spool/state/connector.sqlite"))
  }

  @Test func aSecondRunWhileTheLockIsHeldExits75AtOnce() throws {
    let spool = try DemoSpool(label: "run-locked")
    let holder = try LockHolder(lockFile: spool.lockFile)
    let r = try spool.run(["run"])
    #expect(r.status == 75)
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 1 && lines.first?.contains("holds") == true, "\(r.stderr)")
    // It did not wait for the holder, and touched nothing.
    #expect(holder.process.isRunning)
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool.inbox).count == 2)
    #expect(try spool.outboxFiles().isEmpty)
  }

  @Test func twoRunsStartedTogetherDoTheWorkOnce() throws {
    let spool = try DemoSpool(label: "run-race")
    let results = try [0, 1].map { _ in
      try CommandRunner.start("ppmp-connector", ["run", "--as-of", spool.asOf, "--quiet"], in: spool.path)
    }.map { p -> Int32 in
      p.waitUntilExit()
      return p.terminationStatus
    }
    // Either one ran while the other was refused (1 and 75), or they ran one after the other
    // (1 then 0); never two sets of receipts.
    #expect(results.sorted() == [1, 75] || results.sorted() == [0, 1], "\(results)")
    #expect(try spool.outboxFiles(prefix: "receipt-") == ["receipt-he-sample-drop-1.xml"])
    #expect(try spool.outboxFiles(prefix: "snapshot-") == ["snapshot-demo-1.xml"])
  }
}

@Suite struct RunSignalCLITests {
  /// SIGTERM mid-run: the current drop finishes, the rest stays claimed or waiting, nothing is
  /// lost, and the next run completes without applying anything twice.
  @Test func sigtermLeavesTheSpoolConsistentAndTheNextRunFinishes() throws {
    let spool = try DemoSpool(label: "run-sigterm")
    let database = spool.database
    // Replace the sample drops with enough small drops that the run is still busy when the signal comes.
    for name in try FileManager.default.contentsOfDirectory(atPath: spool.inbox) {
      try FileManager.default.removeItem(atPath: spool.inbox + "/" + name)
    }
    let generated = try CommandRunner.run(
      "ppmp-fixtures",
      ["drops", "--database", database, "--out", spool.inbox, "--bookings", "300", "--cancellations", "20", "--invalid", "0",
       "--seed", "5", "--per-drop", "8", "--practice-id", "demo", "--as-of", spool.asOf])
    #expect(generated.status == 0, "\(generated.stderr)")
    let drops = try FileManager.default.contentsOfDirectory(atPath: spool.inbox).filter { $0.hasSuffix(".xml") }
    #expect(drops.count >= 30)
    // Settled: delivered a minute ago.
    let past = timeval(tv_sec: Int(Date().timeIntervalSince1970) - 60, tv_usec: 0)
    for name in drops { _ = utimes(spool.inbox + "/" + name, [past, past]) }
    let tokensBefore = try tokenCount(database)

    let process = try CommandRunner.start("ppmp-connector", ["run", "--as-of", spool.asOf, "--quiet"], in: spool.path)
    // Signal once the first receipt is out (bounded wait so a broken build cannot hang the suite).
    for _ in 0..<1500 where process.isRunning {
      if try !spool.outboxFiles(prefix: "receipt-").isEmpty { break }
      usleep(20_000)
    }
    process.terminate()
    process.waitUntilExit()
    let answered = try spool.outboxFiles(prefix: "receipt-").count
    if process.terminationStatus == 128 + SIGTERM {
      let status = try jsonObject(try spool.run(["status", "--json"]).stdout)
      #expect((status["lastRun"] as? [String: Any])?["outcome"] as? String == "interrupted")
      #expect(answered < drops.count)
    } else {
      // The run beat the signal: still a valid outcome, only less interesting.
      #expect([0, 1].contains(process.terminationStatus))
    }
    // Nothing lost: every drop is answered, still claimed in work/, or still waiting.
    let waiting = try FileManager.default.contentsOfDirectory(atPath: spool.inbox).count
    let claimed = try FileManager.default.contentsOfDirectory(atPath: spool.path + "/spool/work").count
    #expect(answered + waiting + claimed == drops.count, "answered \(answered) waiting \(waiting) claimed \(claimed)")

    let next = try spool.run(["run"])
    #expect([0, 1].contains(next.status), "\(next.stderr)")
    #expect(try spool.outboxFiles(prefix: "receipt-").count == drops.count)
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool.inbox).isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path + "/spool/work").isEmpty)
    // Applied exactly once: one new token per confirmed booking across all receipts.
    var confirmed = 0
    for name in try spool.outboxFiles(prefix: "receipt-") {
      confirmed += count("confirmInsert", in: spool.contents(spool.outbox + "/" + name))
    }
    #expect(try tokenCount(database) == tokensBefore + confirmed)
  }

  private func tokenCount(_ database: String) throws -> Int {
    let r = try CommandRunner.run("/usr/bin/sqlite3", [database, "SELECT COUNT(*) FROM appointments WHERE comments LIKE '%HE_MSG_ID:%'"])
    return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
  }
}
