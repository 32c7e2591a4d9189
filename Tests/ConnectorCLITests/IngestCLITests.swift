import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// `ppmp-connector ingest` through the real binary: exit codes, the lock, and what it prints.
@Suite struct IngestCLITests {
  @Test func ingestExitsZeroWhenAllIsConfirmedAndOneWhenSomethingIsRejected() throws {
    let spool = try DemoSpool(label: "ingest-exit")
    try spool.prepareForIngest()
    // Ten bookings and their two cancellations, no conflicts and no malformed drops.
    let drops = try spool.generateDrops(bookings: 10, cancellations: 2, perDrop: 20, seed: 11)
    let clean = try spool.run(["ingest"])
    #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
    #expect(clean.stdout.contains("\(drops.count) drop(s), 12 confirmed, 0 message(s) rejected"), "\(clean.stdout)")
    #expect(try spool.outboxFiles(prefix: "receipt-") == drops.map { "receipt-" + $0 })

    // A drop with one message PPMP cannot take (an unknown practitioner): done, but exit 1.
    var b = BookingMessage.make(
      heMsgId: "cli-bad", bookingId: "b", resourceID: 999, typeCode: nil, start: LocalDateTime("2026-03-05T10:00")!,
      lengthMinutes: 30, bookedTime: "2026-03-01T00:00:00Z", firstName: "Quentin", lastName: "Zebedee", dob: "1977-07-07",
      phone: "0455 555 555")
    b.reason = "Knee"
    try spool.placeDrop("bad.xml", try DropWriter.render(practiceID: "demo", bookings: [b], cancellations: []))
    let partial = try spool.run(["ingest"])
    #expect(partial.status == 1, "\(partial.stdout)\(partial.stderr)")
    #expect(partial.stdout.contains("1 message(s) rejected"), "\(partial.stdout)")
    // Logs never name the patient.
    for secret in ["Quentin", "Zebedee", "1977-07-07", "0455"] {
      #expect(!partial.stdout.contains(secret) && !partial.stderr.contains(secret))
    }

    // Nothing left: exit 0 again.
    let idle = try spool.run(["ingest"])
    #expect(idle.status == 0 && idle.stdout.contains("0 drop(s)"), "\(idle.stdout)")
  }

  @Test func secondRunOnTheSameSpoolExits75WhileTheLockIsHeld() throws {
    let spool = try DemoSpool(label: "ingest-lock")
    try spool.prepareForIngest()
    _ = try spool.generateDrops(bookings: 5, perDrop: 5, seed: 2)
    let holder = try LockHolder(lockFile: spool.lockFile)
    let r = try spool.run(["ingest"])
    #expect(r.status == 75, "\(r.stdout)\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("lock"), "\(r.stderr)")
    #expect(spool.files(in: spool.work).isEmpty)
    #expect(try spool.outboxFiles().isEmpty)
    holder.release()
    // Released when the holder is gone: the next run proceeds.
    #expect(try spool.run(["ingest"]).status == 0)
  }
}
