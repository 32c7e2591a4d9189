import ConnectorArchive
import ConnectorCore
import ConnectorTestSupport
import Foundation
import GRDB

/// A real spool in a temp folder with its connector state, files staged the way the exporter
/// and ingestor stage them (`SpoolLayout.stage`), and an archiver over it.
final class ArchiveTestSpool {
  let folder: TemporaryFolder
  let spool: SpoolLayout
  let state: ConnectorState
  let practiceID: String
  private var sourceCount = 0

  static let zone = TimeZone(identifier: "Australia/Sydney")!

  init(label: String, practiceID: String = "demo") throws {
    folder = try TemporaryFolder("archive-\(label)")
    spool = SpoolLayout(root: folder.child("spool"))
    try spool.create()
    try FileSystem.makeFolder(folder.child("src"))
    state = try ConnectorState(path: spool.stateDatabase)
    self.practiceID = practiceID
  }

  /// Stages `bytes` as `relative` (`inbox/…`, `outbox/…`) by moving a fresh file in.
  func stage(_ relative: String, _ bytes: [UInt8]) throws {
    sourceCount += 1
    let source = folder.child("src/\(sourceCount).xml")
    try FileSystem.write(bytes, toNewFile: source)
    try spool.stage(source, as: relative, move: true)
  }

  func stage(_ relative: String, _ text: String) throws { try stage(relative, Array(text.utf8)) }

  /// Stages a small day's worth of exchange files: a drop, its receipt and a delta.
  func stageDay(_ day: Int, salt: String = "") throws {
    try stage("inbox/drop-\(day).xml", ArchiveSamples.drop(heMsgId: "HE-\(day)-A\(salt)", secondId: "HE-\(day)-B\(salt)"))
    try stage("outbox/receipt-drop-\(day).xml", ArchiveSamples.receipt(heMsgId: "HE-\(day)-A\(salt)"))
    try stage("outbox/delta-\(practiceID)-\(day).xml", ArchiveSamples.delta(day: day, salt: salt))
  }

  func archiver(_ codec: ArchiveCodec = .zstd, level: Int? = nil) -> BagArchiver {
    BagArchiver(spool: spool, state: state, practiceID: practiceID, codec: codec, level: level)
  }

  /// Archives what is staged at `2026-03-0<day>T18:00`.
  @discardableResult
  func archive(day: Int = 2, codec: ArchiveCodec = .zstd) throws -> ArchiveRecord? {
    try archiver(codec).archive(asOf: LocalDateTime(String(format: "2026-03-%02dT18:00", day))!, timeZone: Self.zone)
  }

  func auditor(withCatalog: Bool = true) -> ArchiveAuditor {
    ArchiveAuditor(archiveFolder: spool.archive, state: withCatalog ? state : nil)
  }

  func path(of record: ArchiveRecord) -> String { spool.archive + "/" + record.path }

  /// Regular files left in the staging area, relative to it, sorted.
  func stagedFiles() -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: spool.staging)
    var out: [String] = []
    while let item = enumerator?.nextObject() as? String {
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: spool.staging + "/" + item, isDirectory: &isDir), !isDir.boolValue {
        out.append(item)
      }
    }
    return out.sorted()
  }

  func bytes(_ path: String) -> [UInt8] { FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? [] }
}

/// Exchange-like XML, small but shaped like the real files (heMsgIds included for the index).
enum ArchiveSamples {
  static func drop(heMsgId: String, secondId: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <drop xmlns="urn:ppmp-connector:exchange:1" practiceId="demo">
      <booking heMsgId="\(heMsgId)" bookingId="B-\(heMsgId)" pmsResourceId="3" pmsAppointmentTime="2026-03-10T09:15" pmsAppointmentLength="900"/>
      <cancellation heMsgId="\(secondId)" requestId="R-\(secondId)"/>
    </drop>

    """
  }

  static func receipt(heMsgId: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <receipt xmlns="urn:ppmp-connector:exchange:1" practiceId="demo">
      <confirmInsert heMsgId="\(heMsgId)" pmsAppointmentId="1001"/>
    </receipt>

    """
  }

  static func delta(day: Int, salt: String) -> String {
    var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<delta xmlns=\"urn:ppmp-connector:exchange:1\" sequence=\"\(day)\">\n"
    for slot in 0..<40 { text += "  <slot resource=\"\(slot % 4)\" start=\"2026-03-\(10 + day)T\(9 + slot / 4):\((slot % 4) * 15)\"\(salt.isEmpty ? "" : " note=\"\(salt)\"")/>\n" }
    return text + "</delta>\n"
  }
}

/// Runs a stock tool by absolute path, optionally feeding a file to stdin via a shell.
func runTool(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> CommandResult {
  try CommandRunner.run(executable, arguments, in: directory)
}

/// Whether PyPI's `bagit` can be imported by the `python3` on PATH (scripts/ensure-deps.sh installs it).
let bagitValidatorAvailable: Bool = {
  (try? CommandRunner.run("/usr/bin/env", ["python3", "-c", "import bagit"]))?.status == 0
}()

/// Rewrites one byte of an archive's uncompressed tar stream (the first occurrence of `marker`)
/// and writes the archive back compressed with the stock tool, as a tamperer would.
func flipPayloadByte(in archive: String, marker: String, codec: ArchiveCodec = .zstd) throws {
  let tool: (String, [String]) =
    switch codec {
    case .zstd: ("/usr/bin/zstd", ["-q", "-f"])
    case .gzip: ("/usr/bin/gzip", ["-n", "-f"])
    case .xz: ("/usr/bin/xz", ["-f"])
    case .none: ("", [])
    }
  let tar = archive + ".raw.tar"
  if codec == .none {
    try FileManager.default.copyItem(atPath: archive, toPath: tar)
  } else {
    let d = try CommandRunner.run("/bin/sh", ["-c", "\(tool.0) -d -c \"$0\" > \"$1\"", archive, tar])
    guard d.status == 0 else { throw HarnessFailure.tool(d.stderr) }
  }
  var bytes = [UInt8](FileManager.default.contents(atPath: tar)!)
  let needle = Array(marker.utf8)
  guard let at = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<$0 + needle.count]) == needle }) else {
    throw HarnessFailure.tool("\(marker) not found in the tar stream")
  }
  bytes[at] ^= 0x01
  try Data(bytes).write(to: URL(fileURLWithPath: tar))
  if codec == .none {
    try FileManager.default.removeItem(atPath: archive)
    try FileManager.default.moveItem(atPath: tar, toPath: archive)
  } else {
    let c = try CommandRunner.run("/bin/sh", ["-c", "\(tool.0) \(tool.1.joined(separator: " ")) -c \"$0\" > \"$1\"", tar, archive])
    guard c.status == 0 else { throw HarnessFailure.tool(c.stderr) }
    try FileManager.default.removeItem(atPath: tar)
  }
}

enum HarnessFailure: Error { case tool(String) }
