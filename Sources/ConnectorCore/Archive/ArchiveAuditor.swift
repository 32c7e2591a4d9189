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
  /// What reading one archive may cost; `maxMemberBytes` is `max_extract_bytes`.
  public let limits: BagLimits

  public init(archiveFolder: String, state: ConnectorState?, limits: BagLimits = .standard) {
    self.archiveFolder = archiveFolder
    self.state = state
    self.limits = limits
  }

  static let extensions = ArchiveCodec.allCases.filter { $0 != .none }.map { "." + $0.fileExtension }

  /// Archive files under the folder (one level of YYYY-MM subfolders), relative paths, in chain
  /// order as the catalog lists them: by the sequence in the name, then by name (by name alone,
  /// demo-10 would come before demo-2).
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
    return out.sorted {
      (Self.sequence(inFileName: $0) ?? Int64.max, $0) < (Self.sequence(inFileName: $1) ?? Int64.max, $1)
    }
  }

  /// Reads every archive back and checks every manifest and the whole chain.
  ///
  /// Problems are listed in chain order, and for each archive in the order that names the cause
  /// before its effect: the archive's own bag problems, then its catalog cross-check, then its
  /// link to the archive before it. An archive replaced by another valid bag is thus named as
  /// replaced (when the catalog is there) before the next archive's broken link.
  public func verify() -> ChainReport {
    let catalog = state.flatMap { try? $0.archives() }
    let catalogByPath = Dictionary((catalog ?? []).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    // An archive too damaged to read (bit rot in the compressed file, truncation) has no
    // bag-info; it keeps its place in the chain through the catalog or its file name, so it is
    // named first, not reported as a missing sequence before the next archive.
    let positioned = archiveFiles().map { file in
      let r = BagVerifier.verify(path: archiveFolder + "/" + file, limits: limits)
      return (report: r, seq: r.sequence ?? catalogByPath[file]?.sequence ?? Self.sequence(inFileName: file))
    }.sorted { ($0.seq ?? Int64.max, $0.report.path) < ($1.seq ?? Int64.max, $1.report.path) }
    let reports = positioned.map(\.report)
    let catalogBySequence = Dictionary((catalog ?? []).map { ($0.sequence, $0) }, uniquingKeysWith: { first, _ in first })
    var problems: [String] = []
    var reportedMissing: Set<Int64> = []
    // The archives holding the previous sequence; more than one only when a sequence is duplicated.
    var previous: [BagReport] = []
    var expectedSequence: Int64 = 1
    func base(_ path: String) -> String { (path as NSString).lastPathComponent }
    for (r, position) in positioned {
      let name = base(r.path)
      let relative = String(r.path.dropFirst(archiveFolder.count + 1))
      for p in r.problems { problems.append("\(name): \(p)") }
      if let catalog, !catalog.isEmpty {
        if let row = catalogByPath[relative] {
          if row.fileSHA256 != r.fileSHA256 {
            problems.append("\(name): file SHA-256 \(r.fileSHA256) differs from the catalog's \(row.fileSHA256) (replaced or altered)")
          } else if row.tarSHA256 != r.tarSHA256 {
            problems.append("\(name): tar SHA-256 \(r.tarSHA256) differs from the catalog's \(row.tarSHA256)")
          }
        } else {
          problems.append("\(name): not recorded in the catalog (put there by hand, or left by a run that stopped before recording it)")
        }
      }
      guard let seq = position else {
        problems.append("\(name): bag-info.txt has no Archive-Sequence")
        continue
      }
      if seq < expectedSequence {
        problems.append("\(name): sequence \(seq) appears twice")
      } else if seq > expectedSequence {
        let range = seq - 1 > expectedSequence ? "\(expectedSequence)–\(seq - 1)" : "\(expectedSequence)"
        let recorded = (expectedSequence..<seq).compactMap { catalogBySequence[$0]?.path }
        problems.append(
          "archive sequence \(range) is missing before \(name)"
            + (recorded.isEmpty ? "" : " (the catalog records \(recorded.joined(separator: ", ")))"))
        reportedMissing.formUnion(expectedSequence..<seq)
      }
      let link = r.previousTarSHA256 ?? "missing"
      if r.sequence == nil {
        // Damaged beyond reading its bag-info: the problems above say why; no link to check.
        if r.problems.isEmpty { problems.append("\(name): bag-info.txt has no Archive-Sequence") }
      } else if seq == 1 {
        if link != BagLayout.zeroHash {
          problems.append("\(name): Previous-Archive-SHA256 \(link) is not the start of the chain (64 zeros)")
        }
      } else if let before = previous.first, before.sequence == seq - 1 {
        if !previous.contains(where: { $0.tarSHA256 == link }) {
          problems.append(
            "\(name): Previous-Archive-SHA256 \(link) does not match the tar SHA-256 of \(base(before.path)) (\(before.tarSHA256)): the link between them is broken")
        }
      } else if let row = catalogBySequence[seq - 1], row.tarSHA256 != link {
        // The archive before it is missing; the catalog still says what it linked to.
        problems.append("\(name): Previous-Archive-SHA256 \(link) does not match the catalog's tar SHA-256 of \(row.path)")
      }
      if seq == previous.first?.sequence {
        previous.append(r)
      } else if seq >= expectedSequence {
        previous = [r]
        expectedSequence = seq + 1
      }
    }
    let onDisk = Set(reports.map { String($0.path.dropFirst(archiveFolder.count + 1)) })
    for row in catalog ?? [] where !onDisk.contains(row.path) && !reportedMissing.contains(row.sequence) {
      problems.append("\(row.path): recorded in the catalog but missing from the archive folder")
    }
    return ChainReport(archives: reports, problems: problems)
  }

  /// The chain as the catalog records it, without reading any archive: what `status` reports
  /// on every call. Each archive was read back and verified before it was recorded; this checks
  /// that the records still form one chain (sequences 1, 2, 3, … each linking to the tar SHA-256
  /// recorded for the one before) and that each recorded file is still there with its recorded
  /// size, and names any archive file the catalog does not know. A file altered in place at the
  /// same size is only found by reading it: `verify` (`audit verify`, `doctor`).
  public func catalogProblems() -> [String] {
    let files = archiveFiles()
    guard let state else {
      return files.isEmpty
        ? [] : ["the catalog (state/connector.sqlite) is missing; `ppmp-connector audit verify` reads the archives themselves"]
    }
    let catalog: [ArchiveRecord]
    do {
      catalog = try state.archives()
    } catch {
      return ["the catalog cannot be read: \(error)"]
    }
    func base(_ path: String) -> String { (path as NSString).lastPathComponent }
    var problems: [String] = []
    var previous: ArchiveRecord?
    for row in catalog {
      let name = base(row.path)
      let expected = (previous?.sequence ?? 0) + 1
      if row.sequence > expected {
        let range = row.sequence - 1 > expected ? "\(expected)–\(row.sequence - 1)" : "\(expected)"
        problems.append("archive sequence \(range) is missing from the catalog before \(name)")
      }
      if row.sequence == 1, row.previousTarSHA256 != BagLayout.zeroHash {
        problems.append("\(name): Previous-Archive-SHA256 \(row.previousTarSHA256) is not the start of the chain (64 zeros)")
      } else if let previous, previous.sequence == row.sequence - 1, previous.tarSHA256 != row.previousTarSHA256 {
        problems.append(
          "\(name): Previous-Archive-SHA256 \(row.previousTarSHA256) does not match the tar SHA-256 the catalog records for \(base(previous.path)) (\(previous.tarSHA256))")
      }
      if let info = FileSystem.fileInfo(archiveFolder + "/" + row.path) {
        if info.size != row.fileBytes {
          problems.append("\(name): the file is \(info.size) bytes, the catalog recorded \(row.fileBytes) (replaced or altered)")
        }
      } else {
        problems.append("\(row.path): recorded in the catalog but missing from the archive folder")
      }
      previous = row
    }
    let recorded = Set(catalog.map(\.path))
    for file in files where !recorded.contains(file) {
      problems.append("\(base(file)): not recorded in the catalog (put there by hand, or left by a run that stopped before recording it)")
    }
    return problems
  }

  /// The sequence in a file name like `2026-03/demo-12.tar.zst` or `demo-12.1.tar.zst`.
  static func sequence(inFileName file: String) -> Int64? {
    let stem = (file as NSString).lastPathComponent.split(separator: ".").first ?? ""
    return stem.split(separator: "-").last.flatMap { Int64($0) }
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
  /// archive when the catalog is missing (auditors may only have the archive folder). The index
  /// names candidates (`ArchiveMessageIndex`), and only those members are read to confirm them;
  /// an archive the catalog has no index for is read whole, and one whose file is gone answers
  /// from the index alone. XML members over `memberLimit` bytes are skipped, as the index skips
  /// them (`BagArchiver.indexLimit`): those are snapshots of large practices, which carry no
  /// heMsgId, and reading one whole would fail the search.
  public func find(heMsgId: String, memberLimit: Int = Int(BagArchiver.indexLimit)) throws -> [(archive: String, member: String)] {
    guard let state, let catalog = try? state.archives(), !catalog.isEmpty else {
      return try archiveFiles().flatMap { file in
        try mentioning(heMsgId, in: archiveFolder + "/" + file, memberLimit: memberLimit, only: nil).map { (file, $0) }
      }
    }
    let indexed = try state.indexedArchives()
    var candidates: [Int64: Set<String>] = [:]
    for hit in try state.archiveMembers(heMsgId: heMsgId) { candidates[hit.sequence, default: []].insert(hit.member) }
    var found: [(String, String)] = []
    for archive in catalog {
      let path = archiveFolder + "/" + archive.path
      var members: [String]
      if indexed.contains(archive.sequence) {
        guard let named = candidates[archive.sequence] else { continue }
        members = FileManager.default.fileExists(atPath: path)
          ? try mentioning(heMsgId, in: path, memberLimit: memberLimit, only: named) : named.sorted()
      } else {
        members = try mentioning(heMsgId, in: path, memberLimit: memberLimit, only: nil)
      }
      found += members.map { (archive.path, $0) }
    }
    return found
  }

  /// Payload members (`data/…`) of one archive that mention `heMsgId`, in archive order; `only`
  /// limits the members read.
  private func mentioning(_ heMsgId: String, in path: String, memberLimit: Int, only: Set<String>?) throws -> [String] {
    var found: [String] = []
    var left = only?.count ?? Int.max
    try BagLayout.forEachPayloadXML(inArchive: path, limit: Int64(memberLimit)) { member, read in
      if let only {
        guard only.contains(member) else { return true }
        left -= 1
      }
      if MessageMentions.heMsgIds(in: try read()).contains(heMsgId) { found.append(member) }
      return left > 0
    }
    return found
  }

  /// The bytes of one member: `data/outbox/x.xml`, `bag-info.txt`, or the full path in the tar.
  /// Refuses a name `verify` would refuse, and a member the archive holds twice (which copy is
  /// "the" member would be a guess); reads at most `limit` bytes.
  public func show(archive: String, member: String, limit: Int = 256 * 1024 * 1024) throws -> [UInt8] {
    let path = try resolve(archive)
    func refuse(_ why: String) -> ConnectorError {
      ConnectorError.dataError("refusing to show \(MemberNameRules.display(member)) from \(archive): \(why)")
    }
    if case .failure(let refusal) = limits.names.components(of: member, isDirectory: false) { throw refuse(refusal.reason) }
    let reader = try TarReader(path: path)
    var found: (path: String, bytes: [UInt8])?
    while let entry = try reader.next() {
      let inner = entry.path.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? entry.path
      guard entry.path == member || inner == member || inner == "data/" + member else { continue }
      if case .failure(let refusal) = limits.names.components(of: entry.path, isDirectory: entry.type == .directory) {
        throw refuse("member \(MemberNameRules.display(entry.path)): \(refusal.reason)")
      }
      if let found { throw refuse("member \(MemberNameRules.display(found.path)) appears twice") }
      guard entry.type == .file else { throw refuse("member \(MemberNameRules.display(entry.path)) is a \(entry.type.rawValue), not a file") }
      found = (entry.path, try reader.readAll(limit: limit))
    }
    guard let found else { throw ConnectorError.usage("\(archive) has no member \(MemberNameRules.display(member))") }
    return found.bytes
  }

  /// The archive's files in archive order, each with the name `show` takes (the path inside the
  /// bag) and its size; read from the tar headers, no member is read.
  public func members(archive: String) throws -> [(member: String, bytes: Int64)] {
    let reader = try TarReader(path: try resolve(archive))
    var out: [(member: String, bytes: Int64)] = []
    while let entry = try reader.next() {
      guard entry.type == .file else { continue }
      let inner = entry.path.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? entry.path
      out.append((inner, entry.size))
    }
    return out
  }

  /// Extracts an archive into an empty folder (regular files and folders only). The archive is
  /// first inspected as `verify` would (names, kinds, sizes, tag files, manifest paths, every
  /// payload member listed); one it would refuse is not extracted at all. A refusal during the
  /// extraction itself (the byte cap) removes what was written: a refused extraction leaves the
  /// folder empty.
  public func extract(archive: String, into directory: String, maxBytes: Int64, maxEntries: Int = 200_000) throws -> ExtractSummary {
    let path = try resolve(archive)
    var bagLimits = limits
    bagLimits.maxMembers = min(bagLimits.maxMembers, maxEntries)
    if let problem = BagVerifier.inspect(path: path, limits: bagLimits).problems.first {
      throw ConnectorError.dataError("refusing to extract \(archive): \(problem)")
    }
    // A missing target is created (0700, with its missing parents); an existing one must be empty.
    try FileSystem.makeFolder(directory)
    do {
      return try SecureExtractor.extract(
        archive: path, into: directory, limits: ExtractLimits(maxBytes: maxBytes, maxEntries: maxEntries))
    } catch let error as ArchiveError {
      throw ConnectorError.dataError("refusing to extract \(archive): \(error.message)")
    }
  }
}
