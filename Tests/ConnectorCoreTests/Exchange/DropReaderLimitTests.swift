import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// `DropReader` as ingest uses it: work limits, the stop request, character-counted text, required
/// fields answered per message, and details that never quote a patient's value.
@Suite struct DropReaderLimitTests {
  static let open = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + #"<drop xmlns="urn:ppmp-connector:exchange:1" practiceId="demo">"#

  static func booking(
    _ id: String, time: String = "2026-03-03T09:00", patient: String = #"firstname="Ann" lastname="Lee" dob="1990-01-01" phone="0400000000""#,
    reason: String = "Check-up", drop attribute: String? = nil
  ) -> String {
    var attributes = #"heMsgId="\#(id)" bookingId="b-\#(id)" pmsResourceId="1" pmsAppointmentTime="\#(time)" pmsAppointmentLength="1800" bookedTime="2026-03-02T00:00:00Z""#
    if let attribute { attributes = attributes.replacingOccurrences(of: " " + attribute, with: "") }
    return "<booking \(attributes)><patient \(patient)/><reason>\(reason)</reason></booking>\n"
  }

  private func write(_ text: String, _ folder: TemporaryFolder) throws -> String {
    let path = folder.child("d.xml")
    try FileSystem.write(Array(text.utf8), toNewFile: path)
    return path
  }

  private func read(_ path: String, shouldStop: @escaping () -> Bool = { false }) throws -> DropDocument {
    try DropReader.read(path: path, maxBytes: 16 * 1024 * 1024, expectedPracticeID: "demo", shouldStop: shouldStop)
  }

  @Test func attributeFloodOnDropIsRefusedTooLargeInWellUnderASecond() throws {
    let folder = try TemporaryFolder("flood")
    var text = String(Self.open.dropLast())  // the flood goes into <drop …>
    text.reserveCapacity(10_000_000)
    for i in 0..<1_000_000 { text += " a\(String(i, radix: 36))=\"\"" }
    text += ">\n</drop>\n"
    #expect(text.utf8.count > 8_000_000 && text.utf8.count < 16 * 1024 * 1024)
    let path = try write(text, folder)
    let started = Date()
    #expect {
      try read(path)
    } throws: { error in
      let rejection = error as? DropRejection
      return rejection?.reason == .tooLarge && rejection?.detail.contains("more than 32 attributes on one element") == true
    }
    let elapsed = Date().timeIntervalSince(started)
    #expect(elapsed < 1, "took \(elapsed) s")
  }

  @Test func elementFloodIsRefusedTooLarge() throws {
    let folder = try TemporaryFolder("elements")
    // Inside one booking's reason, where schema violations do not end the read: only the count does.
    let path = try write(Self.open + Self.booking("e", reason: String(repeating: "<x/>", count: 260_000)) + "</drop>", folder)
    #expect {
      try read(path)
    } throws: { ($0 as? DropRejection)?.reason == .tooLarge && ($0 as? DropRejection)?.detail.contains("250000 elements") == true }
  }

  @Test func tenMegabyteCommentIsTooLargeWithItsRealCause() throws {
    let folder = try TemporaryFolder("comment")
    let path = try write(Self.open + "<!--" + String(repeating: "x", count: 10_000_000) + "-->" + Self.booking("c1") + "</drop>", folder)
    #expect {
      try read(path)
    } throws: { error in
      guard let r = error as? DropRejection else { return false }
      return r.reason == .tooLarge && r.detail.contains("comment") && !r.detail.contains("truncated")
    }
  }

  /// libxml2's schema validator appends each piece of an element's text with strlen + realloc:
  /// 8 MB of reason took 10 s, 3.7 MB split by empty comments 36 s. Text between two tags is
  /// bounded on the raw bytes, comments or not.
  @Test(arguments: [("plain", String(repeating: "x", count: 8_000_000)), ("split by comments", String(repeating: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx<!---->", count: 100_000))])
  func hugeTextIsRefusedBeforeTheValidatorAccumulatesIt(_ label: String, _ reason: String) throws {
    let folder = try TemporaryFolder("text")
    let path = try write(Self.open + Self.booking("t", reason: reason) + "</drop>", folder)
    let started = Date()
    #expect {
      try read(path)
    } throws: { ($0 as? DropRejection)?.reason == .tooLarge && ($0 as? DropRejection)?.detail.contains("bytes of text") == true }
    #expect(Date().timeIntervalSince(started) < 1, "\(label)")
  }

  @Test func stopRequestInterruptsAnOversizedDropWithADistinctError() throws {
    let folder = try TemporaryFolder("stop")
    let cancellations = (0..<60_000).map { #"<cancellation heMsgId="h\#($0)" requestId="r\#($0)" updatedAt="2026-03-02T00:00:00Z"/>"# }
    let path = try write(Self.open + cancellations.joined(separator: "\n") + "</drop>", folder)
    // Reads whole without a stop request.
    #expect(try read(path).cancellations.count == 60_000)
    var asked = 0
    #expect(throws: DropReadInterrupted.self) {
      try read(path) {
        asked += 1
        return asked >= 5
      }
    }
    #expect(asked == 5, "asked \(asked) times")
  }

  @Test func cjkReasonIsMeasuredInCharactersLikeTheSchema() throws {
    let folder = try TemporaryFolder("cjk")
    let reason = String(repeating: "\u{75DB}", count: 2_800)
    #expect(reason.utf8.count == 8_400)
    let path = try write(Self.open + Self.booking("cjk", reason: reason) + "</drop>", folder)
    let drop = try read(path)
    #expect(drop.bookings.count == 1)
    guard case .success(let request) = BookingChecks.check(drop.bookings[0]) else {
      Issue.record("the booking was refused: \(BookingChecks.check(drop.bookings[0]))")
      return
    }
    #expect(request.reason == reason)
  }

  @Test func tooLongValueRejectsItsMessageAloneAndNeverQuotesIt() throws {
    let folder = try TemporaryFolder("long")
    let dob = "1980-01-02" + String(repeating: "7", count: 290)
    let reason = String(repeating: "R", count: 4_001)
    let path = try write(
      Self.open + Self.booking("long-dob", patient: #"firstname="Ann" lastname="Lee" dob="\#(dob)""#)
        + Self.booking("long-reason", time: "2026-03-03T10:00", reason: reason)
        + Self.booking("fine", time: "2026-03-03T11:00") + "</drop>", folder)
    let drop = try read(path)
    #expect(drop.bookings.map(\.heMsgId) == ["long-dob", "long-reason", "fine"])
    let answers = drop.bookings.map { BookingChecks.check($0) }
    guard case .failure(let first) = answers[0], case .failure(let second) = answers[1], case .success = answers[2] else {
      Issue.record("unexpected answers \(answers)")
      return
    }
    #expect(first.reason == .invalidMessage && first.detail.contains("attribute 'dob'") && first.detail.contains("256"), "\(first.detail)")
    #expect(!first.detail.contains("1980") && !first.detail.contains("7777"))
    #expect(second.detail.contains("reason") && second.detail.contains("4000") && !second.detail.contains("RRRR"), "\(second.detail)")
    // `validate` says the same, without the values.
    let report = ExchangeValidator.validate(path: path)
    #expect(report.errors.isEmpty && report.messageProblems.count == 2)
    #expect(report.messageProblems.allSatisfy { !$0.contains("1980") && !$0.contains("RRRR") })
  }

  @Test func missingRequiredFieldsRejectTheirMessageAloneNamingTheField() throws {
    let folder = try TemporaryFolder("required")
    let path = try write(
      Self.open
        + Self.booking("no-booked", drop: #"bookedTime="2026-03-02T00:00:00Z""#)
        + Self.booking("no-resource", drop: #"pmsResourceId="1""#)
        + Self.booking("no-dob", patient: #"firstname="Ann" lastname="Lee" phone="0400000000""#)
        + #"<booking heMsgId="no-patient" bookingId="b" pmsResourceId="1" pmsAppointmentTime="2026-03-03T09:00" pmsAppointmentLength="1800" bookedTime="2026-03-02T00:00:00Z"/>"#
        + Self.booking("no-phone", patient: #"firstname="Ann" lastname="Lee" dob="1990-01-01""#)
        + #"<cancellation heMsgId="c-no-updated" requestId="r1"/>"#
        + #"<cancellation heMsgId="c-fine" requestId="r2" updatedAt="2026-03-02T00:00:00Z"/>"#
        + "</drop>", folder)
    let drop = try read(path)
    let details = drop.bookings.map { b -> String in
      if case .failure(let r) = BookingChecks.check(b) { return r.detail }
      return "accepted"
    }
    #expect(details[0].contains("'bookedTime' is required but missing"), "\(details[0])")
    #expect(details[1].contains("'pmsResourceId' is required but missing"), "\(details[1])")
    #expect(details[2].contains("'dob' is required but missing"), "\(details[2])")
    #expect(details[3].contains("patient"), "\(details[3])")
    // phone is optional.
    #expect(details[4] == "accepted")
    #expect(CancellationChecks.check(drop.cancellations[0])?.detail.contains("'updatedAt' is required but missing") == true)
    #expect(CancellationChecks.check(drop.cancellations[1]) == nil)
    // The same rule without the schema (a message built in code).
    #expect(CancellationChecks.check(CancellationMessage(heMsgId: "x", requestId: "y"))?.detail == "updatedAt is missing")
  }

  @Test func missingReplyIdsOrViolationsOutsideMessagesRefuseTheDrop() throws {
    let folder = try TemporaryFolder("ids")
    let noID = try write(Self.open + Self.booking("x").replacingOccurrences(of: #"bookingId="b-x" "#, with: "") + "</drop>", folder)
    #expect { try read(noID) } throws: { ($0 as? DropRejection)?.reason == .notValid }
    try FileManager.default.removeItem(atPath: noID)
    let stray = try write(Self.open + Self.booking("x") + "<stray/></drop>", folder)
    #expect { try read(stray) } throws: { ($0 as? DropRejection)?.reason == .notValid }
  }
}
