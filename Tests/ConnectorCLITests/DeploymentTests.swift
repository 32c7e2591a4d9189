import ConnectorTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Whether a command is on PATH (tools the deployment checks need; their tests skip without).
private func onPath(_ tool: String) -> Bool {
  (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
    access("\($0)/\(tool)", X_OK) == 0
  }
}

/// Installing and running the connector for real: one file is the whole program, the spool
/// permissions Kubernetes produces, the metrics file, `health`, and the shipped deploy/ files.
@Suite struct DeploymentTests {
  // MARK: One file is the program

  @Test func aLoneCopyOfTheBinaryRunsInitRunAndValidate() throws {
    let install = try TemporaryFolder("lone-bin")
    let practice = try TemporaryFolder("lone-practice")
    let binary = install.child("ppmp-connector")
    try FileManager.default.copyItem(atPath: RepositoryPaths.executable("ppmp-connector"), toPath: binary)
    #expect(try FileManager.default.contentsOfDirectory(atPath: install.path) == ["ppmp-connector"])

    let initResult = try CommandRunner.run(binary, ["init", "--demo", "--practice-id", "demo", "--as-of", "2026-03-02T08:00"], in: practice.path)
    #expect(initResult.status == 0, "\(initResult.stderr)")
    let run = try CommandRunner.run(binary, ["run", "--as-of", "2026-03-02T08:00"], in: practice.path)
    #expect(run.status == 1, "the demo drops include a deliberate rejection: \(run.stderr)")
    #expect(!run.stderr.contains("resource bundle"))
    let snapshot = try #require(
      try FileManager.default.contentsOfDirectory(atPath: practice.child("spool/outbox")).first { $0.hasPrefix("snapshot-") })
    let validate = try CommandRunner.run(binary, ["validate", "spool/outbox/" + snapshot], in: practice.path)
    #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
  }

  @Test func theProgramNamesNoResourceBundleToFallBackOn() throws {
    // SwiftPM's resource accessor embeds the bundle's build-folder path and falls back to it
    // when the bundle is not beside the executable: with the resources compiled in it is gone.
    let bytes = try #require(FileManager.default.contents(atPath: RepositoryPaths.executable("ppmp-connector")))
    #expect(bytes.range(of: Data("ConnectorCore.resources".utf8)) == nil)
  }

  // MARK: Kubernetes fsGroup

  /// What the kubelet does to a volume for `fsGroup`: group = fsGroup, folders g+rwx and setgid,
  /// files g+rw (others untouched).
  private func applyFSGroup(_ root: String, group: gid_t) throws {
    var paths = [root]
    if let found = FileManager.default.enumerator(atPath: root) {
      paths += found.compactMap { $0 as? String }.map { root + "/" + $0 }
    }
    for path in paths {
      var st = stat()
      guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFLNK else { continue }
      #expect(lchown(path, st.st_uid, group) == 0)
      let isFolder = (st.st_mode & S_IFMT) == S_IFDIR
      #expect(chmod(path, (st.st_mode & 0o7777) | (isFolder ? 0o2070 : 0o060)) == 0)
    }
  }

  @Test func runAndDoctorAcceptTheVolumePermissionsOfAnFSGroupPod() throws {
    let spool = try DemoSpool(label: "fsgroup")
    try applyFSGroup(spool.path, group: getegid())
    var st = stat()
    #expect(stat(spool.folder.child("spool/state"), &st) == 0 && st.st_mode & 0o7777 == 0o2770)

    let run = try spool.run(["run"])
    #expect([0, 1].contains(run.status), "\(run.stderr)")
    #expect(!run.stderr.contains("readable by other users"))
    // New folders and files made in the setgid folders keep the pod's group and stay accepted.
    #expect(try spool.run(["run"]).status == 0)
    let doctor = try spool.run(["doctor", "--json"])
    #expect(!doctor.stdout.contains("spool-permissions") && !doctor.stdout.contains("spool-file-permissions"), "\(doctor.stdout)")
  }

  @Test func aSpoolFolderOpenToOthersIsStillRefused() throws {
    let spool = try DemoSpool(label: "others")
    try applyFSGroup(spool.path, group: getegid())
    chmod(spool.folder.child("spool/inbox"), 0o2775)
    let run = try spool.run(["run"])
    #expect(run.status == 2)
    #expect(run.stderr.contains("inbox is readable by other users (mode 2775)"), "\(run.stderr)")
  }

  @Test(.enabled(if: geteuid() == 0, "needs root to give a folder a group the connector is not in"))
  func groupAccessForAnotherGroupIsRefused() throws {
    let spool = try DemoSpool(label: "other-group")
    try applyFSGroup(spool.path, group: 54_321)
    let run = try spool.run(["run"])
    #expect(run.status == 2)
    #expect(run.stderr.contains("readable by other users (mode 2770)"), "\(run.stderr)")
  }

  // MARK: Metrics

  @Test func runWritesAPrometheusFileWithoutPatientData() throws {
    let spool = try DemoSpool(label: "metrics")
    #expect(try spool.run(["run"]).status == 1)
    let path = spool.folder.child("spool/state/metrics.prom")
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var st = stat()
    #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600, "inside the spool the file stays private")
    for name in [
      "ppmp_connector_last_success_timestamp_seconds", "ppmp_connector_last_run_duration_seconds",
      "ppmp_connector_last_cycle_exit_code 1", #"ppmp_connector_last_run_outcome{outcome="rejections"} 1"#,
      #"ppmp_connector_queue_files{folder="inbox"} 0"#, "ppmp_connector_oldest_waiting_drop_age_seconds 0",
      "ppmp_connector_archive_chain_verified 1", #"ppmp_connector_last_run_messages{result="confirmed"}"#,
    ] {
      #expect(text.contains(name), "\(name) missing from\n\(text)")
    }
    // Only metric lines of known shape, with label values from a fixed vocabulary.
    let sample = try Regex(#"^ppmp_connector_[a-z_]+(\{[a-z_]+="[a-z0-9.\-]*"(,[a-z_]+="[a-z0-9.\-]*")*\})? -?[0-9.e+]+$"#)
    for line in text.split(separator: "\n") where !line.hasPrefix("# HELP ") && !line.hasPrefix("# TYPE ") {
      #expect(line.wholeMatch(of: sample) != nil, "unexpected line: \(line)")
    }

    // A failing cycle keeps the last success and says how the cycle ended.
    let success = text.split(separator: "\n").first { $0.hasPrefix("ppmp_connector_last_success_timestamp_seconds ") }
    try FileManager.default.moveItem(atPath: spool.database, toPath: spool.database + ".away")
    let failed = try spool.run(["run"])
    #expect(failed.status != 0 && failed.status != 1)
    let after = try String(contentsOfFile: path, encoding: .utf8)
    #expect(after.contains("ppmp_connector_last_cycle_exit_code \(failed.status)\n"), "\(after)")
    #expect(success.map { after.contains($0 + "\n") } == true)
  }

  @Test func metricsFileElsewhereIsReadableByTheCollectorAndEmptyTurnsItOff() throws {
    let spool = try DemoSpool(label: "metrics-path")
    let collector = try TemporaryFolder("textfile")
    let config = spool.folder.child("connector.toml")
    let original = try String(contentsOfFile: config, encoding: .utf8)
    // Top-level keys go before the file's [archive] table.
    try ("metrics_file = \"\(collector.child("ppmp.prom"))\"\n" + original).write(toFile: config, atomically: true, encoding: .utf8)
    #expect(try spool.run(["run"]).status == 1)
    var st = stat()
    #expect(stat(collector.child("ppmp.prom"), &st) == 0 && st.st_mode & 0o777 == 0o644)
    #expect(!FileManager.default.fileExists(atPath: spool.folder.child("spool/state/metrics.prom")))

    try ("metrics_file = \"\"\n" + original).write(toFile: config, atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(atPath: collector.child("ppmp.prom"))
    #expect(try spool.run(["run"]).status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: collector.path).isEmpty)
    #expect(!FileManager.default.fileExists(atPath: spool.folder.child("spool/state/metrics.prom")))
  }

  @Test(.enabled(if: onPath("promtool"), "promtool is missing: `make promtool` installs the Debian package prometheus"))
  func promtoolAcceptsTheMetricsFile() throws {
    let spool = try DemoSpool(label: "promtool")
    #expect(try spool.run(["run"]).status == 1)
    let check = try CommandRunner.run(
      "/bin/sh", ["-c", "promtool check metrics < spool/state/metrics.prom"], in: spool.path)
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.isEmpty && check.stderr.isEmpty, "promtool lint: \(check.stdout)\(check.stderr)")
  }

  // MARK: health

  private let roomy = ["--warning-free-mib", "0", "--critical-free-mib", "0"]

  /// Rewrites fields of `state/status.json` as a run long ago, or a failed one, would have left them.
  private func editStatus(_ spool: DemoSpool, _ edit: (inout [String: Any]) -> Void) throws {
    let path = spool.folder.child("spool/state/status.json")
    var object = try jsonObject(String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self))
    edit(&object)
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
  }

  private func isoAgo(_ seconds: TimeInterval) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: Date().addingTimeInterval(-seconds))
  }

  @Test func healthIsOKRightAfterARunWithRejections() throws {
    let spool = try DemoSpool(label: "health-ok")
    #expect(try spool.run(["run"]).status == 1)
    let health = try spool.run(["health"] + roomy)
    #expect(health.status == 0, "\(health.stdout)")
    #expect(health.stdout.hasPrefix("PPMP-CONNECTOR OK - last run "), "\(health.stdout)")
    #expect(health.stdout.contains(", inbox 0 | last_run_age="))
    #expect(health.stdout.split(separator: "\n").count == 1)
  }

  @Test func healthWarnsThenGoesCriticalAsTheLastRunAges() throws {
    let spool = try DemoSpool(label: "health-aged")
    #expect(try spool.run(["run"]).status == 1)
    try editStatus(spool) { $0["finishedAt"] = isoAgo(600) }
    let warning = try spool.run(["health"] + roomy)
    #expect(warning.status == 1, "\(warning.stdout)")
    #expect(warning.stdout.hasPrefix("PPMP-CONNECTOR WARNING - last run 10 min ago"), "\(warning.stdout)")
    let critical = try spool.run(["health", "--warning-age", "60", "--critical-age", "300"] + roomy)
    #expect(critical.status == 2, "\(critical.stdout)")
  }

  @Test func healthIsCriticalWhenTheLastRunFailed() throws {
    let spool = try DemoSpool(label: "health-failed")
    #expect(try spool.run(["run"]).status == 1)
    try editStatus(spool) {
      $0["outcome"] = "failed"
      $0["exitCode"] = 74
    }
    let health = try spool.run(["health"] + roomy)
    #expect(health.status == 2, "\(health.stdout)")
    #expect(health.stdout.hasPrefix("PPMP-CONNECTOR CRITICAL - last run failed (exit 74"), "\(health.stdout)")
  }

  @Test func healthIsUnknownWithoutASpool() throws {
    let empty = try TemporaryFolder("health-none")
    let health = try CommandRunner.run("ppmp-connector", ["health"], in: empty.path)
    #expect(health.status == 3)
    #expect(health.stdout.hasPrefix("PPMP-CONNECTOR UNKNOWN - "), "\(health.stdout)")
  }

  // MARK: deploy/

  @Test(.enabled(if: onPath("systemd-analyze"), "systemd-analyze is missing (Debian package systemd; `make check-units` installs it)"))
  func systemdUnitsVerifyWithoutAnyMessage() throws {
    let check = try CommandRunner.run(RepositoryPaths.root + "/scripts/check-units.sh", [])
    #expect(check.status == 0, "\(check.stderr)")
  }

  @Test(.enabled(if: onPath("kubernetes-validate"), "kubernetes-validate is missing (PyPI; `make check-kubernetes` installs it)"))
  func kubernetesManifestsPassStrictValidation() throws {
    let check = try CommandRunner.run(RepositoryPaths.root + "/scripts/check-kubernetes.sh", [], environment: ["PPMP_NO_INSTALL": "1"])
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
  }

  @Test func kubernetesPodsRunAsTheirFSGroup() throws {
    // The connector accepts group permissions only for its own group: fsGroup must be runAsGroup.
    for file in ["cronjob.yaml", "init-job.yaml"] {
      let text = try String(contentsOfFile: RepositoryPaths.root + "/deploy/kubernetes/" + file, encoding: .utf8)
      let group = text.firstMatch(of: /runAsGroup: (\d+)/)?.1
      #expect(group != nil && group == text.firstMatch(of: /fsGroup: (\d+)/)?.1, "\(file)")
      #expect(text.contains("runAsNonRoot: true"))
    }
  }
}
