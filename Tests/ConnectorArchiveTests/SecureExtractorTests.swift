import Foundation
import Testing

@testable import ConnectorArchive

@Suite struct SecureExtractorTests {
  /// One hostile archive: how to build it, the limits to extract it with, and the member the
  /// refusal must name (nil when the refusal concerns the target folder).
  struct HostileCase: CustomTestStringConvertible, Sendable {
    var name: String
    var limits = ExtractLimits(maxBytes: 1 << 20, maxEntries: 100)
    var refusedMember: String?
    var build: @Sendable (TarWriter, _ parent: String) throws -> Void

    var testDescription: String { name }
  }

  static let hostileCases: [HostileCase] = [
    HostileCase(name: "dot-dot", refusedMember: "../escaped") { writer, _ in
      try writer.addRawEntry("../escaped", fileType: TarFileType.regular, bytes: [1])
    },
    HostileCase(name: "dot-dot inside", refusedMember: "a/../../escaped") { writer, _ in
      try writer.addRawEntry("a/../../escaped", fileType: TarFileType.regular, bytes: [1])
    },
    HostileCase(name: "absolute /etc", refusedMember: "/etc/x") { writer, _ in
      try writer.addRawEntry("/etc/x", fileType: TarFileType.regular, bytes: [1])
    },
    HostileCase(name: "absolute into parent", refusedMember: nil) { writer, parent in
      try writer.addRawEntry(parent + "/escaped", fileType: TarFileType.regular, bytes: [1])
    },
    HostileCase(name: "symlink", refusedMember: "link") { writer, _ in
      try writer.addRawEntry("link", fileType: TarFileType.symlink, permissions: 0o777, symlink: "..")
      try writer.addRawEntry("link/escaped", fileType: TarFileType.regular, bytes: [1])
    },
    HostileCase(name: "hardlink", refusedMember: "hard") { writer, _ in
      try writer.addRawEntry("hard", fileType: TarFileType.regular, hardlink: "/etc/passwd")
    },
    HostileCase(name: "character device", refusedMember: "null") { writer, _ in
      try writer.addRawEntry("null", fileType: TarFileType.characterDevice)
    },
    HostileCase(name: "fifo", refusedMember: "pipe") { writer, _ in
      try writer.addRawEntry("pipe", fileType: TarFileType.fifo)
    },
    HostileCase(name: "file named dot", refusedMember: ".") { writer, _ in
      try writer.addRawEntry(".", fileType: TarFileType.regular, bytes: [1])
    },
    HostileCase(
      name: "oversized member", limits: ExtractLimits(maxBytes: 1000, maxEntries: 100), refusedMember: "big.bin"
    ) { writer, _ in
      try writer.addFile("small.bin", bytes: [UInt8](repeating: 1, count: 600), mtime: sampleMTime)
      try writer.addFile("big.bin", bytes: [UInt8](repeating: 2, count: 600), mtime: sampleMTime)
    },
    HostileCase(
      name: "too many entries", limits: ExtractLimits(maxBytes: 1 << 20, maxEntries: 4), refusedMember: "f4"
    ) { writer, _ in
      for index in 1...5 {
        try writer.addFile("f\(index)", bytes: [UInt8(index)], mtime: sampleMTime)
      }
    },
  ]

  @Test(arguments: hostileCases)
  func refusesHostileArchives(hostile: HostileCase) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let parent = folder.file("parent")
    let target = parent + "/target"
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    let archive = folder.file("hostile.tar.gz")
    let writer = try TarWriter(path: archive, codec: .gzip)
    try writer.addFile("before.txt", bytes: [0], mtime: sampleMTime)
    try hostile.build(writer, parent)
    try writer.addFile("after.txt", bytes: [0], mtime: sampleMTime)
    try writer.finish()
    let parentBefore = listing(of: parent)

    #expect {
      _ = try SecureExtractor.extract(archive: archive, into: target, limits: hostile.limits)
    } throws: { error in
      guard let error = error as? ArchiveError else { return false }
      return error.code == 0 && (hostile.refusedMember == nil || error.member == hostile.refusedMember)
    }
    // Nothing outside the target, and nothing left in it: not the refused member, not what
    // was extracted before it (an auditor could take half a bag for the whole).
    let parentAfter = listing(of: parent).filter { !$0.hasPrefix("target/") }
    #expect(parentAfter == parentBefore)
    #expect(listing(of: target).isEmpty, "\(listing(of: target))")
    #expect(!FileManager.default.fileExists(atPath: "/etc/x"))
  }

  @Test func refusesAnEmptyMemberName() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let target = folder.file("target")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    // libarchive will not write a nameless member, so the header is built by hand.
    let archive = folder.file("nameless.tar")
    try Data(ustarHeader(name: "", size: 1) + [7] + [UInt8](repeating: 0, count: 511 + 1024))
      .write(to: URL(fileURLWithPath: archive))
    #expect(throws: ArchiveError.self) {
      _ = try SecureExtractor.extract(archive: archive, into: target, limits: ExtractLimits(maxBytes: 100, maxEntries: 10))
    }
    #expect(listing(of: target).isEmpty)
  }

  @Test func refusesANonEmptyTarget() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let archive = folder.file("a.tar")
    let writer = try TarWriter(path: archive, codec: .none)
    try writer.addFile("existing.txt", bytes: [9], mtime: sampleMTime)
    try writer.finish()
    let target = folder.file("target")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    try Data("mine".utf8).write(to: URL(fileURLWithPath: target + "/existing.txt"))

    #expect {
      _ = try SecureExtractor.extract(archive: archive, into: target, limits: ExtractLimits(maxBytes: 100, maxEntries: 10))
    } throws: { error in
      (error as? ArchiveError)?.operation == "SecureExtractor.target"
    }
    #expect(try fileBytes(target + "/existing.txt") == Array("mine".utf8))
  }

  @Test func refusesAMissingTarget() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let archive = folder.file("a.tar")
    let writer = try TarWriter(path: archive, codec: .none)
    try writer.addFile("a.txt", bytes: [9], mtime: sampleMTime)
    try writer.finish()
    let target = folder.file("missing")
    #expect {
      _ = try SecureExtractor.extract(archive: archive, into: target, limits: ExtractLimits(maxBytes: 100, maxEntries: 10))
    } throws: { error in
      (error as? ArchiveError)?.errno == ENOENT
    }
    #expect(!FileManager.default.fileExists(atPath: target))
  }

  @Test func refusesADuplicateMemberInsteadOfOverwriting() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let archive = folder.file("a.tar")
    let writer = try TarWriter(path: archive, codec: .none)
    try writer.addFile("same.txt", bytes: Array("first".utf8), mtime: sampleMTime)
    try writer.addFile("same.txt", bytes: Array("second".utf8), mtime: sampleMTime)
    try writer.finish()
    let target = folder.file("target")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    #expect {
      _ = try SecureExtractor.extract(archive: archive, into: target, limits: ExtractLimits(maxBytes: 100, maxEntries: 10))
    } throws: { error in
      (error as? ArchiveError)?.errno == EEXIST
    }
    // The first copy is removed with the rest: a refused extraction leaves the target empty.
    #expect(listing(of: target).isEmpty)
  }

  /// Extracts `members` (written raw, names unchecked) with `limits`; returns the refusal and
  /// what the target holds afterwards.
  private func extractRaw(
    _ members: [(name: String, type: UInt32)], limits: ExtractLimits
  ) throws -> (error: ArchiveError?, left: [String]) {
    let folder = try TempFolder()
    defer { folder.remove() }
    let archive = folder.file("a.tar.zst")
    let writer = try TarWriter(path: archive, codec: .zstd)
    for m in members { try writer.addRawEntry(m.name, fileType: m.type, bytes: m.type == TarFileType.regular ? [1] : []) }
    try writer.finish()
    let target = folder.file("target")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    do {
      _ = try SecureExtractor.extract(archive: archive, into: target, limits: limits)
      return (nil, listing(of: target))
    } catch let error as ArchiveError {
      return (error, listing(of: target))
    }
  }

  @Test func refusesAMemberNameLongerThanPathMaxAndMakesNoFolder() throws {
    // 20 folders of 250 bytes: every component is legal, the whole is 5 kB.
    let name = (0..<20).map { String(repeating: Character(String(UnicodeScalar(UInt8(97 + $0)))), count: 250) }.joined(separator: "/")
    let (error, left) = try extractRaw(
      [("ok.txt", TarFileType.regular), (name, TarFileType.regular)], limits: ExtractLimits(maxBytes: 1 << 20, maxEntries: 1000))
    #expect(error?.member == name)
    #expect(error?.reason == "the member name is 5019 bytes, over the cap of 4096")
    // The printed form is cut short, not 5 kB of name.
    #expect((error?.message.count ?? .max) < 400, "\(error?.message ?? "")")
    #expect(left.isEmpty, "\(left.prefix(3))")
  }

  @Test func refusesAMemberNestedDeeperThanTheCap() throws {
    let name = Array(repeating: "d", count: 40).joined(separator: "/") + "/x"
    let (error, left) = try extractRaw([(name, TarFileType.regular)], limits: ExtractLimits(maxBytes: 1 << 20, maxEntries: 1000))
    #expect(error?.reason == "the member name has 41 components, over the cap of 32")
    #expect(left.isEmpty)
  }

  @Test func foldersAMemberPathCreatesCountAgainstTheMemberCap() throws {
    // One member, ten folders to make for it: eleven things made, over a cap of ten.
    let name = "a/b/c/d/e/f/g/h/i/j/x"
    let (error, left) = try extractRaw([(name, TarFileType.regular)], limits: ExtractLimits(maxBytes: 1 << 20, maxEntries: 10))
    #expect(error?.operation == "SecureExtractor.maxEntries")
    #expect(error?.reason == "the archive holds more than 10 members (folders included)")
    #expect(left.isEmpty, "\(left)")
    // Within the cap the same member extracts, its folders counted.
    let (fits, made) = try extractRaw([(name, TarFileType.regular)], limits: ExtractLimits(maxBytes: 1 << 20, maxEntries: 11))
    #expect(fits == nil)
    #expect(made.contains("a/b/c/d/e/f/g/h/i/j/x"))
  }

  @Test(arguments: ArchiveCodec.allCases)
  func extractsFilesAndFoldersWithPrivateModes(codec: ArchiveCodec) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let archive = folder.file("sample.\(codec.fileExtension)")
    try writeSampleArchive(to: archive, codec: codec, sourcePath: source.path)
    let target = folder.file("target")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)

    let summary = try SecureExtractor.extract(
      archive: archive, into: target, limits: ExtractLimits(maxBytes: 1 << 20, maxEntries: 10))
    let members = sampleMembers(sourceBytes: source.bytes)
    let payload = members.compactMap(\.data).reduce(0) { $0 + Int64($1.count) }
    #expect(summary == ExtractSummary(files: 5, directories: 2, bytes: payload))
    for (entry, data) in members {
      let path = target + "/" + entry.path
      let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      #expect(permissions == (entry.type == .directory ? 0o700 : 0o600), "\(entry.path)")
      if let data {
        #expect(try fileBytes(path) == data, "\(entry.path)")
      }
    }
  }

  @Test func extractsADotRootedArchiveFromBsdtar() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = folder.file("src")
    try FileManager.default.createDirectory(atPath: source + "/sub", withIntermediateDirectories: true)
    try Data("one".utf8).write(to: URL(fileURLWithPath: source + "/sub/one.txt"))
    try Data("two".utf8).write(to: URL(fileURLWithPath: source + "/two.txt"))
    let archive = folder.file("dot.tar.zst")
    let result = try run(["bsdtar", "--zstd", "-cf", archive, "-C", source, "."])
    #expect(result.status == 0, "\(result.stderr)")
    let target = folder.file("target")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)

    let summary = try SecureExtractor.extract(
      archive: archive, into: target, limits: ExtractLimits(maxBytes: 100, maxEntries: 10))
    #expect(summary == ExtractSummary(files: 2, directories: 1, bytes: 6))
    #expect(listing(of: target) == ["sub", "sub/one.txt", "two.txt"])
    #expect(try fileBytes(target + "/sub/one.txt") == Array("one".utf8))
  }

  /// A minimal ustar header for members libarchive refuses to write.
  private func ustarHeader(name: String, size: Int) -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 512)
    func put(_ text: String, at offset: Int) {
      for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
    }
    put(name, at: 0)
    put("0000600", at: 100)
    put("0000000", at: 108)
    put("0000000", at: 116)
    put(String(format: "%011o", size), at: 124)
    put(String(format: "%011o", sampleMTime), at: 136)
    put("0", at: 156)
    put("ustar", at: 257)
    put("00", at: 263)
    put("        ", at: 148)
    let checksum = header.reduce(0) { $0 + Int($1) }
    put(String(format: "%06o", checksum) + "\0 ", at: 148)
    return header
  }
}
