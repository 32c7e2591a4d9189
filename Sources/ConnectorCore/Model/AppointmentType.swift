/// One row of `appointment_types`.
public struct AppointmentType: Hashable, Sendable {
  public var id: Int64
  /// Published as `pmsAppointmentTypeId`.
  public var code: String
  public var name: String
  public var lengthMinutes: Int
  /// `nil`: offered by every practitioner.
  public var staffID: Int64?
  public var online: Bool

  public init(
    id: Int64, code: String, name: String, lengthMinutes: Int, staffID: Int64? = nil, online: Bool = true
  ) {
    self.id = id
    self.code = code
    self.name = name
    self.lengthMinutes = lengthMinutes
    self.staffID = staffID
    self.online = online
  }
}
