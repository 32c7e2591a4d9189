import ConnectorPOSIX
import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `diff OLD NEW [-o OUT]`: the standalone deterministic diff of two snapshot files.
  struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the delta that turns snapshot OLD into snapshot NEW.",
      discussion: """
        Compares content, not bytes: formatting, attribute order and equivalent range lists do \
        not count as changes. Exit status 0 when the snapshots are equal (nothing is written), \
        1 when they differ, like diff(1).
        """)

    @Argument(help: "The base snapshot.")
    var old: String

    @Argument(help: "The new snapshot.")
    var new: String

    @Option(name: .shortAndLong, help: "Write the delta here (atomically) instead of to standard output.")
    var output: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
      try Console.run {
        try Self.checkReadable(old)
        let target = FileSystem.temporaryPath(for: FileManager.default.temporaryDirectory.path + "/delta.xml")
        var summary = DiffSummary()
        if let output {
          let temp = FileSystem.temporaryPath(for: output)
          summary = try SnapshotDiff.writeDelta(base: old, new: new, to: temp).summary
          if !summary.isEmpty { try FileSystem.commitTemporary(temp, to: output) }
        } else {
          defer { try? FileSystem.removeIfPresent(target) }
          summary = try SnapshotDiff.writeDelta(base: old, new: new, to: target).summary
          if !summary.isEmpty, let data = FileManager.default.contents(atPath: target) {
            FileHandle.standardOutput.write(data)
          }
        }
        if !quiet {
          Console.err(
            summary.isEmpty
              ? "snapshots are equal"
              : "\(summary.changedDays) changed, \(summary.addedDays) new, \(summary.removedDays) removed day(s)"
                + (summary.resourcesChanged ? "; practitioners changed" : "")
                + (summary.appointmentTypesChanged ? "; appointment types changed" : ""))
        }
        return summary.isEmpty ? ExitStatus.success : ExitStatus.partial
      }
    }

    /// Fails as hashing the base up front used to (exit 74, "open"/"read" and the errno) for a
    /// base that cannot be opened or read, now that the base is hashed while it is diffed.
    private static func checkReadable(_ path: String) throws {
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { throw ioError("open", path) }
      defer { close(fd) }
      var byte: UInt8 = 0
      if POSIX.read(fd, &byte, 1) < 0 { throw ioError("read", path) }
    }

    private static func ioError(_ operation: String, _ path: String) -> ConnectorError {
      let code = errno
      return .io(operation: operation, path: path, errno: code, message: POSIX.message(code))
    }
  }
}
