import Foundation

/// Files shipped inside the program: the exchange XSDs and the PPMP schema and demo practice.
public enum BundledResources {
  /// Absolute path of a bundled file, e.g. `schemas/snapshot.xsd` or `ppmp/schema.sql`.
  public static func path(_ relative: String) throws -> String {
    guard let base = Bundle.module.resourceURL else {
      throw ConnectorError.io(operation: "locate", path: relative, errno: 0, message: "the program's resource bundle is missing")
    }
    let path = base.appendingPathComponent(relative).path
    guard FileManager.default.fileExists(atPath: path) else {
      throw ConnectorError.io(operation: "locate", path: path, errno: 0, message: "bundled file is missing")
    }
    return path
  }

  public static func text(_ relative: String) throws -> String {
    let p = try path(relative)
    guard let data = FileManager.default.contents(atPath: p), let s = String(data: data, encoding: .utf8) else {
      throw ConnectorError.io(operation: "read", path: p, errno: 0, message: "unreadable")
    }
    return s
  }
}
