import Foundation
import Testing

@testable import ConnectorArchive

@Suite struct TarWriterTests {
  @Test(arguments: ArchiveCodec.allCases)
  func sameCallsGiveSameBytes(codec: ArchiveCodec) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let first = folder.file("first.\(codec.fileExtension)")
    let second = folder.file("second.\(codec.fileExtension)")
    try writeSampleArchive(to: first, codec: codec, sourcePath: source.path)
    // A different wall-clock second and a touched source must not change anything.
    Thread.sleep(forTimeInterval: 1.1)
    try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: source.path)
    try writeSampleArchive(to: second, codec: codec, sourcePath: source.path)
    let firstBytes = try fileBytes(first)
    #expect(!firstBytes.isEmpty)
    #expect(firstBytes == (try fileBytes(second)))
  }

  @Test func compressionLevelChangesTheBytesButNotTheTarStream() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let fast = folder.file("fast.tar.zst")
    let small = folder.file("small.tar.zst")
    try writeSampleArchive(to: fast, codec: .zstd, sourcePath: source.path, level: 1)
    try writeSampleArchive(to: small, codec: .zstd, sourcePath: source.path, level: 19)
    #expect(try fileBytes(fast) != (try fileBytes(small)))
    #expect(try decompressed(fast) == (try decompressed(small)))
  }

  @Test func tarStreamIsTheSameForEveryCodec() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    var streams: [ArchiveCodec: [UInt8]] = [:]
    var observed: [ArchiveCodec: [UInt8]] = [:]
    for codec in ArchiveCodec.allCases {
      let path = folder.file("sample.\(codec.fileExtension)")
      var tar: [UInt8] = []
      let writer = try TarWriter(path: path, codec: codec, observeTar: { tar.append(contentsOf: $0) })
      try writeSampleMembers(with: writer, sourcePath: source.path)
      try writer.finish()
      streams[codec] = try decompressed(path)
      observed[codec] = tar
    }
    let plain = try fileBytes(folder.file("sample.tar"))
    #expect(plain.count % 512 == 0 && plain.count > 300 * 1024)
    for codec in ArchiveCodec.allCases {
      #expect(streams[codec] == plain, "codec \(codec)")
      #expect(observed[codec] == plain, "codec \(codec)")
    }
  }

  /// The archiver hashes both streams from these observers instead of reading the archive back,
  /// so they must see exactly the bytes a reader gets: the tar stream as the stock decompressor
  /// and libarchive restore it, and the file as it is on disk.
  @Test(arguments: ArchiveCodec.allCases)
  func observersSeeTheTarStreamAndTheStoredBytes(codec: ArchiveCodec) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let path = folder.file("sample.\(codec.fileExtension)")
    var tar: [UInt8] = []
    var stored: [UInt8] = []
    var tarChunks = 0
    let writer = try TarWriter(
      path: path, codec: codec,
      observeTar: {
        tar.append(contentsOf: $0)
        tarChunks += 1
      },
      observeStored: { stored.append(contentsOf: $0) })
    try writeSampleMembers(with: writer, sourcePath: source.path)
    #expect(writer.tarBytes == Int64(tar.count) && writer.storedBytes == Int64(stored.count))
    try writer.finish()

    let file = try fileBytes(path)
    #expect(stored == file)
    #expect(writer.storedBytes == Int64(file.count))
    #expect(writer.tarBytes == Int64(tar.count))
    #expect(tarChunks > 1, "the stream arrives in blocks, not in one piece at the end")
    #expect(tar.count % 512 == 0 && tar.suffix(1024).allSatisfy { $0 == 0 })
    #expect(tar == (try decompressed(path)))
    #expect(try stockDecompressed(path, codec: codec, in: folder) == tar)
    if codec == .none { #expect(stored == tar) }
  }

  /// Neither stream is padded to libarchive's 10 KiB block: a header, one data block and the
  /// two end-of-archive blocks make 2 KiB of tar, and the stock tools reject trailing padding.
  @Test(arguments: ArchiveCodec.allCases)
  func smallArchiveIsNotPaddedToABlock(codec: ArchiveCodec) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let path = folder.file("small.\(codec.fileExtension)")
    let writer = try TarWriter(path: path, codec: codec)
    try writer.addFile("a.txt", bytes: [1, 2, 3], mtime: sampleMTime)
    try writer.finish()
    #expect(writer.tarBytes == 2048)
    #expect(writer.storedBytes == Int64(try fileBytes(path).count))
    #expect(try stockDecompressed(path, codec: codec, in: folder)?.count == 2048)
  }

  /// zstd's multi-threaded output must not depend on the worker count, or the same archive
  /// written on machines with different processor counts would get different file hashes. The
  /// input is large enough for several zstd jobs (8 MiB each at the default level, 2 MiB at level 1).
  @Test(arguments: [nil, 1] as [Int?])
  func zstdBytesDoNotDependOnTheWorkerCount(level: Int?) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = folder.file("large.bin")
    try Data(halfCompressibleBytes(count: 20 * 1024 * 1024, seed: 7)).write(to: URL(fileURLWithPath: source))
    var files: [Int: [UInt8]] = [:]
    for threads in [1, 2, 4] {
      let path = folder.file("t\(threads).tar.zst")
      let writer = try TarWriter(path: path, codec: .zstd, level: level, zstdThreads: threads)
      try writer.addFile("large.bin", contentsOf: source, mtime: sampleMTime)
      try writer.finish()
      files[threads] = try fileBytes(path)
    }
    let one = try #require(files[1])
    // Compressed, but not to nothing: the codec really worked on the data.
    #expect(one.count > 8 * 1024 * 1024 && one.count < 18 * 1024 * 1024, "\(one.count) bytes")
    for threads in [2, 4] {
      // Compared outside #expect, which would print both 10 MB arrays on a failure.
      let same = files[threads] == one
      #expect(same, "\(threads) workers: \(files[threads]?.count ?? 0) bytes, 1 worker: \(one.count)")
    }
    #expect(TarWriter.zstdThreads >= 1 && TarWriter.zstdThreads <= 4)
  }

  /// A full disk must fail the call that hit it with the errno (the CLI maps ENOSPC to exit 74),
  /// whichever handle's flush it was, and stop the writer.
  @Test(.enabled(if: FullDisk.available, "needs root and mount(8)"), arguments: ArchiveCodec.allCases)
  func fullDiskFailsWithTheErrno(codec: ArchiveCodec) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let sourceFolder = try TempFolder()
    defer { sourceFolder.remove() }
    let source = try makeSourceFile(in: sourceFolder)
    try FullDisk.with(folder) {
      let path = folder.file("full.\(codec.fileExtension)")
      let writer = try TarWriter(path: path, codec: codec)
      var failure: ArchiveError?
      do {
        try writeSampleMembers(with: writer, sourcePath: source.path)
        try writeSampleMembers(with: writer, sourcePath: source.path)
        try writer.finish()
      } catch let error as ArchiveError {
        failure = error
      }
      #expect(failure?.errno == ENOSPC, "\(String(describing: failure))")
      #expect(failure?.operation == "write")
      #expect(failure?.message.contains("No space left on device") == true)
      #expect(throws: ArchiveError.self) { try writer.finish() }
    }
  }

  /// A writer dropped midway leaves what it wrote and nothing more: no end-of-archive and no
  /// compressor trailer, so no reader mistakes the file for a complete archive.
  @Test(arguments: ArchiveCodec.allCases)
  func droppedWriterAppendsNothing(codec: ArchiveCodec) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = folder.file("source.bin")
    try Data(pseudoRandomBytes(count: 1024 * 1024, seed: 9)).write(to: URL(fileURLWithPath: source))
    let path = folder.file("dropped.\(codec.fileExtension)")
    var stored: [UInt8] = []
    do {
      let writer = try TarWriter(path: path, codec: codec, observeStored: { stored.append(contentsOf: $0) })
      try writer.addFile("a.bin", contentsOf: source, mtime: sampleMTime)
    }
    let file = try fileBytes(path)
    // zstd's workers hold back a whole job (8 MiB at the default level), so its file may be empty.
    #expect(!file.isEmpty || codec == .zstd)
    #expect(file == stored)
    #expect(throws: (any Error).self) { _ = try readMembers(path) }
    if codec != .none {
      #expect(try stockDecompressed(path, codec: codec, in: folder) == nil)
    }
  }

  /// Walks the 512-byte headers of a plain archive and checks that nothing time- or
  /// machine-dependent is recorded: ids 0, no user/group names, the given mtime, and pax
  /// records limited to path/linkpath.
  @Test func headersCarryNoTimeOrMachineDependentFields() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let path = folder.file("sample.tar")
    try writeSampleArchive(to: path, codec: .none, sourcePath: source.path)
    let bytes = try fileBytes(path)

    var offset = 0
    var paxKeys: [String] = []
    var paxHeaderNames: [String] = []
    var memberCount = 0
    while offset + 512 <= bytes.count {
      let header = Array(bytes[offset..<offset + 512])
      if header.allSatisfy({ $0 == 0 }) { break }
      let size = Int(octal(header[124..<136]))
      let typeflag = header[156]
      #expect(octal(header[108..<116]) == 0, "uid at \(offset)")
      #expect(octal(header[116..<124]) == 0, "gid at \(offset)")
      #expect(octal(header[136..<148]) == UInt64(sampleMTime), "mtime at \(offset)")
      #expect(text(header[265..<297]).isEmpty, "uname at \(offset)")
      #expect(text(header[297..<329]).isEmpty, "gname at \(offset)")
      if typeflag == UInt8(ascii: "x") {
        paxHeaderNames.append(text(header[0..<100]))
        paxKeys += paxRecordKeys(Array(bytes[offset + 512..<offset + 512 + size]))
      } else {
        memberCount += 1
        let mode = octal(header[100..<108])
        #expect(mode == (typeflag == UInt8(ascii: "5") ? 0o700 : 0o600), "mode at \(offset)")
      }
      offset += 512 + (size + 511) / 512 * 512
    }
    #expect(memberCount == 7)
    // The long and the non-ASCII names need pax records; nothing else may appear in them.
    #expect(!paxKeys.isEmpty)
    #expect(Set(paxKeys).isSubset(of: ["path", "linkpath"]), "pax keys: \(paxKeys)")
    let pid = String(ProcessInfo.processInfo.processIdentifier)
    for name in paxHeaderNames {
      #expect(!name.contains(pid), "pax header name \(name) contains the process id")
    }
    let host = ProcessInfo.processInfo.hostName
    if host.utf8.count >= 6 {  // shorter names could match the random payload by chance
      #expect(!bytes.containsSequence(Array(host.utf8)))
    }
  }

  @Test func refusesToOverwriteAnExistingArchive() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let path = folder.file("existing.tar.zst")
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
    #expect {
      _ = try TarWriter(path: path, codec: .zstd)
    } throws: { error in
      (error as? ArchiveError)?.errno == EEXIST
    }
    #expect(try fileBytes(path) == Array("keep me".utf8))
  }

  @Test func createsTheArchiveWithOwnerOnlyPermissions() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let path = folder.file("a.tar.gz")
    let writer = try TarWriter(path: path, codec: .gzip)
    try writer.addFile("a.txt", bytes: [1, 2, 3], mtime: sampleMTime)
    try writer.finish()
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    #expect(writer.warnings.isEmpty)
  }

  @Test(arguments: ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a/."])
  func refusesUnsafeMemberNames(name: String) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let writer = try TarWriter(path: folder.file("a.tar"), codec: .none)
    #expect(throws: ArchiveError.self) { try writer.addFile(name, bytes: [1], mtime: sampleMTime) }
    #expect(throws: ArchiveError.self) { try writer.addDirectory(name, mtime: sampleMTime) }
    // The refusal happens before any header, so the archive stays usable.
    try writer.addFile("ok.txt", bytes: [1], mtime: sampleMTime)
    try writer.finish()
    #expect(try readMembers(folder.file("a.tar")).map(\.entry.path) == ["ok.txt"])
  }

  @Test func refusesALevelWithoutACompressor() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let path = folder.file("a.tar")
    #expect(throws: ArchiveError.self) { _ = try TarWriter(path: path, codec: .none, level: 3) }
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func reportsLibarchiveMessageForAnInvalidLevel() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let path = folder.file("a.tar.gz")
    #expect {
      _ = try TarWriter(path: path, codec: .gzip, level: 42)
    } throws: { error in
      guard let error = error as? ArchiveError else { return false }
      return error.code != 0 && error.operation.contains("compression-level") && !error.message.isEmpty
    }
    // A failed init leaves no empty file behind.
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func failsWhenTheSourceGrowsWhileCopying() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let writer = try TarWriter(path: folder.file("a.tar"), codec: .none)
    let appender = try FileHandle(forWritingTo: URL(fileURLWithPath: source.path))
    defer { try? appender.close() }
    var appended = false
    #expect {
      try writer.addFile("grows.bin", contentsOf: source.path, mtime: sampleMTime) { _ in
        if !appended {
          appender.seekToEndOfFile()
          appender.write(Data([1, 2, 3]))
          appended = true
        }
      }
    } throws: { error in
      (error as? ArchiveError)?.message.contains("grew") == true
    }
    // The archive is incomplete, so the writer refuses to go on.
    #expect(throws: ArchiveError.self) { try writer.finish() }
  }

  @Test func failsWhenTheSourceShrinksWhileCopying() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let writer = try TarWriter(path: folder.file("a.tar"), codec: .none)
    #expect {
      try writer.addFile("shrinks.bin", contentsOf: source.path, mtime: sampleMTime) { _ in
        truncate(source.path, 1000)
      }
    } throws: { error in
      (error as? ArchiveError)?.message.contains("shrank") == true
    }
  }

  @Test func versionDetailsNameLibarchiveAndZstd() {
    let details = ArchiveLibrary.versionDetails
    #expect(details.hasPrefix("libarchive 3."))
    #expect(details.contains("libzstd/"))
  }

  @Test(arguments: [(ArchiveCodec.zstd, "tar.zst"), (.gzip, "tar.gz"), (.xz, "tar.xz"), (.none, "tar")])
  func codecsNameTheirFileExtension(codec: ArchiveCodec, expected: String) {
    #expect(codec.fileExtension == expected)
  }

  /// Bytes from a 16-letter alphabet: about half compressible, with few matches, so zstd does
  /// real work on every block.
  private func halfCompressibleBytes(count: Int, seed: UInt64) -> [UInt8] {
    var bytes = pseudoRandomBytes(count: count, seed: seed)
    bytes.withUnsafeMutableBufferPointer { buffer in
      for index in buffer.indices { buffer[index] = UInt8(ascii: "a") &+ (buffer[index] & 0x0F) }
    }
    return bytes
  }

  private func decompressed(_ path: String) throws -> [UInt8] {
    var bytes: [UInt8] = []
    try TarReader.decompressedStream(path: path) { bytes.append(contentsOf: $0) }
    return bytes
  }

  private func octal(_ field: ArraySlice<UInt8>) -> UInt64 {
    var value: UInt64 = 0
    for byte in field where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") {
      value = value * 8 + UInt64(byte - UInt8(ascii: "0"))
    }
    return value
  }

  private func text(_ field: ArraySlice<UInt8>) -> String {
    String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
  }

  /// Pax records are "<length> <key>=<value>\n".
  private func paxRecordKeys(_ data: [UInt8]) -> [String] {
    String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { record in
      guard let space = record.firstIndex(of: " "), let equals = record.firstIndex(of: "=") else { return nil }
      return String(record[record.index(after: space)..<equals])
    }
  }
}

extension [UInt8] {
  func containsSequence(_ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, needle.count <= count else { return false }
    for start in 0...(count - needle.count) where self[start] == needle[0] {
      if self[start..<start + needle.count].elementsEqual(needle) { return true }
    }
    return false
  }
}
