/// A rejection that nobody but a person at the practice can resolve: it stays listed by `status`,
/// `doctor`, the front-desk page and the metrics until `ppmp-connector ack` marks it handled.
///
/// It names the message, the appointment, the practitioner and the date, never the patient.
public struct ActionNeededItem: Codable, Sendable, Equatable {
  /// Why the rejection needs a person.
  public enum Cause: String, Codable, Sendable, CaseIterable {
    /// A cancellation (or booking) for which no PPMP appointment carries the booking's token:
    /// the appointment must be cancelled in PPMP by hand.
    case unknownBooking = "unknown-booking"
    /// A booking for a practitioner PPMP does not have or does not publish: Healthengine offers
    /// someone it should not.
    case unknownPractitioner = "unknown-practitioner"
    /// A booking rejected more than `ActionNeededItem.confirmationSeconds` after it was made:
    /// Healthengine had already confirmed it to the patient, who must be told.
    case rejectedAfterConfirmation = "rejected-after-confirmation"

    /// What the front desk should do about the message `heMsgId`, one sentence.
    public func fix(heMsgId: String) -> String {
      switch self {
      case .unknownBooking:
        "Cancel the appointment in PPMP by hand (find it with `ppmp-connector audit find \(heMsgId)`), and leave HE_MSG_ID tokens in appointment comments."
      case .unknownPractitioner:
        "Healthengine offered a practitioner PPMP does not publish: fix the practitioner's mapping in Healthengine, and call the patient to rebook."
      case .rejectedAfterConfirmation:
        "Healthengine had already confirmed this booking to the patient: call the patient to rebook or cancel it in Healthengine."
      }
    }
  }

  /// Seconds after which Healthengine confirms a booking to the patient even if the practice
  /// has not answered.
  public static let confirmationSeconds: Int64 = 20

  /// `booking` or `cancellation`.
  public var kind: MessageKind
  /// The message's key: its heMsgId for a booking, its requestId for a cancellation.
  public var key: String
  public var heMsgId: String
  public var cause: Cause
  /// The rejection's reason code as the receipt gave it.
  public var reason: RejectReason
  /// The PPMP appointment concerned, when known (`appointments.id`).
  public var appointmentId: Int64?
  /// The practitioner concerned (`staff.id`), when known.
  public var practitionerId: Int64?
  /// The appointment's date (`YYYY-MM-DD`), or its start (`YYYY-MM-DDTHH:MM`), practice time.
  public var date: String?
  /// The practice time the rejection was made (the run's `--as-of`).
  public var raisedAt: String
  /// When `ack` marked it handled (ISO-8601 UTC); nil while it is open.
  public var acknowledgedAt: String?

  /// Creates an item.
  public init(
    kind: MessageKind, key: String, heMsgId: String, cause: Cause, reason: RejectReason, appointmentId: Int64? = nil,
    practitionerId: Int64? = nil, date: String? = nil, raisedAt: String, acknowledgedAt: String? = nil
  ) {
    self.kind = kind
    self.key = key
    self.heMsgId = heMsgId
    self.cause = cause
    self.reason = reason
    self.appointmentId = appointmentId
    self.practitionerId = practitionerId
    self.date = date
    self.raisedAt = raisedAt
    self.acknowledgedAt = acknowledgedAt
  }

  /// What to do, then how to say it is done.
  public var fix: String { cause.fix(heMsgId: heMsgId) + " Then run `ppmp-connector ack \(key)`." }

  /// One line for people: no patient data.
  public var summary: String {
    let what = kind == .cancellation ? "cancellation \(key) of booking \(heMsgId)" : "booking \(heMsgId)"
    var parts = ["\(what) rejected \(reason.rawValue) at \(raisedAt)"]
    if let appointmentId { parts.append("appointment \(appointmentId)") }
    if let practitionerId { parts.append("practitioner \(practitionerId)") }
    if let date { parts.append("date \(date)") }
    return parts.joined(separator: ", ")
  }
}

// The item's JSON form (`status --json`, `ack`) uses the raw values.
extension MessageKind: Codable {}
extension RejectReason: Codable {}
