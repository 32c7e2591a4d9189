import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// `ppmp-connector resend NAME` restores outbox files from staging or the archives, whole, and
/// never replaces a different file.
@Suite struct ResendCLITests {
  private func hiddenFiles(_ spool: DemoSpool) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: spool.outbox).filter { $0.hasPrefix(".") }
  }

  @Test func aTakenFileComesBackFromStagingThenFromTheArchive() throws {
    let spool = try DemoSpool(label: "resend")
    try spool.prepareForIngest()
    // The first run archives at once (nothing archived yet); the second one's receipt stays staged.
    #expect(try spool.run(["run"]).status == 0)
    let snapshot = try #require(try spool.outboxFiles().first)
    try spool.placeDrop("he-resend.xml", try DropWriter.render(practiceID: "demo", bookings: [], cancellations: [
      CancellationMessage(heMsgId: "he-demo-0001", requestId: "r-resend", updatedAt: "2026-03-02T00:00:00Z")
    ]))
    #expect([0, 1].contains(try spool.run(["run"], asOf: "2026-03-02T08:05").status))
    let receipt = try #require(try spool.outboxFiles().first { $0.hasPrefix("receipt-") })
    let original = spool.contents(spool.outbox + "/" + receipt)
    #expect(!original.isEmpty)

    // The transfer job took it; it is still staged.
    try FileManager.default.removeItem(atPath: spool.outbox + "/" + receipt)
    let fromStaging = try spool.run(["resend", receipt])
    #expect(fromStaging.status == 0, "\(fromStaging.stderr)")
    #expect(fromStaging.stdout.contains("from staging"), "\(fromStaging.stdout)")
    #expect(spool.contents(spool.outbox + "/" + receipt) == original)
    #expect(FileSystem.fileInfo(spool.outbox + "/" + receipt).map { $0.mode & 0o777 } == 0o600)

    // Archived: staging is empty now, the archive holds it.
    let archived = try spool.run(["archive"])
    #expect(archived.status == 0, "\(archived.stderr)")
    for name in [receipt, snapshot] { try FileManager.default.removeItem(atPath: spool.outbox + "/" + name) }
    let snapshotBytes = try spool.run(["resend", snapshot])
    #expect(snapshotBytes.status == 0, "\(snapshotBytes.stderr)")
    #expect(snapshotBytes.stdout.contains(".tar"), "\(snapshotBytes.stdout)")
    let fromArchive = try spool.run(["resend", receipt])
    #expect(fromArchive.status == 0, "\(fromArchive.stderr)")
    #expect(fromArchive.stdout.contains("from 20"), "\(fromArchive.stdout)")
    #expect(spool.contents(spool.outbox + "/" + receipt) == original)

    // Already there with the same bytes: nothing to do.
    let again = try spool.run(["resend", receipt])
    #expect(again.status == 0)
    #expect(again.stdout.contains("already there"), "\(again.stdout)")

    // A different file under that name is never replaced.
    let other = Array("<not the receipt/>".utf8)
    try FileManager.default.removeItem(atPath: spool.outbox + "/" + receipt)
    try FileSystem.write(other, toNewFile: spool.outbox + "/" + receipt)
    let clash = try spool.run(["resend", receipt])
    #expect(clash.status == 65)
    #expect(clash.stderr.contains("already exists with other content"), "\(clash.stderr)")
    #expect(spool.contents(spool.outbox + "/" + receipt) == other)
    #expect(try hiddenFiles(spool).isEmpty)
  }

  @Test func namesTheConnectorNeverWroteAreRefused() throws {
    let spool = try DemoSpool(label: "resend-refuse")
    #expect([0, 1].contains(try spool.run(["run"]).status))
    let before = try spool.outboxFiles()
    let unknown = try spool.run(["resend", "receipt-never-written.xml"])
    #expect(unknown.status == 65)
    #expect(unknown.stderr.contains("never wrote an outbox file named receipt-never-written.xml"), "\(unknown.stderr)")
    // The drop itself is staged under inbox/, not outbox/: not something the connector wrote.
    let drop = try spool.run(["resend", "he-sample-drop-1.xml"])
    #expect(drop.status == 65, "\(drop.stdout)")
    for bad in ["../connector.toml", ".hidden", ""] {
      #expect(try spool.run(["resend", bad]).status == 2, "\(bad)")
    }
    // Options the command would ignore are refused rather than silently dropped.
    let receipt = try #require(before.first { $0.hasPrefix("receipt-") })
    for (option, value) in [("--as-of", "2026-03-02T08:00"), ("--database", "elsewhere.sqlite")] {
      for command in [["resend", receipt], ["ack", "--all"]] {
        let r = try spool.run(command + [option, value])
        #expect(r.status == 2 && r.stderr.contains("takes no \(option)"), "\(command) \(option): \(r.stderr)")
      }
    }
    #expect(try spool.outboxFiles() == before)
    #expect(try hiddenFiles(spool).isEmpty)
  }

  @Test(.enabled(if: getuid() == 0, "needs root: the refusal is about running as root"))
  func rootIsRefusedForResendAndAckOnASpoolOwnedByAnotherUser() throws {
    let spool = try DemoSpool(label: "resend-root")
    #expect([0, 1].contains(try spool.run(["run"]).status))
    let receipt = try #require(try spool.outboxFiles().first { $0.hasPrefix("receipt-") })
    try FileManager.default.removeItem(atPath: spool.outbox + "/" + receipt)
    let root = spool.folder.child("spool")
    #expect(try CommandRunner.run("/bin/chown", ["-R", "nobody", root]).status == 0)
    for command in [["resend", receipt], ["ack", "2002"]] {
      let r = try spool.run(command)
      #expect(r.status == 2, "\(command): \(r.stderr)")
      #expect(r.stderr.contains("runuser -u nobody -- ppmp-connector \(command[0])"), "\(r.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: spool.outbox + "/" + receipt))
    #expect(try CommandRunner.run("/usr/bin/find", [root, "-uid", "0"]).stdout.isEmpty)
  }
}
