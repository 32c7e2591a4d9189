import ConnectorCore

/// One review item as `review list --json` prints it: ids and agreement codes; names and dates
/// of birth only with `--verbose`.
struct ReviewJSON: Encodable {
  struct Candidate: Encodable {
    var patientId: Int64
    var score: Int
    var agreement: [String]
    var patient: Person?
  }

  struct Person: Encodable {
    var firstName: String
    var lastName: String
    var dob: String
  }

  var heMsgId: String
  var appointmentId: Int64
  var newPatientId: Int64
  var match: String
  var queuedAt: String
  var status: String
  var resolvedAt: String?
  var linkedPatientId: Int64?
  var patient: Person?
  var candidates: [Candidate]

  init(_ item: ReviewItem, names: [Int64: PatientRow]?) {
    func person(_ id: Int64) -> Person? {
      names?[id].map { Person(firstName: $0.firstName, lastName: $0.lastName, dob: $0.dob) }
    }
    heMsgId = item.heMsgId
    appointmentId = item.appointmentID
    newPatientId = item.newPatientID
    match = item.match.rawValue
    queuedAt = item.queuedAt
    status = item.status.rawValue
    resolvedAt = item.resolvedAt
    linkedPatientId = item.linkedPatientID
    patient = person(item.newPatientID)
    candidates = item.candidates.map {
      Candidate(patientId: $0.patientID, score: $0.score, agreement: $0.agreement.codes, patient: person($0.patientID))
    }
  }
}
