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

  static let tagLimit = 16 * 1024 * 1024

  /// Reads the archive at `path`; with `following`, while it is still being written (the
  /// archiver's read-back, overlapped with writing).
  public static func verify(path: String, following tail: FileTail? = nil, payload: PayloadCheck = .sha256) -> BagReport {
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
      try readMembers(opened, into: &report, hashingPayload: payload == .sha256) {
        try opened.finishObserving()
        return (hashes.file.finalizeHex(), hashes.tar.finalizeHex())
      }
      if payload == .streamChecksum { report.tarXXH64 = hashes.checksum.finalize() }
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

  /// Reads every member and checks the bag; `finish` reads the rest of the input and gives the
  /// file and tar stream hashes.
  private static func readMembers(
    _ reader: TarReader, into report: inout BagReport, hashingPayload: Bool, finish: () throws -> (file: String, tar: String)
  ) throws {
    do {
      var tags: [String: [UInt8]] = [:]
      var computed: [String: String] = [:]
      // Payload members seen when their bytes are not hashed (see `verify`).
      var listed: Set<String> = []
      while let entry = try reader.next() {
        let parts = entry.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let top = parts.first else {
          report.problems.append("member with an empty name")
          continue
        }
        if report.bagName == nil { report.bagName = top }
        if top != report.bagName { report.problems.append("member \(entry.path) is outside the bag folder \(report.bagName!)") }
        switch entry.type {
        case .directory: continue
        case .file: break
        default:
          report.problems.append("member \(entry.path) is a \(entry.type.rawValue); bags hold regular files and folders only")
          continue
        }
        let inner = parts.dropFirst().joined(separator: "/")
        if inner.hasPrefix("data/") {
          var size = entry.size
          if hashingPayload {
            var h = StreamingSHA256()
            size = 0
            try reader.readData { chunk in
              h.update(chunk)
              size += Int64(chunk.count)
            }
            computed[inner] = h.finalizeHex()
          } else {
            listed.insert(inner)
          }
          report.payloadFiles += 1
          report.payloadBytes += size
          report.members.append(String(inner.dropFirst(5)))
        } else {
          tags[inner] = try reader.readAll(limit: tagLimit)
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
      guard let info = tags["bag-info.txt"], let manifestBytes = tags["manifest-sha256.txt"],
        let tagManifestBytes = tags["tagmanifest-sha256.txt"]
      else {
        report.problems.append("a tag file is missing (bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt)")
        return
      }
      report.bagInfo = BagLayout.parseTagFile(String(decoding: info, as: UTF8.self))
      let manifest = BagLayout.parseManifest(String(decoding: manifestBytes, as: UTF8.self))
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
        report.problems.append("\(member) is listed in the manifest but missing from the archive")
      }
      let tagManifest = BagLayout.parseManifest(String(decoding: tagManifestBytes, as: UTF8.self))
      for (file, expected) in tagManifest.sorted(by: { $0.key < $1.key }) {
        guard let bytes = tags[file] else {
          report.problems.append("tag file \(file) is listed in tagmanifest-sha256.txt but missing")
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
}
