#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ConnectorArchive
import ConnectorXML
import Foundation

/// The names and tag-file formats of our serialized BagIt bags (RFC 8493).
public enum BagLayout {
  public static let bagitText = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
  public static let zeroHash = String(repeating: "0", count: 64)

  /// `<practiceId>-<sequence>`: the bag's top folder and the archive's file stem.
  public static func name(practiceID: String, sequence: Int64) -> String { "\(practiceID)-\(sequence)" }

  /// bag-info.txt with its fields in a fixed order.
  public static func bagInfo(
    baggingDate: String, payloadBytes: Int64, payloadFiles: Int, sequence: Int64, previousTarSHA256: String,
    practiceID: String
  ) -> String {
    """
    Bagging-Date: \(baggingDate)
    Payload-Oxum: \(payloadBytes).\(payloadFiles)
    Archive-Sequence: \(sequence)
    Previous-Archive-SHA256: \(previousTarSHA256)
    External-Identifier: \(practiceID)-\(sequence)
    Bag-Software-Agent: ppmp-connector \(ConnectorVersion.string)
    Libarchive-Version: \(ArchiveLibrary.versionDetails)

    """
  }

  /// `<hash>  <path>` lines sorted by path (RFC 8493 §2.1.3), the path percent-encoded where
  /// the RFC requires it.
  public static func manifest(_ hashes: [(path: String, sha256: String)]) -> String {
    hashes.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
      .map { "\($0.sha256)  \(encodeManifestPath($0.path))\n" }.joined()
  }

  /// RFC 8493 §2.1.3: a manifest path encodes `%`, CR and LF as `%25`, `%0D`, `%0A` — drops may
  /// arrive under any name, and a raw newline would split a manifest line (and `%20` in a name
  /// would be read back by validators as a space).
  public static func encodeManifestPath(_ path: String) -> String {
    guard path.contains(where: { $0 == "%" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return path }
    var out = ""
    for scalar in path.unicodeScalars {
      switch scalar {
      case "%": out += "%25"
      case "\r": out += "%0D"
      case "\n": out += "%0A"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// The inverse of `encodeManifestPath` (other `%xx` sequences are left as they are).
  public static func decodeManifestPath(_ path: String) -> String {
    guard path.contains("%") else { return path }
    return path.replacingOccurrences(of: "%0D", with: "\r", options: .caseInsensitive)
      .replacingOccurrences(of: "%0A", with: "\n", options: .caseInsensitive)
      .replacingOccurrences(of: "%25", with: "%")
  }

  /// Parses `Key: value` lines.
  public static func parseTagFile(_ text: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in text.split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      out[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return out
  }

  /// Parses manifest lines into path → hash. Only the separator after the hash is dropped, so a
  /// file name that ends (or starts) with a space still matches its member.
  public static func parseManifest(_ text: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in text.split(separator: "\n") {
      guard let gap = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { continue }
      let path = line[gap...].drop(while: { $0 == " " || $0 == "\t" })
      guard !path.isEmpty else { continue }
      out[decodeManifestPath(String(path))] = String(line[..<gap])
    }
    return out
  }

  /// Why a manifest path is unsafe, or nil: every path must name a file under `data/` inside the
  /// bag, so that no tool following the manifest (ours, `sha256sum -c`, a BagIt validator) is
  /// led outside it.
  public static func manifestPathProblem(_ path: String) -> String? {
    if path.hasPrefix("/") { return "absolute paths are refused" }
    let components = path.split(separator: "/", omittingEmptySubsequences: false)
    if components.contains("..") { return "paths with a '..' component are refused" }
    if components.contains(where: { $0 == "." || $0.isEmpty }) { return "paths with a '.' or empty component are refused" }
    if components.count < 2 || components[0] != "data" { return "payload paths start with data/" }
    if case .failure(let refusal) = MemberNameRules.bag.components(of: path, isDirectory: false) { return refusal.reason }
    return nil
  }

  /// Calls `body` with each payload XML member of the archive at `path` no larger than `limit`
  /// — its name as in the manifest (`data/…`) and a way to read it — until `body` returns false.
  /// The exchange files the heMsgId index and `audit find` read; larger members are snapshots of
  /// big practices, which mention no heMsgId.
  static func forEachPayloadXML(
    inArchive path: String, limit: Int64, _ body: (String, () throws -> [UInt8]) throws -> Bool
  ) throws {
    let reader = try TarReader(path: path)
    while let entry = try reader.next() {
      guard entry.type == .file, entry.path.hasSuffix(".xml"), entry.size <= limit,
        let range = entry.path.range(of: "/data/")
      else { continue }
      guard try body("data/" + entry.path[range.upperBound...], { try reader.readAll(limit: Int(limit)) }) else { return }
    }
  }

  /// Whether `needle` (non-empty) occurs in `bytes` (`ByteSearch.contains`).
  static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { ByteSearch.contains($0, needle) }
  }

  /// heMsgId and requestId values mentioned by an exchange file (drops, receipts, refresh and
  /// events documents), for the audit index.
  public static func heMsgIds(inXML bytes: [UInt8]) -> [String] {
    // Most archived bytes are snapshots and deltas, which carry no heMsgId; a byte search
    // (exchange files are UTF-8) spares parsing them, which dominated the archive's run time.
    guard contains(bytes, Array("heMsgId".utf8)) || contains(bytes, Array("requestId".utf8)), let reader = try? XMLStreamReader(bytes: bytes, limits: XMLReadLimits(maxBytes: nil, maxDepth: 16, maxTextBytes: 1 << 20))
    else { return [] }
    var ids: [String] = []
    while let event = try? reader.next() {
      guard case .startElement(let e) = event else { continue }
      for name in ["heMsgId", "requestId"] { if let id = e[attribute: name] { ids.append(id) } }
      if let list = e[attribute: "requestIds"] { ids += list.split(separator: " ").map(String.init) }
    }
    return Array(Set(ids)).sorted()
  }
}
