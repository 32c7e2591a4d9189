/// Finds PPMP patients by their normalised keys through the connector's own key index
/// (`patient_key` in state/connector.sqlite), so a match is one index lookup whatever the size of
/// the patients table. PPMP stays the truth: the index is compared with every PPMP row at the
/// start of each ingest pass that books (`refresh`), unless no other program has committed to
/// PPMP since the last comparison, and the caller re-checks every hit against the live row
/// inside its write transaction (docs/rules.md, "Patient matching").
public final class PatientIndex {
  private let state: ConnectorState
  private let reader: PatientKeyReader
  private var isFresh = false
  /// PPMP's data version (`PPMPDatabase.dataVersion`) when the index was last compared with
  /// every row: `watch` keeps one index across cycles, and while the version stands still only
  /// the connector's own writes (which `note` records) can have changed patients.
  private var comparedAt: (database: ObjectIdentifier, version: Int64)?
  /// How many times the index was compared with every PPMP row (tests prove the skip with it).
  private(set) var comparisons = 0
  /// Files created or changed by this pass, not yet written to the index (`flush`), and the
  /// same ids by date of birth, by names and by mobile: a drop of thousands of new patients
  /// must not make each booking scan the ones before it.
  private var pending: [Int64: PatientKeyRow] = [:]
  private var pendingByDOB: [String: Set<Int64>] = [:]
  private var pendingByNames: [String: Set<Int64>] = [:]
  private var pendingByMobile: [String: Set<Int64>] = [:]

  public init(state: ConnectorState) {
    self.state = state
    reader = PatientKeyReader(path: state.path)
  }

  /// Brings the index level with PPMP, once per pass: new rows, rows edited by staff, rows gone.
  /// Returns how many rows it added or re-keyed, and how many it removed. The comparison reads
  /// every patient row, so it is skipped when PPMP's data version shows no other connection
  /// committed since the last one (the connector's own writes never move it).
  @discardableResult
  public func refresh(_ database: PPMPDatabase) throws -> (changed: Int, gone: Int) {
    if let warming {
      self.warming = nil
      return try warming.wait()
    }
    return try compare(database)
  }

  /// A `refresh` started on a background thread by `warm`; `refresh` or `settle` waits for it.
  private var warming: BackgroundWork<(changed: Int, gone: Int)>?

  /// Starts `refresh` on a second thread, so the comparison with every PPMP row runs while the
  /// pass claims and parses its first drop. Until `refresh` or `settle` has waited for it, the
  /// pass must not use this index, nor PPMP's connection in a transaction of its own.
  public func warm(_ database: PPMPDatabase) {
    guard !isFresh, warming == nil else { return }
    // Nothing to compare while PPMP's data version stands still (`watch`, between outside
    // edits): `refresh` finds that out at once, no thread needed.
    if let version = try? database.dataVersion(), isLevel(with: database, atVersion: version) { return }
    let unchecked = UncheckedIndex(index: self)
    warming = BackgroundWork { try unchecked.index.compare(database) }
  }

  /// Waits for a `warm` nobody has waited for (a pass whose drops held no booking); its
  /// failure is dropped, and the next `refresh` compares again.
  public func settle() {
    guard let warming else { return }
    self.warming = nil
    _ = try? warming.wait()
  }

  /// The index, handed to `warm`'s thread: the pass leaves it alone until it has waited.
  private struct UncheckedIndex: @unchecked Sendable { let index: PatientIndex }

  /// Whether the last comparison was with `database` at this data version (nothing else
  /// committed since).
  private func isLevel(with database: PPMPDatabase, atVersion version: Int64) -> Bool {
    guard let last = comparedAt else { return false }
    return last.database == ObjectIdentifier(database) && last.version == version
  }

  private func compare(_ database: PPMPDatabase) throws -> (changed: Int, gone: Int) {
    guard !isFresh else { return (0, 0) }
    // Read before comparing: a commit landing during the comparison moves it past this value,
    // so the next pass compares again.
    let version = try database.dataVersion()
    if isLevel(with: database, atVersion: version) {
      isFresh = true
      return (0, 0)
    }
    try reader.end()
    let changes = try database.patientChanges(keyIndexIn: state.path)
    try state.updatePatientKeys(changes.changed.map(Self.row), removing: changes.gone)
    isFresh = true
    comparisons += 1
    comparedAt = (ObjectIdentifier(database), version)
    return (changes.changed.count, changes.gone.count)
  }

  /// Frees the key reader's page cache (`ConnectorContext.releaseMemory`).
  public func releaseMemory() { reader.releaseMemory() }

  /// Ends the read transaction lookups hold on the state, keeping what `note` remembered.
  func endLookups() throws { try reader.end() }

  /// The next pass compares with PPMP again (staff may have edited patients in between).
  func forget() { isFresh = false }

  /// Remembers a file this pass created or changed, so later bookings of the pass find it.
  func note(_ patient: PatientRow) {
    let row = Self.row(patient)
    if let old = pending[row.patientID] {
      pendingByDOB[old.dob]?.remove(old.patientID)
      pendingByNames[Self.names(old.first, old.last)]?.remove(old.patientID)
      if let m = old.mobile { pendingByMobile[m]?.remove(old.patientID) }
    }
    pending[row.patientID] = row
    writeBehind?.enqueue(row)
    pendingByDOB[row.dob, default: []].insert(row.patientID)
    pendingByNames[Self.names(row.first, row.last), default: []].insert(row.patientID)
    if let m = row.mobile { pendingByMobile[m, default: []].insert(row.patientID) }
  }

  private static func names(_ first: String, _ last: String) -> String { first + "\u{1F}" + last }

  /// While a drop is applied, the thread that writes what `note` records behind the pass
  /// (`BookingPrefetch`); `flush` waits for it.
  var writeBehind: BookingPrefetch?

  /// Writes rows to the stored index (`BookingPrefetch`'s thread, after its lookups ended).
  func writeStored(_ rows: [PatientKeyRow]) throws { try state.updatePatientKeys(rows) }

  /// Ends this pass's lookups (their read transaction on the state) and writes what `note`
  /// remembered to the index, or waits for `writeBehind` to have written it: at the end of each
  /// drop, before anything else writes the state. Losing it to a crash costs nothing but time:
  /// the next `refresh` finds those rows as new or changed.
  public func flush() throws {
    var written: Set<Int64> = []
    if let writer = writeBehind {
      writeBehind = nil
      // A failed write leaves every row to the write below.
      written = (try? writer.finishWriting()) ?? []
    }
    try reader.end()
    let rest = pending.keys.filter { !written.contains($0) }.sorted()
    if !rest.isEmpty { try state.updatePatientKeys(rest.map { pending[$0]! }) }
    pending.removeAll()
    pendingByDOB.removeAll()
    pendingByNames.removeAll()
    pendingByMobile.removeAll()
  }

  /// What the index's stored rows hold for one booking's key, read before its turn
  /// (`BookingPrefetch`); `exactIDs` and `near` add this pass's own files to it.
  struct Lookup: Sendable {
    var key: PatientKey
    var mobile: String?
    var exact: [Int64]
    var near: [PatientKeyHit]
  }

  /// Looks `key` up in the stored index only. Safe on another thread than the pass's while
  /// nothing else uses the key reader (`BookingPrefetch`): it touches nothing but the reader.
  func lookUp(_ key: PatientKey, phone: String?) throws -> Lookup {
    let mobile = PatientKey.mobileKey(phone)
    let near = try storedNear(key, mobile: mobile)
    // Every file with the booking's date of birth is a near hit, so the exact ones are among
    // them: one query per booking, not two.
    return Lookup(key: key, mobile: mobile, exact: Self.exact(key, in: near), near: near)
  }

  /// The ids of `hits` whose keys are exactly `key`, lowest first, compared as the index's SQL
  /// compares them (byte for byte; Swift's `==` would also equate other normal forms).
  static func exact(_ key: PatientKey, in hits: [PatientKeyHit]) -> [Int64] {
    Set(
      hits.lazy.filter {
        $0.dob.utf8.elementsEqual(key.dob.utf8) && $0.last.utf8.elementsEqual(key.last.utf8)
          && $0.first.utf8.elementsEqual(key.first.utf8)
      }.map(\.patientID)
    ).sorted()
  }

  private func storedExact(_ key: PatientKey) throws -> [Int64] {
    try reader.patientIDs(first: key.first, last: key.last, dob: key.dob)
  }

  private func storedNear(_ key: PatientKey, mobile: String?) throws -> [PatientKeyHit] {
    try reader.nearPatients(
      first: key.first, last: key.last, dob: key.dob, nearDOBs: NearMatchRanker.nearDates(key.dob), mobile: mobile)
  }

  /// Ids whose indexed keys equal `key`, lowest first. `stored`: the stored index's ids for
  /// `key` when they were looked up ahead (`lookUp`).
  func exactIDs(_ key: PatientKey, stored: [Int64]? = nil) throws -> [Int64] {
    var ids = Set(try stored ?? storedExact(key))
    for id in pendingByDOB[key.dob] ?? [] {
      if let row = pending[id], row.first == key.first, row.last == key.last { ids.insert(id) }
    }
    return ids.sorted()
  }

  /// Indexed files with the same date of birth, the same names and a near date of birth
  /// (`NearMatchRanker.nearDates`), or the same mobile; files this pass made, with the same
  /// date of birth, names or mobile.
  /// `stored`: the stored index's hits when they were looked up ahead (`lookUp`).
  func near(_ key: PatientKey, mobile: String?, stored: [PatientKeyHit]? = nil) throws -> [KeyedPatient] {
    var out: [Int64: KeyedPatient] = [:]
    let hits = try stored ?? storedNear(key, mobile: mobile)
    for h in hits where pending[h.patientID] == nil {
      out[h.patientID] = KeyedPatient(id: h.patientID, key: PatientKey(normalisedFirst: h.first, last: h.last, dob: h.dob), mobile: h.mobile)
    }
    var ids = (pendingByDOB[key.dob] ?? []).union(pendingByNames[Self.names(key.first, key.last)] ?? [])
    if let mobile { ids.formUnion(pendingByMobile[mobile] ?? []) }
    for id in ids {
      guard let r = pending[id] else { continue }
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
