import ArgumentParser
import ConnectorCore
import Foundation

extension PPMPConnector {
  /// `audit list|verify|find|show|extract`: auditors' tools over the archive folder.
  struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Inspect and verify archives. Works with only the archive folder (--archive-dir).",
      subcommands: [List.self, Verify.self, Find.self, Show.self, Extract.self, HTMLReport.self])
  }
}

/// Where the archives are: `--archive-dir`, or the spool's `archive/` from the configuration.
struct AuditOptions: ParsableArguments {
  @Option(help: "Configuration file.")
  var config: String?

  @Option(help: "Spool folder.")
  var spool: String?

  @Option(name: .customLong("archive-dir"), help: "An archive folder on its own (no spool or catalog needed).")
  var archiveDir: String?

  @Flag(help: "Machine-readable output.")
  var json = false

  /// `--config`, else `./connector.toml` when present, else the defaults; `--spool` on top.
  func configuration() throws -> ConnectorConfiguration {
    var configuration: ConnectorConfiguration
    if let config {
      configuration = try ConnectorConfiguration.load(path: config)
    } else if FileManager.default.fileExists(atPath: CommonOptions.defaultConfigPath) {
      configuration = try ConnectorConfiguration.load(path: CommonOptions.defaultConfigPath)
    } else {
      configuration = ConnectorConfiguration()
    }
    if let spool { configuration.spoolPath = spool }
    return configuration
  }

  /// The auditor over `--archive-dir` or the spool's archive; no payload member may be larger
  /// than `max_extract_bytes`, so what verifies also extracts.
  func auditor() throws -> ArchiveAuditor {
    let configuration = try configuration()
    let limits = BagLimits(maxMemberBytes: configuration.maxExtractBytes)
    if let archiveDir {
      guard FileManager.default.fileExists(atPath: archiveDir) else { throw ConnectorError.usage("\(archiveDir) does not exist") }
      return ArchiveAuditor(archiveFolder: archiveDir, state: nil, limits: limits)
    }
    let layout = SpoolLayout(root: configuration.spoolPath)
    let state = FileManager.default.fileExists(atPath: layout.stateDatabase) ? try? ConnectorState(path: layout.stateDatabase) : nil
    return ArchiveAuditor(archiveFolder: layout.archive, state: state, limits: limits)
  }

  /// `max_extract_bytes` from the same configuration the other commands read (the default
  /// `./connector.toml` included); a broken configuration is an error, not a silent default cap.
  func maxExtractBytes() throws -> Int64 {
    try configuration().maxExtractBytes
  }
}

extension PPMPConnector.Audit {
  /// `audit report --html FILE`: the auditors' page (archives, chain, messages per day).
  struct HTMLReport: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "report",
      abstract: "Write the auditors' HTML report: archives over time, the chain and its verification, messages per day.")
    @OptionGroup var options: AuditOptions
    @Option(help: "The HTML file to write.")
    var html: String

    func run() throws {
      try Console.run {
        try AuditReport.gather(auditor: options.auditor()).write(to: html)
        Console.out("audit: wrote \(html)")
        return ExitStatus.success
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Archives with sequence, date, file count and sizes.")
    @OptionGroup var options: AuditOptions

    func run() throws {
      try Console.run {
        let auditor = try options.auditor()
        struct Row {
          var archive: String, sequence: Int64?, date: String?, files: Int, payloadBytes: Int64, fileBytes: Int64, intact: Bool
        }
        var rows: [Row] = []
        for file in auditor.archiveFiles() {
          let r = BagVerifier.verify(path: auditor.archiveFolder + "/" + file, limits: auditor.limits)
          rows.append(
            Row(
              archive: file, sequence: r.sequence, date: r.bagInfo["Bagging-Date"], files: r.payloadFiles,
              payloadBytes: Int64(r.payloadBytes), fileBytes: FileSystem.fileInfo(auditor.archiveFolder + "/" + file)?.size ?? 0,
              intact: r.problems.isEmpty))
        }
        // Chain order: by sequence as a number (1, 2, 10, not 1, 10, 2, nor by month folder);
        // archives whose sequence cannot be read come last, by name.
        rows.sort { a, b in
          switch (a.sequence, b.sequence) {
          case let (x?, y?): return x != y ? x < y : a.archive < b.archive
          case (.some, nil): return true
          case (nil, .some): return false
          case (nil, nil): return a.archive < b.archive
          }
        }
        if options.json {
          // Numbers and booleans as JSON numbers and booleans; an unreadable sequence or date is null.
          let objects: [[String: Any]] = rows.map { r in
            [
              "archive": r.archive, "sequence": r.sequence.map { NSNumber(value: $0) } ?? NSNull(),
              "date": r.date ?? NSNull(), "files": r.files, "payloadBytes": NSNumber(value: r.payloadBytes),
              "fileBytes": NSNumber(value: r.fileBytes), "intact": r.intact,
            ]
          }
          Console.out(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self))
        } else {
          Console.out("SEQ  DATE        FILES  PAYLOAD      FILE         INTACT  ARCHIVE")
          for r in rows {
            Console.out(
              [(r.sequence.map(String.init) ?? "?").padding(4), (r.date ?? "?").padding(11), String(r.files).padding(6),
               String(r.payloadBytes).padding(12), String(r.fileBytes).padding(12), (r.intact ? "yes" : "no").padding(7),
               r.archive].joined(separator: " "))
          }
        }
        return ExitStatus.success
      }
    }
  }

  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check every manifest hash and the whole chain; exit 1 naming the first problem.")
    @OptionGroup var options: AuditOptions

    func run() throws {
      try Console.run {
        let report = try options.auditor().verify()
        if options.json {
          let obj: [String: Any] = ["archives": report.archives.count, "intact": report.isIntact, "problems": report.problems]
          Console.out(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self))
        } else if report.isIntact {
          Console.out("audit: \(report.archives.count) archive(s); every manifest hash and the chain verify")
        } else {
          Console.err("audit: FAILED: \(report.problems[0])")
          for p in report.problems.dropFirst() { Console.err("  also: \(p)") }
        }
        return report.isIntact ? ExitStatus.success : ExitStatus.partial
      }
    }
  }

  struct Find: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Every archive and member mentioning an heMsgId.")
    @OptionGroup var options: AuditOptions
    @Argument(help: "The Healthengine message id.") var heMsgId: String

    func run() throws {
      try Console.run {
        let hits = try options.auditor().find(heMsgId: heMsgId)
        for h in hits { Console.out("\(h.archive)\t\(h.member)") }
        if hits.isEmpty { Console.err("audit: \(heMsgId) is in no archive") }
        return hits.isEmpty ? ExitStatus.partial : ExitStatus.success
      }
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print one archive member; without a member, list the archive's files and sizes.")
    @OptionGroup var options: AuditOptions
    @Argument(help: "Archive name (e.g. demo-3) or path.") var archive: String
    @Argument(help: "Member, e.g. data/outbox/receipt-x.xml or bag-info.txt.") var member: String?

    func run() throws {
      try Console.run {
        guard let member else {
          for m in try options.auditor().members(archive: archive) { Console.out("\(m.bytes)\t\(m.member)") }
          return ExitStatus.success
        }
        FileHandle.standardOutput.write(Data(try options.auditor().show(archive: archive, member: member)))
        return ExitStatus.success
      }
    }
  }

  struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Extract an archive into a new or empty folder (regular files and folders only, size-capped).")
    @OptionGroup var options: AuditOptions
    @Argument(help: "Archive name (e.g. demo-3) or path.") var archive: String
    @Argument(help: "The target folder: created (0700) when missing, else it must be empty.") var directory: String

    func run() throws {
      try Console.run {
        let s = try options.auditor().extract(archive: archive, into: directory, maxBytes: options.maxExtractBytes())
        Console.out("audit: extracted \(s.files) file(s), \(s.directories) folder(s), \(s.bytes) bytes into \(directory)")
        return ExitStatus.success
      }
    }
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
