import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// The smaller things an operator tripped over: severities that disagree, repeated fixes,
/// parser jargon, silently ignored settings, an empty export line.
@Suite struct PapercutCLITests {
  private func appendToConfig(_ spool: DemoSpool, _ text: String) throws {
    let path = spool.folder.child("connector.toml")
    try (try String(contentsOfFile: path, encoding: .utf8) + text).write(toFile: path, atomically: true, encoding: .utf8)
  }

  @Test func exportAndDoctorGiveEachDiaryProblemTheSameSeverityAndSayARepeatedFixOnce() throws {
    let spool = try DemoSpool(label: "severity")
    let export = try spool.run(["export"])
    #expect(export.status == 0, "\(export.stderr)")
    let findings = try #require(
      try JSONSerialization.jsonObject(with: Data(try spool.run(["doctor", "--json"]).stdout.utf8)) as? [[String: Any]])
    let severityOf = Dictionary(
      findings.map { ($0["what"] as? String ?? "", $0["severity"] as? String ?? "") }, uniquingKeysWith: { a, _ in a })
    var matched: [String: Int] = [:]
    for line in export.stderr.split(separator: "\n").map(String.init) {
      guard let colon = line.firstIndex(of: ":"), let fix = line.range(of: " Fix: ") else { continue }
      let severity = String(line[..<colon])
      let problem = String(line[line.index(colon, offsetBy: 2)..<fix.lowerBound])
      guard let doctorSeverity = severityOf[problem] else { continue }
      #expect(doctorSeverity == severity, "export says \(severity), doctor \(doctorSeverity): \(problem)")
      matched[severity, default: 0] += 1
    }
    #expect((matched["error"] ?? 0) >= 3 && (matched["warning"] ?? 0) >= 1, "\(matched)\n\(export.stderr)")
    #expect(export.stderr.contains("Fix: as above"))
    #expect(try spool.run(["doctor"]).stdout.contains("    fix:   as above"))
  }

  @Test func anUnquotedTextValueNamesTheKeyAndTheQuotedForm() throws {
    let spool = try DemoSpool(label: "unquoted")
    let path = spool.folder.child("connector.toml")
    let text = try String(contentsOfFile: path, encoding: .utf8)
      .replacingOccurrences(of: "practice_id = \"demo\"", with: "practice_id = t1")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let r = try spool.run(["status"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("the value of practice_id is not quoted") && r.stderr.contains("practice_id = \"t1\""), "\(r.stderr)")
    #expect(!r.stderr.contains("boolean"), "\(r.stderr)")
  }

  @Test func aPractitionerSectionForStaffPPMPDoesNotHaveIsReported() throws {
    let spool = try DemoSpool(label: "unknown-staff-section")
    try appendToConfig(spool, "\n[practitioner.99]\nmulti_column = \"any\"\n\n[practitioner.1]\nmulti_column = \"any\"\n")
    let findings = try #require(
      try JSONSerialization.jsonObject(with: Data(try spool.run(["doctor", "--json"]).stdout.utf8)) as? [[String: Any]])
    let unknown = findings.filter { $0["code"] as? String == "unknown-configured-practitioner" }
    #expect(unknown.count == 1)
    #expect((unknown.first?["where"] as? [String: Any])?["practitionerId"] as? Int == 99)
  }

  @Test func aRunThatFailedBeforeExportingSaysSoInStatus() throws {
    let spool = try DemoSpool(label: "export-not-done")
    let r = try spool.run(["run", "--database", spool.folder.child("gone.sqlite")])
    #expect(r.status == 2)
    let status = try spool.run(["status"]).stdout
    #expect(status.contains("  export:  not done (the run failed before it)"), "\(status)")
    #expect(!status.contains("export:  ,"))
  }
}
