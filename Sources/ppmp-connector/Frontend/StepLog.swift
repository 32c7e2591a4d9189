import ConnectorCore
import Foundation
import Logging

/// One structured `key=value` line per step on stderr through swift-log. Steps only ever carry
/// counts, file names and outcomes, never patient fields.
struct StepLog {
  private let logger: Logger

  init(quiet: Bool) {
    var logger = Logger(label: "ppmp-connector") { label in KeyValueLogHandler() }
    logger.logLevel = quiet ? .warning : .info
    self.logger = logger
  }

  /// One line per answered message, naming the patient: only for `--verbose` (logs never
  /// carry patient names otherwise).
  func message(drop: String, _ outcome: MessageOutcome, patient: String?) {
    var fields: [(String, String)] = [("drop", drop), ("heMsgId", outcome.heMsgId), ("outcome", outcome.name)]
    switch outcome {
    case .rejectInsert(_, _, let reason, _), .rejectUpdate(_, _, let reason, _), .rejectRequest(_, let reason, _):
      fields.append(("reason", reason.rawValue))
    case .confirmInsert(_, _, let appointment, _, let match):
      fields += [("appointment", "\(appointment)"), ("match", match.rawValue)]
    case .confirmUpdate(_, _, let appointment): fields.append(("appointment", "\(appointment)"))
    case .confirmRequest(let requestId, _, let file): fields += [("requestId", requestId), ("file", file)]
    }
    if let patient { fields.append(("patient", patient)) }
    step("message", fields)
  }

  func step(_ step: String, _ fields: [(String, String)]) {
    logger.info("\(step)", metadata: Dictionary(uniqueKeysWithValues: fields.map { ($0.0, Logger.MetadataValue.string($0.1)) }))
  }
}

/// `ts=… level=… step=… key=value …` on stderr, keys in a stable order.
struct KeyValueLogHandler: LogHandler {
  var metadata: Logger.Metadata = [:]
  var logLevel: Logger.Level = .info

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var line = "ts=\(RunStatus.timestamp()) level=\(event.level) step=\(event.message)"
    let merged = metadata.merging(event.metadata ?? [:]) { $1 }
    for key in merged.keys.sorted() {
      let value = "\(merged[key]!)"
      line += " \(key)=" + (value.contains(" ") ? "\"\(value)\"" : value)
    }
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }
}
