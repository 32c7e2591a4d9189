import ConnectorTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Real mounts for write faults. Tests run as root here, where `chmod 0500` stops no write, so a
/// read-only bind mount and a tiny tmpfs are the honest ways to make writes fail without a seam
/// in the product code.
enum FaultMounts {
  static let available: Bool = {
    guard getuid() == 0, let probe = try? TemporaryFolder("mount-probe") else { return false }
    guard (try? CommandRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path]))?.status == 0
    else { return false }
    return (try? CommandRunner.run("/bin/umount", [probe.path]))?.status == 0
  }()

  static func mount(_ arguments: [String]) throws {
    let r = try CommandRunner.run("/bin/mount", arguments)
    guard r.status == 0 else { throw HarnessError.failed("mount \(arguments): \(r.stderr)") }
  }

  static func unmount(_ path: String) {
    _ = try? CommandRunner.run("/bin/umount", [path])
  }

  /// Makes `folder` read-only: a read-only bind mount as root (where `chmod 0500` stops no
  /// write), the permission otherwise. `makeWritable` undoes it.
  static func makeReadOnly(_ folder: String) throws {
    if available {
      try mount(["--bind", folder, folder])
      try mount(["-o", "remount,ro,bind", folder])
    } else {
      chmod(folder, 0o500)  // Not root: the permission is enough.
    }
  }

  static func makeWritable(_ folder: String) {
    if available { unmount(folder) } else { chmod(folder, 0o700) }
  }

  /// Runs `body` with a `size` tmpfs (mode 0700) mounted over `path`, and unmounts it however
  /// `body` ends, so a failing test never leaves a mount behind for the next one.
  static func withTmpfs<T>(_ size: String, over path: String, _ body: () throws -> T) throws -> T {
    try mount(["-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path])
    defer { unmount(path) }
    return try body()
  }
}

/// SPEC §10: disk full or a read-only outbox → exit 74, inbox, work/ and both databases left
/// consistent, and the next healthy run finishes the work.
@Suite(.serialized) struct WriteFailureTests {
  private func bytes(_ spool: FaultSpool, _ relative: String) -> [UInt8] { spool.demo.contents(spool.sub(relative)) }

  @Test func readOnlyOutboxFailsTheSpoolCheckBeforeTouchingAnything() throws {
    let spool = try FaultSpool(label: "ro-outbox", bookings: 10, cancellations: 1, invalid: 1, seed: 17)
    try spool.feed(2)
    #expect([0, 1].contains(try spool.demo.run(["run"]).status))
    try spool.feed(3)
    let outbox = spool.sub("outbox")
    try FaultMounts.makeReadOnly(outbox)
    let before = (spool.files("inbox"), spool.files("outbox"), bytes(spool, "state/connector.sqlite"), spool.demo.contents(spool.demo.database))
    let r = try spool.demo.run(["run"])
    FaultMounts.makeWritable(outbox)
    #expect(r.status == 74, "\(r.stderr)")
    #expect(r.stderr.contains("outbox"))
    #expect(spool.files("inbox") == before.0 && spool.files("work").isEmpty && spool.files("outbox") == before.1)
    #expect(bytes(spool, "state/connector.sqlite") == before.2, "the spool check comes before the state is opened")
    #expect(spool.demo.contents(spool.demo.database) == before.3)
    let healthy = try spool.demo.run(["run"])
    #expect([0, 1].contains(healthy.status), "\(healthy.stderr)")
    #expect(try spool.violations().isEmpty)
  }

  @Test(.enabled(if: FaultMounts.available, "needs root and mount(8)"))
  func fullOutboxExits74AndTheNextRunFinishesTheWork() throws {
    let spool = try FaultSpool(label: "full-outbox", bookings: 16, cancellations: 2, invalid: 1, seed: 23)
    try spool.feed(4)
    let outbox = spool.sub("outbox")
    // 64 KiB holds the receipts but not the demo's ~100 KB snapshot: the run fails mid-export.
    let keep = spool.demo.folder.child("outbox-kept")
    let (r, written) = try FaultMounts.withTmpfs("64k", over: outbox) {
      let r = try spool.demo.run(["run"])
      let written = spool.files("outbox")
      try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: false)
      for name in written { try FileManager.default.copyItem(atPath: outbox + "/" + name, toPath: keep + "/" + name) }
      return (r, written)
    }
    #expect(r.status == 74, "\(r.stderr)")
    #expect(r.stderr.contains("No space left on device"))
    #expect(!written.contains { $0.hasPrefix(".") }, "no temporary file left behind: \(written)")
    let status = try String(contentsOfFile: spool.sub("state/status.json"), encoding: .utf8)
    #expect(status.contains("\"outcome\" : \"failed\"") && status.contains("\"exitCode\" : 74"))
    // The operator frees space: the files the failed run did write are still there.
    for name in written { try FileManager.default.moveItem(atPath: keep + "/" + name, toPath: outbox + "/" + name) }
    try spool.feed(2)
    let healthy = try spool.demo.run(["run"])
    #expect([0, 1].contains(healthy.status), "\(healthy.stderr)")
    #expect(try spool.violations().isEmpty)
  }

  @Test(.enabled(if: FaultMounts.available, "needs root and mount(8)"))
  func fullOutboxDuringIngestKeepsTheDropClaimedForTheNextRun() throws {
    let spool = try FaultSpool(label: "full-ingest", bookings: 40, cancellations: 4, invalid: 0, seed: 31, perDrop: 20)
    try spool.feed(Int.max)
    let outbox = spool.sub("outbox")
    // Too small for even one receipt of 20 messages once the filler takes its share.
    let (r, leftovers, kept) = try FaultMounts.withTmpfs("8k", over: outbox) {
      let filler = outbox + "/filler"
      _ = FileManager.default.createFile(atPath: filler, contents: Data(count: 4096))
      let r = try spool.demo.run(["run"])
      try? FileManager.default.removeItem(atPath: filler)
      let leftovers = spool.files("outbox")
      return (r, leftovers, leftovers.map { ($0, spool.demo.contents(outbox + "/" + $0)) })
    }
    for (name, bytes) in kept { try Data(bytes).write(to: URL(fileURLWithPath: outbox + "/" + name)) }
    #expect(r.status == 74, "\(r.stderr)")
    #expect(!leftovers.contains { $0.hasPrefix(".") || $0.hasPrefix("receipt-drop-") }, "\(leftovers)")
    #expect(!spool.files("work").isEmpty || !spool.files("inbox").isEmpty, "the unanswered drop waits for the next run")
    let healthy = try spool.demo.run(["run"])
    #expect([0, 1].contains(healthy.status), "\(healthy.stderr)")
    let problems = try spool.violations()
    #expect(problems.isEmpty, "\(problems)")
  }

  @Test(.enabled(if: FaultMounts.available, "needs root and mount(8)"))
  func fullArchiveFolderExits74KeepsTheStagedCopiesAndTheNextRunArchivesThem() throws {
    let spool = try FaultSpool(label: "full-archive", bookings: 16, cancellations: 2, invalid: 1, seed: 41)
    try spool.feed(4)
    let archive = spool.sub("archive")
    // 8 KiB cannot hold the first archive (the demo's snapshot alone compresses to more).
    let (r, leftovers) = try FaultMounts.withTmpfs("8k", over: archive) {
      (try spool.demo.run(["run"]), (try? FileManager.default.subpathsOfDirectory(atPath: archive)) ?? [])
    }
    #expect(r.status == 74, "\(r.stderr)")
    #expect(r.stderr.contains("No space left on device"), "\(r.stderr)")
    // The archive's own path is named once, not again as a "member".
    #expect(!r.stderr.contains("[member"), "\(r.stderr)")
    #expect(!leftovers.contains { ($0 as NSString).lastPathComponent.hasPrefix(".") }, "no temporary archive left: \(leftovers)")
    let staged = try FileManager.default.subpathsOfDirectory(atPath: spool.sub("state/staging")).filter { $0.hasSuffix(".xml") }
    #expect(!staged.isEmpty, "the staged copies wait for the next archive")
    let healthy = try spool.demo.run(["run"])
    #expect([0, 1].contains(healthy.status), "\(healthy.stderr)")
    let verify = try spool.demo.run(["audit", "verify"])
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    #expect(try FileManager.default.subpathsOfDirectory(atPath: spool.sub("state/staging")).filter { $0.hasSuffix(".xml") }.isEmpty)
    #expect(try spool.violations().isEmpty)
  }
}
