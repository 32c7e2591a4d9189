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

    let r = try spool.run(["ingest"])
    #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
    // Nothing from libxml2 bypasses our log lines: every stderr line is one of ours.
    #expect(r.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("ts=") || $0.hasPrefix("ingest:") }, "\(r.stderr)")
    #expect(r.stdout.contains("1 drop(s) rejected"), "\(r.stdout)")
    #expect(try spool.ppmpFingerprint() == before)
    #expect(try spool.outboxFiles() == ["rejected-hostile.xml"])
    let notice = try #require(try AnswerFile.elements(spool.outbox + "/rejected-hostile.xml").first)
    #expect(c.reasons.contains(notice["reason"] ?? ""), "reason \(notice["reason"] ?? "none"): \(notice["detail"] ?? "")")
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
}
