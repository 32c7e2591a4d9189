/// A booking whose fields have been checked (SPEC §10): what `AppointmentBook` applies.
public struct BookingRequest: Sendable, Equatable {
  public var heMsgId: String
  public var bookingId: String
  public var resourceID: Int64
  public var appointmentTypeCode: String?
  public var start: LocalDateTime
  public var lengthMinutes: Int
  public var firstName: String
  public var lastName: String
  public var dob: LocalDate
  public var phone: String?
  public var email: String?
  public var reason: String?
  public var contentSHA256: String
}
