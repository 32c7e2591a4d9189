/// A booking the connector placed, as the change check last saw it in PPMP.
public struct TrackedBooking: Sendable, Equatable {
  /// Why a booking is no longer checked.
  public enum Closure: String, Sendable {
    /// Reported: staff cancelled it (`cancel reason="cancelled-in-pms"`).
    case cancelledInPMS = "cancelled-in-pms"
    /// Reported: the row was deleted (`cancel reason="deleted-in-pms"`).
    case deletedInPMS = "deleted-in-pms"
    /// Reported: `didNotAttend`.
    case didNotAttend
    /// Cancelled by a Healthengine cancellation: never reported back.
    case healthengine
    /// Already cancelled, missing or marked did-not-attend when first seen: nothing to compare with.
    case unseen
  }

  public var heMsgId: String
  /// Empty for a booking rebuilt from PPMP's tokens after the state was lost.
  public var bookingId: String
  public var appointmentID: Int64
  public var last: AppointmentSighting
  /// Inside the published horizon at the last check.
  public var inHorizon: Bool
  public var closedBy: Closure?

  public init(
    heMsgId: String, bookingId: String, appointmentID: Int64, last: AppointmentSighting, inHorizon: Bool,
    closedBy: Closure? = nil
  ) {
    self.heMsgId = heMsgId
    self.bookingId = bookingId
    self.appointmentID = appointmentID
    self.last = last
    self.inHorizon = inHorizon
    self.closedBy = closedBy
  }
}
