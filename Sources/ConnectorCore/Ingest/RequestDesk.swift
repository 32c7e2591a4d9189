import Foundation

/// Answers the requests of a drop (SPEC §14.1) and notes the days whose published view went
/// stale: each taken item goes into the open refresh document (reserved on first need, written
/// by `RefreshPublisher` after the run's export), each change request into the open events
/// document (written by `AppointmentEventPublisher`), recorded before the receipt that names it.
public final class RequestDesk {
  public let practiceID: String
  public let spool: SpoolLayout
  public let state: ConnectorState
  public let book: AppointmentBook
  private var open: PublicationRecord?
  /// Items taken since the last `commit()`, in order.
  private var taken: [(item: RefreshItem, requestID: String?)] = []
  private var openEvents: PublicationRecord?
  private var takenChanges: [(requestID: String, heMsgId: String)] = []

  public init(practiceID: String, spool: SpoolLayout, state: ConnectorState, book: AppointmentBook) {
    self.practiceID = practiceID
    self.spool = spool
    self.state = state
    self.book = book
  }

  /// The answer to one request that passed its field checks with `item` to refresh.
  public func answer(_ r: RequestMessage, item: RefreshItem) throws -> MessageOutcome {
    if case .day(let resourceID, let date) = item {
      if let resourceID, !book.publishes(resourceID: resourceID) {
        return .rejectRequest(
          requestId: r.requestId, reason: .unknownResource, detail: "no published practitioner with pmsResourceId \(resourceID)")
      }
      let first = book.options.asOf.date
      let days = book.options.effectiveHorizonDays
      guard date >= first, date < first.adding(days: days) else {
        return .rejectRequest(
          requestId: r.requestId, reason: .outsideHorizon,
          detail: "day \(date) is outside the published horizon \(first) to \(first.adding(days: days - 1))")
      }
    }
    let refresh = try openRefresh()
    taken.append((item, r.requestId))
    return .confirmRequest(requestId: r.requestId, kind: r.kind, file: refresh.file)
  }

  /// The answer to a `pmsAppointmentChangesRequest` that passed its field checks: taken into the
  /// open events document when the connector placed that booking, else `unknown-booking`.
  public func answerChanges(_ r: RequestMessage) throws -> MessageOutcome {
    let heMsgId = r.heMsgId ?? ""
    let known = try state.journalEntries(kind: .booking, keys: [heMsgId])[heMsgId]
    guard case .confirmInsert(_, let bookingId, _, _, _)? = known?.outcome, bookingId.isEmpty || bookingId == r.bookingId else {
      return .rejectRequest(
        requestId: r.requestId, reason: .unknownBooking,
        detail: "the connector never placed a booking with heMsgId \(heMsgId) and bookingId \(r.bookingId ?? "")")
    }
    let events = try openEventsDocument()
    takenChanges.append((r.requestId, heMsgId))
    return .confirmRequest(requestId: r.requestId, kind: r.kind, file: events.file)
  }

  /// Puts a practitioner-day in the next refresh written, unasked: a booking for it was refused as
  /// `slot-unavailable`, so Healthengine's view of that day was stale.
  public func refreshStaleDay(resourceID: Int64, date: LocalDate) throws {
    let first = book.options.asOf.date
    guard book.publishes(resourceID: resourceID), date >= first, date < first.adding(days: book.options.effectiveHorizonDays)
    else { return }
    taken.append((.day(resourceID: resourceID, date: date), nil))
  }

  /// Records what was taken since the last commit in the open refresh. Called once a drop's
  /// answers are decided, just before its journal entries: a drop that fails or stops half-way
  /// adds nothing, and a crash in between is made good by the re-run adding the same items.
  public func commit() throws {
    if !taken.isEmpty {
      try state.addRefreshItems(taken, to: open?.sequence ?? ConnectorState.nextRefresh)
      taken = []
    }
    if let openEvents, !takenChanges.isEmpty {
      try state.addChangeRequests(takenChanges, to: openEvents.sequence)
      takenChanges = []
    }
  }

  /// Forgets what was taken since the last commit (the drop was not answered).
  public func discard() {
    taken = []
    takenChanges = []
  }

  /// The events document still open to change requests, or a new one.
  private func openEventsDocument() throws -> PublicationRecord {
    if let openEvents { return openEvents }
    let found = try state.pendingEventDocuments().last {
      !$0.sealed && !FileManager.default.fileExists(atPath: spool.outbox + "/" + $0.record.file)
    }?.record
    let events = try found
      ?? state.reserveDocument(.events, practiceID: practiceID, outbox: spool.outbox, asOf: book.options.asOf.description)
    openEvents = events
    return events
  }

  /// The pending refresh still to be written, or a new one. A pending refresh whose file is
  /// already in the outbox was written before a crash: it takes nothing more.
  private func openRefresh() throws -> PublicationRecord {
    if let open { return open }
    let found = try state.pendingRefreshes().last { !FileManager.default.fileExists(atPath: spool.outbox + "/" + $0.file) }
    let refresh = try found
      ?? state.reserveDocument(.refresh, practiceID: practiceID, outbox: spool.outbox, asOf: book.options.asOf.description)
    open = refresh
    return refresh
  }
}
