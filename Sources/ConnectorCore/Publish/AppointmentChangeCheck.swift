/// The rule of SPEC §14.3, pure: compares each tracked booking with what PPMP shows now and says
/// which events to report and what to remember. Staff cancellations, deletions and
/// did-not-attends close a booking (reported once); a Healthengine cancellation closes it
/// silently; a move is reported and the booking stays tracked at its new place.
public enum AppointmentChangeCheck {
  public struct Outcome: Sendable, Equatable {
    public var events: [AppointmentEvent] = []
    /// Tracked bookings whose remembered state changed (closed, moved, or left/entered the horizon).
    public var updates: [TrackedBooking] = []
  }

  /// - Parameters:
  ///   - current: PPMP's view of each tracked appointment id (absent: the row is gone).
  ///   - cancelledByHealthengine: heMsgIds a Healthengine cancellation was confirmed for.
  ///   - horizon: the dates now published, `YYYY-MM-DD` (compared as text).
  public static func compare(
    _ tracked: [TrackedBooking], current: [Int64: AppointmentSighting], cancelledByHealthengine: Set<String>,
    horizon: ClosedRange<String>
  ) -> Outcome {
    var out = Outcome()
    for var t in tracked where t.closedBy == nil {
      func event(_ kind: AppointmentEvent.Kind) -> AppointmentEvent {
        AppointmentEvent(kind: kind, heMsgId: t.heMsgId, bookingId: t.bookingId, appointmentID: t.appointmentID)
      }
      let before = t
      if let now = current[t.appointmentID] {
        if AppointmentStatus.isCancelled(now.status) {
          if cancelledByHealthengine.contains(t.heMsgId) {
            t.closedBy = .healthengine
          } else {
            t.closedBy = .cancelledInPMS
            out.events.append(event(.cancel(reason: .cancelledInPMS)))
          }
        } else if now.status.lowercased() == AppointmentStatus.dna.rawValue {
          t.closedBy = .didNotAttend
          out.events.append(event(.didNotAttend))
        } else if now.start != t.last.start || now.resourceID != t.last.resourceID {
          out.events.append(event(.moved(from: t.last.start, to: now.start, resourceID: now.resourceID)))
        }
        t.last = now
      } else {
        t.closedBy = .deletedInPMS
        out.events.append(event(.cancel(reason: .deletedInPMS)))
      }
      t.inHorizon = horizon.contains(t.last.date)
      if t != before { out.updates.append(t) }
    }
    return out
  }

  /// The answer to a `pmsAppointmentChangesRequest` about `t` once this run's changes are known:
  /// the booking's cancel or did-not-attend if PPMP shows one, otherwise no change.
  public static func answer(_ t: TrackedBooking, requestId: String) -> AppointmentEvent {
    let kind: AppointmentEvent.Kind =
      switch t.closedBy {
      case .cancelledInPMS, .deletedInPMS: .cancel(reason: t.closedBy!)
      case .didNotAttend: .didNotAttend
      case .healthengine, .unseen, nil:
        // A Healthengine cancellation is never reported back; an `unseen` booking has no
        // change the connector saw happen.
        .noChange
      }
    return AppointmentEvent(kind: kind, heMsgId: t.heMsgId, bookingId: t.bookingId, appointmentID: t.appointmentID, requestId: requestId)
  }
}
