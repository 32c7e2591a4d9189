import Foundation
import Testing

@testable import ConnectorArchive

/// A manual measurement, not part of the normal run: set PPMP_ARCHIVE_BENCH_DIR to a folder and
/// it archives the folder with TarWriter+zstd and with `bsdtar --zstd -cf`, printing both times.
@Suite struct ArchiveBenchmarkTests {
  static let sourceFolder = ProcessInfo.processInfo.environment["PPMP_ARCHIVE_BENCH_DIR"]

  @Test(.enabled(if: sourceFolder != nil))
  func tarWriterAgainstBsdtar() throws {
    let source = try #require(Self.sourceFolder)
    let folder = try TempFolder()
    defer { folder.remove() }
    let relativePaths = listing(of: source)

    let ours = folder.file("ours.tar.zst")
    let clock = ContinuousClock()
    var observed: Int64 = 0
    let oursTime = try clock.measure {
      let writer = try TarWriter(path: ours, codec: .zstd)
      for relative in relativePaths {
        var isFolder: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: source + "/" + relative, isDirectory: &isFolder)
        if isFolder.boolValue {
          try writer.addDirectory(relative, mtime: sampleMTime)
        } else {
          try writer.addFile(relative, contentsOf: source + "/" + relative, mtime: sampleMTime) { observed += Int64($0.count) }
        }
      }
      try writer.finish()
    }

    let theirs = folder.file("bsdtar.tar.zst")
    var result = ProcessResult(status: -1, stderr: "")
    let bsdtarTime = try clock.measure {
      result = try run(["bsdtar", "--zstd", "-cf", theirs, "-C", source, "."])
    }
    #expect(result.status == 0, "\(result.stderr)")

    var members = 0
    let reader = try TarReader(path: ours)
    while try reader.next() != nil { members += 1 }
    #expect(members == relativePaths.count)
    let oursSize = try FileManager.default.attributesOfItem(atPath: ours)[.size] as? Int ?? 0
    let theirsSize = try FileManager.default.attributesOfItem(atPath: theirs)[.size] as? Int ?? 0
    print("benchmark: \(relativePaths.count) members, \(observed) payload bytes")
    print("benchmark: TarWriter+zstd \(oursTime) → \(oursSize) bytes; bsdtar --zstd \(bsdtarTime) → \(theirsSize) bytes")
  }
}
