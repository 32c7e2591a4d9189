import Foundation

/// The steps of one batch cycle, in order: ingest → export → refresh, events and liveness →
/// archive, each recording what it did in the cycle's `RunStatus`. `run` (`BatchRunner`) performs one cycle; `watch`
/// (`Watcher`) performs one per event. There is no other copy of the pipeline.
public final class BatchCycle {
  public let context: ConnectorContext
  public let stop: StopFlag
  /// Called after each step with a short `key=value` summary (never patient data).
  public var onStep: (_ step: String, _ fields: [(String, String)]) -> Void = { _, _ in }
  /// Drop progress during ingest: (done, total).
  public var onProgress: (Int, Int) -> Void = { _, _ in }
  /// Each message's answer with its patient name (`Ingestor.onMessage`): set for `--verbose` only.
  public var onMessage: ((_ drop: String, _ outcome: MessageOutcome, _ patient: String?) -> Void)?
  /// Inbox files to claim without the settle wait (`Ingestor.isComplete`).
  public var isComplete: (SpoolFile) -> Bool = { _ in false }
  /// Asked during the export (`Exporter.export(shouldYield:)`): true stops it, so that `watch`
  /// answers a drop that just arrived before it finishes a long export.
  public var exportShouldYield: (() -> Bool)?
  /// The export stopped for `exportShouldYield` and is still owed; the cycle ended after it.
  public private(set) var exportYielded = false

  /// Which steps a cycle takes: a batch takes all; `watch` exports and archives only when due.
  public struct Steps: Sendable, Equatable {
    public var export: Bool
    public var archive: Bool

    public init(export: Bool = true, archive: Bool = true) {
      self.export = export
      self.archive = archive
    }

    public static let all = Steps()
  }

  public init(context: ConnectorContext, stop: StopFlag) {
    self.context = context
    self.stop = stop
  }

  private var stopped: Bool { stop.requested != 0 }

  /// Runs the cycle's steps as of `context.asOf`. Returns how it ended (finished, or interrupted
  /// between steps); errors are thrown for the caller to record. The export also runs when
  /// `steps.export` is false if ingest changed the book.
  public func run(into status: inout RunStatus, steps: Steps = .all) throws -> RunEnd {
    let ingest = try ingest(into: &status)
    if stopped { return .interrupted(signal: stop.requested) }

    if steps.export || ingest.confirmed > 0 {
      do {
        try export(into: &status)
      } catch is ExportYielded {
        // Answers, events and the archive wait for the next cycle, which comes at once.
        exportYielded = true
        onStep("export", [("outcome", "yielded")])
        return .finished(rejections: ingest.hadRejections)
      }
      if stopped { return .interrupted(signal: stop.requested) }
    }
    // Every cycle: answers to requests read the snapshot Healthengine holds, and PPMP's own
    // changes to online bookings are reported as soon as a cycle sees them.
    try answer(into: &status)
    if stopped { return .interrupted(signal: stop.requested) }

    if steps.archive { try archive(into: &status) }
    return .finished(rejections: ingest.hadRejections)
  }

  /// Recovers work/ and ingests every claimable drop, answering each one.
  @discardableResult
  public func ingest(into status: inout RunStatus) throws -> IngestSummary {
    let ingestor = try context.makeIngestor()
    ingestor.shouldStop = { [stop] in stop.requested != 0 }
    ingestor.progress = onProgress
    ingestor.onMessage = onMessage
    ingestor.isComplete = isComplete
    let ingest = try ingestor.run()
    status.ingest = RunStatus.Ingest(
      drops: ingest.drops, confirmed: ingest.confirmed, rejectedMessages: ingest.rejectedMessages,
      dropsRejected: ingest.dropsRejected, waiting: ingest.waiting, retrying: ingest.retrying)
    status.errors += ingest.errors
    onStep(
      "ingest",
      [("drops", "\(ingest.drops)"), ("confirmed", "\(ingest.confirmed)"), ("rejected_messages", "\(ingest.rejectedMessages)"),
       ("rejected_drops", "\(ingest.dropsRejected)"), ("waiting", "\(ingest.waiting)"), ("retrying", "\(ingest.retrying)")])
    return ingest
  }

  /// Publishes the snapshot or the delta against the last publication (nothing when unchanged).
  @discardableResult
  public func export(into status: inout RunStatus) throws -> ExportResult {
    let export = try context.makeExporter().export(asOf: context.asOf, full: false, shouldYield: exportShouldYield)
    if !export.warnings.isEmpty { status.warnings = (status.warnings ?? []) + export.warnings }
    status.export = RunStatus.Export(
      outcome: export.outcome.rawValue, sequence: export.sequence, file: export.outboxFile, changedDays: export.changedDays,
      publishedDays: export.publishedDays, diagnostics: export.diagnostics.count)
    onStep(
      "export",
      [("outcome", export.outcome.rawValue), ("file", export.outboxFile ?? "-"), ("changed_days", "\(export.changedDays)"),
       ("diagnostics", "\(export.diagnostics.count)")])
    return export
  }

  /// Writes what the rest of Healthengine's contract owes after the export: refresh documents
  /// answering requests (and days a `slot-unavailable` rejection showed were stale), the events
  /// PPMP's own changes to online bookings raise, and the liveness contract when it changed.
  public func answer(into status: inout RunStatus) throws {
    let refreshed = try context.makeRefreshPublisher().publish(asOf: context.asOf)
    onStep("refresh", [("files", refreshed.isEmpty ? "-" : refreshed.joined(separator: ","))])
    let events = try context.makeEventPublisher().publish(asOf: context.asOf)
    onStep(
      "events",
      [("tracked", "\(events.tracked)"), ("events", "\(events.events)"), ("ms", String(format: "%.1f", events.milliseconds)),
       ("files", events.files.isEmpty ? "-" : events.files.joined(separator: ","))])
    let liveness = try context.makeLivenessPublisher().publish(asOf: context.asOf, timeZone: context.settings.timeZoneIdentifier)
    onStep("liveness", [("file", liveness ?? "-")])
  }

  /// Rolls the staged files into an archive when `archive.every` says it is due.
  public func archive(into status: inout RunStatus) throws {
    let archiver = try context.makeArchiver()
    // An archive a killed run renamed into place but did not record is recorded now, due or not:
    // one killed after removing the staged copies leaves nothing staged, so no archive would
    // come due to adopt it, and `audit verify` would report it meanwhile.
    try archiver.adoptOrphans()
    status.archive.stagedFiles = try archiver.stagedCount()
    let schedule = try ArchiveSchedule.read(context.configuration.archiveEvery, state: context.state)
    if schedule.isDue(stagedFiles: status.archive.stagedFiles, at: context.asOf) {
      if let record = try archiver.archive(asOf: context.asOf, timeZone: context.timeZone) {
        status.archive.written = record.path
        status.archive.stagedFiles = 0
        try ArchiveSchedule.recordArchive(at: context.asOf, in: context.state)
      }
    } else {
      try schedule.recordRunWithoutArchive(in: context.state)
    }
    onStep("archive", [("written", status.archive.written ?? "-"), ("staged", "\(status.archive.stagedFiles)")])
  }
}
