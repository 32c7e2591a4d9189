import Foundation

/// The PPMP change check and its events documents (SPEC §14.3): each run compares every tracked
/// booking the connector placed with PPMP, by appointment id only (so its cost follows the
/// tracked bookings, not the size of the book), answers the change requests ingest took, and
/// writes `events-<practiceId>-<sequence>.xml`.
///
/// Durability: the events of a document and the tracking they close are saved in one state
/// transaction (sealed) before the file is written from what was saved; a crash after that is
/// finished by the next run, so an event is never lost (and written at most once more).
public final class AppointmentEventPublisher {
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

  /// What one check did.
  public struct Summary: Sendable, Equatable {
    public var tracked = 0
    public var events = 0
    public var files: [String] = []
    /// Time the check took (the cost per run, for logs and benchmarks).
    public var milliseconds = 0.0
  }

  public func publish(asOf: LocalDateTime) throws -> Summary {
    let started = ContinuousClock.now
    var summary = Summary()

    var pending = try state.pendingEventDocuments()
    // Sealed before a crash: written from what was saved, before anything new is decided.
    for doc in pending where doc.sealed {
      if let file = try write(doc.record, asOf: asOf) { summary.files.append(file) }
    }
    pending.removeAll { $0.sealed }

    try trackNewBookings()
    let today = asOf.date
    let horizon = today.description...today.adding(days: max(configuration.horizonDays, 1) - 1).description
    let (checked, changed) = try state.changedTrackedBookings(
      ppmpPath: database.path, today: horizon.lowerBound, lastDay: horizon.upperBound)
    summary.tracked = checked
    let tracked = changed.map(\.booking)
    var current: [Int64: AppointmentSighting] = [:]
    for c in changed { if let now = c.now { current[c.booking.appointmentID] = now } }
    let cancelled = tracked.filter { current[$0.appointmentID].map { AppointmentStatus.isCancelled($0.status) } ?? false }
    // Unchanged bookings are left out by the comparison in SQLite; for them this rule says nothing.
    let outcome = AppointmentChangeCheck.compare(
      tracked, current: current, cancelledByHealthengine: try state.cancelledByHealthengine(cancelled.map(\.heMsgId)),
      horizon: horizon)

    // Documents reserved by ingest for change requests; the first also takes this run's events.
    let open = pending.map(\.record).filter { !FileManager.default.fileExists(atPath: spool.outbox + "/" + $0.file) }
    var unasked = outcome.events
    var updates = outcome.updates
    for (i, doc) in open.enumerated() {
      var events = try answers(to: state.changeRequests(doc.sequence), after: outcome.updates, merging: &unasked)
      if i == 0 {
        events = unasked + events
        unasked = []
      }
      if events.isEmpty {
        try state.updatePublication(doc.sequence, status: .abandoned)
        continue
      }
      try state.saveTracking(updates, events: events, sealing: doc.sequence)
      updates = []
      summary.events += events.count
      if let file = try write(doc, asOf: asOf) { summary.files.append(file) }
    }
    if !unasked.isEmpty {
      let doc = try state.reserveDocument(.events, practiceID: configuration.practiceID, outbox: spool.outbox, asOf: asOf.description)
      try state.saveTracking(updates, events: unasked, sealing: doc.sequence)
      updates = []
      summary.events += unasked.count
      if let file = try write(doc, asOf: asOf) { summary.files.append(file) }
    }
    try state.saveTracking(updates)
    let elapsed = ContinuousClock.now - started
    summary.milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    return summary
  }

  /// Starts tracking confirmed bookings the check has not seen, from where PPMP has them now. A
  /// booking first seen cancelled or did-not-attend is reported then, unless Healthengine
  /// cancelled it or it was rebuilt from tokens after a state loss (its history is gone, and a
  /// Healthengine cancellation must never be reported back).
  private func trackNewBookings() throws {
    let new = try state.untrackedBookings()
    guard !new.isEmpty else { return }
    let current = try database.guarded("reading tracked appointments from") {
      try PPMPBookingRows.sightings($0, ids: new.map(\.appointmentID))
    }
    let cancelled = new.filter { current[$0.appointmentID].map { AppointmentStatus.isCancelled($0.status) } ?? false }
    let byHealthengine = try state.cancelledByHealthengine(cancelled.map(\.heMsgId))
    var baselines: [TrackedBooking] = []
    for b in new {
      let rebuilt = b.bookingId.isEmpty
      guard let now = current[b.appointmentID] else {
        baselines.append(
          TrackedBooking(
            heMsgId: b.heMsgId, bookingId: b.bookingId, appointmentID: b.appointmentID,
            // Gone before the first check: the next comparison reports it deleted.
            last: AppointmentSighting(resourceID: 0, start: "-", status: ""), inHorizon: true,
            closedBy: rebuilt ? .unseen : nil))
        continue
      }
      var t = TrackedBooking(heMsgId: b.heMsgId, bookingId: b.bookingId, appointmentID: b.appointmentID, last: now, inHorizon: true)
      if AppointmentStatus.isCancelled(now.status) && (rebuilt || byHealthengine.contains(b.heMsgId)) {
        t.closedBy = byHealthengine.contains(b.heMsgId) ? .healthengine : .unseen
      } else if rebuilt && now.status.lowercased() == AppointmentStatus.dna.rawValue {
        t.closedBy = .unseen
      } else if AppointmentStatus.isCancelled(now.status) || now.status.lowercased() == AppointmentStatus.dna.rawValue {
        // Changed before the first check saw it: remembered as booked, so this run reports it.
        t.last.status = AppointmentStatus.booked.rawValue
      }
      baselines.append(t)
    }
    try state.saveTracking(baselines)
  }

  /// The answer to each change request, from the tracking as this run leaves it; an unasked
  /// cancel or did-not-attend of the same booking becomes the answer instead of a second element.
  private func answers(
    to requests: [(requestID: String, heMsgId: String)], after updates: [TrackedBooking], merging unasked: inout [AppointmentEvent]
  ) throws -> [AppointmentEvent] {
    var known = try state.trackedBookings(heMsgIds: requests.map(\.heMsgId))
    for u in updates where known[u.heMsgId] != nil { known[u.heMsgId] = u }
    var out: [AppointmentEvent] = []
    for r in requests {
      guard let t = known[r.heMsgId] else {
        // Confirmed but not tracked (its appointment row was gone at the first check).
        out.append(AppointmentEvent(kind: .noChange, heMsgId: r.heMsgId, bookingId: "", appointmentID: 0, requestId: r.requestID))
        continue
      }
      let answer = AppointmentChangeCheck.answer(t, requestId: r.requestID)
      if let i = unasked.firstIndex(where: { $0.heMsgId == r.heMsgId && $0.requestId == nil && $0.kind == answer.kind }) {
        unasked.remove(at: i)
      }
      out.append(answer)
    }
    return out
  }

  /// Writes a sealed document from the state (or finishes one a crashed run wrote); returns its
  /// name when it was written now.
  private func write(_ doc: PublicationRecord, asOf: LocalDateTime) throws -> String? {
    let path = spool.outbox + "/" + doc.file
    var wrote = false
    if !FileManager.default.fileExists(atPath: path) {
      let document = AppointmentEventsDocument(
        practiceID: configuration.practiceID, sequence: doc.sequence, asOf: LocalDateTime(doc.asOf) ?? asOf,
        events: try state.events(in: doc.sequence))
      try FileSystem.writeAtomically(to: path, bytes: try document.render())
      wrote = true
    }
    try OutboxDocument.finish(doc, at: path, spool: spool, state: state)
    return wrote ? doc.file : nil
  }
}
