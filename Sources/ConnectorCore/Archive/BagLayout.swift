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

  /// `<hash>  <path>` lines sorted by path (RFC 8493 §2.1.3).
  public static func manifest(_ hashes: [(path: String, sha256: String)]) -> String {
    hashes.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }.map { "\($0.sha256)  \($0.path)\n" }.joined()
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

  /// Parses manifest lines into path → hash.
  public static func parseManifest(_ text: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
      guard parts.count == 2 else { continue }
      out[parts[1].trimmingCharacters(in: .whitespaces)] = String(parts[0])
    }
    return out
  }

  /// heMsgId values mentioned by an exchange file (drops, receipts), for the audit index.
  public static func heMsgIds(inXML bytes: [UInt8]) -> [String] {
    guard let reader = try? XMLStreamReader(bytes: bytes, limits: XMLReadLimits(maxBytes: nil, maxDepth: 16, maxTextBytes: 1 << 20))
    else { return [] }
    var ids: [String] = []
    while let event = try? reader.next() {
      if case .startElement(let e) = event, let id = e[attribute: "heMsgId"] { ids.append(id) }
    }
    return Array(Set(ids)).sorted()
  }
}
