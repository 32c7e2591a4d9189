import ConnectorTestSupport
import Foundation
import GRDB
import Testing

/// Losing or damaging `state/connector.sqlite` or `state/published.xml` (SPEC §10): the connector
/// says so, republishes in full, rebuilds the archive catalog from archive/, and still applies
/// nothing twice.
@Suite struct StateLossTests {
  /// Two healthy runs with drops, so there are archives, a snapshot and a delta to lose.
  private func spoolWithHistory(_ label: String) throws -> FaultSpool {
    let spool = try FaultSpool(label: label, bookings: 12, cancellations: 2, invalid: 1, seed: 5)
    for _ in 0..<2 {
      try spool.feed(2)
      let r = try spool.demo.run(["run"])
      #expect([0, 1].contains(r.status), "\(r.stderr)")
    }
    return spool
  }

  private func archiveCount(_ spool: FaultSpool) throws -> Int {
    try spool.demo.run(["audit", "list"]).stdout.split(separator: "\n").filter { $0.first?.isNumber == true }.count
  }

  /// Each review item as one line: heMsgId, new file, match and its candidates in rank order.
  func reviewQueue(_ spool: FaultSpool) throws -> [String] {
    try DatabaseQueue(path: spool.sub("state/connector.sqlite")).read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT i.he_msg_id, i.new_patient_id, i.patient_match, group_concat(c.patient_id, ',') FROM review_item i
          LEFT JOIN (SELECT * FROM review_candidate ORDER BY he_msg_id, rank) c USING (he_msg_id)
          GROUP BY i.he_msg_id ORDER BY i.he_msg_id
          """
      ).map { "\($0[0] as String) \($0[1] as Int64) \($0[2] as String) [\(($0[3] as String?) ?? "")]" }
    }
  }

  @Test func deletedStateIsRebuiltFromTheArchivesAndNothingIsAppliedTwice() throws {
    let spool = try spoolWithHistory("state-lost")
    let archivesBefore = try archiveCount(spool)
    #expect(archivesBefore >= 2)
    let reviewBefore = try reviewQueue(spool)
    #expect(!reviewBefore.isEmpty, "the history has bookings that got a new file")
    let lastSequence = spool.files("outbox").compactMap { name -> Int? in
      guard name.hasPrefix("snapshot-demo-") || name.hasPrefix("delta-demo-") else { return nil }
      return Int(name.split(separator: "-")[2].prefix { $0.isNumber })
    }.max() ?? 0
    try FileManager.default.removeItem(atPath: spool.sub("state/connector.sqlite"))
    // A drop already answered arrives again under a new name: its bookings must be confirmed
    // from PPMP's HE_MSG_ID tokens, not inserted a second time.
    let answered = try #require(
      spool.fed.last { name in
        let receipt = spool.sub("outbox/receipt-" + (name as NSString).deletingPathExtension + ".xml")
        return (try? String(contentsOfFile: receipt, encoding: .utf8))?.contains("<confirmInsert") == true
      })
    let staged = spool.sub("state/staging/inbox/" + answered)
    let archived = try spool.demo.run(["audit", "show", "demo-2", "data/inbox/" + answered])
    let copy = spool.demo.inbox + "/again-" + answered
    spool.noteFed("again-" + answered)
    if FileManager.default.fileExists(atPath: staged) {
      try FileManager.default.copyItem(atPath: staged, toPath: copy)
    } else {
      try archived.stdout.write(toFile: copy, atomically: true, encoding: .utf8)
    }
    try spool.feed(2)
    let r = try spool.demo.run(["run"])
    #expect([0, 1].contains(r.status), "\(r.stderr)")
    #expect(r.stderr.contains("connector.sqlite was missing"))
    #expect(r.stderr.contains("archive catalog rebuilt from archive/: \(archivesBefore) of \(archivesBefore)"))
    let status = try String(contentsOfFile: spool.sub("state/status.json"), encoding: .utf8)
    #expect(status.contains("archive catalog rebuilt"))
    // The review queue went with the state; every item comes back, with the same candidates.
    #expect(r.stderr.contains("review queue rebuilt from PPMP: \(reviewBefore.count) booking(s)"), "\(r.stderr)")
    let reviewAfter = try reviewQueue(spool)
    #expect(Set(reviewBefore).isSubset(of: Set(reviewAfter)), "before: \(reviewBefore)\nafter: \(reviewAfter)")
    #expect(try archiveCount(spool) == archivesBefore + 1, "the new archive continues the rebuilt catalog")
    let newSnapshot = try #require(spool.files("outbox").first { $0.hasPrefix("snapshot-demo-\(lastSequence + 1)") })
    #expect(newSnapshot == "snapshot-demo-\(lastSequence + 1).xml", "a full snapshot with a fresh sequence")
    let problems = try spool.violations(expectAllFed: true)
    #expect(problems.isEmpty, "\(problems)")
    #expect(spool.files("outbox").contains("receipt-again-" + (answered as NSString).deletingPathExtension + ".xml"))
  }

  /// After a state loss the journal's bookings come back from PPMP's HE_MSG_ID tokens: a
  /// re-sent heMsgId whose booking moved to another day is `duplicate-message`, never a second
  /// appointment (a lookup by token on the new day alone would not have found the first).
  @Test func aResentHeMsgIdMovedToAnotherDayAfterStateLossIsADuplicateMessage() throws {
    let spool = try spoolWithHistory("state-lost-moved")
    try FileManager.default.removeItem(atPath: spool.sub("state/connector.sqlite"))
    // A booking some receipt confirmed, and the drop it came in (staged or archived).
    var found: (id: String, drop: String)?
    for name in spool.fed where found == nil {
      let stem = (name as NSString).deletingPathExtension
      guard let receipt = try? String(contentsOfFile: spool.sub("outbox/receipt-\(stem).xml"), encoding: .utf8),
        let id = receipt.firstMatch(of: /<confirmInsert heMsgId="([^"]+)"/)?.1
      else { continue }
      let staged = spool.sub("state/staging/inbox/" + name)
      var text = (try? String(contentsOfFile: staged, encoding: .utf8)) ?? ""
      for archive in ["demo-1", "demo-2"] where text.isEmpty {
        text = try spool.demo.run(["audit", "show", archive, "data/inbox/" + name]).stdout
      }
      found = (String(id), text)
    }
    let (id, drop) = try #require(found)
    let booking = try #require(drop.firstMatch(of: try Regex("<booking [^>]*heMsgId=\"\(id)\"[^>]*>[\\s\\S]*?</booking>")))
    let time = try #require(String(booking.0).firstMatch(of: /pmsAppointmentTime="(\d{4}-\d{2}-)(\d{2})T/))
    let nextDay = String(format: "%02d", Int(time.2)! + 1)
    let moved = String(booking.0).replacingOccurrences(of: "\(time.0)", with: "pmsAppointmentTime=\"\(time.1)\(nextDay)T")
    let root = try #require(drop.firstMatch(of: /<drop [^>]*>/))
    try ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.0 + "\n  " + moved + "\n</drop>\n")
      .write(toFile: spool.demo.inbox + "/moved.xml", atomically: true, encoding: .utf8)
    spool.noteFed("moved.xml")

    let r = try spool.demo.run(["run"])
    #expect([0, 1].contains(r.status), "\(r.stderr)")
    #expect(r.stderr.contains("message journal rebuilt from PPMP"), "\(r.stderr)")
    let receipt = try String(contentsOfFile: spool.sub("outbox/receipt-moved.xml"), encoding: .utf8)
    #expect(receipt.contains("<rejectInsert heMsgId=\"\(id)\"") && receipt.contains("reason=\"duplicate-message\""), "\(receipt)")
    let problems = try spool.violations(expectAllFed: true)
    #expect(problems.isEmpty, "\(problems)")
  }

  @Test func damagedStateStopsWithAClearMessageAndTouchesNothing() throws {
    let spool = try spoolWithHistory("state-damaged")
    let state = spool.sub("state/connector.sqlite")
    try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: state))
    try spool.feed(2)
    let inboxBefore = spool.files("inbox")
    let database = spool.demo.contents(spool.demo.database)
    let r = try spool.demo.run(["run"])
    #expect(r.status == 65)
    #expect(r.stderr.contains("connector state") && r.stderr.contains("spool/state/connector.sqlite") && r.stderr.contains("move it aside"))
    #expect(spool.files("inbox") == inboxBefore && spool.files("work").isEmpty)
    #expect(spool.demo.contents(spool.demo.database) == database)
    // The documented recovery: move it aside, run again.
    try FileManager.default.moveItem(atPath: state, toPath: state + ".damaged")
    let again = try spool.demo.run(["run"])
    #expect([0, 1].contains(again.status), "\(again.stderr)")
    #expect(try spool.violations().isEmpty)
  }

  @Test(arguments: ["tampered", "deleted"])
  func lostOrTamperedPublishedSnapshotForcesAFullSnapshot(damage: String) throws {
    let spool = try spoolWithHistory("published-\(damage)")
    let published = spool.sub("state/published.xml")
    if damage == "deleted" {
      try FileManager.default.removeItem(atPath: published)
    } else {
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: published))
      try handle.seekToEnd()
      try handle.write(contentsOf: Data("<!-- edited -->\n".utf8))
      try handle.close()
    }
    let snapshotsBefore = spool.files("outbox").filter { $0.hasPrefix("snapshot-") }.count
    let r = try spool.demo.run(["run"])
    #expect([0, 1].contains(r.status), "\(r.stderr)")
    #expect(r.stderr.contains("published.xml") && r.stderr.contains("full snapshot"))
    #expect(spool.files("outbox").filter { $0.hasPrefix("snapshot-") }.count == snapshotsBefore + 1)
    #expect(try spool.violations().isEmpty)
  }
}
