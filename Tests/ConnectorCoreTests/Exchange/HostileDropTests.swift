import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

/// One line of `Fixtures/hostile/manifest.tsv`.
struct HostileCase: CustomTestStringConvertible, Sendable {
  var file: String
  var expected: String
  var why: String
  var testDescription: String { file }

  static func all() -> [HostileCase] {
    let path = RepositoryPaths.fixture("hostile/manifest.tsv")
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
      let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      return HostileCase(file: parts[0], expected: parts.count > 1 ? parts[1] : "", why: parts.count > 2 ? parts[2] : "")
    }
  }
}

/// The hostile-input corpus (SPEC §10): each file read by `DropReader` as the ingest path reads
/// it, with the outcome its manifest line names. Entity, DTD and XInclude cases prove by their
/// outcome that nothing outside the file was read.
@Suite struct HostileDropTests {
  @Test func manifestCoversEveryCorpusFile() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: RepositoryPaths.fixture("hostile"))
      .filter { $0 != "manifest.tsv" }
    #expect(Set(files) == Set(HostileCase.all().map(\.file)))
    #expect(HostileCase.all().count >= 30)
  }

  @Test(arguments: HostileCase.all())
  func hostileDropHasItsExpectedOutcome(_ c: HostileCase) throws {
    let path = RepositoryPaths.fixture("hostile/" + c.file)
    let outcome: String
    do {
      let document = try DropReader.read(path: path, maxBytes: 16 * 1024 * 1024, expectedPracticeID: "demo")
      let accepted = document.bookings.filter { if case .success = BookingChecks.check($0) { true } else { false } }
      let acceptedCancellations = document.cancellations.filter { CancellationChecks.check($0) == nil }
      outcome = "read b=\(document.bookings.count) c=\(document.cancellations.count) ok=\(accepted.count) cok=\(acceptedCancellations.count)"
      // Nothing from outside the file may surface in what was read.
      for b in document.bookings {
        #expect(!(b.reason ?? "").contains("root:"), "\(c.file): /etc/passwd leaked into a reason")
      }
    } catch let rejection as DropRejection {
      outcome = "rejected \(rejection.reason.rawValue)"
      #expect(!rejection.detail.isEmpty)
    }
    #expect(outcome == c.expected, "\(c.file) (\(c.why))")
  }
}
