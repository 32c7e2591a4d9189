extension Doctor {
  /// "Cancellations Not Removing Appointments": upcoming Healthengine bookings whose
  /// `HE_MSG_ID:` token staff removed. Appointments are named by id only, never by patient.
  func checkTokens(
    _ database: PPMPDatabase, state: ConnectorState?, today: LocalDate, names: [Int64: String]
  ) throws -> [DoctorFinding] {
    var findings: [DoctorFinding] = []
    let confirmed = try state?.confirmedBookingAppointments() ?? []
    let fixWords = "Do not delete or modify the HE_MSG_ID in appointment comments: cancellations from Healthengine need it."
    // Only upcoming, booked appointments matter; one read of those instead of one query per
    // journal entry, which grows with every booking ever taken.
    let upcoming = try database.upcomingAppointments(from: today)
    var journalled: Set<Int64> = []
    for c in confirmed {
      journalled.insert(c.appointmentID)
      guard let a = upcoming[c.appointmentID], !AppointmentBook.comments(a.comments, carry: c.heMsgId) else { continue }
      findings.append(
        DoctorFinding(
          .error, "he-msg-id-removed",
          what: "Healthengine booking \(c.heMsgId) (appointment \(c.appointmentID), staff \(a.staffID), "
            + "\(a.date) \(a.startTime)) no longer carries its HE_MSG_ID token: a cancellation from Healthengine will fail.",
          where: .init(
            practitionerId: a.staffID, practitionerName: names[a.staffID], appointmentId: c.appointmentID, date: a.date),
          fix: "Put \(AppointmentBook.token(c.heMsgId)) back into the appointment's comments. \(fixWords)"))
    }
    // Bookings that say they came from Healthengine but carry no token at all: the journal may
    // not know them (booked before the connector, or its state was reset).
    for a in try database.upcomingHealthengineMentionsWithoutToken(from: today) where !journalled.contains(a.id) {
      findings.append(
        DoctorFinding(
          .error, "he-msg-id-removed",
          what: "Appointment \(a.id) (staff \(a.staffID), \(a.date) \(a.startTime)) mentions Healthengine in its "
            + "comments but carries no HE_MSG_ID token: a cancellation from Healthengine will fail.",
          where: .init(practitionerId: a.staffID, practitionerName: names[a.staffID], appointmentId: a.id, date: a.date),
          fix: "Find the booking's HE_MSG_ID (Healthengine's booking details, or `ppmp-connector audit find`) and put "
            + "HE_MSG_ID:<id> back into the comments; if it was not an online booking, remove the word Healthengine. \(fixWords)"))
    }
    return findings
  }
}
