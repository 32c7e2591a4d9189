import Foundation

/// Golden-file comparison. Expected files live under `Fixtures/`; they are re-recorded only when
/// the environment variable `PPMP_RECORD_GOLDEN=1` is set, never silently.
public enum GoldenFile {
  public static var isRecording: Bool { ProcessInfo.processInfo.environment["PPMP_RECORD_GOLDEN"] == "1" }

  /// Returns nil when `actual` equals the golden file, else a description of the first difference.
  /// In recording mode writes the golden file and returns nil.
  public static func compare(_ actual: [UInt8], golden relativePath: String) throws -> String? {
    let path = RepositoryPaths.fixture(relativePath)
    if isRecording {
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(actual).write(to: URL(fileURLWithPath: path))
      return nil
    }
    guard let expected = FileManager.default.contents(atPath: path) else {
      return "golden file \(path) is missing; record it with PPMP_RECORD_GOLDEN=1"
    }
    let e = [UInt8](expected)
    if e == actual { return nil }
    let eLines = String(decoding: e, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let aLines = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    for i in 0..<max(eLines.count, aLines.count) {
      let el = i < eLines.count ? String(eLines[i]) : "<end>"
      let al = i < aLines.count ? String(aLines[i]) : "<end>"
      if el != al { return "\(relativePath) differs at line \(i + 1):\n expected: \(el)\n actual:   \(al)" }
    }
    return "\(relativePath) differs (\(e.count) vs \(actual.count) bytes)"
  }
}
