import Foundation

extension Doctor {
  /// The PPMP database: readable, its version, diaries, rosters, appointment statuses and tokens.
  func checkPractice(state: ConnectorState?) -> [DoctorFinding] {
    let path = configuration.databasePath
    guard FileManager.default.fileExists(atPath: path) else {
      return [
        DoctorFinding(
          .error, "ppmp-database-missing", what: "The PPMP database does not exist.", where: .init(file: path),
          fix: "Set database = in connector.toml (or pass --database) to the PPMP database file.")
      ]
    }
    var findings: [DoctorFinding] = []
    do {
      let database = try PPMPDatabase(path: path, readOnly: true)
      let settings = try database.guarded("reading settings of") { try PPMPDatabase.readSettings($0) }
      let zone = TimeZone(identifier: settings.timeZoneIdentifier) ?? .current
      let asOf = self.asOf ?? LocalDateTime.now(in: zone)
      let options = AvailabilityOptions(
        asOf: asOf, horizonDays: configuration.horizonDays, leadMinutes: configuration.leadMinutes, timeZone: zone,
        multiColumn: configuration.multiColumn)
      let (_, book) = try database.loadBook(from: asOf.date, days: options.effectiveHorizonDays)
      findings += checkVersion(settings)
      findings += checkDiaries(book, options: options)
      findings += checkRosters(book, options: options)
      findings += checkConfiguredPractitioners(book)
      findings += try checkStatuses(database, options: options)
      let names = Dictionary(book.practitioners.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a })
      findings += try checkTokens(database, state: state, today: asOf.date, names: names)
    } catch {
      findings.append(
        DoctorFinding(
          .error, "ppmp-database-unreadable", what: "The PPMP database cannot be read: \(error).",
          where: .init(file: path), fix: "Check the path, the file's permissions and that it is a PPMP database."))
    }
    return findings
  }

  private func checkVersion(_ settings: PracticeSettings) -> [DoctorFinding] {
    var findings: [DoctorFinding] = []
    if !settings.isAtLeast(8, 22) {
      findings.append(
        DoctorFinding(
          .warning, "ppmp-version-no-colour",
          what: "PPMP \(settings.ppmpVersion) is older than 8.22: Healthengine bookings are inserted without the custom colour.",
          where: .init(text: settings.ppmpVersion),
          fix: "Upgrade PPMP to version 8.22 or newer to set a custom colour for Healthengine appointments."))
    }
    if !settings.isAtLeast(9, 5) {
      findings.append(
        DoctorFinding(
          .warning, "ppmp-version-new-patient-files",
          what: "PPMP \(settings.ppmpVersion) is older than 9.5: double-clicking a new patient's appointment may not open the patient file.",
          where: .init(text: settings.ppmpVersion),
          fix: "Upgrade to PPMP version 9.5 or newer, or contact Healthengine Support to apply a partial workaround."))
    }
    return findings
  }

  /// The article's "Some Practitioners Not Showing or Missing Availability" and "Multiple
  /// Columns" sections, plus Setup > Staff > 1st Available.
  private func checkDiaries(_ book: PracticeBook, options: AvailabilityOptions) -> [DoctorFinding] {
    var findings: [DoctorFinding] = []
    var rowsByStaff: [Int64: [DiaryRow]] = [:]
    for row in book.diaryRows { rowsByStaff[row.staffID, default: []].append(row) }
    let availability = AvailabilityEngine.compute(book, options: options)
    let available = Set(availability.days.filter { !$0.ranges.isEmpty }.map(\.resourceID))

    for p in book.practitioners.sorted(by: { $0.id < $1.id }) {
      let isPublished = p.active && p.onlineBooking
      let rows = rowsByStaff[p.id] ?? []
      let rowByID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
      let diagnostics = AvailabilityEngine.diaryDiagnostics(for: p, rows: rows)
      var skipped: Set<Int64> = []
      for d in diagnostics {
        guard let rowID = d.diaryRowID else { continue }
        let row = rowByID[rowID]
        let (code, severity, skips) = Self.classify(d.kind)
        if skips { skipped.insert(rowID) }
        var fix = d.fix
        if d.kind == .invalidDiaryTime {
          fix += " Your diary times must use one of these formats: 24-hour with two digits either side of the colon and no "
            + "am/pm suffix (e.g. 09:00, 13:30), or 12-hour with an am/pm suffix and no spaces (e.g. 9:00am, 1:30pm). "
            + "Check both your main diary times and alternate diary times."
        }
        findings.append(
          DoctorFinding(
            isPublished ? severity : .info, code,
            what: d.problem + (isPublished ? "" : " (this practitioner is not published online, so nothing is lost yet)"),
            where: .init(
              practitionerId: p.id, practitionerName: p.displayName, diary: d.diary?.rawValue,
              weekday: d.weekday.map(weekdayName), rowId: rowID, rowText: row.map(DiaryTemplate.rowText), text: d.text),
            fix: fix))
      }
      guard isPublished else { continue }
      let valid = rows.filter { !skipped.contains($0.id) && (1...7).contains($0.weekday) }
      let lengths = Set(valid.map(\.intervalMinutes))
      if lengths.count > 1 {
        let detail = lengths.sorted().map { length in
          "\(length) min: rows " + valid.filter { $0.intervalMinutes == length }.map { "\($0.id)" }.joined(separator: ", ")
        }.joined(separator: "; ")
        findings.append(
          DoctorFinding(
            .warning, "inconsistent-slot-lengths",
            what: "\(p.displayName)'s diary rows use different slot lengths (\(detail)); Healthengine may show their availability inconsistently.",
            where: .init(practitionerId: p.id, practitionerName: p.displayName, rowText: detail),
            fix: "Confirm appointment slot lengths are consistent: give every diary row of this practitioner (main and alternate) the same interval."))
      }
      if p.slotDuration != 0 {
        findings.append(
          DoctorFinding(
            .warning, "slot-duration-not-zero",
            what: "\(p.displayName) has Slot Duration \(p.slotDuration) on the 1st Available tab; it must be 0.",
            where: .init(practitionerId: p.id, practitionerName: p.displayName, text: "\(p.slotDuration)"),
            fix: "Go to Setup > Staff, select the 1st Available tab, set Slot Duration to 0 (repeat for each staff member)."))
      }
      if p.columns > 1 && options.multiColumnMode(for: p.id) == .first {
        findings.append(
          DoctorFinding(
            .warning, "multi-column-default-mode",
            what: "\(p.displayName) uses \(p.columns) columns but only column 1 counts (the default mode): "
              + "time free in the other columns is not offered.",
            where: .init(practitionerId: p.id, practitionerName: p.displayName),
            fix: "If this practitioner sees patients side by side, add the special configuration setting to connector.toml: "
              + "[practitioner.\(p.id)] multi_column = \"any\"."))
      }
      if !available.contains(p.id) {
        findings.append(noAvailability(p, rows: rows, valid: valid, book: book, options: options))
      }
    }
    // Unreadable blocks inside the horizon: the engine treats the day as blocked.
    for d in availability.diagnostics where d.kind == .invalidBlockTime {
      findings.append(
        DoctorFinding(
          .warning, "invalid-block-time", what: d.problem,
          where: .init(
            practitionerId: d.practitionerID, practitionerName: d.practitionerName, weekday: d.weekday.map(weekdayName),
            rowId: d.blockID, text: d.text, date: d.date?.description),
          fix: d.fix))
    }
    return findings
  }

  /// Why a published practitioner has nothing free in the horizon, found by recomputing without
  /// bookings, then without holidays and blocks too.
  private func noAvailability(
    _ p: Practitioner, rows: [DiaryRow], valid: [DiaryRow], book: PracticeBook, options: AvailabilityOptions
  ) -> DoctorFinding {
    let days = options.effectiveHorizonDays
    let location = DoctorFinding.Location(practitionerId: p.id, practitionerName: p.displayName)
    func free(_ b: PracticeBook) -> Bool {
      AvailabilityEngine.compute(b, options: options).days.contains { $0.resourceID == p.id && !$0.ranges.isEmpty }
    }
    let why: String
    let fix: String
    if rows.isEmpty {
      why = "has no diary rows at all"
      fix = "Enter the practitioner's diary times in PPMP (main diary, and alternate diary for a fortnightly roster)."
    } else if valid.isEmpty {
      why = "has diary rows, but every one is invalid and skipped (see the invalid-diary-time findings)"
      fix = "Correct the diary times: 24-hour 09:00 or 12-hour 9:00am, no spaces; check both main and alternate diaries."
    } else {
      var without = book
      without.practitioners = [p]
      without.bookings = []
      if free(without) {
        why = "is fully booked for the next \(days) days"
        fix = "Nothing to fix if that is expected; otherwise open more diary time or lengthen horizon_days."
      } else {
        without.blocks = []
        without.holidays = []
        if free(without) {
          why = "has every diary day of the next \(days) days taken by holidays or diary blocks"
          fix = "Check the holidays and diary blocks (leave, conferences) in PPMP; remove any entered by mistake."
        } else {
          why = "has no diary time in the next \(days) days after the lead time (weekdays or roster weeks not covered)"
          fix = "Check the diary's weekdays, the roster anchor, horizon_days and lead_minutes in connector.toml."
        }
      }
    }
    return DoctorFinding(
      .warning, "no-availability", what: "\(p.displayName) is published but has no availability: the practitioner \(why).",
      where: location, fix: fix)
  }

  /// Finding code, severity for a published practitioner, and whether the row is skipped: the
  /// diagnostic's own, so `export` names the same severity.
  private static func classify(_ kind: AvailabilityDiagnostic.Kind) -> (String, DoctorFinding.Severity, Bool) {
    (kind.code, kind.skipsRow ? .error : .warning, kind.skipsRow)
  }
}
