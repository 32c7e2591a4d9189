import Foundation
import TOMLKit

/// How often `run` rolls staged files into an archive (`archive.every`).
public enum ArchiveCadence: Sendable, Equatable, CustomStringConvertible {
  case runs(Int)
  case minutes(Int)

  /// Parses "10 runs" / "60 minutes" (singular accepted).
  public init?(_ text: String) {
    let parts = text.split(separator: " ").map(String.init)
    guard parts.count == 2, let n = Int(parts[0]), n > 0 else { return nil }
    switch parts[1] {
    case "run", "runs": self = .runs(n)
    case "minute", "minutes": self = .minutes(n)
    default: return nil
    }
  }

  public var description: String {
    switch self {
    case .runs(let n): return "\(n) runs"
    case .minutes(let n): return "\(n) minutes"
    }
  }
}

/// Settings from `connector.toml` (SPEC §8), every key with a default.
public struct ConnectorConfiguration: Sendable, Equatable {
  public var practiceID = "practice"
  /// The PPMP SQLite database.
  public var databasePath = "ppmp.sqlite"
  public var spoolPath = "spool"
  public var horizonDays = 30
  public var leadMinutes = 0
  public var settleSeconds = 2
  /// `poll_interval_ms`: how often `watch` scans the inbox and checks PPMP for changes.
  public var pollIntervalMilliseconds = 1000
  public var maxDropBytes: Int64 = 16 * 1024 * 1024
  public var maxAttempts = 5
  public var maxExtractBytes: Int64 = 1024 * 1024 * 1024
  public var archiveCodec = "zstd"
  public var archiveLevel: Int? = nil
  public var archiveEvery: ArchiveCadence = .minutes(60)
  public var multiColumn: [Int64: MultiColumnMode] = [:]
  /// `report_html`: where `run` writes the front-desk HTML report after every batch; nil: not written.
  public var reportHTMLPath: String?
  /// `metrics_file`: where `run` writes its Prometheus text file; nil means
  /// `<spool>/state/metrics.prom`, an empty string turns the file off.
  public var metricsFilePath: String? = nil
  /// `[liveness]`: the practice's live hours, declared to Healthengine in a liveness document;
  /// nil when the section is absent (no document is written).
  public var liveness: LivenessHours? = nil

  /// The metrics file `run` writes, or nil when `metrics_file = ""` turned it off.
  public var metricsFile: String? {
    guard let metricsFilePath else { return SpoolLayout(root: spoolPath).state + "/metrics.prom" }
    return metricsFilePath.isEmpty ? nil : metricsFilePath
  }

  public init() {}

  /// Reads a configuration file; relative paths in it are resolved against its folder.
  public static func load(path: String) throws -> ConnectorConfiguration {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConnectorError.configuration("cannot read configuration file \(path)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConnectorError.configuration("\(path) is not UTF-8")
    }
    let base = (path as NSString).deletingLastPathComponent
    return try parse(text, source: path, baseFolder: base.isEmpty ? "." : base)
  }

  /// Parses TOML text. Unknown keys and wrong types are errors naming the key.
  public static func parse(_ text: String, source: String = "connector.toml", baseFolder: String = ".")
    throws -> ConnectorConfiguration
  {
    let table: TOMLTable
    do {
      table = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      let line = Int(error.source.begin.line)
      throw ConnectorError.configuration(
        "\(source): line \(line), column \(error.source.begin.column): "
          + (unquotedText(text, line: line) ?? error.description))
    }
    var config = ConnectorConfiguration()
    let reader = KeyReader(source: source)
    for (key, value) in table {
      switch key {
      case "practice_id":
        let id = try reader.string(key, value)
        guard id.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", options: .regularExpression) != nil else {
          throw reader.bad(key, "must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        config.practiceID = id
      case "database": config.databasePath = resolve(try reader.string(key, value), baseFolder)
      case "spool": config.spoolPath = resolve(try reader.string(key, value), baseFolder)
      case "horizon_days": config.horizonDays = try reader.int(key, value, 1...90)
      case "lead_minutes": config.leadMinutes = try reader.int(key, value, 0...(90 * 1440))
      case "settle_seconds": config.settleSeconds = try reader.int(key, value, 0...3600)
      case "poll_interval_ms": config.pollIntervalMilliseconds = try reader.int(key, value, 10...60_000)
      case "max_drop_bytes": config.maxDropBytes = Int64(try reader.int(key, value, 1024...(1 << 34)))
      case "max_attempts": config.maxAttempts = try reader.int(key, value, 1...1000)
      case "max_extract_bytes": config.maxExtractBytes = Int64(try reader.int(key, value, 1024...(1 << 44)))
      case "report_html":
        let path = try reader.string(key, value)
        guard !path.isEmpty else { throw reader.bad(key, "must name a file") }
        config.reportHTMLPath = resolve(path, baseFolder)
      case "metrics_file":
        let path = try reader.string(key, value)
        config.metricsFilePath = path.isEmpty ? "" : resolve(path, baseFolder)
      case "archive":
        guard let sub = value.table else { throw reader.bad(key, "must be a table ([archive])") }
        for (k, v) in sub {
          let full = "archive.\(k)"
          switch k {
          case "codec":
            let codec = try reader.string(full, v)
            guard ["zstd", "gzip", "xz"].contains(codec) else { throw reader.bad(full, "must be zstd, gzip or xz") }
            config.archiveCodec = codec
          case "level": config.archiveLevel = try reader.int(full, v, 0...22)
          case "every":
            let s = try reader.string(full, v)
            guard let cadence = ArchiveCadence(s) else {
              throw reader.bad(full, "must look like \"10 runs\" or \"60 minutes\"")
            }
            config.archiveEvery = cadence
          default: throw reader.unknown(full)
          }
        }
      case "liveness":
        guard let sub = value.table else { throw reader.bad(key, "must be a table ([liveness])") }
        var hours = LivenessHours()
        for (k, v) in sub {
          let full = "liveness.\(k)"
          if k == "public_holidays" {
            let s = try reader.string(full, v)
            guard s == "open" || s == "closed" else { throw reader.bad(full, "must be \"open\" or \"closed\"") }
            hours.publicHolidaysOpen = s == "open"
            continue
          }
          guard let day = LivenessHours.weekdays.firstIndex(of: k) else { throw reader.unknown(full) }
          guard let list = v.array else { throw reader.bad(full, "must be a list like [\"08:00-17:00\"]") }
          var ranges: [LivenessHours.Range] = []
          for item in list {
            guard let text = item.string, let range = LivenessHours.Range(text) else {
              throw reader.bad(full, "must hold \"HH:MM-HH:MM\" ranges, start before end")
            }
            if let last = ranges.last, range.start < last.end {
              throw reader.bad(full, "ranges must be in order and must not overlap")
            }
            ranges.append(range)
          }
          hours.days[day] = ranges
        }
        config.liveness = hours
      case "practitioner":
        guard let sub = value.table else { throw reader.bad(key, "must be a table ([practitioner.<id>])") }
        for (idText, v) in sub {
          guard let id = Int64(idText), id > 0 else {
            throw reader.bad("practitioner.\(idText)", "the part after 'practitioner.' must be a staff id")
          }
          guard let settings = v.table else { throw reader.bad("practitioner.\(idText)", "must be a table") }
          for (k, vv) in settings {
            let full = "practitioner.\(idText).\(k)"
            guard k == "multi_column" else { throw reader.unknown(full) }
            guard let mode = MultiColumnMode(rawValue: try reader.string(full, vv)) else {
              throw reader.bad(full, "must be \"first\" or \"any\"")
            }
            config.multiColumn[id] = mode
          }
        }
      default: throw reader.unknown(key)
      }
    }
    return config
  }

  /// For a parse error on a line `key = bare words`: the TOML parser reports what it guessed
  /// the bare value was ("Error while parsing boolean" for `t1`), which names neither the key nor
  /// the cure. Nil when the line is not of that shape.
  static func unquotedText(_ text: String, line: Int) -> String? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard line >= 1, line <= lines.count else { return nil }
    let parts = lines[line - 1].split(separator: "=", maxSplits: 1)
    guard parts.count == 2 else { return nil }
    let key = parts[0].trimmingCharacters(in: .whitespaces)
    var value = parts[1].trimmingCharacters(in: .whitespaces)
    if let comment = value.firstIndex(of: "#") { value = value[..<comment].trimmingCharacters(in: .whitespaces) }
    guard key.range(of: "^[A-Za-z0-9_.-]+$", options: .regularExpression) != nil, let first = value.first,
      !"\"'[{".contains(first), !["true", "false"].contains(value), Double(value) == nil
    else { return nil }
    return "the value of \(key) is not quoted: text values need quotes, e.g. \(key) = \"\(value)\""
  }

  static func resolve(_ path: String, _ base: String) -> String {
    path.hasPrefix("/") || base == "." ? path : base + "/" + path
  }

  /// The commented file `init` writes: every key, its default and what it does.
  public static func template(practiceID: String, databasePath: String, spoolPath: String) -> String {
    let d = ConnectorConfiguration()
    return """
      # ppmp-connector configuration. Every key is optional; the value shown is the default
      # unless noted. Relative paths are relative to this file's folder. An unknown key is an
      # error, so a typo never silently falls back to a default.

      # Identifies the practice in every exchange file (letters, digits, '.', '_', '-').
      practice_id = "\(practiceID)"

      # The PPMP appointment book (SQLite). The connector reads it and inserts/cancels
      # Healthengine bookings; it never adds columns.
      database = "\(databasePath)"

      # The spool folder: inbox/ work/ outbox/ rejected/ archive/ state/ (created 0700).
      spool = "\(spoolPath)"

      # Days of availability published from the as-of date (1–90).
      horizon_days = \(d.horizonDays)

      # Slots starting sooner than this many minutes after the as-of time are not published
      # and cannot be booked.
      lead_minutes = \(d.leadMinutes)

      # A drop is only claimed once its size and mtime have not changed for this many seconds
      # (for transfer jobs that cannot write-then-rename). 0 disables the check.
      settle_seconds = \(d.settleSeconds)

      # `watch` scans the inbox and checks the PPMP database for changes this often
      # (milliseconds); it also waits for inbox events, so drops are answered sooner.
      poll_interval_ms = \(d.pollIntervalMilliseconds)

      # Drops larger than this are rejected without being read.
      max_drop_bytes = \(d.maxDropBytes)

      # A drop that keeps failing for a reason other than its content (database locked, I/O
      # error) is retried this many runs, then moved to rejected/ with the last error.
      max_attempts = \(d.maxAttempts)

      # `audit extract` stops after writing this many bytes.
      max_extract_bytes = \(d.maxExtractBytes)

      # After every `run`, write the front-desk HTML report (health, queues, doctor findings,
      # free hours published) to this file, atomically. Unset: not written.
      # report_html = "status.html"
      # Prometheus text file `run` rewrites atomically after every run (for node_exporter's
      # textfile collector); "" turns it off. Default: state/metrics.prom inside the spool.
      # metrics_file = "spool/state/metrics.prom"

      [archive]
      # Compression of archive/YYYY-MM/<practiceId>-<sequence>.tar.<ext>: "zstd", "gzip" or "xz".
      codec = "\(d.archiveCodec)"
      # Compression level; leave unset for the codec's default.
      # level = 3
      # How often `run` rolls staged files into an archive: "N runs" or "N minutes".
      every = "\(d.archiveEvery)"

      # The practice's live hours, declared to Healthengine (outbox liveness-<practiceId>-<n>.xml)
      # so that a silent connector outside them reads as "closed", not "broken"; `doctor` flags
      # requests left unanswered for more than 10 minutes inside them. A weekday left out is not
      # live. public_holidays: "closed" (PPMP's holidays are not live) or "open". Unset: no
      # liveness document.
      # [liveness]
      # monday = ["08:00-17:00"]
      # tuesday = ["08:00-17:00"]
      # wednesday = ["08:00-12:00", "13:00-17:00"]
      # thursday = ["08:00-17:00"]
      # friday = ["08:00-17:00"]
      # public_holidays = "closed"

      # Practitioners who see several patients side by side in columns. By default only
      # column 1 counts when deciding whether a slot is free ("first"); "any" keeps a slot
      # free while any of the practitioner's columns is free in it.
      # [practitioner.3]
      # multi_column = "any"

      """
  }
}

/// Typed access to TOML values with errors that name the key.
private struct KeyReader {
  let source: String

  func string(_ key: String, _ value: TOMLValueConvertible) throws -> String {
    guard let s = value.string else { throw bad(key, "must be a string") }
    return s
  }

  func int(_ key: String, _ value: TOMLValueConvertible, _ range: ClosedRange<Int>) throws -> Int {
    guard let n = value.int else { throw bad(key, "must be a whole number") }
    guard range.contains(n) else { throw bad(key, "must be between \(range.lowerBound) and \(range.upperBound)") }
    return n
  }

  func bad(_ key: String, _ why: String) -> ConnectorError {
    .configuration("\(source): key '\(key)' \(why)")
  }

  func unknown(_ key: String) -> ConnectorError {
    .configuration("\(source): unknown key '\(key)'")
  }
}
