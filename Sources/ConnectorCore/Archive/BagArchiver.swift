import ConnectorArchive
import Foundation

/// Rolls the staging area into the next archive (SPEC §7): a serialized BagIt bag in a pax tar,
/// compressed with zstd (or gzip/xz), byte-deterministic, read back and verified before it is
/// renamed into `archive/YYYY-MM/`, and only then are the staged copies removed.
public final class BagArchiver {
  public let spool: SpoolLayout
  public let state: ConnectorState
  public let practiceID: String
  public let codec: ArchiveCodec
  public let level: Int?

  public init(spool: SpoolLayout, state: ConnectorState, practiceID: String, codec: ArchiveCodec, level: Int?) {
    self.spool = spool
    self.state = state
    self.practiceID = practiceID
    self.codec = codec
    self.level = level
  }

  /// A staged file: its path under `data/` and on disk.
  struct StagedFile {
    var relative: String
    var path: String
    var size: Int64
  }

  /// Regular files under the staging area, sorted bytewise by relative path. In-flight temporary
  /// names (leading dot) are skipped.
  func stagedFiles() throws -> [StagedFile] {
    var out: [StagedFile] = []
    func walk(_ folder: String, _ prefix: String) throws {
      for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".") {
        let path = folder + "/" + name
        guard let info = FileSystem.fileInfo(path) else { continue }
        switch info.mode & S_IFMT {
        case S_IFDIR: try walk(path, prefix + name + "/")
        case S_IFREG: out.append(StagedFile(relative: prefix + name, path: path, size: info.size))
        default: continue
        }
      }
    }
    try walk(spool.staging, "")
    return out.sorted { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
  }

  /// Number of files waiting to be archived.
  public func stagedCount() throws -> Int { try stagedFiles().count }

  /// Archives that `archive` found on disk but not in the catalog, verified and recorded
  /// (a run that stopped between the rename and the catalog insert), in this archiver's calls.
  public private(set) var adopted: [ArchiveRecord] = []
  private var orphansAdopted = false

  /// Records archives a previous run renamed into place but stopped before recording: a file
  /// named like the next sequence, in any month folder, that verifies, carries that sequence and
  /// links to the catalog's last archive. Without this the next run would write the same
  /// sequence again under a suffixed name (a duplicate in the chain) and archive the staged
  /// files twice. The staged copies it holds (same path, same SHA-256) are removed; a file that
  /// does not verify or link is somebody else's and is left alone (the new archive then gets a
  /// suffixed name, SPEC §4: nothing is overwritten). Once per archiver: with the spool lock
  /// held nobody else writes archives, and this archiver's own are recorded as they are written.
  func adoptOrphans() throws {
    guard !orphansAdopted else { return }
    let auditor = ArchiveAuditor(archiveFolder: spool.archive, state: nil)
    while true {
      let last = try state.lastArchive()
      let sequence = (last?.sequence ?? 0) + 1
      let previous = last?.tarSHA256 ?? BagLayout.zeroHash
      let name = BagLayout.name(practiceID: practiceID, sequence: sequence)
      var found: ArchiveRecord?
      for file in auditor.archiveFiles() {
        let base = (file as NSString).lastPathComponent
        guard let codec = ArchiveCodec.allCases.first(where: { base == name + "." + $0.fileExtension }) else { continue }
        let report = BagVerifier.verify(path: spool.archive + "/" + file)
        guard report.problems.isEmpty, report.bagName == name, report.sequence == sequence,
          report.previousTarSHA256 == previous
        else { continue }
        let record = ArchiveRecord(
          sequence: sequence, name: name, path: file, codec: codec.rawValue, fileSHA256: report.fileSHA256,
          tarSHA256: report.tarSHA256, previousTarSHA256: previous, payloadFiles: report.payloadFiles,
          payloadBytes: report.payloadBytes, fileBytes: FileSystem.fileInfo(report.path)?.size ?? 0,
          baggingDate: report.bagInfo["Bagging-Date"] ?? "", firstFileDate: nil, lastFileDate: nil)
        let index = try Self.messageIndex(archive: report.path)
        // As in `archive`: the staged copies go before the row. A run stopping between the row
        // and the removal would leave staged copies of a recorded archive, which the next
        // archive would hold a second time; stopping before the row only means adopting again.
        for (member, hash) in report.payloadSHA256.sorted(by: { $0.key < $1.key }) {
          let staged = spool.staging + "/" + member
          guard let info = FileSystem.fileInfo(staged), (info.mode & S_IFMT) == S_IFREG,
            (try? SHA256Digest.hex(ofFile: staged)) == hash
          else { continue }
          try FileSystem.removeIfPresent(staged)
        }
        try state.recordArchive(record, index: index)
        found = record
        break
      }
      guard let found else {
        orphansAdopted = true
        return
      }
      adopted.append(found)
    }
  }

  /// Exchange files larger than this are archived but not indexed (as `messageIndex` does).
  public static let indexLimit: Int64 = 64 * 1024 * 1024

  /// The heMsgId index of the exchange files inside an archive on disk (for `audit find`).
  static func messageIndex(archive path: String) throws -> ArchiveMessageIndex {
    var index = ArchiveMessageIndex()
    try BagLayout.forEachPayloadXML(inArchive: path, limit: indexLimit) { member, read in
      try read().withUnsafeBytes { index.add(member: member, xml: $0) }
      return true
    }
    index.seal()
    return index
  }

  /// Archives everything staged; nil when nothing is staged. `asOf` is the run's logical time:
  /// it names the month folder, dates the bag and is every member's mtime.
  public func archive(asOf: LocalDateTime, timeZone: TimeZone) throws -> ArchiveRecord? {
    try adoptOrphans()
    let files = try stagedFiles()
    guard !files.isEmpty else { return nil }
    let last = try state.lastArchive()
    let sequence = (last?.sequence ?? 0) + 1
    let previous = last?.tarSHA256 ?? BagLayout.zeroHash
    let name = BagLayout.name(practiceID: practiceID, sequence: sequence)
    let month = String(asOf.date.description.prefix(7))
    let folder = spool.archive + "/" + month
    try FileSystem.makeFolder(folder)
    let fileName = FileSystem.freeName(in: folder, stem: name, extension: codec.fileExtension)
    let finalPath = folder + "/" + fileName
    let tempPath = folder + "/.\(fileName).\(getpid()).tmp"
    try FileSystem.removeIfPresent(tempPath)
    let mtime = Self.epochSeconds(asOf, timeZone)

    let payloadBytes = files.reduce(Int64(0)) { $0 + $1.size }
    let bagInfo = BagLayout.bagInfo(
      baggingDate: asOf.date.description, payloadBytes: payloadBytes, payloadFiles: files.count, sequence: sequence,
      previousTarSHA256: previous, practiceID: practiceID)

    // Every folder a payload file sits in gets its own entry; everything is written in one
    // bytewise-sorted order, which puts the payload (data/…) after bag-info.txt and bagit.txt
    // and before the manifests, so payload hashes are taken while the files are archived.
    var folders: Set<String> = ["\(name)/", "\(name)/data/"]
    for f in files {
      var parts = ("data/" + f.relative).split(separator: "/").dropLast()
      while !parts.isEmpty {
        folders.insert("\(name)/" + parts.joined(separator: "/") + "/")
        parts = parts.dropLast()
      }
    }
    enum Item { case folder, bagit, bagInfo, payload(StagedFile), manifest, tagManifest }
    var items: [(String, Item)] = folders.map { ($0, .folder) }
    items.append(("\(name)/bagit.txt", .bagit))
    items.append(("\(name)/bag-info.txt", .bagInfo))
    items.append(("\(name)/manifest-sha256.txt", .manifest))
    items.append(("\(name)/tagmanifest-sha256.txt", .tagManifest))
    for f in files { items.append(("\(name)/data/\(f.relative)", .payload(f))) }
    items.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }

    var payloadHashes: [(path: String, sha256: String)] = []
    var tagHashes: [(path: String, sha256: String)] = []
    var index = ArchiveMessageIndex()
    // Room for an id every 64 bytes of payload: reserved address space, touched only as used,
    // saves copying the array each time it would have doubled.
    index.reserve(mentions: Int(min(payloadBytes / 64, 1 << 22)))
    var xml: [UInt8] = []
    // The archive is read back while it is written (BagVerifier following a FileTail), so the
    // read-back overlaps compression instead of following it, and the index is sorted and
    // written on another thread. However this returns, those threads are done first (the
    // reader only stops at the end once `tail.finish()` says so) and a temporary archive that
    // was never renamed is gone.
    let tail = FileTail()
    var readBack: BackgroundWork<BagReport>?
    var indexing: BackgroundWork<Void>?
    var renamed = false
    defer {
      tail.finish()
      _ = try? readBack?.wait()
      _ = try? indexing?.wait()
      if !renamed { try? FileSystem.removeIfPresent(tempPath) }
    }
    var written = XXHash64()
    do {
      let writer = try TarWriter(
        path: tempPath, codec: codec, level: level, observeTar: { written.update($0) }, observeStored: { _ in tail.wrote() })
      readBack = BackgroundWork { BagVerifier.verify(path: tempPath, following: tail, payload: .streamChecksum, limits: .readBack) }
      for (path, item) in items {
        switch item {
        case .folder:
          // The sort key keeps tar's trailing "/" so a folder sorts before its members; the
          // writer takes the bare name (it refuses empty components) and marks it a folder itself.
          try writer.addDirectory(String(path.dropLast()), mtime: mtime)
        case .bagit, .bagInfo, .manifest, .tagManifest:
          let text: String
          switch item {
          case .bagit: text = BagLayout.bagitText
          case .bagInfo: text = bagInfo
          case .manifest: text = BagLayout.manifest(payloadHashes)
          default: text = BagLayout.manifest(tagHashes)
          }
          let bytes = Array(text.utf8)
          if case .tagManifest = item {} else {
            tagHashes.append((String(path.dropFirst(name.count + 1)), SHA256Digest.hex(bytes)))
          }
          try writer.addFile(path, bytes: bytes, mtime: mtime)
        case .payload(let f):
          var hasher = StreamingSHA256()
          // Exchange files are kept while they stream by (one 40 KB buffer, reused), so their
          // heMsgIds are indexed from the same read as the hash and the archive.
          let indexed = f.relative.hasSuffix(".xml") && f.size <= Self.indexLimit
          xml.removeAll(keepingCapacity: true)
          let member = "data/" + f.relative
          try writer.addFile(path, contentsOf: f.path, mtime: mtime) { chunk in
            hasher.update(chunk)
            // A file read in one chunk (most are) is indexed from it without a copy.
            if indexed, chunk.count == f.size { index.add(member: member, xml: chunk) }
            else if indexed { xml.append(contentsOf: chunk) }
          }
          payloadHashes.append((member, hasher.finalizeHex()))
          if indexed, !xml.isEmpty { xml.withUnsafeBytes { index.add(member: member, xml: $0) } }
        }
      }
      // Every payload file is in: the index is sorted and written to the catalog on another
      // core while compression and the read-back finish. If the archive then fails, the row
      // is replaced by the next archive under this sequence (`recordArchiveIndex`).
      // Moved, not copied: with the only reference in the task, sorting in place copies nothing.
      nonisolated(unsafe) var sealing = index
      index = ArchiveMessageIndex()
      indexing = BackgroundWork { [state] in
        sealing.seal()
        try state.recordArchiveIndex(sequence: sequence, sealing)
      }
      try writer.finish()
      tail.finish()
    } catch let error as ArchiveError {
      // The archive's own path is named once, by the ConnectorError; a staged file is named too.
      let message = error.member == tempPath ? error.reason : error.message
      throw ConnectorError.io(operation: "write archive", path: tempPath, errno: error.errno, message: message)
    }

    // It counts once read back: every manifest hash, the tag manifest, the payload size.
    let report = try readBack!.wait()
    let expected = Dictionary(uniqueKeysWithValues: payloadHashes.map { ($0.path, $0.sha256) })
    var problems = report.problems
    if report.tarXXH64 != written.finalize() { problems.append("the tar stream read back differs from the one written") }
    guard problems.isEmpty, report.payloadFiles == files.count,
      report.members.allSatisfy({ expected["data/" + $0] != nil })
    else {
      throw ConnectorError.io(
        operation: "verify archive", path: tempPath, errno: 0,
        message: "the archive did not read back intact: \(problems.prefix(3).joined(separator: "; "))")
    }
    try FileSystem.commitTemporary(tempPath, to: finalPath)
    renamed = true

    let record = ArchiveRecord(
      sequence: sequence, name: name, path: month + "/" + fileName, codec: codec.rawValue, fileSHA256: report.fileSHA256,
      tarSHA256: report.tarSHA256, previousTarSHA256: previous, payloadFiles: files.count, payloadBytes: payloadBytes,
      fileBytes: FileSystem.fileInfo(finalPath)?.size ?? 0, baggingDate: asOf.date.description,
      firstFileDate: nil, lastFileDate: nil)
    // The staged copies go before the catalog row is written: the archive on disk is verified
    // and synced, so a run stopping anywhere after the rename leaves an unrecorded archive that
    // the next run adopts (adoptOrphans), never a recorded archive whose staged files would be
    // archived a second time.
    try Self.remove(files)
    // A run stopping before the index is in leaves an unrecorded archive too: adoption indexes it.
    try indexing?.wait()
    try state.recordArchive(record)
    return record
  }

  /// Removes the staged copies, on as many threads as there are cores (up to 4): thousands of
  /// unlinks were a serial tail after the rename. The first failure is thrown.
  static func remove(_ files: [StagedFile]) throws {
    let lanes = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount, files.count))
    let firstFailure = Locked<(any Error)?>(nil)
    DispatchQueue.concurrentPerform(iterations: lanes) { lane in
      for i in stride(from: lane, to: files.count, by: lanes) {
        do {
          try FileSystem.removeIfPresent(files[i].path)
        } catch {
          firstFailure.withLock { if $0 == nil { $0 = error } }
        }
      }
    }
    if let error = firstFailure.withLock({ $0 }) { throw error }
  }

  /// Seconds since the epoch of a practice-local wall-clock minute.
  static func epochSeconds(_ t: LocalDateTime, _ zone: TimeZone) -> Int64 {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let c = DateComponents(year: t.date.year, month: t.date.month, day: t.date.day, hour: t.time.hour, minute: t.time.minute)
    return Int64((calendar.date(from: c) ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970)
  }
}
