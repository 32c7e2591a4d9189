import Foundation

/// Where the repository's files and the built products are, for tests.
public enum RepositoryPaths {
  /// The package root (the folder holding Package.swift).
  public static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
      url.deleteLastPathComponent()
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    fatalError("Package.swift not found above \(#filePath)")
  }()

  /// `Fixtures/<relative>`.
  public static func fixture(_ relative: String) -> String { root + "/Fixtures/" + relative }

  /// The folder holding the built executables (beside the test bundle).
  public static let products: String = {
    var url = Bundle.main.bundleURL
    for _ in 0..<3 {
      if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("ppmp-connector").path) { return url.path }
      url.deleteLastPathComponent()
    }
    return root + "/.build/debug"
  }()

  /// Absolute path of a built executable (`ppmp-connector`, `ppmp-fixtures`).
  public static func executable(_ name: String) -> String { products + "/" + name }
}
