/// The front desk's side of the review queue (docs/operations.md, "Patient review"): list the
/// bookings that got a new patient file, and resolve each one by linking its appointment to the
/// right file or keeping the new one. Receipts are never changed: Healthengine was told the truth
/// at the time, and the appointment id it holds stays the same.
public final class ReviewDesk {
  public let state: ConnectorState
  public let database: PPMPDatabase
  /// Stamped on the moved appointment's `updated_at` and on the closed item.
  public let asOf: LocalDateTime

  public init(state: ConnectorState, database: PPMPDatabase, asOf: LocalDateTime) {
    self.state = state
    self.database = database
    self.asOf = asOf
  }

  /// Open items (every item with `all`), oldest first.
  public func items(all: Bool = false) throws -> [ReviewItem] { try state.reviewItems(all: all) }

  /// One item; an heMsgId never queued is a usage error.
  public func item(_ heMsgId: String) throws -> ReviewItem {
    guard let item = try state.reviewItem(heMsgId: heMsgId) else {
      throw ConnectorError.usage("no review item for heMsgId \(heMsgId) (see `ppmp-connector review list`)")
    }
    return item
  }

  /// The live PPMP rows of these patients, by id, for showing names to a person.
  public func patients(_ ids: [Int64]) throws -> [Int64: PatientRow] {
    try database.guarded("reading patients of") { db in
      Dictionary(uniqueKeysWithValues: try PPMPBookingRows.patients(ids: ids, db).map { ($0.id, $0) })
    }
  }

  /// What `link` did.
  public struct Linked: Sendable, Equatable {
    public var appointmentID: Int64
    public var patientID: Int64
    /// The file the connector created for the booking, now for PPMP's own merge.
    public var spareFileID: Int64
    /// Appointments still on the spare file.
    public var spareAppointments: Int
    /// False when an earlier `link` had already done it (nothing changed now).
    public var changed: Bool
  }

  /// Moves the item's appointment onto `patientID` in one PPMP write transaction, then closes
  /// the item. Repeating it is harmless; a patient id not in PPMP, an item kept new or linked
  /// elsewhere, or an appointment staff moved by hand are refused with nothing changed.
  public func link(_ heMsgId: String, to patientID: Int64) throws -> Linked {
    let item = try item(heMsgId)
    switch item.status {
    case .keptNew:
      throw ConnectorError.usage("review item \(heMsgId) was closed with --keep-new at \(item.resolvedAt ?? "?"); link it in PPMP by hand")
    case .linked where item.linkedPatientID != patientID:
      throw ConnectorError.usage(
        "review item \(heMsgId) was already linked to patient \(item.linkedPatientID ?? 0); move the appointment in PPMP by hand")
    case .linked, .open: break
    }
    guard patientID != item.newPatientID else {
      throw ConnectorError.usage("patient \(patientID) is the booking's new file; use --keep-new to keep it")
    }
    let stamp = "\(asOf.date) \(asOf.time):00"
    let (changed, spare) = try database.guardedWrite("linking \(heMsgId) in") { db -> (Bool, Int) in
      guard try !PPMPBookingRows.patients(ids: [patientID], db).isEmpty else {
        throw ConnectorError.usage("no patient with id \(patientID) in PPMP; nothing was changed")
      }
      guard let appointment = try PPMPBookingRows.appointment(db, id: item.appointmentID) else {
        throw ConnectorError.dataError("appointment \(item.appointmentID) of \(heMsgId) is no longer in PPMP; nothing was changed")
      }
      var changed = false
      if appointment.patientID != patientID {
        guard appointment.patientID == item.newPatientID else {
          throw ConnectorError.dataError(
            "appointment \(item.appointmentID) is now on patient \(appointment.patientID), not the connector's new file "
              + "\(item.newPatientID): someone moved it in PPMP; nothing was changed")
        }
        try PPMPBookingRows.moveAppointment(db, id: item.appointmentID, toPatient: patientID, stamp: stamp)
        changed = true
      }
      return (changed, try PPMPBookingRows.appointmentCount(ofPatient: item.newPatientID, db))
    }
    try state.closeReview(heMsgId: heMsgId, status: .linked, linkedPatientID: patientID, at: asOf.description)
    return Linked(
      appointmentID: item.appointmentID, patientID: patientID, spareFileID: item.newPatientID, spareAppointments: spare,
      changed: changed)
  }

  /// Closes the item keeping the new file; true when it was open. Refused for a linked item.
  public func keepNew(_ heMsgId: String) throws -> Bool {
    let item = try item(heMsgId)
    switch item.status {
    case .keptNew: return false
    case .linked:
      throw ConnectorError.usage("review item \(heMsgId) was linked to patient \(item.linkedPatientID ?? 0); it cannot be kept new")
    case .open:
      try state.closeReview(heMsgId: heMsgId, status: .keptNew, linkedPatientID: nil, at: asOf.description)
      return true
    }
  }
}
