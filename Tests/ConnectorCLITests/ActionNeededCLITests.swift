import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// Rejections that need a person stay listed by `status`, `doctor`, the metrics and the
/// front-desk page until `ppmp-connector ack` (docs/operations.md, "Action needed").
@Suite struct ActionNeededCLITests {
  /// A demo spool where one confirmed booking lost its token, then a drop with its cancellation,
  /// a booking for a practitioner PPMP does not have, a bad booking Healthengine had confirmed
  /// hours before, and a bad booking answered in time.
  private func spoolWithActionNeeded(_ label: String) throws -> (spool: DemoSpool, booked: String, appointment: String) {
    let spool = try DemoSpool(label: label)
    try spool.prepareForIngest()
    _ = try spool.generateDrops(bookings: 1, perDrop: 1, seed: 18)
    let first = try spool.run(["run"])
    #expect([0, 1].contains(first.status), "\(first.stderr)")
    let booked = try #require(try spool.tokenCounts().keys.first { $0.hasPrefix("he-") && !$0.hasPrefix("he-demo") })
    let appointment = try spool.sql("SELECT id FROM appointments WHERE comments LIKE '%HE_MSG_ID:\(booked)%';")
      .trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(!appointment.isEmpty)
    // Staff edit the token out of the comments.
    _ = try spool.sql("UPDATE appointments SET comments = 'rebooked by phone' WHERE id = \(appointment);")

    let start = try #require(LocalDateTime("2026-03-10T09:00"))
    var unknown = BookingMessage.make(
      heMsgId: "he-an-unknown-staff", bookingId: "9101", resourceID: 99, typeCode: nil, start: start, lengthMinutes: 30,
      bookedTime: "2026-03-02T00:00:00Z", firstName: "Quentin", lastName: "Secretname", dob: "1980-01-01", phone: "0400 111 222")
    unknown.isNewPatient = "false"
    // 08:00 in Perth is 00:00 UTC: booked four hours earlier, Healthengine confirmed it long ago.
    let late = BookingMessage.make(
      heMsgId: "he-an-late", bookingId: "9102", resourceID: 1, typeCode: nil, start: start, lengthMinutes: 30,
      bookedTime: "2026-03-01T20:00:00Z", firstName: "Lately", lastName: "Hiddenname", dob: "1990-02-30", phone: "0400 111 223")
    let inTime = BookingMessage.make(
      heMsgId: "he-an-in-time", bookingId: "9103", resourceID: 1, typeCode: nil, start: start, lengthMinutes: 30,
      bookedTime: "2026-03-02T00:00:00Z", firstName: "Prompt", lastName: "Hiddenname", dob: "1990-02-30", phone: "0400 111 224")
    try spool.placeDrop(
      "he-an-drop.xml",
      try DropWriter.render(
        practiceID: "demo", bookings: [unknown, late, inTime],
        cancellations: [CancellationMessage(heMsgId: booked, requestId: "req-an-1", updatedAt: "2026-03-02T00:00:00Z")]))
    let second = try spool.run(["run"])
    #expect(second.status == 1, "\(second.stdout)\(second.stderr)")
    return (spool, booked, appointment)
  }

  @Test func rejectionsThatNeedAPersonAreListedUntilAcknowledged() throws {
    let (spool, booked, appointment) = try spoolWithActionNeeded("an-list")

    let status = try jsonObject(try spool.run(["status", "--json"]).stdout)
    #expect(status["actionNeeded"] as? Int == 3)
    let items = try #require(status["actionNeededItems"] as? [[String: Any]])
    let byKey = Dictionary(uniqueKeysWithValues: items.map { ($0["key"] as? String ?? "", $0) })
    #expect(Set(byKey.keys) == ["req-an-1", "he-an-unknown-staff", "he-an-late"])
    #expect(byKey["req-an-1"]?["cause"] as? String == "unknown-booking")
    #expect(byKey["req-an-1"]?["heMsgId"] as? String == booked)
    #expect((byKey["req-an-1"]?["appointmentId"] as? Int).map(String.init) == appointment)
    #expect(byKey["req-an-1"]?["practitionerId"] as? Int != nil && byKey["req-an-1"]?["date"] as? String != nil)
    #expect(byKey["he-an-unknown-staff"]?["cause"] as? String == "unknown-practitioner")
    #expect(byKey["he-an-unknown-staff"]?["practitionerId"] as? Int == 99)
    #expect(byKey["he-an-late"]?["cause"] as? String == "rejected-after-confirmation")
    #expect(byKey["he-an-late"]?["date"] as? String == "2026-03-10T09:00")

    let human = try spool.run(["status"])
    #expect(human.stdout.contains("action needed: 3"), "\(human.stdout)")

    let doctor = try spool.run(["doctor", "--json"])
    let findings = try #require(try JSONSerialization.jsonObject(with: Data(doctor.stdout.utf8)) as? [[String: Any]])
    let actions = findings.filter { $0["code"] as? String == "action-needed" }
    #expect(actions.count == 3)
    let cancelled = try #require(actions.first { ($0["where"] as? [String: Any])?["text"] as? String == booked })
    #expect(((cancelled["where"] as? [String: Any])?["appointmentId"] as? Int).map(String.init) == appointment)
    #expect((cancelled["fix"] as? String ?? "").contains("ppmp-connector ack req-an-1"))

    let metrics = try String(contentsOfFile: spool.folder.child("spool/state/metrics.prom"), encoding: .utf8)
    #expect(metrics.contains("ppmp_connector_action_needed{cause=\"unknown-booking\"} 1"))
    #expect(metrics.contains("ppmp_connector_action_needed{cause=\"unknown-practitioner\"} 1"))
    #expect(metrics.contains("ppmp_connector_action_needed{cause=\"rejected-after-confirmation\"} 1"))

    let page = spool.folder.child("page.html")
    let report = try spool.run(["report", "--html", page])
    #expect(report.status == 0, "\(report.stderr)")
    let html = try String(contentsOfFile: page, encoding: .utf8)
    #expect(html.contains("ppmp-connector ack he-an-late"))

    for text in [human.stdout, doctor.stdout, metrics, html] {
      for name in ["Quentin", "Secretname", "Lately", "Hiddenname", "Prompt"] { #expect(!text.contains(name)) }
    }

    let ack = try spool.run(["ack", "req-an-1"])
    #expect(ack.status == 0, "\(ack.stderr)")
    #expect(ack.stdout.contains("acknowledged: cancellation req-an-1"), "\(ack.stdout)")
    let again = try spool.run(["ack", "req-an-1"])
    #expect(again.status == 0)
    #expect(again.stdout.contains("already acknowledged"), "\(again.stdout)")
    let unknown = try spool.run(["ack", "no-such-id"])
    #expect(unknown.status == 65)
    #expect(unknown.stderr.contains("no action-needed item has the heMsgId or requestId no-such-id"), "\(unknown.stderr)")
    // By heMsgId works too.
    #expect(try spool.run(["ack", "he-an-unknown-staff"]).status == 0)

    // Healthengine re-sends the cancellation: rejected the same way, it stays acknowledged.
    try spool.placeDrop(
      "he-an-again.xml",
      try DropWriter.render(
        practiceID: "demo", bookings: [],
        cancellations: [CancellationMessage(heMsgId: booked, requestId: "req-an-1", updatedAt: "2026-03-02T00:00:00Z")]))
    #expect(try spool.run(["run"], asOf: "2026-03-02T08:10").status == 1)
    #expect(try spool.files(in: spool.inbox).isEmpty)

    let after = try jsonObject(try spool.run(["status", "--json"]).stdout)
    #expect(after["actionNeeded"] as? Int == 1)
    let left = try #require(after["actionNeededItems"] as? [[String: Any]])
    #expect(left.map { $0["key"] as? String } == ["he-an-late"])
    let doctorAfter = try spool.run(["doctor", "--json"]).stdout
    #expect(!doctorAfter.contains("req-an-1") && doctorAfter.contains("he-an-late"))

    #expect(try spool.run(["ack"]).status == 2)
    #expect(try spool.run(["ack", "he-an-late", "--all"]).status == 2)
    let all = try spool.run(["ack", "--all"])
    #expect(all.status == 0 && all.stdout.contains("acknowledged 1 item(s)"), "\(all.stdout)\(all.stderr)")
    #expect(try jsonObject(try spool.run(["status", "--json"]).stdout)["actionNeeded"] as? Int == 0)
  }
}
