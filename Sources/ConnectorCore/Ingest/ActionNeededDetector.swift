import Foundation

/// Picks, from the answers one drop got, the rejections a person must handle
/// (`ActionNeededItem.Cause`), with the appointment, practitioner and date they concern.
///
/// Only fresh decisions are passed in: a repeat answered from the journal raised its item the
/// first time. Nothing of the patient is read or kept.
struct ActionNeededDetector {
  let state: ConnectorState
  let book: AppointmentBook

  func items(for outcomes: [MessageOutcome], in document: DropDocument) throws -> [ActionNeededItem] {
    // Most drops are confirmed whole: nothing below is built unless something was rejected.
    guard outcomes.contains(where: \.isRejection) else { return [] }
    let raisedAt = book.options.asOf
    let processedEpoch = BagArchiver.epochSeconds(raisedAt, book.options.timeZone)
    let bookings = Dictionary(document.bookings.map { ($0.heMsgId, $0) }, uniquingKeysWith: { first, _ in first })
    var items: [ActionNeededItem] = []
    for outcome in outcomes {
      switch outcome {
      case .rejectInsert(let heMsgId, _, let reason, _):
        let message = bookings[heMsgId]
        let cause: ActionNeededItem.Cause
        switch reason {
        case .unknownBooking: cause = .unknownBooking
        case .unknownResource: cause = .unknownPractitioner
        case .duplicateMessage: continue  // the first delivery's answer stands
        default:
          guard let booked = message?.bookedTime.flatMap(BookingChecks.utcEpochSeconds),
            processedEpoch - booked > ActionNeededItem.confirmationSeconds
          else { continue }
          cause = .rejectedAfterConfirmation
        }
        items.append(
          ActionNeededItem(
            kind: .booking, key: heMsgId, heMsgId: heMsgId, cause: cause, reason: reason,
            practitionerId: message?.pmsResourceId.flatMap { Int64($0) },
            date: message?.pmsAppointmentTime.flatMap { LocalDateTime($0)?.description }, raisedAt: raisedAt.description))
      case .rejectUpdate(let heMsgId, let requestId, let reason, _):
        guard reason == .unknownBooking else { continue }
        var item = ActionNeededItem(
          kind: .cancellation, key: requestId, heMsgId: heMsgId, cause: .unknownBooking, reason: reason,
          raisedAt: raisedAt.description)
        // The appointment the booking went into, if the journal knows it; PPMP still has it when
        // staff only edited the token out of its comments.
        if let appointment = try state.confirmedAppointment(heMsgId: heMsgId) {
          item.appointmentId = appointment
          if let placed = try book.database.guarded("reading appointment \(appointment) of", {
            try PPMPBookingRows.practitionerAndDate($0, appointmentID: appointment)
          }) {
            item.practitionerId = placed.staffID
            item.date = placed.start.isEmpty ? placed.date : "\(placed.date)T\(placed.start)"
          }
        }
        items.append(item)
      case .confirmInsert, .confirmUpdate:
        continue
      case .confirmRequest, .rejectRequest:
        // Healthengine's questions: a rejected one is answered in the receipt, nobody at the
        // practice has anything to do.
        continue
      }
    }
    return items
  }
}
