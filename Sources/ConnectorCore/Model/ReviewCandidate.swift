/// A patient file offered to the front desk for a booking that got a new file: never applied
/// without a person choosing it (`review resolve --link`).
public struct ReviewCandidate: Sendable, Equatable {
  public var patientID: Int64
  /// Higher is closer; ties go to the lower patient id.
  public var score: Int
  public var agreement: MatchAgreement

  public init(patientID: Int64, score: Int, agreement: MatchAgreement) {
    self.patientID = patientID
    self.score = score
    self.agreement = agreement
  }
}
