import ConnectorArchive
import Foundation

/// The result of `audit verify`: every archive read back, and every break in the chain.
public struct ChainReport: Sendable {
  public var archives: [BagReport]
  /// Problems in chain order; the first one is the first broken link or altered file.
  public var problems: [String]
  public var isIntact: Bool { problems.isEmpty }
}

/// Auditors' tools over the archive folder (SPEC §7). They work from the archive files
/// themselves; the catalog in connector.sqlite speeds `find` up and is cross-checked by `verify`,
/// but an auditor holding only the archive folder can run every command.
public struct ArchiveAuditor {
  public let archiveFolder: String
  public let state: ConnectorState?

  public init(archiveFolder: String, state: ConnectorState?) {
    self.archiveFolder = archiveFolder
    self.state = state
  }

  static let extensions = ArchiveCodec.allCases.filter { $0 != .none }.map { "." + $0.fileExtension }

  /// Archive files under the folder (one level of YYYY-MM subfolders), relative paths, sorted.
  public func archiveFiles() -> [String] {
    var out: [String] = []
    let fm = FileManager.default
    for month in (try? fm.contentsOfDirectory(atPath: archiveFolder)) ?? [] where !month.hasPrefix(".") {
      let folder = archiveFolder + "/" + month
      for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? []
      where !name.hasPrefix(".") && Self.extensions.contains(where: { name.hasSuffix($0) }) {
        out.append(month + "/" + name)
      }
    }
    return out.sorted()
  }

  /// Reads every archive back and checks every manifest and the whole chain.
  public func verify() -> ChainReport {
    var reports = archiveFiles().map { BagVerifier.verify(path: archiveFolder + "/" + $0) }
    reports.sort { ($0.sequence ?? Int64.max, $0.path) < ($1.sequence ?? Int64.max, $1.path) }
    var problems: [String] = []
    var previous: BagReport?
    var expectedSequence: Int64 = 1
    for r in reports {
      let name = (r.path as NSString).lastPathComponent
      for p in r.problems { problems.append("\(name): \(p)") }
      guard let seq = r.sequence else {
        problems.append("\(name): bag-info.txt has no Archive-Sequence")
        continue
      }
      if seq != expectedSequence {
        if seq > expectedSequence {
          problems.append(
            "archive sequence \(expectedSequence)\(seq - 1 > expectedSequence ? "–\(seq - 1)" : "") is missing before \(name)")
        } else {
          problems.append("\(name): sequence \(seq) appears twice")
        }
      }
      let expectedPrevious = previous?.tarSHA256 ?? BagLayout.zeroHash
      if seq == 1 || previous != nil {
        if r.previousTarSHA256 != expectedPrevious {
          problems.append(
            "\(name): Previous-Archive-SHA256 \(r.previousTarSHA256 ?? "missing") does not match the \(previous == nil ? "start of the chain (64 zeros)" : "tar SHA-256 of \((previous!.path as NSString).lastPathComponent) (\(expectedPrevious))")")
        }
      }
      previous = r
      expectedSequence = seq + 1
    }
    if let catalog = try? state?.archives() {
      let byPath = Dictionary(uniqueKeysWithValues: reports.map { ($0.path, $0) })
      for a in catalog {
        guard let r = byPath[archiveFolder + "/" + a.path] else {
          problems.append("\(a.path): recorded in the catalog but missing from the archive folder")
          continue
        }
        if r.fileSHA256 != a.fileSHA256 {
          problems.append("\(a.path): SHA-256 \(r.fileSHA256) differs from the catalog's \(a.fileSHA256) (replaced or altered)")
        }
      }
    }
    return ChainReport(archives: reports, problems: problems)
  }

  /// Finds an archive by name (`demo-3`), by path relative to the archive folder, or by path.
  public func resolve(_ archive: String) throws -> String {
    if FileManager.default.fileExists(atPath: archive) { return archive }
    if FileManager.default.fileExists(atPath: archiveFolder + "/" + archive) { return archiveFolder + "/" + archive }
    for file in archiveFiles() {
      let base = (file as NSString).lastPathComponent
      if Self.extensions.contains(where: { base == archive + $0 }) { return archiveFolder + "/" + file }
    }
    throw ConnectorError.usage("no archive named \(archive) in \(archiveFolder)")
  }

  /// Every archive member mentioning `heMsgId`: from the catalog index, or by reading every
  /// archive when the catalog is missing (auditors may only have the archive folder).
  public func find(heMsgId: String) throws -> [(archive: String, member: String)] {
    if let state, let catalog = try? state.archives(), !catalog.isEmpty {
      let names = Dictionary(uniqueKeysWithValues: catalog.map { ($0.sequence, $0.path) })
      return try state.archiveMembers(heMsgId: heMsgId).map { (names[$0.sequence] ?? "?", $0.member) }
    }
    var found: [(String, String)] = []
    for file in archiveFiles() {
      let reader = try TarReader(path: archiveFolder + "/" + file)
      while let entry = try reader.next() {
        guard entry.type == .file, entry.path.hasSuffix(".xml"), let range = entry.path.range(of: "/data/") else { continue }
        let bytes = try reader.readAll(limit: 64 * 1024 * 1024)
        if BagLayout.heMsgIds(inXML: bytes).contains(heMsgId) {
          found.append((file, "data/" + entry.path[range.upperBound...]))
        }
      }
    }
    return found
  }

  /// The bytes of one member: `data/outbox/x.xml`, `bag-info.txt`, or the full path in the tar.
  public func show(archive: String, member: String, limit: Int = 256 * 1024 * 1024) throws -> [UInt8] {
    let path = try resolve(archive)
    let reader = try TarReader(path: path)
    while let entry = try reader.next() {
      guard entry.type == .file else { continue }
      let inner = entry.path.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? entry.path
      if entry.path == member || inner == member || inner == "data/" + member {
        return try reader.readAll(limit: limit)
      }
    }
    throw ConnectorError.usage("\(archive) has no member \(member)")
  }

  /// Extracts an archive into an empty folder (regular files and folders only).
  public func extract(archive: String, into directory: String, maxBytes: Int64, maxEntries: Int = 200_000) throws -> ExtractSummary {
    let path = try resolve(archive)
    do {
      return try SecureExtractor.extract(
        archive: path, into: directory, limits: ExtractLimits(maxBytes: maxBytes, maxEntries: maxEntries))
    } catch let error as ArchiveError {
      throw ConnectorError.dataError("refusing to extract \(archive): \(error.message)")
    }
  }
}
