import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// Requests in drops (`availabilityRequest`, `pmsResourcesRequest`, …) answered through the real
/// binary: receipts name the refresh document, refresh days are the run's snapshot days byte for
/// byte, the day of a `slot-unavailable` rejection is refreshed unasked, and a re-delivery is
/// answered again without a second answer document.
@Suite struct RequestCLITests {
  /// A booking of `minutes` at `start` for practitioner `resource` (no appointment type).
  static func booking(_ id: String, resource: Int64, start: String, minutes: Int = 15) -> BookingMessage {
    BookingMessage.make(
      heMsgId: id, bookingId: "b-" + id, resourceID: resource, typeCode: nil, start: LocalDateTime(start)!,
      lengthMinutes: minutes, bookedTime: "2026-03-01T00:00:00Z", firstName: "Ada", lastName: "Request", dob: "1980-01-01",
      phone: "0400 000 000")
  }

  @Test func requestsAreAnsweredByOneRefreshHoldingExactlyTheRunsSnapshotDays() throws {
    let spool = try DemoSpool(label: "requests")
    try spool.prepareForIngest()
    #expect(try spool.run(["run"]).status == 0)
    let requests = [
      RequestMessage(kind: .availability, requestId: "r-one", day: "2026-03-04", pmsResourceId: "2"),
      RequestMessage(kind: .availability, requestId: "r-all", day: "2026-03-05"),
      RequestMessage(kind: .resources, requestId: "r-res"),
      RequestMessage(kind: .availability, requestId: "r-far", day: "2026-05-30", pmsResourceId: "1"),
      RequestMessage(kind: .availability, requestId: "r-who", day: "2026-03-04", pmsResourceId: "99"),
      RequestMessage(kind: .availability, requestId: "r-bad", day: "2026-02-30"),
    ]
    // The second booking wants the slot the first takes: slot-unavailable, so 2026-03-03 of
    // practitioner 1 goes into the refresh unasked.
    let bookings = [
      Self.booking("req-first", resource: 1, start: "2026-03-03T09:00"),
      Self.booking("req-second", resource: 1, start: "2026-03-03T09:00"),
    ]
    let drop = try DropWriter.render(practiceID: "demo", bookings: bookings, cancellations: [], requests: requests)
    try spool.placeDrop("asks.xml", drop)
    let r = try spool.run(["run"])
    #expect(r.status == 1, "\(r.stdout)\(r.stderr)")

    let answers = try AnswerFile.entries(spool.outbox + "/receipt-asks.xml")
    #expect(answers.map(\.name) == [
      "confirmInsert", "rejectInsert", "confirmRequest", "confirmRequest", "confirmRequest", "rejectRequest", "rejectRequest",
      "rejectRequest",
    ])
    #expect(answers[1]["reason"] == "slot-unavailable")
    #expect(answers[2...4].map { $0["kind"] } == ["availabilityRequest", "availabilityRequest", "pmsResourcesRequest"])
    #expect(answers[5]["requestId"] == "r-far" && answers[5]["reason"] == "outside-horizon", "\(answers[5])")
    #expect(answers[6]["requestId"] == "r-who" && answers[6]["reason"] == "unknown-resource", "\(answers[6])")
    #expect(answers[7]["requestId"] == "r-bad" && answers[7]["reason"] == "invalid-message", "\(answers[7])")
    let file = try #require(answers[2]["file"])
    #expect(answers[2...4].allSatisfy { $0["file"] == file })
    #expect(try spool.outboxFiles(prefix: "refresh-") == [file])
    let validation = try spool.run(["validate", spool.outbox + "/" + file])
    #expect(validation.status == 0, "\(validation.stdout)\(validation.stderr)")

    // The refresh: exactly the asked days (every published practitioner for r-all) and the
    // stale one, each byte-equal to that day in the run's snapshot (a day the snapshot does
    // not hold, for a practitioner who does not work that day, has no range).
    let refresh = String(decoding: spool.contents(spool.outbox + "/" + file), as: UTF8.self)
    let snapshot = String(decoding: spool.contents(spool.folder.child("spool/state/published.xml")), as: UTF8.self)
    let resources = Self.resourceIDs(snapshot)
    #expect(resources.count > 2)
    var expected = Set(["2 2026-03-04", "1 2026-03-03"])
    for id in resources { expected.insert("\(id) 2026-03-05") }
    let refreshDays = Self.days(refresh)
    let snapshotDays = Self.days(snapshot)
    #expect(Set(refreshDays.keys) == expected)
    for (key, text) in refreshDays {
      if let published = snapshotDays[key] {
        #expect(text == published, "\(key)")
      } else {
        #expect(!text.contains("<range"), "\(key): \(text)")
      }
    }
    #expect(snapshotDays["2 2026-03-04"] != nil && snapshotDays["1 2026-03-03"] != nil)
    #expect(Self.element("pmsResources", in: refresh) == Self.element("pmsResources", in: snapshot))
    #expect(Self.element("pmsAppointmentTypes", in: refresh) == nil)
    #expect(Self.attribute("requestIds", in: refresh) == "r-one r-all r-res")

    // The refresh shares the sequence counter but not the delta chain: the run's delta is the
    // publication published.xml stands for, and the refresh has a number of its own.
    let delta = try #require(try spool.outboxFiles(prefix: "delta-").last)
    #expect(Self.attribute("sequence", in: snapshot).map { "delta-demo-\($0).xml" } == delta)
    let sequences = try spool.outboxFiles().compactMap { name in
      name.hasPrefix("receipt-") ? nil : Int(name.split(separator: "-").last?.dropLast(4) ?? "")
    }
    let outbox = try spool.outboxFiles()
    #expect(Set(sequences).count == sequences.count && sequences.count == 3, "\(outbox)")
    let receiptCheck = try spool.run(["validate", spool.outbox + "/receipt-asks.xml"])
    #expect(receiptCheck.status == 0, "\(receiptCheck.stdout)\(receiptCheck.stderr)")

    // Re-delivered: the same answers, naming the same refresh; no second answer to any request.
    try spool.placeDrop(
      "asks-again.xml",
      try DropWriter.render(practiceID: "demo", bookings: [], cancellations: [], requests: Array(requests.prefix(3))))
    #expect(try spool.run(["run"]).status == 0)
    let again = try AnswerFile.entries(spool.outbox + "/receipt-asks-again.xml")
    #expect(again.map(\.name) == ["confirmRequest", "confirmRequest", "confirmRequest"])
    #expect(again.allSatisfy { $0["file"] == file })
    #expect(try spool.outboxFiles(prefix: "refresh-") == [file])

    // Archived like every other document, and found by requestId.
    #expect(try spool.run(["archive"]).status == 0)
    let found = try spool.run(["audit", "find", "r-all"])
    #expect(found.status == 0, "\(found.stderr)")
    for member in ["data/inbox/asks.xml", "data/outbox/receipt-asks.xml", "data/outbox/" + file, "data/inbox/asks-again.xml"] {
      #expect(found.stdout.contains("\t" + member + "\n"), "\(member): \(found.stdout)")
    }
  }

  @Test func aSlotUnavailableDayIsRefreshedUnaskedAndTheNextRunAddsNothing() throws {
    let spool = try DemoSpool(label: "requests-stale")
    try spool.prepareForIngest()
    #expect(try spool.run(["run"]).status == 0)
    let bookings = [
      Self.booking("stale-first", resource: 1, start: "2026-03-03T09:00"),
      Self.booking("stale-second", resource: 1, start: "2026-03-03T09:00"),
    ]
    try spool.placeDrop("stale.xml", try DropWriter.render(practiceID: "demo", bookings: bookings, cancellations: []))
    #expect(try spool.run(["run"]).status == 1)
    let file = try #require(try spool.outboxFiles(prefix: "refresh-").first)
    let refresh = String(decoding: spool.contents(spool.outbox + "/" + file), as: UTF8.self)
    #expect(Set(Self.days(refresh).keys) == ["1 2026-03-03"])
    #expect(Self.attribute("requestIds", in: refresh) == "")
    #expect(Self.element("pmsResources", in: refresh) == nil)
    let snapshot = String(decoding: spool.contents(spool.folder.child("spool/state/published.xml")), as: UTF8.self)
    #expect(Self.days(refresh)["1 2026-03-03"] == Self.days(snapshot)["1 2026-03-03"])
    #expect(try spool.run(["run"]).status == 0)
    #expect(try spool.outboxFiles(prefix: "refresh-") == [file])
  }

  @Test func pmsAppointmentTypesRequestGetsTheFullList() throws {
    let spool = try DemoSpool(label: "requests-types")
    try spool.prepareForIngest()
    try spool.placeDrop(
      "types.xml",
      try DropWriter.render(
        practiceID: "demo", bookings: [], cancellations: [],
        requests: [RequestMessage(kind: .appointmentTypes, requestId: "t-1")]))
    #expect(try spool.run(["run"]).status == 0)
    let answers = try AnswerFile.entries(spool.outbox + "/receipt-types.xml")
    let file = try #require(answers.first?["file"])
    let refresh = String(decoding: spool.contents(spool.outbox + "/" + file), as: UTF8.self)
    let snapshot = String(decoding: spool.contents(spool.folder.child("spool/state/published.xml")), as: UTF8.self)
    let types = try #require(Self.element("pmsAppointmentTypes", in: refresh))
    #expect(types.contains("<pmsAppointmentType "))
    #expect(types == Self.element("pmsAppointmentTypes", in: snapshot))
    #expect(Self.days(refresh).isEmpty)
  }

  // MARK: reading documents as text (byte comparisons need the text as written)

  /// Each `day` element's text keyed by "resourceId date".
  static func days(_ text: String) -> [String: String] {
    var out: [String: String] = [:]
    var rest = text[...]
    while let start = rest.range(of: "<day pmsResourceId=\"") {
      let tail = rest[start.lowerBound...]
      guard let endOfTag = tail.firstIndex(of: ">") else { break }
      let selfClosing = tail[tail.index(before: endOfTag)] == "/"
      let end = selfClosing ? tail.index(after: endOfTag) : (tail.range(of: "</day>")?.upperBound ?? tail.endIndex)
      let element = String(tail[..<end])
      let id = element.dropFirst("<day pmsResourceId=\"".count).prefix { $0 != "\"" }
      let date = element.range(of: "date=\"").map { element[$0.upperBound...].prefix { $0 != "\"" } } ?? ""
      out["\(id) \(date)"] = element
      rest = tail[end...]
    }
    return out
  }

  static func element(_ name: String, in text: String) -> String? {
    guard let start = text.range(of: "<\(name)>") ?? text.range(of: "<\(name)/>") else { return nil }
    if text[start].hasSuffix("/>") { return String(text[start]) }
    guard let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
    return String(text[start.lowerBound..<end.upperBound])
  }

  /// An attribute of the root element.
  static func attribute(_ name: String, in text: String) -> String? {
    guard let root = text.range(of: "?>").map({ text[$0.upperBound...] }),
      let tagEnd = root.firstIndex(of: ">"),
      let a = root[..<tagEnd].range(of: " \(name)=\"")
    else { return nil }
    return String(root[a.upperBound...].prefix { $0 != "\"" })
  }

  static func resourceIDs(_ text: String) -> [String] {
    text.components(separatedBy: "<pmsResource pmsResourceId=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
  }
}
