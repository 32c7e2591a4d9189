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
        let baseHash = try SHA256Digest.hex(ofFile: old)
        let target = FileSystem.temporaryPath(for: FileManager.default.temporaryDirectory.path + "/delta.xml")
        var summary = DiffSummary()
        if let output {
          let temp = FileSystem.temporaryPath(for: output)
          summary = try SnapshotDiff.writeDelta(base: old, new: new, to: temp, baseSHA256: baseHash)
          if !summary.isEmpty { try FileSystem.commitTemporary(temp, to: output) }
        } else {
          defer { try? FileSystem.removeIfPresent(target) }
          summary = try SnapshotDiff.writeDelta(base: old, new: new, to: target, baseSHA256: baseHash)
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
  }
}
