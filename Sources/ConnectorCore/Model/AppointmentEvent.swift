/// One element of an `appointmentEvents` document: a change PPMP's staff made to a booking the
/// connector placed, or the answer to a `pmsAppointmentChangesRequest`. No patient data.
public struct AppointmentEvent: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// `cancel` with its `reason` (`cancelled-in-pms` / `deleted-in-pms`).
    case cancel(reason: TrackedBooking.Closure)
    case didNotAttend
    /// `pmsAppointmentMoved`: `from`/`to` are practice times, `resourceID` the practitioner now.
    case moved(from: String, to: String, resourceID: Int64)
    case noChange

    /// The element's name.
    public var name: String {
      switch self {
      case .cancel: "cancel"
      case .didNotAttend: "didNotAttend"
      case .moved: "pmsAppointmentMoved"
      case .noChange: "noPmsAppointmentChange"
      }
    }
  }

  public var kind: Kind
  public var heMsgId: String
  /// Empty when unknown (a booking rebuilt from PPMP's tokens): the relay finds it by heMsgId.
  public var bookingId: String
  public var appointmentID: Int64
  /// The `pmsAppointmentChangesRequest` this answers, if any.
  public var requestId: String?

  public init(kind: Kind, heMsgId: String, bookingId: String, appointmentID: Int64, requestId: String? = nil) {
    self.kind = kind
    self.heMsgId = heMsgId
    self.bookingId = bookingId
    self.appointmentID = appointmentID
    self.requestId = requestId
  }
}
