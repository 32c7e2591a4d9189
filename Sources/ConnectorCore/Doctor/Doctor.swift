#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// The Healthengine article's troubleshooting checklist, automated (SPEC §9).
///
/// Doctor only reads: it never takes the spool lock (so it works while a batch runs), opens the
/// PPMP database read-only, and never creates `state/connector.sqlite` when it does not exist yet.
/// Each check that cannot run (a missing database, say) becomes a finding instead of an error, so
/// one broken part never hides the others.
public struct Doctor {
  /// Inbox drops older than this are reported as waiting (SPEC §9: "longer than 10 minutes").
  public static let waitingThresholdSeconds: Int64 = 600

  public let configuration: ConnectorConfiguration
  /// The practice-local time checks are made for (`--as-of`); nil means now in the practice's zone.
  public let asOf: LocalDateTime?
  /// Wall-clock now, for file ages.
  public let now: Date

  /// Creates a doctor for one practice's configuration.
  public init(configuration: ConnectorConfiguration, asOf: LocalDateTime? = nil, now: Date = Date()) {
    self.configuration = configuration
    self.asOf = asOf
    self.now = now
  }

  /// Runs every check; findings come errors first, then warnings, then information, each group in
  /// checklist order.
  public func examine() -> [DoctorFinding] {
    let spool = SpoolLayout(root: configuration.spoolPath)
    var findings = checkSpoolPermissions(spool)
    let state = openState(spool, &findings)
    findings += checkPractice(state: state)
    findings += checkQueue(spool, state: state)
    findings += checkLastRun(spool)
    findings += checkArchive(spool, state: state)
    return findings.enumerated().sorted { ($0.element.severity.rank, $0.offset) < ($1.element.severity.rank, $1.offset) }
      .map(\.element)
  }

  // MARK: state

  /// The connector state, only when it already exists: doctor must not create it.
  private func openState(_ spool: SpoolLayout, _ findings: inout [DoctorFinding]) -> ConnectorState? {
    guard FileManager.default.fileExists(atPath: spool.stateDatabase) else { return nil }
    do {
      return try ConnectorState(path: spool.stateDatabase)
    } catch {
      findings.append(
        DoctorFinding(
          .error, "state-unreadable", what: "The connector state cannot be opened: \(error).",
          where: .init(file: spool.stateDatabase),
          fix: "Check the file's owner and mode (0600, the connector's user); restore it from a backup if it is damaged."))
      return nil
    }
  }

  // MARK: PPMP

  private func checkPractice(state: ConnectorState?) -> [DoctorFinding] {
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
        let parts = d.message.components(separatedBy: " Fix: ")
        var fix = parts.count > 1 ? parts[1] : ""
        if d.kind == .invalidDiaryTime {
          fix += " Your diary times must use one of these formats: 24-hour with two digits either side of the colon and no "
            + "am/pm suffix (e.g. 09:00, 13:30), or 12-hour with an am/pm suffix and no spaces (e.g. 9:00am, 1:30pm). "
            + "Check both your main diary times and alternate diary times."
        }
        findings.append(
          DoctorFinding(
            isPublished ? severity : .info, code,
            what: parts[0] + (isPublished ? "" : " (this practitioner is not published online, so nothing is lost yet)"),
            where: .init(
              practitionerId: p.id, practitionerName: p.displayName, diary: d.diary?.rawValue,
              weekday: d.weekday.map(weekdayName), rowId: rowID, rowText: row.map(Self.rowText), text: d.text),
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
      let parts = d.message.components(separatedBy: " Fix: ")
      findings.append(
        DoctorFinding(
          .warning, "invalid-block-time", what: parts[0],
          where: .init(
            practitionerId: d.practitionerID, practitionerName: d.practitionerName, weekday: d.weekday.map(weekdayName),
            rowId: d.blockID, text: d.text, date: d.date?.description),
          fix: parts.count > 1 ? parts[1] : ""))
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

  /// Finding code, severity for a published practitioner, and whether the row is skipped.
  private static func classify(_ kind: AvailabilityDiagnostic.Kind) -> (String, DoctorFinding.Severity, Bool) {
    switch kind {
    case .invalidDiaryTime: ("invalid-diary-time", .error, true)
    case .endNotAfterStart: ("diary-end-not-after-start", .error, true)
    case .invalidInterval: ("invalid-diary-interval", .error, true)
    case .trailingPartialSlot: ("partial-diary-slot", .warning, false)
    case .invalidBlockTime: ("invalid-block-time", .warning, false)
    case .overlappingDiaryRows: ("overlapping-diary-rows", .warning, false)
    }
  }

  static func rowText(_ row: DiaryRow) -> String {
    "\(row.startText)–\(row.endText) every \(row.intervalMinutes) min"
  }

  /// "Cancellations Not Removing Appointments": upcoming Healthengine bookings whose
  /// `HE_MSG_ID:` token staff removed. Appointments are named by id only, never by patient.
  private func checkTokens(
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

  // MARK: spool

  /// Folders 0700 and files 0600-ish, all owned by the user running the connector.
  private func checkSpoolPermissions(_ spool: SpoolLayout) -> [DoctorFinding] {
    var findings: [DoctorFinding] = []
    let me = geteuid()
    for folder in spool.folders {
      guard let info = FileSystem.fileInfo(folder) else {
        findings.append(
          DoctorFinding(
            .error, "spool-folder-missing", what: "Spool folder \(folder) is missing.", where: .init(file: folder),
            fix: "Run `ppmp-connector init` in the practice's folder (or fix spool = in connector.toml / --spool)."))
        continue
      }
      guard info.mode & S_IFMT == S_IFDIR else {
        findings.append(
          DoctorFinding(
            .error, "spool-not-a-folder", what: "\(folder) is not a folder (a symlink or file is not accepted).",
            where: .init(file: folder), fix: "Replace it with a real folder (mode 0700)."))
        continue
      }
      if info.uid != me {
        findings.append(
          DoctorFinding(
            .error, "spool-wrong-owner",
            what: "\(folder) is owned by uid \(info.uid), not by the user running the connector (uid \(me)).",
            where: .init(file: folder), fix: "chown it (and its files) to the connector's user."))
      }
      if !SpoolLayout.isPrivate(folder) {
        findings.append(
          DoctorFinding(
            .error, "spool-permissions",
            what: "\(folder) has mode \(String(info.mode & 0o777, radix: 8)); it holds patient data and must be 0700.",
            where: .init(file: folder), fix: "chmod 700 \(folder)"))
      }
      // Files directly inside (archive/ one level deeper: its year-month folders).
      var badMode: [String] = []
      var badOwner: [String] = []
      for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
        let path = folder + "/" + name
        guard let f = FileSystem.fileInfo(path) else { continue }
        if f.mode & S_IFMT == S_IFDIR {
          // Folders of the tree are checked on their own; archive months and staging subfolders here.
          if spool.folders.contains(path) { continue }
          if !SpoolLayout.isPrivate(path) { badMode.append(name + "/") }
          if f.uid != me { badOwner.append(name + "/") }
          // One level down: archive/YYYY-MM/*.tar.zst and state/staging/{inbox,outbox}/*.
          for inner in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            guard let g = FileSystem.fileInfo(path + "/" + inner) else { continue }
            if !SpoolLayout.isPrivate(path + "/" + inner) { badMode.append(name + "/" + inner) }
            if g.uid != me { badOwner.append(name + "/" + inner) }
          }
          continue
        }
        if !SpoolLayout.isPrivate(path) { badMode.append(name) }
        if f.uid != me { badOwner.append(name) }
      }
      if !badMode.isEmpty {
        findings.append(
          DoctorFinding(
            .error, "spool-file-permissions",
            what: "\(badMode.count) file(s) in \(folder) are readable or writable by other users: "
              + Self.sample(badMode) + ".",
            where: .init(file: folder),
            fix: "chmod 600 the files (chmod 700 folders); make the transfer job create files with umask 077."))
      }
      if !badOwner.isEmpty {
        findings.append(
          DoctorFinding(
            .error, "spool-file-owner",
            what: "\(badOwner.count) file(s) in \(folder) are not owned by uid \(me): " + Self.sample(badOwner) + ".",
            where: .init(file: folder), fix: "chown them to the connector's user; run the transfer job as that user."))
      }
    }
    return findings
  }

  private static func sample(_ names: [String]) -> String {
    // Safe forms only: a file name can hold escape sequences that would drive the terminal.
    let sorted = names.map { DropName($0).safe }.sorted()
    return sorted.prefix(5).joined(separator: ", ") + (sorted.count > 5 ? ", …" : "")
  }

  private func checkQueue(_ spool: SpoolLayout, state: ConnectorState?) -> [DoctorFinding] {
    guard FileSystem.fileInfo(spool.inbox) != nil else { return [] }
    var findings: [DoctorFinding] = []
    let nowSeconds = Int64(now.timeIntervalSince1970)
    let sightings = (try? state?.inboxSightings()) ?? [:]
    if let queue = try? BatchRunner.queueDepths(spool, now: nowSeconds, sightings: sightings) {
      let inbox = (try? Inbox.list(spool.inbox)) ?? []
      let waited = { (f: SpoolFile) in Inbox.waitingSeconds(f, now: nowSeconds, sighting: sightings[f.rawName]) }
      let old = inbox.filter { waited($0) > Self.waitingThresholdSeconds }.sorted { waited($0) > waited($1) }
      let ahead = inbox.filter { $0.mtime > nowSeconds + Inbox.futureMtimeToleranceSeconds }
      if let first = ahead.first {
        findings.append(
          DoctorFinding(
            .warning, "drop-mtime-in-future",
            what: "\(ahead.count) inbox file(s) have a modification time in the future (\(first.name): "
              + "\((first.mtime - nowSeconds) / 60) minutes ahead of this machine's clock). They are claimed once the "
              + "connector has seen them unchanged for settle_seconds, but the sender's clock is wrong.",
            where: .init(file: spool.inbox + "/" + first.name),
            fix: "Correct the clock of the machine that writes the drops (NTP), or have the transfer job set the "
              + "modification time on arrival (plain cp, not cp -p or rsync -t)."))
      }
      if let oldest = old.first {
        findings.append(
          DoctorFinding(
            .warning, "drops-waiting",
            what: "\(old.count) drop(s) have waited in the inbox for more than 10 minutes (oldest \(oldest.name), "
              + "\(waited(oldest) / 60) minutes): the batch is not running, is failing, or cannot claim them.",
            where: .init(file: spool.inbox + "/" + oldest.name),
            fix: "Check the timer or cron job runs `ppmp-connector run` every minute and read `ppmp-connector status`; "
              + "an in-flight name (.tmp, .part, leading dot) is never claimed."))
      }
      if queue.work > 0 {
        findings.append(
          DoctorFinding(
            .info, "drops-in-work",
            what: "\(queue.work) drop(s) are claimed in work/: a run is in progress, or they are being retried after an error.",
            where: .init(file: spool.work), fix: "Nothing to do unless they stay; the next run processes work/ first."))
      }
      if queue.rejected > 0 {
        findings.append(
          DoctorFinding(
            .info, "drops-rejected",
            what: "\(queue.rejected) drop(s) in rejected/ could not be read; each has a NAME.reason.txt beside it.",
            where: .init(file: spool.rejected),
            fix: "Read the reasons; ask the sender to resend a corrected file. Move them away once handled."))
      }
    }
    return findings
  }

  private func checkLastRun(_ spool: SpoolLayout) -> [DoctorFinding] {
    let status: RunStatus?
    do {
      status = try RunStatus.load(from: spool.statusFile)
    } catch {
      return [
        DoctorFinding(
          .error, "status-unreadable", what: "\(error)", where: .init(file: spool.statusFile),
          fix: "Remove the file; the next run writes a new one.")
      ]
    }
    guard let status else {
      return [
        DoctorFinding(
          .info, "no-run-yet", what: "No batch has run on this spool yet.", where: .init(file: spool.statusFile),
          fix: "Schedule `ppmp-connector run` every minute (see docs/operations.md).")
      ]
    }
    switch status.outcome {
    case "failed":
      return [
        DoctorFinding(
          .error, "last-run-failed",
          what: "The last run (started \(status.startedAt)) failed with exit status \(status.exitCode): "
            + (status.errors.last ?? "no message recorded") + ".",
          where: .init(file: spool.statusFile),
          fix: "Fix the cause named in the message, then run `ppmp-connector run`; nothing is lost, work/ is retried first.")
      ]
    case "interrupted":
      return [
        DoctorFinding(
          .warning, "last-run-interrupted",
          what: "The last run (started \(status.startedAt)) was stopped by a signal before it finished.",
          where: .init(file: spool.statusFile),
          fix: "Nothing to fix if it was a shutdown: the next run finishes the work. Check the scheduler's timeout otherwise.")
      ]
    default:
      return []
    }
  }

  private func checkArchive(_ spool: SpoolLayout, state: ConnectorState?) -> [DoctorFinding] {
    guard FileSystem.fileInfo(spool.archive) != nil else { return [] }
    let limits = BagLimits(maxMemberBytes: configuration.maxExtractBytes)
    let report = ArchiveAuditor(archiveFolder: spool.archive, state: state, limits: limits).verify()
    guard let first = report.problems.first else { return [] }
    return [
      DoctorFinding(
        .error, "archive-chain-broken",
        what: "The archive chain does not verify (\(report.problems.count) problem(s)); the first: \(first).",
        where: .init(file: spool.archive),
        fix: "Run `ppmp-connector audit verify` for every problem. Restore altered or missing archives from backup; "
          + "never edit archives by hand.")
    ]
  }
}
