import Foundation

/// `doctor` findings for the availability rules of docs/rules.md that the Healthengine article
/// does not cover: fortnightly rosters whose anchor or alternate diary does not mean what the
/// practice may think, and appointment status values outside the model.
extension Doctor {
  /// Roster findings per practitioner (docs/rules.md, "Fortnightly rosters"). Unpublished
  /// practitioners' findings are `info`: nothing is lost yet.
  func checkRosters(_ book: PracticeBook, options: AvailabilityOptions) -> [DoctorFinding] {
    var findings: [DoctorFinding] = []
    var rowsByStaff: [Int64: [DiaryRow]] = [:]
    for row in book.diaryRows where (1...7).contains(row.weekday) { rowsByStaff[row.staffID, default: []].append(row) }
    let today = options.asOf.date
    for p in book.practitioners.sorted(by: { $0.id < $1.id }) {
      let published = p.active && p.onlineBooking
      func severity(_ s: DoctorFinding.Severity) -> DoctorFinding.Severity { published ? s : .info }
      let rows = rowsByStaff[p.id] ?? []
      let alternate = rows.filter { $0.diary == .alternate }.sorted { $0.id < $1.id }
      let here = DoctorFinding.Location.practitioner(p)
      guard let anchor = p.rosterAnchor, let start = AvailabilityEngine.rosterStart(of: p) else {
        if !alternate.isEmpty {
          findings.append(
            DoctorFinding(
              severity(.warning), "alternate-diary-without-anchor",
              what: "\(p.displayName) has alternate diary rows (rows \(alternate.map { "\($0.id)" }.joined(separator: ", "))) "
                + "but no roster anchor (or one that is not a YYYY-MM-DD date): the alternate diary is never used, every week "
                + "uses the main diary.",
              where: .init(practitionerId: p.id, practitionerName: p.displayName, diary: DiaryKind.alternate.rawValue),
              fix: "Set the practitioner's roster anchor to the Monday of a main-diary week, or delete the alternate rows."))
        }
        continue
      }
      if anchor.weekday != 1 {
        findings.append(
          DoctorFinding(
            severity(.warning), "roster-anchor-not-monday",
            what: "\(p.displayName)'s roster anchor \(anchor) is a \(weekdayName(anchor.weekday)), not a Monday: weeks are "
              + "counted from Monday \(start), the start of its week, so each roster week runs Monday to Sunday.",
            where: .init(practitionerId: p.id, practitionerName: p.displayName, text: anchor.description),
            fix: "Set the roster anchor to the Monday of a main-diary week (here \(start), if that is what was meant)."))
      }
      guard !alternate.isEmpty else { continue }
      if start > today {
        findings.append(
          DoctorFinding(
            .info, "roster-anchor-in-future",
            what: "\(p.displayName)'s fortnightly roster starts on \(start) (anchor \(anchor)), after \(today): until then "
              + "every week uses the main diary; the alternate diary is first used in the week of \(start.adding(days: 7)).",
            where: .init(practitionerId: p.id, practitionerName: p.displayName, text: anchor.description),
            fix: "Nothing to do if the roster really starts then; otherwise set the anchor to the Monday of a past main-diary week."))
      }
      for day in AvailabilityEngine.unusableDiaryDays(for: p, rows: rows) where day.diary == .alternate {
        let ids = alternate.filter { $0.weekday == day.weekday }.map { "\($0.id)" }.joined(separator: ", ")
        let name = weekdayName(day.weekday)
        // The next date this diary is in force, so the practice can see the gap in its own book.
        let from = max(today, start)
        let next = (0..<21).map { from.adding(days: $0) }.first {
          $0.weekday == day.weekday && AvailabilityEngine.diary(for: p, on: $0, rows: rows) == .alternate
        }
        findings.append(
          DoctorFinding(
            severity(.error), "alternate-diary-unusable",
            what: "\(p.displayName)'s alternate diary has rows for \(name) (rows \(ids)) but none of them yields a slot: "
              + "on alternate-week \(name)s\(next.map { " (next: \($0))" } ?? "") nothing is published. The main diary is "
              + "not used instead, because it may offer times the practitioner does not work that week.",
            where: .init(
              practitionerId: here.practitionerId, practitionerName: here.practitionerName,
              diary: DiaryKind.alternate.rawValue, weekday: name, text: ids),
            fix: "Correct the alternate diary rows for \(name) (see the findings naming each row), or delete them so that "
              + "\(name)s use the main diary every week."))
      }
    }
    return findings
  }

  /// Appointment status values outside the model in the horizon (docs/rules.md, "Appointment
  /// status"): they occupy their slots, which the practice may not expect.
  func checkStatuses(_ database: PPMPDatabase, options: AvailabilityOptions) throws -> [DoctorFinding] {
    let from = options.asOf.date
    let days = options.effectiveHorizonDays
    let unknown = try database.guarded("reading appointment statuses of") { db in
      try PPMPDatabase.readUnknownStatuses(db, from: from, to: from.adding(days: days))
    }
    let known = AppointmentStatus.allCases.map(\.rawValue).joined(separator: ", ")
    return unknown.map { entry in
      DoctorFinding(
        .warning, "unknown-appointment-status",
        what: "\(entry.count) appointment(s) in the next \(days) days have status \"\(entry.status)\", which is not one of "
          + "\(known) (compared ignoring case): they keep their time taken, so it is not offered online.",
        where: .init(text: entry.status),
        fix: "If these appointments are cancelled, set their status to cancelled in PPMP; if they are real appointments, "
          + "use booked, arrived, completed or dna. Nothing is published over them meanwhile.")
    }
  }
}
