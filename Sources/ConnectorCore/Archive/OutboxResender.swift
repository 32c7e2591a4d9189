#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// `ppmp-connector resend NAME`: puts a file the connector once wrote into `outbox/` back there,
/// for a transfer job that took it too early or lost it.
///
/// The copy comes from the archive staging area, else from the newest archive holding
/// `data/outbox/NAME`; both hold only files the connector itself wrote. The file appears in
/// `outbox/` whole (written under a hidden temporary name, then linked into place), and a
/// different file already there under that name is never replaced.
public struct OutboxResender {
  /// What `resend` did.
  public enum Result: Sendable, Equatable {
    /// Restored; `source` says from where (`staging`, or the archive's path).
    case restored(source: String, bytes: Int)
    /// The same bytes are already in `outbox/`: nothing to do.
    case alreadyThere
  }

  public let spool: SpoolLayout
  /// Nil when the state does not exist (an auditor's copy of the archive): archives are then
  /// searched from the archive folder alone.
  public let state: ConnectorState?

  public init(spool: SpoolLayout, state: ConnectorState?) {
    self.spool = spool
    self.state = state
  }

  public func resend(_ name: String) throws -> Result {
    guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.utf8.count <= 255 else {
      throw ConnectorError.usage("\(DropName.escapingUnprintable(name, keepingLineBreaks: false)) is not an outbox file name (a plain name such as receipt-….xml)")
    }
    let expected = try expectedSHA256(of: name)
    guard let (bytes, source) = try copy(of: name) else {
      let known = try writtenNames().contains(name)
      throw ConnectorError.dataError(
        known
          ? "\(name) was written by the connector but is neither staged nor in any archive in \(spool.archive); restore the archive folder from backup"
          : "the connector never wrote an outbox file named \(DropName.escapingUnprintable(name, keepingLineBreaks: false)) (`ppmp-connector audit list` lists what the archives hold)")
    }
    if let expected, SHA256Digest.hex(bytes) != expected {
      throw ConnectorError.dataError(
        "the copy of \(name) in \(source) does not match the SHA-256 the connector recorded when it wrote it; run `ppmp-connector audit verify`")
    }
    return try place(bytes, as: name, source: source)
  }

  /// Outbox names the state records as written: publications and drop answers.
  private func writtenNames() throws -> Set<String> {
    guard let state else { return [] }
    var names = Set(try state.publications(status: .done).map(\.file))
    for drop in try state.drops() { if let answer = drop.answerName { names.insert(answer) } }
    return names
  }

  /// The SHA-256 recorded for a publication's file, the only outbox files whose hash is kept.
  private func expectedSHA256(of name: String) throws -> String? {
    guard let state else { return nil }
    return try state.publications(status: .done).first { $0.file == name && !$0.fileSHA256.isEmpty }?.fileSHA256
  }

  /// The file's bytes and where they came from: staging first, then archives newest first.
  private func copy(of name: String) throws -> ([UInt8], String)? {
    let staged = spool.staging + "/outbox/" + name
    if FileSystem.fileInfo(staged) != nil, let data = FileManager.default.contents(atPath: staged) {
      return ([UInt8](data), "staging")
    }
    let auditor = ArchiveAuditor(archiveFolder: spool.archive, state: state)
    for archive in try archivesNewestFirst(auditor) {
      let members = try auditor.members(archive: archive)
      guard members.contains(where: { $0.member == "data/outbox/" + name }) else { continue }
      return (try auditor.show(archive: archive, member: "data/outbox/" + name), archive)
    }
    return nil
  }

  /// Archive paths (relative to `archive/`), by sequence when the catalog has them, else by the
  /// sequence in the file name: `demo-10` is newer than `demo-9`.
  private func archivesNewestFirst(_ auditor: ArchiveAuditor) throws -> [String] {
    let files = auditor.archiveFiles()
    let catalogued = (try? state?.archives()) ?? []
    let order = Dictionary(catalogued.map { ($0.path, $0.sequence) }, uniquingKeysWith: max)
    func sequence(_ path: String) -> Int64 {
      order[path] ?? ArchiveAuditor.sequence(inFileName: path) ?? -1
    }
    return files.sorted { (sequence($0), $0) > (sequence($1), $1) }
  }

  /// Writes under a hidden name, then links it into place: link(2) fails rather than replace
  /// a file that is already there (or appeared meanwhile).
  private func place(_ bytes: [UInt8], as name: String, source: String) throws -> Result {
    let path = spool.outbox + "/" + name
    let temp = FileSystem.temporaryPath(for: path)
    defer { unlink(temp) }
    try FileSystem.write(bytes, toNewFile: temp)
    try FileSystem.sync(temp)
    if link(temp, path) != 0 {
      let code = errno
      guard code == EEXIST else { throw FileSystem.ioError("link", path, code) }
      if let existing = FileManager.default.contents(atPath: path), [UInt8](existing) == bytes { return .alreadyThere }
      throw ConnectorError.dataError(
        "outbox/\(name) already exists with other content; it was not replaced (move it away first if it is damaged)")
    }
    try FileSystem.sync(spool.outbox, isFolder: true)
    return .restored(source: source, bytes: bytes.count)
  }
}
