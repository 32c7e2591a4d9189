import ConnectorTestSupport
import Foundation

/// A demo spool after one `run`, with both HTML reports written beside it.
struct RenderedDemo {
  let spool: DemoSpool
  var frontDesk: String { spool.folder.child("front-desk.html") }
  var audit: String { spool.folder.child("audit.html") }

  init(label: String) throws {
    spool = try DemoSpool(label: label)
    let run = try spool.run(["run"])
    guard run.status == 1 else { throw HarnessError.failed("run: \(run.status) \(run.stderr)") }
    try render()
  }

  /// Writes both pages again (the front-desk page at the demo's as-of time).
  func render() throws {
    let report = try spool.run(["report", "--html", frontDesk, "--as-of", spool.asOf])
    guard report.status == 0 else { throw HarnessError.failed("report: \(report.status) \(report.stderr)") }
    let audit = try spool.run(["audit", "report", "--html", self.audit])
    guard audit.status == 0 else { throw HarnessError.failed("audit report: \(audit.status) \(audit.stderr)") }
  }

  func text(_ path: String) -> String {
    String(decoding: spool.contents(path), as: UTF8.self)
  }

  /// Every patient's full name, date of birth, mobile number and email in the demo database
  /// (bookings from the sample drops included, once a run has inserted them).
  func patientDetails() throws -> [String] {
    let r = try CommandRunner.run(
      "/usr/bin/sqlite3",
      ["-separator", "\t", spool.database, "SELECT first_name || ' ' || last_name, dob, coalesce(mobile, ''), coalesce(email, '') FROM patients"])
    guard r.status == 0 else { throw HarnessError.failed("sqlite3: \(r.stderr)") }
    return r.stdout.split(separator: "\n").flatMap { $0.split(separator: "\t").map(String.init) }.filter { $0.count >= 4 }
  }
}

/// What in a page could make a browser fetch something: any URL with a scheme or a
/// protocol-relative `//`, `url(`, and the elements and rules that load resources.
func externalReferences(in html: String) -> [String] {
  let patterns = [
    "[a-z][a-z0-9+.-]*://", "//", "url\\(", "@import", "@font-face", "<script", "<link", "<img", "<iframe", "<object",
    "<embed", "<video", "<audio", "<source", "\\ssrc=", "srcset=", "<base", "http-equiv",
  ]
  return patterns.filter { html.range(of: $0, options: [.regularExpression, .caseInsensitive]) != nil }
}

/// The visible text of an HTML document, tags removed and the common entities decoded.
func visibleText(_ html: String) -> String {
  var text = html
  for block in ["style", "title"] {
    text = text.replacingOccurrences(of: "<\(block)[^>]*>[\\s\\S]*?</\(block)>", with: " ", options: .regularExpression)
  }
  text = text.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
  for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
    text = text.replacingOccurrences(of: entity, with: char)
  }
  return text.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
}
