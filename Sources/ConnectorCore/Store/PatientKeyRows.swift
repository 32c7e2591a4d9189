import GRDB

/// One row of the connector's patient key index (`patient_key` in state/connector.sqlite): the
/// normalised keys matching looks up, and the raw PPMP values they were made from, so a PPMP row
/// edited since can be found by comparing (docs/rules.md, "Patient matching").
public struct PatientKeyRow: Sendable, Equatable {
  public var patientID: Int64
  public var first: String
  public var last: String
  public var dob: String
  public var mobile: String?
  public var raw: PatientRow

  public init(patientID: Int64, first: String, last: String, dob: String, mobile: String?, raw: PatientRow) {
    (self.patientID, self.first, self.last, self.dob, self.mobile, self.raw) = (patientID, first, last, dob, mobile, raw)
  }
}

/// The key columns of one indexed patient, as lookups return them.
public struct PatientKeyHit: Sendable, Equatable {
  public var patientID: Int64
  public var first: String
  public var last: String
  public var dob: String
  public var mobile: String?
}

extension ConnectorState {
  /// Adds or replaces index rows and removes those of patients gone from PPMP, in one transaction.
  public func updatePatientKeys(_ rows: [PatientKeyRow], removing gone: [Int64] = []) throws {
    guard !rows.isEmpty || !gone.isEmpty else { return }
    try write("updating the patient key index in") { db in
      let upsert = try DirectStatement(
        db,
        sql: """
          INSERT OR REPLACE INTO patient_key (patient_id, first_key, last_key, dob_key, mobile_key,
                                              raw_first, raw_last, raw_dob, raw_mobile)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      // In the lookup index's order: each leaf page is then visited once, not once per row.
      for r in rows.sorted(by: { ($0.dob, $0.last, $0.first, $0.patientID) < ($1.dob, $1.last, $1.first, $1.patientID) }) {
        try upsert.run { p in
          p.add(r.patientID)
          p.add(r.first)
          p.add(r.last)
          p.add(r.dob)
          p.add(r.mobile)
          p.add(r.raw.firstName)
          p.add(r.raw.lastName)
          p.add(r.raw.dob)
          p.add(r.raw.mobile)
        }
      }
      let delete = try db.cachedStatement(sql: "DELETE FROM patient_key WHERE patient_id = ?")
      for id in gone { try delete.execute(arguments: [id]) }
    }
  }
}
