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
      let upsert = try db.cachedStatement(
        sql: """
          INSERT OR REPLACE INTO patient_key (patient_id, first_key, last_key, dob_key, mobile_key,
                                              raw_first, raw_last, raw_dob, raw_mobile)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      for r in rows {
        try upsert.execute(
          arguments: [r.patientID, r.first, r.last, r.dob, r.mobile, r.raw.firstName, r.raw.lastName, r.raw.dob, r.raw.mobile])
      }
      let delete = try db.cachedStatement(sql: "DELETE FROM patient_key WHERE patient_id = ?")
      for id in gone { try delete.execute(arguments: [id]) }
    }
  }

  /// Ids of indexed patients whose keys are exactly these, lowest first: one index lookup.
  public func patientIDs(first: String, last: String, dob: String) throws -> [Int64] {
    try read("matching patients in") { db in
      try Int64.fetchAll(
        db.cachedStatement(
          sql: "SELECT patient_id FROM patient_key WHERE dob_key = ? AND last_key = ? AND first_key = ? ORDER BY patient_id"),
        arguments: [dob, last, first])
    }
  }

  /// Indexed patients that could be near matches: the same date of birth, the same names (in
  /// either order) whatever the date, or the same mobile; lowest id first, each once.
  public func nearPatients(first: String, last: String, dob: String, mobile: String?) throws -> [PatientKeyHit] {
    try read("finding near matches in") { db in
      try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT patient_id, first_key, last_key, dob_key, mobile_key FROM patient_key WHERE dob_key = ?
            UNION SELECT patient_id, first_key, last_key, dob_key, mobile_key FROM patient_key WHERE last_key = ? AND first_key = ?
            UNION SELECT patient_id, first_key, last_key, dob_key, mobile_key FROM patient_key WHERE mobile_key = ?
            ORDER BY patient_id
            """), arguments: [dob, last, first, mobile]
      ).map { PatientKeyHit(patientID: $0[0], first: $0[1], last: $0[2], dob: $0[3], mobile: $0[4]) }
    }
  }
}
