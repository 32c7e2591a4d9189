import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// Changes made in PPMP to bookings the connector placed, reported through the real binary:
/// staff cancellations, deletions, did-not-attends and moves each written once to an events
/// document; a Healthengine cancellation never echoed back; change requests answered; tracking
/// that survives the loss of `state/connector.sqlite`.
@Suite struct AppointmentEventCLITests {
  static let slots = ["09:00", "10:15", "11:30", "12:15", "13:30", "14:45"]

  /// Books one booking per slot of practitioner 1 on 2026-03-03; returns heMsgId → appointment id.
  static func bookAll(_ spool: DemoSpool, _ ids: [String]) throws -> [String: String] {
    let bookings = zip(ids, slots).map { id, time in RequestCLITests.booking(id, resource: 1, start: "2026-03-03T" + time) }
    try spool.placeDrop("book.xml", try DropWriter.render(practiceID: "demo", bookings: bookings, cancellations: []))
    let r = try spool.run(["run"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    var appointments: [String: String] = [:]
    for e in try AnswerFile.entries(spool.outbox + "/receipt-book.xml") where e.name == "confirmInsert" {
      appointments[e["heMsgId"] ?? ""] = e["pmsAppointmentId"]
    }
    #expect(appointments.count == ids.count)
    return appointments
  }

  /// The events documents in the outbox, oldest first, each as its elements (root left out).
  static func eventFiles(_ spool: DemoSpool) throws -> [(name: String, events: [AnswerElement])] {
    try spool.outboxFiles(prefix: "events-").sorted { sequence($0) < sequence($1) }.map {
      ($0, try AnswerFile.entries(spool.outbox + "/" + $0))
    }
  }

  static func sequence(_ name: String) -> Int { Int(name.split(separator: "-").last?.dropLast(4) ?? "") ?? 0 }

  @Test func staffChangesAreReportedOnceAndAHealthengineCancellationIsNot() throws {
    let spool = try DemoSpool(label: "events")
    try spool.prepareForIngest()
    let ids = ["ev-cancel", "ev-delete", "ev-dna", "ev-move", "ev-he", "ev-same"]
    let appt = try Self.bookAll(spool, ids)
    #expect(try Self.eventFiles(spool).isEmpty)

    try _ = spool.sql(
      """
      UPDATE appointments SET status = 'cancelled' WHERE id = \(appt["ev-cancel"]!);
      DELETE FROM appointments WHERE id = \(appt["ev-delete"]!);
      UPDATE appointments SET status = 'dna' WHERE id = \(appt["ev-dna"]!);
      UPDATE appointments SET staff_id = 2, appt_date = '2026-03-04', start_time = '10:00' WHERE id = \(appt["ev-move"]!);
      """)
    // Healthengine cancels one itself and asks about two bookings and one it never sent.
    let cancellation = CancellationMessage(heMsgId: "ev-he", requestId: "c-he", updatedAt: "2026-03-01T00:00:00Z")
    let asks = [
      RequestMessage(kind: .appointmentChanges, requestId: "q-same", bookingId: "b-ev-same", heMsgId: "ev-same"),
      RequestMessage(kind: .appointmentChanges, requestId: "q-cancel", bookingId: "b-ev-cancel", heMsgId: "ev-cancel"),
      RequestMessage(kind: .appointmentChanges, requestId: "q-never", bookingId: "b-never", heMsgId: "never-placed"),
    ]
    try spool.placeDrop(
      "second.xml", try DropWriter.render(practiceID: "demo", bookings: [], cancellations: [cancellation], requests: asks))
    let second = try spool.run(["run"])
    #expect(second.status == 1, "\(second.stdout)\(second.stderr)")  // q-never is rejected

    let receipt = try AnswerFile.entries(spool.outbox + "/receipt-second.xml")
    #expect(receipt.map(\.name) == ["confirmUpdate", "confirmRequest", "confirmRequest", "rejectRequest"])
    #expect(receipt[3]["reason"] == "unknown-booking" && receipt[3]["requestId"] == "q-never")
    let files = try Self.eventFiles(spool)
    #expect(files.count == 1)
    let (file, events) = try #require(files.first)
    #expect(receipt[1]["file"] == file && receipt[2]["file"] == file)
    let v = try spool.run(["validate", spool.outbox + "/" + file])
    #expect(v.status == 0, "\(v.stdout)\(v.stderr)")

    func event(_ heMsgId: String) -> [AnswerElement] { events.filter { $0["heMsgId"] == heMsgId } }
    #expect(event("ev-he").isEmpty, "a Healthengine cancellation is never reported back: \(events)")
    #expect(event("ev-cancel").map(\.name) == ["cancel"])
    #expect(event("ev-cancel").first?["reason"] == "cancelled-in-pms")
    #expect(event("ev-cancel").first?["requestId"] == "q-cancel")
    #expect(event("ev-cancel").first?["bookingId"] == "b-ev-cancel")
    #expect(event("ev-cancel").first?["pmsAppointmentId"] == appt["ev-cancel"])
    #expect(event("ev-delete").map(\.name) == ["cancel"] && event("ev-delete").first?["reason"] == "deleted-in-pms")
    #expect(event("ev-dna").map(\.name) == ["didNotAttend"])
    let moved = try #require(event("ev-move").first)
    #expect(moved.name == "pmsAppointmentMoved" && event("ev-move").count == 1)
    #expect(moved["from"] == "2026-03-03T12:15" && moved["to"] == "2026-03-04T10:00" && moved["pmsResourceId"] == "2")
    #expect(event("ev-same").map(\.name) == ["noPmsAppointmentChange"])
    #expect(event("ev-same").first?["requestId"] == "q-same")
    #expect(events.count == 5, "\(events)")
    // No patient data.
    let text = String(decoding: spool.contents(spool.outbox + "/" + file), as: UTF8.self)
    for secret in ["Ada", "Request", "1980-01-01", "0400"] { #expect(!text.contains(secret)) }

    // The next run has nothing new to say.
    #expect(try spool.run(["run"]).status == 0)
    #expect(try Self.eventFiles(spool).count == 1)

    // Asked again about the cancelled booking: its cancel again, answering the new request.
    try spool.placeDrop(
      "third.xml",
      try DropWriter.render(
        practiceID: "demo", bookings: [], cancellations: [],
        requests: [RequestMessage(kind: .appointmentChanges, requestId: "q-again", bookingId: "b-ev-cancel", heMsgId: "ev-cancel")]))
    #expect(try spool.run(["run"]).status == 0)
    let later = try Self.eventFiles(spool)
    #expect(later.count == 2)
    #expect(later.last?.events.map(\.name) == ["cancel"])
    #expect(later.last?.events.first?["requestId"] == "q-again" && later.last?.events.first?["reason"] == "cancelled-in-pms")

    // Archived and found by heMsgId: the booking's drop, its receipt, and the events about it.
    #expect(try spool.run(["archive"]).status == 0)
    let found = try spool.run(["audit", "find", "ev-cancel"])
    #expect(found.status == 0, "\(found.stderr)")
    for member in ["data/inbox/book.xml", "data/outbox/receipt-book.xml", "data/outbox/" + file, "data/outbox/" + later.last!.name] {
      #expect(found.stdout.contains("\t" + member + "\n"), "\(member): \(found.stdout)")
    }
  }

  @Test func trackingIsRebuiltFromTokensAfterTheStateIsLost() throws {
    let spool = try DemoSpool(label: "events-lost")
    try spool.prepareForIngest()
    let appt = try Self.bookAll(spool, ["lost-a", "lost-b"])
    try FileManager.default.removeItem(atPath: spool.folder.child("spool/state/connector.sqlite"))
    #expect(try spool.run(["run"]).status == 0)
    #expect(try Self.eventFiles(spool).isEmpty)
    try _ = spool.sql("UPDATE appointments SET status = 'cancelled' WHERE id = \(appt["lost-a"]!);")
    #expect(try spool.run(["run"]).status == 0)
    let files = try Self.eventFiles(spool)
    #expect(files.count == 1)
    let events = try #require(files.first?.events)
    #expect(events.map(\.name) == ["cancel"])
    #expect(events.first?["heMsgId"] == "lost-a" && events.first?["reason"] == "cancelled-in-pms")
    #expect(events.first?["pmsAppointmentId"] == appt["lost-a"])
    #expect(try spool.run(["run"]).status == 0)
    #expect(try Self.eventFiles(spool).count == 1)
  }
}
