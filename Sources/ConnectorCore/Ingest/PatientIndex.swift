/// Finds PPMP patients by their normalised keys through the connector's own key index
/// (`patient_key` in state/connector.sqlite), so a match is one index lookup whatever the size of
/// the patients table. PPMP stays the truth: the index is compared with every PPMP row at the
/// start of each ingest pass that books (`refresh`), and the caller re-checks every hit against
/// the live row inside its write transaction (docs/rules.md, "Patient matching").
public final class PatientIndex {
  private let state: ConnectorState
  private var isFresh = false
  /// Files created or changed by this pass, not yet written to the index (`flush`).
  private var pending: [Int64: PatientKeyRow] = [:]

  public init(state: ConnectorState) { self.state = state }

  /// Brings the index level with PPMP, once per pass: new rows, rows edited by staff, rows gone.
  func refresh(_ database: PPMPDatabase) throws {
    guard !isFresh else { return }
    let changes = try database.patientChanges(keyIndexIn: state.path)
    try state.updatePatientKeys(changes.changed.map(Self.row), removing: changes.gone)
    isFresh = true
  }

  /// The next pass compares with PPMP again (staff may have edited patients in between).
  func forget() { isFresh = false }

  /// Remembers a file this pass created or changed, so later bookings of the pass find it.
  func note(_ patient: PatientRow) { pending[patient.id] = Self.row(patient) }

  /// Writes what `note` remembered to the index (end of each drop). Losing it to a crash costs
  /// nothing but time: the next `refresh` finds those rows as new or changed.
  public func flush() throws {
    guard !pending.isEmpty else { return }
    try state.updatePatientKeys(pending.keys.sorted().map { pending[$0]! })
    pending.removeAll()
  }

  /// Ids whose indexed keys equal `key`, lowest first.
  func exactIDs(_ key: PatientKey) throws -> [Int64] {
    var ids = Set(try state.patientIDs(first: key.first, last: key.last, dob: key.dob))
    for (id, row) in pending where row.first == key.first && row.last == key.last && row.dob == key.dob { ids.insert(id) }
    return ids.sorted()
  }

  /// Indexed files with the same date of birth, the same names, or the same mobile.
  func near(_ key: PatientKey, mobile: String?) throws -> [KeyedPatient] {
    var out: [Int64: KeyedPatient] = [:]
    for h in try state.nearPatients(first: key.first, last: key.last, dob: key.dob, mobile: mobile) where pending[h.patientID] == nil {
      out[h.patientID] = KeyedPatient(id: h.patientID, key: PatientKey(normalisedFirst: h.first, last: h.last, dob: h.dob), mobile: h.mobile)
    }
    for (id, r) in pending
    where r.dob == key.dob || (r.first == key.first && r.last == key.last) || (mobile != nil && r.mobile == mobile) {
      out[id] = KeyedPatient(id: id, key: PatientKey(normalisedFirst: r.first, last: r.last, dob: r.dob), mobile: r.mobile)
    }
    return out.keys.sorted().map { out[$0]! }
  }

  static func keyed(_ p: PatientRow) -> KeyedPatient {
    KeyedPatient(id: p.id, key: PatientKey(first: p.firstName, last: p.lastName, dob: p.dob), mobile: PatientKey.mobileKey(p.mobile))
  }

  private static func row(_ p: PatientRow) -> PatientKeyRow {
    let k = keyed(p)
    return PatientKeyRow(patientID: p.id, first: k.key.first, last: k.key.last, dob: k.key.dob, mobile: k.mobile, raw: p)
  }
}
