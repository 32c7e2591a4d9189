import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// `ppmp-connector review` through the real binary: a near-match booking is queued, `--link`
/// moves its appointment in PPMP, `--keep-new` leaves it, both repeat safely and refuse what
/// does not exist; `status` and `doctor` see the queue.
@Suite struct ReviewCLITests {
  /// A demo spool with two bookings for demo patient 10 whose date of birth is one day off: each
  /// gets a new file and a review item offering patient 10.
  func spoolWithNearMatches() throws -> (DemoSpool, first: String, last: String, dob: String) {
    let spool = try DemoSpool(label: "review")
    try spool.prepareForIngest()
    let row = try spool.sql("SELECT first_name || '|' || last_name || '|' || dob FROM patients WHERE id = 10;")
      .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
    try #require(row.count == 3)
    // A day after, then a day before: the second is no exact match for the file the first got.
    let dob = LocalDate(row[2])!.adding(days: 1).description
    let before = LocalDate(row[2])!.adding(days: -1).description
    let bookings = [("near-1", "2026-03-05T10:45", dob), ("near-2", "2026-03-05T10:00", before)].map { id, at, born in
      BookingMessage.make(
        heMsgId: id, bookingId: "b-" + id, resourceID: 1, typeCode: nil, start: LocalDateTime(at)!, lengthMinutes: 15,
        bookedTime: "2026-03-01T00:00:00Z", firstName: row[0], lastName: row[1], dob: born, phone: nil)
    }
    try spool.placeDrop("near.xml", try DropWriter.render(practiceID: "demo", bookings: bookings, cancellations: []))
    let r = try spool.run(["ingest"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    return (spool, row[0], row[1], dob)
  }

  func items(_ spool: DemoSpool, _ extra: [String] = []) throws -> [[String: Any]] {
    let r = try spool.run(["review", "list", "--json"] + extra)
    #expect(r.status == 0, "\(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], "\(r.stdout)")
  }

  func patientOf(appointment id: Int, _ spool: DemoSpool) throws -> String {
    try spool.sql("SELECT patient_id FROM appointments WHERE id = \(id);").trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test func nearMatchIsQueuedWithItsCandidateAndNoNames() throws {
    let (spool, first, last, dob) = try spoolWithNearMatches()
    let list = try spool.run(["review", "list"])
    #expect(list.status == 0 && list.stdout.contains("near-1") && list.stdout.contains("patient 10"), "\(list.stdout)")
    let all = try items(spool)
    let item = try #require(all.first { $0["heMsgId"] as? String == "near-1" })
    #expect(item["match"] as? String == "created-no-match" && item["status"] as? String == "open")
    let candidate = try #require((item["candidates"] as? [[String: Any]])?.first)
    #expect(candidate["patientId"] as? Int == 10)
    #expect(Set(candidate["agreement"] as? [String] ?? []) == ["first-name", "last-name", "dob-one-day-off"])
    let plain = try spool.run(["review", "list", "--json"]).stdout + list.stdout
      + (try spool.run(["review", "show", "near-1"])).stdout
    for secret in [first, last, dob] { #expect(!plain.contains(secret), "\(secret) printed without --verbose") }
    let verbose = try spool.run(["review", "show", "near-1", "--verbose"])
    #expect(verbose.stdout.contains(first) && verbose.stdout.contains(dob), "\(verbose.stdout)")
    let status = try spool.run(["status"])
    #expect(status.stdout.contains("review:    2 booking(s)"), "\(status.stdout)")
  }

  @Test func linkMovesTheAppointmentInPPMPOnceAndRefusesAnUnknownPatient() throws {
    let (spool, _, _, _) = try spoolWithNearMatches()
    let item = try #require(try items(spool).first { $0["heMsgId"] as? String == "near-1" })
    let appointment = try #require(item["appointmentId"] as? Int)
    let newFile = try #require(item["newPatientId"] as? Int)
    #expect(try patientOf(appointment: appointment, spool) == "\(newFile)")
    let receipt = spool.contents(spool.outbox + "/receipt-near.xml")

    let unknown = try spool.run(["review", "resolve", "near-1", "--link", "999999"])
    #expect(unknown.status == 2 && unknown.stderr.contains("no patient with id 999999"), "\(unknown.stderr)")
    #expect(try patientOf(appointment: appointment, spool) == "\(newFile)")

    let link = try spool.run(["review", "resolve", "near-1", "--link", "10"])
    #expect(link.status == 0, "\(link.stderr)")
    #expect(link.stdout.contains("moved to patient 10") && link.stdout.contains("patient \(newFile) "), "\(link.stdout)")
    #expect(try patientOf(appointment: appointment, spool) == "10")
    let again = try spool.run(["review", "resolve", "near-1", "--link", "10"])
    #expect(again.status == 0 && again.stdout.contains("already on patient 10"), "\(again.stdout)\(again.stderr)")
    #expect(try patientOf(appointment: appointment, spool) == "10")

    #expect(try items(spool).map { $0["heMsgId"] as? String } == ["near-2"])
    #expect(try spool.run(["review", "show", "near-1"]).stdout.contains("linked to patient 10"))
    let other = try spool.run(["review", "resolve", "near-1", "--keep-new"])
    #expect(other.status == 2, "\(other.stdout)")
    #expect(spool.contents(spool.outbox + "/receipt-near.xml") == receipt, "the receipt never changes")
  }

  @Test func keepNewClosesWithoutMovingAndRepeatsSafely() throws {
    let (spool, _, _, _) = try spoolWithNearMatches()
    let item = try #require(try items(spool).first { $0["heMsgId"] as? String == "near-2" })
    let appointment = try #require(item["appointmentId"] as? Int)
    let newFile = try #require(item["newPatientId"] as? Int)
    for _ in 0..<2 {
      let r = try spool.run(["review", "resolve", "near-2", "--keep-new"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(try patientOf(appointment: appointment, spool) == "\(newFile)")
    }
    #expect(try items(spool).map { $0["heMsgId"] as? String } == ["near-1"])
    let link = try spool.run(["review", "resolve", "near-2", "--link", "10"])
    #expect(link.status == 2, "\(link.stdout)")
    #expect(try patientOf(appointment: appointment, spool) == "\(newFile)")
    let missing = try spool.run(["review", "resolve", "no-such-id", "--keep-new"])
    #expect(missing.status == 2 && missing.stderr.contains("no review item"), "\(missing.stderr)")
  }

  @Test func doctorReportsItemsOlderThanADay() throws {
    let (spool, _, _, _) = try spoolWithNearMatches()
    let today = try spool.run(["doctor", "--json"])
    #expect(!today.stdout.contains("review-items-waiting"), "\(today.stdout)")
    let later = try spool.run(["doctor", "--json"], asOf: "2026-03-03T09:00")
    #expect(later.stdout.contains("review-items-waiting"), "\(later.stdout)")
  }
}
