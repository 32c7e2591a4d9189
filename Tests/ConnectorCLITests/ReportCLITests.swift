import ConnectorTestSupport
import Foundation
import Testing

/// `report --html` and `audit report --html` on the demo practice, checked as text (no browser:
/// `ReportChromiumTests` renders them).
@Suite struct ReportCLITests {
  @Test func frontDeskPageShowsTheDemoPracticesKeyFacts() throws {
    let demo = try RenderedDemo(label: "report-front")
    let html = demo.text(demo.frontDesk)
    let status = try jsonObject(demo.text(demo.spool.folder.child("spool/state/status.json")))
    let finished = try #require(status["finishedAt"] as? String)
    let text = visibleText(html)
    #expect(text.contains("Last success ✔ \(finished)"), "last success time")
    #expect(text.contains("OK, with rejections"))
    #expect(text.contains("4 confirmed"))
    // The demo's two bookings that got a new file, with what to do (and no names: see below).
    #expect(text.contains("▲ 2 bookings in the review queue, each put on a new patient file: run `ppmp-connector review list`"), "\(text)")
    #expect(html.contains("<th scope=\"row\">review queue</th><td class=\"n\">2</td>"), "review queue row")
    // The seeded invalid diary rows, grouped under errors and marked on the practitioner.
    #expect(text.contains("✖ Errors ("))
    #expect(text.contains("invalid-diary-time"))
    #expect(html.contains("Ms Chloe Anderson (staff 5)<br><a class=\"mark bad\" href=\"#finding-"))
    #expect(html.contains("Ms Priya Sharma (staff 3)<br><a class=\"mark warn\""), "multi-column mark")
    // What Healthengine is shown for a plain diary on a known day.
    #expect(html.contains("title=\"Ms Sarah Mitchell, Tue 3 Mar 2026-03-03: 3 h free\""))
    #expect(html.contains("Free hours published, 2026-03-02 to"))
    // Accessibility: captions, header scopes, a described chart, print rules.
    #expect(html.contains("<caption>") && html.contains("scope=\"col\"") && html.contains("scope=\"row\""))
    #expect(html.contains("role=\"img\"") && html.contains("<desc id=\"chart-activity-d\">"))
    #expect(html.contains("@media print"))
  }

  @Test func auditPageShowsArchivesChainAndMessagesPerDay() throws {
    let demo = try RenderedDemo(label: "report-audit")
    let html = demo.text(demo.audit)
    let text = visibleText(html)
    #expect(text.contains("✔ verified"))
    #expect(html.contains("<code>demo-1</code>"))
    #expect(text.contains("start of the chain"))
    #expect(text.contains("audit show NAME bag-info.txt"))
    // Messages from the archived receipts: the sample drops' confirmations and rejections.
    #expect(html.contains(">confirmed</th>") && html.contains("booking rejected: "))
    #expect(html.contains("role=\"img\"") && html.contains("aria-labelledby=\"chain-t chain-d\""))

    // A broken chain is shown, not hidden: drop the first archive's file.
    let archive = demo.spool.folder.child("spool/archive")
    let month = try #require(try FileManager.default.contentsOfDirectory(atPath: archive).first)
    let file = try #require(try FileManager.default.contentsOfDirectory(atPath: archive + "/" + month).first)
    try Data([0x28, 0xB5]).write(to: URL(fileURLWithPath: archive + "/" + month + "/" + file))
    try demo.render()
    #expect(visibleText(demo.text(demo.audit)).contains("✖ broken"))
  }

  @Test func pagesFetchNothingAndNameNoPatient() throws {
    let demo = try RenderedDemo(label: "report-private")
    let details = try demo.patientDetails()
    #expect(details.count >= 3, "the demo database has patients: \(details)")
    for path in [demo.frontDesk, demo.audit] {
      let html = demo.text(path)
      #expect(externalReferences(in: html).isEmpty, "\(path): \(externalReferences(in: html))")
      for detail in details { #expect(!html.contains(detail), "\(path) mentions \(detail)") }
    }
    // --verbose changes nothing: there is no flag that adds patient details.
    let verbose = try demo.spool.run(["report", "--verbose", "--html", demo.frontDesk, "--as-of", demo.spool.asOf])
    #expect(verbose.status == 0)
    let html = demo.text(demo.frontDesk)
    for detail in details { #expect(!html.contains(detail)) }
  }

  @Test func sameInputsAndAsOfGiveTheSameBytes() throws {
    let demo = try RenderedDemo(label: "report-determinism")
    let first = (demo.spool.contents(demo.frontDesk), demo.spool.contents(demo.audit))
    try demo.render()
    #expect(demo.spool.contents(demo.frontDesk) == first.0)
    #expect(demo.spool.contents(demo.audit) == first.1)
  }

  @Test func textFromThePracticeIsEscaped() throws {
    let spool = try DemoSpool(label: "report-escape")
    let r = try CommandRunner.run(
      "/usr/bin/sqlite3", [spool.database, "UPDATE staff SET first_name = '<script>x</script>\"&''' WHERE id = 1"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try spool.run(["run"]).status == 1)
    let page = spool.folder.child("page.html")
    #expect(try spool.run(["report", "--html", page, "--as-of", spool.asOf]).status == 0)
    let html = String(decoding: spool.contents(page), as: UTF8.self)
    #expect(!html.contains("<script"))
    #expect(html.contains("&lt;script&gt;x&lt;/script&gt;\"&amp;'"), "text")
    #expect(html.contains("title=\"Ms &lt;script&gt;x&lt;/script&gt;&quot;&amp;&#39; Mitchell, "), "attribute")
  }

  @Test func runWritesReportHTMLFromTheConfiguration() throws {
    let spool = try DemoSpool(label: "report-config")
    let config = spool.folder.child("connector.toml")
    let text = try String(contentsOfFile: config, encoding: .utf8)
    #expect(text.contains("# report_html = "), "init documents the key")
    try ("report_html = \"site/status.html\"\n" + text).write(toFile: config, atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: spool.folder.child("site"), withIntermediateDirectories: true)
    #expect(try spool.run(["run"]).status == 1)
    let html = String(decoding: spool.contents(spool.folder.child("site/status.html")), as: UTF8.self)
    #expect(html.contains("Online bookings — practice demo"))
    #expect(html.contains("as of \(spool.asOf)"))
    // An unwritable target is a warning; the run's own exit status stands.
    try FileManager.default.removeItem(atPath: spool.folder.child("site"))
    let again = try spool.run(["run"], asOf: "2026-03-02T08:05")
    #expect(again.status == 0)
    #expect(again.stderr.contains("warning: report_html:"))
  }

  @Test func generationNeedsNoLockAndWorksWhileARunHoldsIt() throws {
    let demo = try RenderedDemo(label: "report-lock")
    let holder = try LockHolder(lockFile: demo.spool.folder.child("spool/state/lock"))
    defer { holder.release() }
    #expect(try demo.spool.run(["run"]).status == 75, "the lock is held")
    try demo.render()
    #expect(visibleText(demo.text(demo.frontDesk)).contains("Health at a glance"))
  }
}
