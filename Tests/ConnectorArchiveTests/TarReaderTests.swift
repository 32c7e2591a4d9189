import Foundation
import Testing

@testable import ConnectorArchive

@Suite struct TarReaderTests {
  @Test(arguments: ArchiveCodec.allCases)
  func roundTripKeepsPathsTypesSizesAndData(codec: ArchiveCodec) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let path = folder.file("sample.\(codec.fileExtension)")
    try writeSampleArchive(to: path, codec: codec, sourcePath: source.path)

    let expected = sampleMembers(sourceBytes: source.bytes)
    let actual = try readMembers(path)
    #expect(actual.map(\.entry) == expected.map(\.entry))
    #expect(actual.map(\.data) == expected.map(\.data))
  }

  @Test func streamsALargeFileInBothDirections() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    // 20 MB written in 1 MB pieces, so neither side ever holds the whole file.
    let sourcePath = folder.file("large.bin")
    _ = FileManager.default.createFile(atPath: sourcePath, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: sourcePath))
    var sourceDigest = Digest()
    for piece in 0..<20 {
      let bytes = pseudoRandomBytes(count: 1 << 20, seed: UInt64(piece + 1))
      sourceDigest.add(bytes)
      handle.write(Data(bytes))
    }
    try handle.close()

    let archive = folder.file("large.tar.zst")
    let writer = try TarWriter(path: archive, codec: .zstd)
    var observedDigest = Digest()
    var largestChunk = 0
    try writer.addFile("large.bin", contentsOf: sourcePath, mtime: sampleMTime) { chunk in
      observedDigest.add(chunk)
      largestChunk = max(largestChunk, chunk.count)
    }
    try writer.finish()
    #expect(observedDigest == sourceDigest)
    #expect(largestChunk == 256 * 1024)

    let reader = try TarReader(path: archive)
    let entry = try #require(try reader.next())
    #expect(entry.size == 20 << 20)
    var readDigest = Digest()
    try reader.readData { readDigest.add($0) }
    #expect(readDigest == sourceDigest)
    #expect(try reader.next() == nil)
  }

  @Test func readAllRefusesAMemberOverTheLimit() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let path = folder.file("a.tar.gz")
    let writer = try TarWriter(path: path, codec: .gzip)
    try writer.addFile("big.bin", bytes: [UInt8](repeating: 7, count: 5000), mtime: sampleMTime)
    try writer.finish()

    let reader = try TarReader(path: path)
    _ = try reader.next()
    #expect {
      _ = try reader.readAll(limit: 4999)
    } throws: { error in
      (error as? ArchiveError)?.member == "big.bin"
    }
    let again = try TarReader(path: path)
    _ = try again.next()
    #expect(try again.readAll(limit: 5000).count == 5000)
  }

  @Test func decompressedStreamEqualsZstdOutput() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let archive = folder.file("sample.tar.zst")
    try writeSampleArchive(to: archive, codec: .zstd, sourcePath: source.path)
    let zstdOutput = folder.file("zstd.tar")
    let result = try run(["zstd", "-dc", archive], stdoutTo: zstdOutput)
    #expect(result.status == 0, "\(result.stderr)")

    var stream: [UInt8] = []
    try TarReader.decompressedStream(path: archive) { stream.append(contentsOf: $0) }
    #expect(stream.count > 300 * 1024)
    #expect(stream == (try fileBytes(zstdOutput)))
  }

  @Test func missingArchiveReportsLibarchiveError() {
    #expect {
      _ = try TarReader(path: "/nonexistent-\(UUID().uuidString).tar")
    } throws: { error in
      guard let error = error as? ArchiveError else { return false }
      return error.operation == "archive_read_open_filename" && error.errno == ENOENT && !error.message.isEmpty
    }
  }

  @Test func garbageIsAnErrorNotAnEmptyArchive() throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let path = folder.file("garbage.tar")
    try Data(pseudoRandomBytes(count: 4096, seed: 9)).write(to: URL(fileURLWithPath: path))
    #expect(throws: ArchiveError.self) {
      let reader = try TarReader(path: path)
      while try reader.next() != nil {}
    }
  }

  static let stockTools: [(ArchiveCodec, [String])] = [
    (.zstd, ["tar", "--zstd", "-xf"]),
    (.gzip, ["tar", "-xzf"]),
    (.xz, ["tar", "-xJf"]),
    (.none, ["tar", "-xf"]),
    (.zstd, ["bsdtar", "-xf"]),
    (.gzip, ["bsdtar", "-xf"]),
    (.xz, ["bsdtar", "-xf"]),
  ]

  @Test(arguments: stockTools)
  func stockToolsExtractTheArchive(codec: ArchiveCodec, command: [String]) throws {
    let folder = try TempFolder()
    defer { folder.remove() }
    let source = try makeSourceFile(in: folder)
    let archive = folder.file("sample.\(codec.fileExtension)")
    try writeSampleArchive(to: archive, codec: codec, sourcePath: source.path)
    let output = folder.file("out")
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: false)

    let result = try run(command + [archive], in: output)
    #expect(result.status == 0, "\(command): \(result.stderr)")
    for (entry, data) in sampleMembers(sourceBytes: source.bytes) {
      var isFolder: ObjCBool = false
      let exists = FileManager.default.fileExists(atPath: output + "/" + entry.path, isDirectory: &isFolder)
      #expect(exists && isFolder.boolValue == (entry.type == .directory), "\(entry.path)")
      if let data {
        #expect(try fileBytes(output + "/" + entry.path) == data, "\(entry.path)")
      }
    }
  }
}

/// A running 64-bit FNV-1a digest, enough to compare streams without keeping them.
struct Digest: Equatable {
  private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
  private(set) var count = 0

  mutating func add(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { add($0) }
  }

  mutating func add(_ buffer: UnsafeRawBufferPointer) {
    var value = self.value
    for byte in buffer {
      value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    self.value = value
    count += buffer.count
  }
}
