import Foundation

/// A fresh folder under the system temp directory, removed when the value is deinitialised.
public final class TemporaryFolder {
  public let path: String

  public init(_ label: String = "ppmp-test") throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    path = url.path
  }

  /// `path/relative`.
  public func child(_ relative: String) -> String { path + "/" + relative }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}
