/// What the change check reads of one PPMP appointment: where it is and its status (no patient).
public struct AppointmentSighting: Sendable, Equatable {
  public var resourceID: Int64
  /// Practice time `YYYY-MM-DDTHH:MM`.
  public var start: String
  /// PPMP's `status` text as stored.
  public var status: String

  public init(resourceID: Int64, start: String, status: String) {
    self.resourceID = resourceID
    self.start = start
    self.status = status
  }

  /// The date part of `start`.
  public var date: String { String(start.prefix(10)) }
}
