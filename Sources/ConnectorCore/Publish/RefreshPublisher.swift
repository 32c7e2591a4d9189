import Foundation

/// Writes the pending refresh documents (SPEC §14.2) after the run's export: every asked-for day
/// and list is read from that run's snapshot (`state/published.xml`), so a refresh day is the
/// same day, byte for byte, as the run published, and the delta chain is never touched.
public final class RefreshPublisher {
  public let configuration: ConnectorConfiguration
  public let spool: SpoolLayout
  public let state: ConnectorState

  public init(configuration: ConnectorConfiguration, spool: SpoolLayout, state: ConnectorState) {
    self.configuration = configuration
    self.spool = spool
    self.state = state
  }

  /// Writes every pending refresh as of `asOf`; returns the outbox names written. A refresh
  /// whose file a crashed run already wrote is finished, not written again; one that nothing
  /// was committed to is abandoned (its sequence is never reused).
  public func publish(asOf: LocalDateTime) throws -> [String] {
    var written: [String] = []
    var pending = try state.pendingRefreshes()
    // Days put in unasked join the first refresh still to be written, or one reserved now.
    if !(try state.refreshItems(ConnectorState.nextRefresh).items.isEmpty),
      FileManager.default.fileExists(atPath: spool.publishedSnapshot)
    {
      let target = try pending.first { !FileManager.default.fileExists(atPath: spool.outbox + "/" + $0.file) }
        ?? {
          let reserved = try state.reserveDocument(
            .refresh,
            practiceID: configuration.practiceID, outbox: spool.outbox, asOf: asOf.description)
          pending.append(reserved)
          return reserved
        }()
      try state.assignWaitingRefreshItems(to: target.sequence)
    }
    for refresh in pending {
      let outboxPath = spool.outbox + "/" + refresh.file
      if FileManager.default.fileExists(atPath: outboxPath) {
        try OutboxDocument.finish(refresh, at: outboxPath, spool: spool, state: state)
        continue
      }
      let (items, requestIDs) = try state.refreshItems(refresh.sequence)
      if items.isEmpty {
        try state.updatePublication(refresh.sequence, status: .abandoned)
        continue
      }
      guard FileManager.default.fileExists(atPath: spool.publishedSnapshot) else {
        // No publication yet (the export failed or never ran): the refresh waits for one.
        continue
      }
      try FileSystem.writeAtomically(to: outboxPath) { temp in
        try write(items: items, requestIDs: requestIDs, sequence: refresh.sequence, asOf: asOf, to: temp)
      }
      try OutboxDocument.finish(refresh, at: outboxPath, spool: spool, state: state)
      written.append(refresh.file)
    }
    return written
  }

  /// Streams the snapshot once, keeping only the wanted days; a wanted day the snapshot does not
  /// hold has no bookable slot and is written without ranges.
  private func write(items: Set<RefreshItem>, requestIDs: [String], sequence: Int64, asOf: LocalDateTime, to path: String) throws {
    let snapshot = try PublicationReader(path: spool.publishedSnapshot)
    let resources = snapshot.resources ?? []
    var wanted = Set<DayKey>()
    for case .day(let resourceID, let date) in items {
      if let resourceID {
        wanted.insert(DayKey(resourceID: resourceID, date: date))
      } else {
        for r in resources { wanted.insert(DayKey(resourceID: r.id, date: date)) }
      }
    }
    var found: [DayKey: DayAvailability] = [:]
    while let published = try snapshot.nextDay(), found.count < wanted.count {
      let key = DayKey(resourceID: published.day.resourceID, date: published.day.date)
      if wanted.contains(key) { found[key] = published.day }
    }
    let header = PublicationHeader(
      practiceID: configuration.practiceID, sequence: sequence, asOf: asOf, timeZone: snapshot.header.timeZone,
      horizonStart: asOf.date, horizonDays: configuration.horizonDays)
    let writer = try PublicationWriter(path: path, kind: .refresh(requestIDs: requestIDs), header: header)
    if items.contains(.resources) { try writer.writeResources(resources) }
    if items.contains(.appointmentTypes) { try writer.writeAppointmentTypes(snapshot.appointmentTypes ?? []) }
    for key in wanted.sorted() {
      try writer.writeDay(found[key] ?? DayAvailability(resourceID: key.resourceID, date: key.date, ranges: []))
    }
    try writer.finish()
  }
}

/// A practitioner-day, ordered as a publication orders its days.
private struct DayKey: Hashable, Comparable {
  var resourceID: Int64
  var date: LocalDate

  static func < (a: DayKey, b: DayKey) -> Bool { (a.resourceID, a.date) < (b.resourceID, b.date) }
}
