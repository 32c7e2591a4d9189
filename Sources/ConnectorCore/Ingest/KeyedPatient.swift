/// A patient file reduced to what matching compares: its keys and its mobile's key.
struct KeyedPatient: Sendable, Equatable {
  var id: Int64
  var key: PatientKey
  var mobile: String?
}
