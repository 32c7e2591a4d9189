import Foundation
import Testing

@testable import ConnectorArchive

/// A fresh folder under the system temp folder; call `remove()` in a `defer`.
struct TempFolder {
  let path: String

  init() throws {
    path = FileManager.default.temporaryDirectory
      .appendingPathComponent("ConnectorArchiveTests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { path + "/" + name }

  func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The logical time used as every member's mtime.
let sampleMTime: Int64 = 1_700_000_000

/// A name longer than ustar's 100-byte name field, so libarchive must use a pax `path` record.
let longMemberName = "bag/data/" + String(repeating: "long-segment-", count: 10) + "end.xml"
/// A non-ASCII name, which pax stores as UTF-8.
let unicodeMemberName = "bag/data/Zoë-Ångström-東京.xml"

/// Deterministic, poorly compressible bytes (xorshift), so sizes and content are meaningful.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
  var state = seed | 1
  var bytes = [UInt8](repeating: 0, count: count)
  for index in 0..<count {
    state ^= state << 13
    state ^= state >> 7
    state ^= state << 17
    bytes[index] = UInt8(truncatingIfNeeded: state)
  }
  return bytes
}

/// The members `writeSampleArchive` writes, in order, with their data (nil for folders).
func sampleMembers(sourceBytes: [UInt8]) -> [(entry: TarEntry, data: [UInt8]?)] {
  func file(_ path: String, _ data: [UInt8]) -> (TarEntry, [UInt8]?) {
    (TarEntry(path: path, type: .file, size: Int64(data.count), mode: 0o600, mtime: sampleMTime), data)
  }
  func folder(_ path: String) -> (TarEntry, [UInt8]?) {
    (TarEntry(path: path, type: .directory, size: 0, mode: 0o700, mtime: sampleMTime), nil)
  }
  return [
    folder("bag"),
    file("bag/bagit.txt", Array("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".utf8)),
    folder("bag/data"),
    file("bag/data/empty.xml", []),
    file(longMemberName, Array(String(repeating: "<slot/>\n", count: 300).utf8)),
    file(unicodeMemberName, Array("<booking id=\"1\"/>\n".utf8)),
    file("bag/data/source.bin", sourceBytes),
  ]
}

/// Writes the sample members; the last one is streamed from `sourcePath`.
func writeSampleArchive(to path: String, codec: ArchiveCodec, sourcePath: String, level: Int? = nil) throws {
  let writer = try TarWriter(path: path, codec: codec, level: level)
  try writeSampleMembers(with: writer, sourcePath: sourcePath)
  try writer.finish()
}

/// Adds the sample members to `writer` without finishing it.
func writeSampleMembers(with writer: TarWriter, sourcePath: String) throws {
  try writer.addDirectory("bag", mtime: sampleMTime)
  try writer.addFile("bag/bagit.txt", bytes: Array("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".utf8), mtime: sampleMTime)
  try writer.addDirectory("bag/data", mtime: sampleMTime)
  try writer.addFile("bag/data/empty.xml", bytes: [], mtime: sampleMTime)
  try writer.addFile(longMemberName, bytes: Array(String(repeating: "<slot/>\n", count: 300).utf8), mtime: sampleMTime)
  try writer.addFile(unicodeMemberName, bytes: Array("<booking id=\"1\"/>\n".utf8), mtime: sampleMTime)
  try writer.addFile("bag/data/source.bin", contentsOf: sourcePath, mtime: sampleMTime)
}

/// A sample source file of 300 KiB (more than one 256 KiB chunk) written into `folder`.
func makeSourceFile(in folder: TempFolder) throws -> (path: String, bytes: [UInt8]) {
  let bytes = pseudoRandomBytes(count: 300 * 1024, seed: 42)
  let path = folder.file("source.bin")
  try Data(bytes).write(to: URL(fileURLWithPath: path))
  return (path, bytes)
}

func fileBytes(_ path: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Every entry below `folder`, relative and sorted, for before/after comparisons.
func listing(of folder: String) -> [String] {
  let items = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
  return items.sorted()
}

struct ProcessResult {
  var status: Int32
  var stderr: String
}

/// Runs a stock tool through /usr/bin/env, optionally sending its stdout to a file.
@discardableResult
func run(_ arguments: [String], in directory: String? = nil, stdoutTo outputPath: String? = nil) throws -> ProcessResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
  if let outputPath {
    _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
  }
  let errors = Pipe()
  process.standardError = errors
  try process.run()
  let errorData = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ProcessResult(status: process.terminationStatus, stderr: String(decoding: errorData, as: UTF8.self))
}

/// Reads every member of an archive with its data (folders get nil).
func readMembers(_ path: String) throws -> [(entry: TarEntry, data: [UInt8]?)] {
  let reader = try TarReader(path: path)
  var members: [(TarEntry, [UInt8]?)] = []
  while let entry = try reader.next() {
    members.append((entry, entry.type == .file ? try reader.readAll(limit: 1 << 30) : nil))
  }
  return members
}

/// The stock decompressor's view of an archive: `zstd`/`gzip`/`xz -dc`, which also refuse trailing
/// padding or a truncated stream; a plain tar is returned as it is. Nil when the tool failed or
/// complained.
func stockDecompressed(_ path: String, codec: ArchiveCodec, in folder: TempFolder) throws -> [UInt8]? {
  let tool: String
  switch codec {
  case .zstd: tool = "zstd"
  case .gzip: tool = "gzip"
  case .xz: tool = "xz"
  case .none: return try fileBytes(path)
  }
  let output = folder.file("stock-\(UUID().uuidString).tar")
  defer { try? FileManager.default.removeItem(atPath: output) }
  let result = try run([tool, "-dc", path], stdoutTo: output)
  guard result.status == 0, result.stderr.isEmpty else { return nil }
  return try fileBytes(output)
}

/// A tiny tmpfs over a temp folder, so writes really fail with ENOSPC; needs root and mount(8).
enum FullDisk {
  static let available: Bool = {
    guard getuid() == 0, let probe = try? TempFolder() else { return false }
    defer { probe.remove() }
    guard (try? run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path]))?.status == 0 else { return false }
    return (try? run(["umount", probe.path]))?.status == 0
  }()

  /// Runs `body` with `folder` holding a 64 KiB tmpfs, unmounted afterwards.
  static func with<Result>(_ folder: TempFolder, _ body: () throws -> Result) throws -> Result {
    let mounted = try run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", folder.path])
    guard mounted.status == 0 else { throw ArchiveError(operation: "mount", message: mounted.stderr) }
    defer { _ = try? run(["umount", folder.path]) }
    return try body()
  }
}
