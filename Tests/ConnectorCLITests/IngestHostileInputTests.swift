import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// Hostile drops through the real binary (SPEC §10): each is rejected whole with a reason, PPMP is
/// untouched, nothing of a file an entity points at leaks anywhere, and the next run works.
@Suite struct IngestHostileInputTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var label: String
    /// Acceptable dropRejected reasons.
    var reasons: Set<String>
    /// Words the notice's detail must hold (the real cause).
    var detail: String? = nil
    var testDescription: String { label }
  }

  static let cases: [Case] = [
    Case(label: "external entity to a local file", reasons: ["doctype-forbidden"]),
    Case(label: "entity expansion bomb", reasons: ["doctype-forbidden"]),
    Case(label: "100 MB sparse drop", reasons: ["too-large"]),
    Case(label: "invalid UTF-8", reasons: ["bad-encoding", "not-well-formed"]),
    Case(label: "deep nesting", reasons: ["not-valid"]),
    Case(label: "wrong practiceId", reasons: ["wrong-practice"]),
    Case(label: "plain DOCTYPE", reasons: ["doctype-forbidden"]),
    Case(label: "'<' in the namespace URI", reasons: ["not-well-formed"]),
    // 10⁶ attributes on <drop>, 9 MB: libxml2 would check them against each other for minutes.
    Case(label: "attribute flood", reasons: ["too-large"], detail: "more than 32 attributes on one element"),
    Case(label: "UTF-32", reasons: ["bad-encoding"]),
    Case(label: "10 MB comment", reasons: ["too-large"], detail: "comment"),
  ]

  static let booking = """
    <booking heMsgId="hostile-1" bookingId="b1" pmsResourceId="1" pmsAppointmentTime="2026-03-05T10:00" \
    pmsAppointmentLength="900" bookedTime="2026-03-01T00:00:00Z"><patient firstname="Ann" lastname="Bee" dob="1980-01-01"/>
    """

  /// Writes the hostile drop for `label` to `path`.
  static func write(_ label: String, to path: String, secretPath: String) throws {
    let open = #"<drop xmlns="urn:ppmp-connector:exchange:1" practiceId="demo">"#
    var text: String
    switch label {
    case "external entity to a local file":
      text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE drop [<!ENTITY leak SYSTEM "file://\(secretPath)">]>
        \(open)\(booking)<reason>&leak;</reason></booking></drop>
        """
    case "entity expansion bomb":
      var entities = #"<!ENTITY l0 "lol">"#
      for i in 1...12 { entities += "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">" }
      text = """
        <?xml version="1.0"?>
        <!DOCTYPE drop [\(entities)]>
        \(open)\(booking)<reason>&l12;</reason></booking></drop>
        """
    case "100 MB sparse drop":
      // Mostly a hole: 100 MB long, a few bytes on disk; the size check must refuse it unread.
      try FileSystem.write(Array("<?xml version=\"1.0\"?>\n\(open)".utf8), toNewFile: path)
      guard truncate(path, 100 * 1024 * 1024) == 0 else { throw HarnessError.failed("truncate") }
      return
    case "invalid UTF-8":
      var bytes = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\(open)\(booking)<reason>".utf8)
      bytes += [0xC3, 0x28, 0xFF, 0xFE, 0x80]
      bytes += Array("</reason></booking></drop>".utf8)
      try FileSystem.write(bytes, toNewFile: path)
      return
    case "deep nesting":
      text = open + booking + "<reason>" + String(repeating: "<x>", count: 5000) + String(repeating: "</x>", count: 5000)
        + "</reason></booking></drop>"
    case "'<' in the namespace URI":
      // libxml2's schema validator met this with "Unimplemented block at xmlschemas.c" on stderr.
      text = #"<drop xmlns="ur<reason><reason>" practiceId="demo">"# + booking + "</booking></drop>"
    case "attribute flood":
      var flood = "<?xml version=\"1.0\"?>\n<drop xmlns=\"urn:ppmp-connector:exchange:1\" practiceId=\"demo\""
      flood.reserveCapacity(10_000_000)
      for i in 0..<1_000_000 { flood += " a\(String(i, radix: 36))=\"\"" }
      text = flood + ">" + booking + "</booking></drop>"
    case "UTF-32":
      let utf32 = "<?xml version=\"1.0\" encoding=\"UTF-32\"?>\n\(open)\(booking)</booking></drop>"
      try FileSystem.write([0xFF, 0xFE, 0, 0] + utf32.unicodeScalars.flatMap { s in (0..<4).map { UInt8((s.value >> (8 * $0)) & 0xFF) } }, toNewFile: path)
      return
    case "10 MB comment":
      text = "<?xml version=\"1.0\"?>\n" + open + "<!--" + String(repeating: "x", count: 10_000_000) + "-->" + booking + "</booking></drop>"
    case "wrong practiceId":
      text = #"<drop xmlns="urn:ppmp-connector:exchange:1" practiceId="someone-else">"# + booking + "</booking></drop>"
    default:
      text = "<?xml version=\"1.0\"?>\n<!DOCTYPE drop>\n" + open + booking + "</booking></drop>"
    }
    try FileSystem.write(Array(text.utf8), toNewFile: path)
  }

  @Test(arguments: cases)
  func hostileDropIsRejectedWholeAndLeavesPPMPUntouched(_ c: Case) throws {
    let spool = try DemoSpool(label: "hostile")
    try spool.prepareForIngest()
    let marker = "TOP-SECRET-\(UUID().uuidString)"
    let secretPath = spool.folder.child("secret.txt")
    try FileSystem.write(Array(marker.utf8), toNewFile: secretPath)
    try Self.write(c.label, to: spool.inbox + "/hostile.xml", secretPath: secretPath)
    let before = try spool.ppmpFingerprint()

    let started = Date()
    let r = try spool.run(["ingest"])
    let elapsed = Date().timeIntervalSince(started)
    #expect(elapsed < 20, "ingest took \(elapsed) s")
    #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
    // Nothing from libxml2 bypasses our log lines: every stderr line is one of ours.
    #expect(r.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("ts=") || $0.hasPrefix("ingest:") }, "\(r.stderr)")
    #expect(r.stdout.contains("1 drop(s) rejected"), "\(r.stdout)")
    #expect(try spool.ppmpFingerprint() == before)
    #expect(try spool.outboxFiles() == ["rejected-hostile.xml"])
    let notice = try #require(try AnswerFile.elements(spool.outbox + "/rejected-hostile.xml").first)
    #expect(c.reasons.contains(notice["reason"] ?? ""), "reason \(notice["reason"] ?? "none"): \(notice["detail"] ?? "")")
    if let words = c.detail {
      #expect(notice["detail"]?.contains(words) == true, "\(notice["detail"] ?? "")")
      #expect(notice["detail"]?.contains("truncated") == false)
    }
    #expect(ExchangeValidator.validate(path: spool.outbox + "/rejected-hostile.xml").errors.isEmpty)
    #expect(spool.files(in: spool.rejected) == ["hostile.xml", "hostile.xml.reason.txt"])
    #expect(spool.files(in: spool.work).isEmpty && spool.files(in: spool.inbox).isEmpty)
    if c.label == "100 MB sparse drop" {
      // Refused unread: no digest of its content.
      #expect(notice["dropSha256"] == nil)
      let reason = try String(contentsOfFile: spool.rejected + "/hostile.xml.reason.txt", encoding: .utf8)
      #expect(reason.contains("not read"))
    }

    // The secret is nowhere: output, outbox, rejected/, state, PPMP.
    #expect(!r.stdout.contains(marker) && !r.stderr.contains(marker))
    let needle = Array(marker.utf8)
    let walker = try #require(FileManager.default.enumerator(atPath: spool.path))
    var scanned = 0
    for case let relative as String in walker where relative != "secret.txt" {
      let path = spool.path + "/" + relative
      guard let info = try? FileManager.default.attributesOfItem(atPath: path), info[.type] as? FileAttributeType == .typeRegular,
        (info[.size] as? Int ?? 0) < 20 * 1024 * 1024
      else { continue }
      let bytes = spool.contents(path)
      #expect(bytes.firstRange(of: needle) == nil, "\(relative) holds the secret")
      scanned += 1
    }
    #expect(scanned > 5)

    // The spool still works: a good drop next is confirmed.
    _ = try spool.generateDrops(bookings: 3, perDrop: 3, seed: 5)
    let next = try spool.run(["ingest"])
    #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
    #expect(next.stdout.contains("3 confirmed"), "\(next.stdout)")
  }

  /// One drop whose messages are each wrong in one field, beside good ones: each bad message is
  /// answered `invalid-message` naming the field, the good ones are booked, the drop is not
  /// rejected, and no patient value reaches the receipt, stdout, stderr or `validate`.
  @Test func eachBadMessageIsAnsweredAloneNamingTheFieldWithoutItsValue() throws {
    let spool = try DemoSpool(label: "per-message")
    try spool.prepareForIngest()
    let longDOB = "1980-01-02" + String(repeating: "4", count: 290)
    let cjk = String(repeating: "\u{75DB}", count: 2_800)
    func booking(_ id: String, _ time: String, patient: String, reason: String = "Knee", without: String? = nil) -> String {
      var attributes = #"heMsgId="\#(id)" bookingId="b-\#(id)" pmsResourceId="1" pmsAppointmentTime="2026-03-05T\#(time)" pmsAppointmentLength="900" bookedTime="2026-03-01T00:00:00Z""#
      if let without { attributes = attributes.replacingOccurrences(of: " " + without, with: "") }
      return "<booking \(attributes)><patient \(patient)/><reason>\(reason)</reason></booking>\n"
    }
    let text = """
      <?xml version="1.0" encoding="UTF-8"?>
      <drop xmlns="urn:ppmp-connector:exchange:1" practiceId="demo">
      \(booking("good", "09:30", patient: #"firstname="Gail" lastname="Good" dob="1971-01-01" phone="0400 100 100""#))\
      \(booking("no-phone", "10:00", patient: #"firstname="Nora" lastname="Nophone" dob="1972-02-02""#))\
      \(booking("cjk", "10:15", patient: #"firstname="Chen" lastname="Cjk" dob="1973-03-03" phone="0400 300 300""#, reason: cjk))\
      \(booking("padded-dob", "10:45", patient: #"firstname=" Pat " lastname="Padded" dob=" 1974-04-04 " phone="0400 400 400""#))\
      \(booking("long-dob", "11:15", patient: #"firstname="Lars" lastname="Longdob" dob="\#(longDOB)" phone="0400 500 500""#))\
      \(booking("no-booked", "11:15", patient: #"firstname="Nils" lastname="Nobooked" dob="1976-06-06""#, without: #"bookedTime="2026-03-01T00:00:00Z""#))\
      \(booking("bidi", "11:15", patient: #"firstname="&#x202E;Bob" lastname="Bidi" dob="1977-07-07""#))\
      \(booking("circled", "11:15", patient: #"firstname="Cara" lastname="Circled" dob="1978-08-08" phone="①½Ⅻ 0400""#))\
      \(booking("newline", "11:15", patient: #"firstname="Nell" lastname="Newline" dob="1979-09-09" email="nell@example.org&#10;Bcc: x@evil.example""#))\
      <cancellation heMsgId="no-updated" requestId="r-1"/>
      </drop>
      """
    let dropPath = spool.folder.child("copy.xml")
    try FileSystem.write(Array(text.utf8), toNewFile: dropPath)
    try FileSystem.write(Array(text.utf8), toNewFile: spool.inbox + "/mixed.xml")

    // validate: the drop is valid as a drop; each bad message is a warning naming its field.
    let check = try spool.run(["validate", dropPath])
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    let warnings = check.stderr.split(separator: "\n").map(String.init)
    for (id, field) in [("long-dob", "attribute 'dob'"), ("no-booked", "'bookedTime' is required"), ("bidi", "patient firstname"),
                        ("circled", "patient phone"), ("newline", "patient email"), ("no-updated", "'updatedAt' is required")] {
      #expect(warnings.contains { $0.contains(" \(id): invalid-message: ") && $0.contains(field) }, "\(id): \(check.stderr)")
    }
    #expect(warnings.count == 6, "\(check.stderr)")

    let r = try spool.run(["ingest"])
    #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
    #expect(try spool.outboxFiles() == ["receipt-mixed.xml"])
    #expect(spool.files(in: spool.rejected).isEmpty)
    let entries = try AnswerFile.entries(spool.outbox + "/receipt-mixed.xml")
    let byID = Dictionary(entries.map { ($0["heMsgId"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    for id in ["good", "no-phone", "cjk", "padded-dob"] {
      #expect(byID[id]?.name == "confirmInsert", "\(id): \(byID[id]?.attributes ?? [:])")
    }
    for (id, field) in [("long-dob", "attribute 'dob'"), ("no-booked", "'bookedTime' is required"), ("bidi", "patient firstname"),
                        ("circled", "patient phone"), ("newline", "patient email")] {
      #expect(byID[id]?.name == "rejectInsert" && byID[id]?["reason"] == "invalid-message", "\(id): \(byID[id]?.attributes ?? [:])")
      #expect(byID[id]?["detail"]?.contains(field) == true, "\(id): \(byID[id]?["detail"] ?? "")")
    }
    // Needs Ingestor.apply to answer cancellations through CancellationChecks.check.
    #expect(byID["no-updated"]?.name == "rejectUpdate" && byID["no-updated"]?["reason"] == "invalid-message")
    #expect(byID["no-updated"]?["detail"]?.contains("updatedAt") == true)

    // No patient value anywhere a person reads: receipt, stdout, stderr, validate.
    let receipt = String(decoding: spool.contents(spool.outbox + "/receipt-mixed.xml"), as: UTF8.self)
    for secret in ["1980-01-02", "4444", "\u{202E}", "①", "Bcc", "Gail", "Longdob", "1976-06-06"] {
      #expect(!receipt.contains(secret), "receipt holds \(secret)")
      #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret), "ingest output holds \(secret)")
      #expect(!check.stdout.contains(secret) && !check.stderr.contains(secret), "validate output holds \(secret)")
    }
  }
}
