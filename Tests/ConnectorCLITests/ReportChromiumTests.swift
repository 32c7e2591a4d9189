import ConnectorTestSupport
import Foundation
import Testing

/// Debian's headless browser, when installed (`make test-html` installs it).
private let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
  FileManager.default.isExecutableFile(atPath: $0)
}

/// Runs Chromium headless with networking disabled (every host name resolves to nothing), so a
/// page that needed anything from the network would render incomplete.
private func chromiumRun(_ arguments: [String], profile: TemporaryFolder) throws -> CommandResult {
  try CommandRunner.run(
    "/usr/bin/timeout",
    ["90", chromium ?? "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
     "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=\(profile.path)"] + arguments)
}

/// Both pages of the demo practice rendered in a real browser: the DOM Chromium builds (with
/// scripts irrelevant: the pages have none) holds the key facts, and screenshots render.
/// `PPMP_REPORT_SCREENSHOTS=DIR` copies the screenshots there (how docs/images/ is made).
@Suite(.enabled(if: chromium != nil, "chromium is not installed; `make test-html` installs it and runs these tests"))
struct ReportChromiumTests {
  @Test func frontDeskPageRendersOfflineWithTheKeyFacts() throws {
    let demo = try RenderedDemo(label: "chromium-front")
    let profile = try TemporaryFolder("chromium-profile")
    let dom = try chromiumRun(["--dump-dom", "file://" + demo.frontDesk], profile: profile)
    #expect(dom.status == 0, "\(dom.stderr)")
    let text = visibleText(dom.stdout)
    let status = try jsonObject(demo.text(demo.spool.folder.child("spool/state/status.json")))
    #expect(text.contains("Last success ✔ \(try #require(status["finishedAt"] as? String))"))
    #expect(text.contains("4 confirmed"))
    #expect(text.contains("invalid-diary-time") && text.contains("Ms Chloe Anderson (staff 5) ✖ invalid diary row"))
    #expect(dom.stdout.contains("title=\"Ms Sarah Mitchell, Tue 3 Mar 2026-03-03: 3 h free\">3</td>"))
    // Rendered to the end with no network: the footer is there.
    #expect(text.contains("Regenerate with `ppmp-connector report --html FILE`"))
    for detail in try demo.patientDetails() { #expect(!dom.stdout.contains(detail)) }
    try screenshot(demo.frontDesk, name: "report-front-desk.png", height: 2600, profile: profile)
  }

  @Test func auditPageRendersOfflineWithTheChain() throws {
    let demo = try RenderedDemo(label: "chromium-audit")
    let profile = try TemporaryFolder("chromium-profile")
    let dom = try chromiumRun(["--dump-dom", "file://" + demo.audit], profile: profile)
    #expect(dom.status == 0, "\(dom.stderr)")
    let text = visibleText(dom.stdout)
    #expect(text.contains("Chain ✔ verified"))
    #expect(text.contains("demo-1") && text.contains("start of the chain"))
    #expect(text.contains("Messages per day by outcome"))
    #expect(text.contains("check everything again with `ppmp-connector audit verify`"))
    for detail in try demo.patientDetails() { #expect(!dom.stdout.contains(detail)) }
    try screenshot(demo.audit, name: "report-audit.png", height: 1700, profile: profile)
  }

  private func screenshot(_ page: String, name: String, height: Int, profile: TemporaryFolder) throws {
    let png = profile.child(name)
    let r = try chromiumRun(
      ["--hide-scrollbars", "--window-size=1280,\(height)", "--screenshot=\(png)", "file://" + page], profile: profile)
    #expect(r.status == 0, "\(r.stderr)")
    let bytes = try #require(FileManager.default.contents(atPath: png))
    #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 10_000, "a real PNG")
    if let dir = ProcessInfo.processInfo.environment["PPMP_REPORT_SCREENSHOTS"] {
      let target = dir + "/" + name
      try? FileManager.default.removeItem(atPath: target)
      try FileManager.default.copyItem(atPath: png, toPath: target)
    }
  }
}
