import Foundation

/// What one export published.
public struct ExportResult: Sendable {
  public enum Outcome: String, Sendable {
    /// A full snapshot went to the outbox (first publication, or `--full`).
    case snapshot
    /// A delta against the last publication went to the outbox.
    case delta
    /// Nothing changed since the last publication; nothing was written.
    case unchanged

    public init(_ kind: PublicationKind) { self = kind == .snapshot ? .snapshot : .delta }
  }

  public var outcome: Outcome
  public var sequence: Int64?
  /// Outbox file name, when one was written.
  public var outboxFile: String?
  public var publishedDays: Int
  /// Days in the delta (changed, new or removed).
  public var changedDays: Int
  public var diagnostics: [AvailabilityDiagnostic]
  /// Things an operator should know (a corrupted published state was replaced, …).
  public var warnings: [String]
}

/// Export + diff pass (SPEC §1.2): computes the availability snapshot and publishes either the full
/// snapshot or the delta against `state/published.xml`.
///
/// Durability order: the new snapshot is written to `state/next.xml`; the sequence is reserved as
/// pending; the outbox file is written atomically; only then does `next.xml` replace
/// `published.xml` and the publication become done. A crash anywhere leaves either the old
/// publication in force, or a pending one whose outbox file exists and is finished by `recover()`.
public final class Exporter {
  public let configuration: ConnectorConfiguration
  public let spool: SpoolLayout
  public let database: PPMPDatabase
  public let state: ConnectorState

  public init(configuration: ConnectorConfiguration, spool: SpoolLayout, database: PPMPDatabase, state: ConnectorState) {
    self.configuration = configuration
    self.spool = spool
    self.database = database
    self.state = state
  }

  var nextSnapshotPath: String { spool.state + "/next.xml" }

  /// Finishes or abandons a publication a crashed run left pending.
  public func recover() throws {
    for pending in try state.publications(status: .pending) {
      let outboxPath = spool.outbox + "/" + pending.file
      if FileManager.default.fileExists(atPath: outboxPath), FileManager.default.fileExists(atPath: nextSnapshotPath) {
        let snapshotHash = try SHA256Digest.hex(ofFile: nextSnapshotPath)
        try promoteNextSnapshot()
        try state.updatePublication(
          pending.sequence, fileSHA256: try SHA256Digest.hex(ofFile: outboxPath), snapshotSHA256: snapshotHash, status: .done)
      } else {
        try? FileManager.default.removeItem(atPath: nextSnapshotPath)
        try state.updatePublication(pending.sequence, status: .abandoned)
      }
    }
  }

  /// Computes availability as of `asOf` and publishes it. `full` forces a full snapshot.
  /// `shouldYield` is asked before and during the read of the book, between practitioners and
  /// before the diff; when it answers true the export stops before anything is reserved or
  /// published and throws `ExportYielded`.
  public func export(asOf: LocalDateTime, full: Bool, shouldYield: (() -> Bool)? = nil) throws -> ExportResult {
    try recover()
    // One practitioner at a time: their bookings are read, their days computed and written before
    // the next practitioner's are read, so memory does not grow with the practice (SPEC §11).
    // Asked before the scan of the horizon's bookings, during it, between practitioners and
    // before the diff.
    let giveWay = shouldYield.map { yield in { if yield() { throw ExportYielded() } } }
    try giveWay?()
    let (sequence, publishedDays, snapshotHash, diagnostics) = try database.readBook(
      from: asOf.date, days: configuration.horizonDays, checkpoint: giveWay
    ) { settings, book, bookingsOf in
      guard let zone = TimeZone(identifier: settings.timeZoneIdentifier) else {
        throw ConnectorError.dataError("unknown time zone \(settings.timeZoneIdentifier)")
      }
      let options = AvailabilityOptions(
        asOf: asOf, horizonDays: configuration.horizonDays, leadMinutes: configuration.leadMinutes, timeZone: zone,
        multiColumn: configuration.multiColumn)
      var computation = AvailabilityComputation(book, options: options)

      let sequence = try state.nextSequence()
      let header = PublicationHeader(
        practiceID: configuration.practiceID, sequence: sequence, asOf: asOf, timeZone: settings.timeZoneIdentifier,
        horizonStart: asOf.date, horizonDays: configuration.horizonDays)
      var written = (days: 0, sha256: "")
      func bookings(of practitioner: Int64) throws -> [BookedInterval] {
        try giveWay?()
        return try bookingsOf(practitioner)
      }
      try FileSystem.writeAtomically(to: nextSnapshotPath) { temp in
        written = try SnapshotFile.write(
          book: book, computation: &computation, header: header, to: temp, bookingsOf: bookings(of:))
      }
      return (sequence, written.days, written.sha256, computation.sortedDiagnostics)
    }

    do {
      try giveWay?()
    } catch {
      try? FileManager.default.removeItem(atPath: nextSnapshotPath)
      throw error
    }
    var warnings: [String] = []
    let base = try state.lastPublished()
    let baseExists = FileManager.default.fileExists(atPath: spool.publishedSnapshot)
    var kind = PublicationKind.snapshot
    var changedDays = publishedDays
    let deltaTemp = spool.state + "/.delta.tmp"
    // The base must be exactly what was published: a published.xml that does not hash to the
    // recorded value (edited, truncated, restored from elsewhere) forces a full resync. The diff
    // hashes the base while it reads it, so the every-minute export reads published.xml once.
    if let base, !baseExists {
      warnings.append("state/published.xml is missing (publication \(base.sequence) recorded); publishing a full snapshot")
    }
    var diffed: DiffSummary?
    if let base, baseExists {
      let baseIntact: Bool
      if full {
        baseIntact = (try? SHA256Digest.hex(ofFile: spool.publishedSnapshot)) == base.snapshotSHA256
      } else {
        try FileSystem.removeIfPresent(deltaTemp)
        do {
          let result = try SnapshotDiff.writeDelta(base: spool.publishedSnapshot, new: nextSnapshotPath, to: deltaTemp)
          baseIntact = result.baseSHA256 == base.snapshotSHA256
          if baseIntact { diffed = result.summary }
        } catch {
          // An unreadable base is a resync only when it is not what was published.
          guard (try? SHA256Digest.hex(ofFile: spool.publishedSnapshot)) != base.snapshotSHA256 else { throw error }
          baseIntact = false
        }
        if diffed == nil { try? FileManager.default.removeItem(atPath: deltaTemp) }
      }
      if !baseIntact {
        warnings.append("state/published.xml does not match publication \(base.sequence); publishing a full snapshot")
      }
    }
    if let summary = diffed {
      changedDays = summary.deltaDays
      if summary.isEmpty {
        try? FileManager.default.removeItem(atPath: deltaTemp)
        try? FileManager.default.removeItem(atPath: nextSnapshotPath)
        return ExportResult(
          outcome: .unchanged, sequence: nil, outboxFile: nil, publishedDays: publishedDays, changedDays: 0,
          diagnostics: diagnostics, warnings: warnings)
      }
      kind = .delta
    }

    let name = FileSystem.freeName(in: spool.outbox, for: "\(kind.rawValue)-\(configuration.practiceID)-\(sequence).xml")
    let reserved = try state.reservePublication(
      kind: kind, file: name, asOf: asOf.description, baseSequence: kind == .delta ? base?.sequence : nil)
    precondition(reserved == sequence, "publication sequence moved while the spool lock was held")
    let source = kind == .delta ? deltaTemp : nextSnapshotPath
    let outboxPath = spool.outbox + "/" + name
    try FileSystem.writeAtomically(to: outboxPath) { temp in
      // A snapshot's outbox file is a second name for next.xml's inode (as the archive's staged
      // copy is for the outbox file), which saves writing the whole snapshot again. Safe because
      // the connector never writes into either after it is finished: next.xml is only renamed
      // to published.xml, every new snapshot is a new file (written under a temporary name and
      // renamed), and published.xml is only ever replaced. If something outside edited one in
      // place, the next export's hash check on published.xml sees it and publishes in full.
      // A file system without hard links gets a copy.
      if kind == .delta || link(source, temp) != 0 { try FileSystem.copyFile(source, to: temp) }
    }
    if kind == .delta { try? FileManager.default.removeItem(atPath: deltaTemp) }
    try spool.stage(outboxPath, as: "outbox/" + name, move: false)
    let fileHash = kind == .delta ? try SHA256Digest.hex(ofFile: outboxPath) : snapshotHash
    try promoteNextSnapshot()
    try state.updatePublication(sequence, fileSHA256: fileHash, snapshotSHA256: snapshotHash, status: .done)
    return ExportResult(
      outcome: ExportResult.Outcome(kind), sequence: sequence, outboxFile: name, publishedDays: publishedDays, changedDays: changedDays,
      diagnostics: diagnostics, warnings: warnings)
  }

  private func promoteNextSnapshot() throws {
    if rename(nextSnapshotPath, spool.publishedSnapshot) != 0 {
      throw FileSystem.ioError("rename", spool.publishedSnapshot)
    }
    try FileSystem.sync(spool.state, isFolder: true)
  }
}
