/// A booking that got a new patient file, waiting for (or given) a person's decision
/// (docs/operations.md, "Patient review"). Ids and agreement flags only: names are read from
/// PPMP when a person asks to see them.
public struct ReviewItem: Sendable, Equatable {
  public enum Status: String, Sendable {
    case open
    /// The appointment was moved to `linkedPatientID`.
    case linked
    /// The new file was confirmed as the patient's.
    case keptNew = "kept-new"
  }

  public var heMsgId: String
  public var appointmentID: Int64
  /// The file the connector created for the booking.
  public var newPatientID: Int64
  public var match: PatientMatch
  public var queuedAt: String
  public var status: Status
  public var resolvedAt: String?
  public var linkedPatientID: Int64?
  /// Best first.
  public var candidates: [ReviewCandidate]

  public init(
    heMsgId: String, appointmentID: Int64, newPatientID: Int64, match: PatientMatch, queuedAt: String,
    status: Status = .open, resolvedAt: String? = nil, linkedPatientID: Int64? = nil, candidates: [ReviewCandidate]
  ) {
    self.heMsgId = heMsgId
    self.appointmentID = appointmentID
    self.newPatientID = newPatientID
    self.match = match
    self.queuedAt = queuedAt
    self.status = status
    self.resolvedAt = resolvedAt
    self.linkedPatientID = linkedPatientID
    self.candidates = candidates
  }
}
