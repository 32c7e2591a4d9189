import ConnectorArchive
import Foundation

/// What reading one archive back found.
public struct BagReport: Sendable {
  public var path: String
  public var bagName: String?
  /// SHA-256 of the uncompressed tar stream (the chain link).
  public var tarSHA256 = ""
  public var fileSHA256 = ""
  public var bagInfo: [String: String] = [:]
  public var payloadFiles = 0
  public var payloadBytes: Int64 = 0
  /// Payload member paths relative to `data/`, sorted.
  public var members: [String] = []
  /// XXH64 of the tar stream, with `PayloadCheck.streamChecksum`.
  public var tarXXH64: UInt64?
  /// SHA-256 of each payload member as read, keyed like `members` (not with `.streamChecksum`).
  public var payloadSHA256: [String: String] = [:]
  /// Every problem found; empty means the bag is complete and every hash matches.
  public var problems: [String] = []

  public var sequence: Int64? { bagInfo["Archive-Sequence"].flatMap { Int64($0) } }
  public var previousTarSHA256: String? { bagInfo["Previous-Archive-SHA256"] }
}

/// Caps on what reading one archive may cost. Every member is streamed: payload members are
/// hashed as they are read, and the four tag files, the only members kept in memory, are refused
/// by their header size before a byte of them is read. A member that is neither a tag file nor
/// payload is refused, never buffered.
public struct BagLimits: Sendable, Equatable {
  /// Largest payload member, in bytes: `max_extract_bytes`, so that what verifies also extracts.
  public var maxMemberBytes: Int64
  /// Most members (folders included), as `audit extract` allows.
  public var maxMembers: Int
  /// Most bytes of member names in all (kept to find duplicates); a manifest holds them all
  /// too, and is capped at 16 MiB.
  public var maxNameBytes: Int
  /// Name length and depth caps; bags refuse "." and empty components.
  public var names: MemberNameRules

  /// Creates limits; `maxMemberBytes` defaults to `max_extract_bytes`' default (1 GiB).
  public init(
    maxMemberBytes: Int64 = 1024 * 1024 * 1024, maxMembers: Int = 200_000, maxNameBytes: Int = 32 * 1024 * 1024,
    names: MemberNameRules = .bag
  ) {
    self.maxMemberBytes = maxMemberBytes
    self.maxMembers = maxMembers
    self.maxNameBytes = maxNameBytes
    self.names = names
  }

  /// The defaults: what `audit` uses with no configuration.
  public static let standard = BagLimits()

  /// The archiver reading back what it has just written: its own staged files, which no cap
  /// may make unarchivable (tag files are still capped: it wrote them, and small).
  public static let readBack = BagLimits(maxMemberBytes: .max, maxMembers: .max, maxNameBytes: .max)

  /// The tag files a bag holds and the most bytes each may have: bagit.txt and bag-info.txt are a
  /// few short lines; a manifest line per payload file (16 MiB is over 100,000 files).
  public static let tagFileCaps: [String: Int] = [
    "bagit.txt": 1024, "bag-info.txt": 64 * 1024, "manifest-sha256.txt": 16 * 1024 * 1024,
    "tagmanifest-sha256.txt": 64 * 1024,
  ]
}

/// Reads an archive back and checks it is a complete, unaltered BagIt bag.
public enum BagVerifier {
  /// How payload members are checked.
  public enum PayloadCheck: Sendable {
    /// Each member's SHA-256 against the manifest.
    case sha256
    /// Only by name and size, and the tar stream's XXH64 goes into `BagReport.tarXXH64`: for the
    /// archiver, whose read-back stream, equal to the one it wrote, holds the very bytes whose
    /// SHA-256 went into the manifest as they were written. Hashing every member again was a
    /// sixth of `archive`'s CPU.
    case streamChecksum
  }

  /// A member the bag must not hold: reading stops there (see `verify`).
  private struct Refused: Error {
    var problem: String
  }

  /// Reads the archive at `path`; with `following`, while it is still being written (the
  /// archiver's read-back, overlapped with writing).
  ///
  /// Reading stops at the first member refused outright — over a cap, an unsafe or duplicate
  /// name, a link or device, a member that is neither tag file nor payload — so a hostile archive
  /// costs only the bytes before that member. Its tar SHA-256 is then unknown (empty), and
  /// `fileSHA256` is that of the file as stored.
  public static func verify(
    path: String, following tail: FileTail? = nil, payload: PayloadCheck = .sha256, limits: BagLimits = .standard
  ) -> BagReport {
    var report = BagReport(path: path)
    // One read of the file gives its hash, the tar stream's hash and the members: reading it
    // three times (file hash, stream hash, members) decompressed it twice.
    final class Hashes {
      var file = StreamingSHA256()
      var tar = StreamingSHA256()
      var checksum = XXHash64()
    }
    let hashes = Hashes()
    var reader: TarReader?
    do {
      let opened = try TarReader(
        path: path, observingStored: { hashes.file.update($0) },
        tar: { chunk in
          hashes.tar.update(chunk)
          if payload == .streamChecksum { hashes.checksum.update(chunk) }
        }, following: tail)
      reader = opened
      try readMembers(opened, into: &report, hashingPayload: payload == .sha256, limits: limits) {
        try opened.finishObserving()
        return (hashes.file.finalizeHex(), hashes.tar.finalizeHex())
      }
      if payload == .streamChecksum { report.tarXXH64 = hashes.checksum.finalize() }
    } catch let refused as Refused {
      report.problems.append(refused.problem)
      report.fileSHA256 = (try? SHA256Digest.hex(ofFile: path)) ?? ""
    } catch {
      report.problems.append("unreadable: \(error)")
      // What a separate read can still say: a damaged tar in a sound compressed stream keeps
      // its stream hash, and any readable file its file hash.
      if let reader, (try? reader.finishObserving()) != nil {
        report.fileSHA256 = hashes.file.finalizeHex()
        report.tarSHA256 = hashes.tar.finalizeHex()
      } else {
        report.fileSHA256 = (try? SHA256Digest.hex(ofFile: path)) ?? ""
      }
    }
    return report
  }

  /// The bag checks without hashing anything: member names, kinds and sizes, the tag files, the
  /// manifest's paths against the members. What `audit extract` asks before it writes a byte, so
  /// that it never writes a member `verify` would refuse. Altered payload bytes are not seen here.
  public static func inspect(path: String, limits: BagLimits = .standard) -> BagReport {
    var report = BagReport(path: path)
    do {
      let reader = try TarReader(path: path)
      try readMembers(reader, into: &report, hashingPayload: false, limits: limits) { ("", "") }
    } catch let refused as Refused {
      report.problems.append(refused.problem)
    } catch {
      report.problems.append("unreadable: \(error)")
    }
    return report
  }

  /// Reads every member and checks the bag; `finish` reads the rest of the input and gives the
  /// file and tar stream hashes.
  private static func readMembers(
    _ reader: TarReader, into report: inout BagReport, hashingPayload: Bool, limits: BagLimits,
    finish: () throws -> (file: String, tar: String)
  ) throws {
    var tags: [String: [UInt8]] = [:]
    var computed: [String: String] = [:]
    // Payload members seen when their bytes are not hashed (see `verify`).
    var listed: Set<String> = []
    var seen: Set<String> = []
    var nameBytes = 0
    while let entry = try reader.next() {
      let member = MemberNameRules.display(entry.path)
      nameBytes += entry.path.utf8.count
      guard seen.count < limits.maxMembers, nameBytes <= limits.maxNameBytes else {
        throw Refused(problem: "member \(member): the archive holds more than \(limits.maxMembers) members or \(limits.maxNameBytes) bytes of names")
      }
      let parts: [String]
      switch limits.names.components(of: entry.path, isDirectory: entry.type == .directory) {
      case .success(let components): parts = components
      case .failure(let refusal): throw Refused(problem: "member \(member): \(refusal.reason)")
      }
      let top = parts[0]
      if report.bagName == nil { report.bagName = top }
      guard top == report.bagName else {
        throw Refused(problem: "member \(member) is outside the bag folder \(MemberNameRules.display(report.bagName!))")
      }
      guard seen.insert(entry.path).inserted else {
        throw Refused(problem: "member \(member) appears twice")
      }
      switch entry.type {
      case .directory: continue
      case .file: break
      default:
        throw Refused(problem: "member \(member) is a \(entry.type.rawValue): only regular files and folders are allowed in a bag")
      }
      let inner = parts.dropFirst().joined(separator: "/")
      if parts.count > 2 && parts[1] == "data" {
        guard entry.size <= limits.maxMemberBytes else {
          throw Refused(problem: "member \(member) is \(entry.size) bytes, over the cap of \(limits.maxMemberBytes) (max_extract_bytes)")
        }
        var size = entry.size
        if hashingPayload {
          var h = StreamingSHA256()
          size = 0
          try reader.readData { chunk in
            size += Int64(chunk.count)
            // The header's size was checked above, but sparse members can expand past it.
            guard size <= limits.maxMemberBytes else {
              throw Refused(problem: "member \(member) expands past the cap of \(limits.maxMemberBytes) bytes (max_extract_bytes)")
            }
            h.update(chunk)
          }
          computed[inner] = h.finalizeHex()
        } else {
          listed.insert(inner)
        }
        report.payloadFiles += 1
        report.payloadBytes += size
        report.members.append(String(inner.dropFirst(5)))
      } else if parts.count == 2, let cap = BagLimits.tagFileCaps[inner] {
        guard entry.size <= Int64(cap) else {
          throw Refused(problem: "member \(member) is \(entry.size) bytes, over the cap of \(cap) for \(inner)")
        }
        do {
          tags[inner] = try reader.readAll(limit: cap)
        } catch let error as ArchiveError where error.code == 0 {
          throw Refused(problem: "member \(member) expands past the cap of \(cap) bytes for \(inner)")
        }
        // Read as soon as it is there, so that an archive refused later still says its sequence.
        if inner == "bag-info.txt" { report.bagInfo = BagLayout.parseTagFile(String(decoding: tags[inner]!, as: UTF8.self)) }
      } else {
        throw Refused(
          problem: "member \(member) is neither a tag file (\(BagLimits.tagFileCaps.keys.sorted().joined(separator: ", "))) nor payload under data/")
      }
    }
    (report.fileSHA256, report.tarSHA256) = try finish()
    report.members.sort()
    for (inner, hash) in computed { report.payloadSHA256[String(inner.dropFirst(5))] = hash }
    guard let bagit = tags["bagit.txt"] else {
      report.problems.append("bagit.txt is missing")
      return
    }
    if String(decoding: bagit, as: UTF8.self) != BagLayout.bagitText {
      report.problems.append("bagit.txt is not BagIt-Version 1.0 / UTF-8")
    }
    guard tags["bag-info.txt"] != nil, let manifestBytes = tags["manifest-sha256.txt"],
      let tagManifestBytes = tags["tagmanifest-sha256.txt"]
    else {
      report.problems.append("a tag file is missing (bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt)")
      return
    }
    let manifest = BagLayout.parseManifest(String(decoding: manifestBytes, as: UTF8.self))
    for path in manifest.keys.sorted() {
      if let why = BagLayout.manifestPathProblem(path) {
        report.problems.append("manifest-sha256.txt lists \(MemberNameRules.display(path)): \(why)")
      }
    }
    for (member, hash) in computed.sorted(by: { $0.key < $1.key }) {
      if let expected = manifest[member] {
        if expected != hash { report.problems.append("\(member) was altered: SHA-256 \(hash), manifest says \(expected)") }
      } else {
        report.problems.append("\(member) is not in manifest-sha256.txt")
      }
    }
    for member in listed.sorted() where manifest[member] == nil {
      report.problems.append("\(member) is not in manifest-sha256.txt")
    }
    for member in manifest.keys.sorted() where computed[member] == nil && !listed.contains(member) {
      report.problems.append("\(MemberNameRules.display(member)) is listed in the manifest but missing from the archive")
    }
    let tagManifest = BagLayout.parseManifest(String(decoding: tagManifestBytes, as: UTF8.self))
    for (file, expected) in tagManifest.sorted(by: { $0.key < $1.key }) {
      guard let bytes = tags[file] else {
        report.problems.append("tag file \(MemberNameRules.display(file)) is listed in tagmanifest-sha256.txt but missing")
        continue
      }
      if SHA256Digest.hex(bytes) != expected { report.problems.append("tag file \(file) was altered") }
    }
    for file in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] where tagManifest[file] == nil {
      report.problems.append("\(file) is not covered by tagmanifest-sha256.txt")
    }
    if report.bagInfo["Payload-Oxum"] != "\(report.payloadBytes).\(report.payloadFiles)" {
      report.problems.append(
        "Payload-Oxum says \(report.bagInfo["Payload-Oxum"] ?? "nothing"), the payload is \(report.payloadBytes).\(report.payloadFiles)")
    }
  }
}
