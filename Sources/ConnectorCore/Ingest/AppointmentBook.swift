import Foundation
import GRDB

/// Applies Healthengine bookings and cancellations to the PPMP appointment book (SPEC §6).
///
/// Each message runs in its own short write transaction that re-checks the slot and inserts in
/// one step, so a concurrent PPMP user can never be double-booked by the connector. The
/// `HE_MSG_ID:<id>` token in the appointment's comments is the source of truth for idempotency.
public final class AppointmentBook {
  public let database: PPMPDatabase
  public let settings: PracticeSettings
  public let options: AvailabilityOptions
  /// Logical time stamped on rows the connector creates (`created_at`, `updated_at`).
  public let stamp: String
  /// The connector's patient key index (matching's one lookup).
  public let patients: PatientIndex
  private let practitioners: [Int64: Practitioner]
  private let rowsByStaff: [Int64: [DiaryRow]]
  /// Each practitioner's diary template, built on the pass's first slot check for them (a
  /// `watch` cycle with one booking builds one, not one per practitioner).
  private var templates: [Int64: DiaryTemplate] = [:]
  private let types: [String: AppointmentType]
  /// The slot check's reads of PPMP, kept for the pass while no other program writes to PPMP.
  private let booked: BookedDays

  public init(database: PPMPDatabase, options: AvailabilityOptions, patients: PatientIndex) throws {
    self.database = database
    self.patients = patients
    self.options = options
    stamp = "\(options.asOf.date) \(options.asOf.time):00"
    booked = BookedDays(from: options.asOf.date, to: options.asOf.date.adding(days: max(options.horizonDays, 1)))
    (settings, practitioners, rowsByStaff, types) = try database.guarded("reading") { db in
      (
        try PPMPDatabase.readSettings(db),
        Dictionary(uniqueKeysWithValues: try PPMPDatabase.readPractitioners(db).map { ($0.id, $0) }),
        Dictionary(grouping: try PPMPDatabase.readDiaryRows(db), by: \.staffID),
        Dictionary(try PPMPDatabase.readAppointmentTypes(db).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
      )
    }
  }

  private func template(for practitioner: Practitioner) -> DiaryTemplate {
    if let kept = templates[practitioner.id] { return kept }
    var ignored: [AvailabilityDiagnostic] = []
    let built = DiaryTemplate(practitioner: practitioner, rows: rowsByStaff[practitioner.id] ?? [], diagnostics: &ignored)
    templates[practitioner.id] = built
    return built
  }

  /// The comment token that marks a Healthengine booking.
  public static func token(_ heMsgId: String) -> String { "HE_MSG_ID:\(heMsgId)" }

  /// Whether `comments` carries exactly this token (not a longer id that starts with it).
  public static func comments(_ comments: String, carry heMsgId: String) -> Bool {
    let token = Self.token(heMsgId)
    // Nearly every comment and id is ASCII, where a character is a byte: search the bytes
    // (this runs for each of a day's carriers on every booking), and leave the rest to Foundation.
    if let found = asciiComments(comments, carry: token) { return found }
    var search = comments[...]
    while let r = search.range(of: token) {
      let after = r.upperBound
      if after == search.endIndex { return true }
      if !isTokenCharacter(search[after]) { return true }
      search = search[after...]
    }
    return false
  }

  /// `comments(_:carry:)` on bytes, or nil when either side is not all ASCII.
  private static func asciiComments(_ comments: String, carry token: String) -> Bool? {
    let needle = Array(token.utf8)
    var comments = comments
    return comments.withUTF8 { text -> Bool? in
      guard needle.allSatisfy({ $0 < 0x80 }), text.allSatisfy({ $0 < 0x80 }) else { return nil }
      // The token stands when the text ends after it or the next character cannot continue it.
      return !ByteSearch.forEachMatch(of: needle, in: UnsafeRawBufferPointer(text)) { at in
        let after = at + needle.count
        return after < text.count && isTokenCharacter(Character(Unicode.Scalar(text[after])))
      }
    }
  }

  /// What may continue an heMsgId after `HE_MSG_ID:`; anything else ends the token.
  private static func isTokenCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || "._:-".contains(c) }

  /// Every heMsgId whose token `comments` carries, as `comments(_:carry:)` delimits them.
  static func tokens(in comments: String) -> [String] {
    var ids: [String] = []
    var search = comments[...]
    while let r = search.range(of: token("")) {
      let id = search[r.upperBound...].prefix(while: isTokenCharacter)
      if !id.isEmpty { ids.append(String(id)) }
      search = search[r.upperBound...]
    }
    return ids
  }

  /// Journal entries for every booking PPMP holds a token for, after the connector's state was
  /// lost: without them a re-sent heMsgId with other content would be checked only against its
  /// own practitioner and day, and one moved to another day would be inserted a second time.
  /// The message content is gone, so each entry records where the booking was placed
  /// (`BookingPlacement`), and the patient match is worked out as a re-delivery does.
  public static func journalFromTokens(_ database: PPMPDatabase) throws -> [JournalEntry] {
    try database.guarded("reading HE_MSG_ID tokens from") { db in
      var entries: [String: JournalEntry] = [:]
      // The key index went with the state, so files are grouped by key here, in one read of
      // every patient, the first time a rebuilt match needs them.
      var byKey: [PatientKey: [Int64]]?
      func sameKey(_ key: PatientKey) throws -> [Int64] {
        if byKey == nil {
          var grouped: [PatientKey: [Int64]] = [:]
          try PPMPBookingRows.forEachPatient(db) { grouped[PatientIndex.keyed($0).key, default: []].append($0.id) }
          byKey = grouped
        }
        return byKey?[key] ?? []
      }
      for row in try PPMPBookingRows.placedTokenAppointments(db) {
        let start = row.date + "T" + row.startTime.prefix(5)
        let placement = BookingPlacement(resourceID: row.staffID, start: start, minutes: row.durationMinutes)
        for id in tokens(in: row.comments) where entries[id] == nil {
          let match = try earlierMatch(patientID: row.patientID, appointmentID: row.id, db, sameKey: sameKey)
          entries[id] = JournalEntry(
            outcome: .confirmInsert(heMsgId: id, bookingId: "", appointmentID: row.id, patientID: row.patientID, match: match),
            contentSHA256: nil, placement: placement)
        }
      }
      return entries.keys.sorted().map { entries[$0]! }
    }
  }

  /// The patient's reason with any `HE_MSG_ID:` spelling made inert. The token is the source
  /// of truth for re-deliveries and cancellations, so a reason carrying another message's token
  /// could otherwise make that message confirm or cancel this appointment.
  static func defused(_ reason: String) -> String {
    guard reason.range(of: "HE_MSG_ID", options: .caseInsensitive) != nil else { return reason }
    return reason.replacingOccurrences(of: "HE_MSG_ID", with: "HE-MSG-ID", options: .caseInsensitive)
  }

  public struct Confirmation: Sendable, Equatable {
    public var appointmentID: Int64
    public var patientID: Int64
    public var match: PatientMatch
    /// The booking was already in PPMP (re-delivery); nothing was inserted.
    public var existing: Bool
    /// Files a person should look at instead of the new one, best first (new files only, and a
    /// file a re-delivered booking created, found again by its token).
    public var candidates: [ReviewCandidate] = []
  }

  /// A reader of this pass's practitioner-days ahead of the bookings (`BookingPrefetch`).
  func makeDayReadAhead() -> DayReadAhead { DayReadAhead(path: database.path, days: booked) }

  /// True when the practitioner is published (active, online): the export's rule for `pmsResources`.
  public func publishes(resourceID: Int64) -> Bool {
    practitioners[resourceID].map { $0.active && $0.onlineBooking } ?? false
  }

  /// Books `request`, or finds the appointment an earlier delivery of it made. `lookup`: the
  /// key index's answer for the booking's patient, when it was looked up ahead (`BookingPrefetch`).
  public func book(_ r: BookingRequest) throws -> Result<Confirmation, MessageRejection> { try book(r, lookup: nil) }

  func book(_ r: BookingRequest, lookup: PatientIndex.Lookup?) throws -> Result<Confirmation, MessageRejection> {
    guard let practitioner = practitioners[r.resourceID] else {
      return .failure(MessageRejection(.unknownResource, "no practitioner with pmsResourceId \(r.resourceID) in PPMP"))
    }
    guard practitioner.active, practitioner.onlineBooking else {
      return .failure(
        MessageRejection(
          .unknownResource,
          "practitioner \(r.resourceID) is \(practitioner.active ? "not published for online booking" : "inactive") in PPMP"))
    }
    var typeID: Int64?
    if let code = r.appointmentTypeCode {
      guard let type = types[code], type.online else {
        return .failure(MessageRejection(.unknownAppointmentType, "no online appointment type with code '\(code)' in PPMP"))
      }
      if let owner = type.staffID, owner != r.resourceID {
        return .failure(
          MessageRejection(
            .unknownAppointmentType, "appointment type '\(code)' belongs to practitioner \(owner), not \(r.resourceID)"))
      }
      typeID = type.id
    }
    // The same cut-off as publication: lead_minutes of elapsed time (docs/rules.md, "Lead time").
    let earliest = options.earliestStart
    if r.start.absoluteMinutes < options.asOf.absoluteMinutes {
      return .failure(MessageRejection(.outsideHorizon, "pmsAppointmentTime \(r.start) is in the past (as of \(options.asOf))"))
    }
    if r.start.absoluteMinutes < earliest {
      return .failure(
        MessageRejection(.outsideHorizon, "pmsAppointmentTime \(r.start) is inside the \(options.leadMinutes)-minute lead time"))
    }
    if r.start.date.days(since: options.asOf.date) >= options.horizonDays {
      return .failure(
        MessageRejection(
          .outsideHorizon, "pmsAppointmentTime \(r.start) is beyond the \(options.horizonDays)-day horizon from \(options.asOf.date)"))
    }
    let end = r.start.time.minutes + r.lengthMinutes
    if end > 1440 {
      return .failure(MessageRejection(.invalidMessage, "pmsAppointmentLength runs past midnight"))
    }

    try patients.refresh(database)
    // A transaction that fails may have recorded an insert it then rolled back.
    do {
      return try database.guardedWrite("booking \(r.heMsgId) in") { db in
        try self.book(r, practitioner, typeID: typeID, end: end, lookup: lookup, db)
      }
    } catch {
      booked.forget()
      throw error
    }
  }

  /// The write transaction of `book(_:)`: the re-delivery check, the slot check and the insert.
  private func book(
    _ r: BookingRequest, _ practitioner: Practitioner, typeID: Int64?, end: Int, lookup: PatientIndex.Lookup?, _ db: Database
  ) throws -> Result<Confirmation, MessageRejection> {
    let date = r.start.date
    let day = try booked.day(staffID: r.resourceID, date: date, db)
    // A re-delivered booking is already in the book on the same day: confirm it, never insert
    // twice. Of the day's carriers, the lowest id carrying exactly this token (not a longer id
    // that starts with it: HE_MSG_ID:m-1 in HE_MSG_ID:m-10).
    if let existing = day.carriers.first(where: { Self.comments($0.comments, carry: r.heMsgId) }) {
      let match = try Self.earlierMatch(patientID: existing.patientID, appointmentID: existing.id, db, sameKey: { try self.patients.exactIDs($0) })
      // The file this booking created is still a new one: its candidates again, so the review
      // item a crash kept from being queued is queued now (one already queued is kept as it is).
      var candidates: [ReviewCandidate] = []
      if match != .matched {
        let (key, mobile) = Self.matchingKey(r, lookup)
        candidates = try Self.reviewCandidates(
          earlierFile: existing.patientID, key: key, mobile: mobile, lookup: lookup, index: patients, db)
      }
      return .success(
        Confirmation(
          appointmentID: existing.id, patientID: existing.patientID, match: match, existing: true, candidates: candidates))
    }

    let slots: [DiarySlot]
    if let kept = day.slots {
      slots = kept
    } else {
      slots = AvailabilityEngine.slots(
        for: practitioner, on: date, template: template(for: practitioner), blocks: day.blocks, isHoliday: day.isHoliday,
        bookings: day.bookings, options: options)
      booked.keep(slots: slots, staffID: r.resourceID, date: date)
    }
    switch Self.column(for: r.start.time.minutes, end: end, in: slots) {
    case .failure(let rejection): return .failure(rejection)
    case .success(let column):
      let (patientID, match, candidates) = try self.patient(for: r, lookup: lookup, db)
      var comments = r.reason.map { Self.defused($0) + "\n" } ?? ""
      comments += Self.token(r.heMsgId)
      let colour = settings.isAtLeast(8, 22) ? settings.healthengineColour : nil
      let appointmentID = try PPMPBookingRows.insertAppointment(
        db,
        NewAppointment(
          staffID: r.resourceID, column: column, date: date.description, startTime: r.start.time.description,
          durationMinutes: r.lengthMinutes, patientID: patientID, typeID: typeID, comments: comments, colour: colour,
          stamp: stamp))
      booked.add(
        BookedInterval(
          appointmentID: appointmentID, staffID: r.resourceID, column: column, date: date, start: r.start.time,
          durationMinutes: r.lengthMinutes),
        carrier: TokenCarrier(id: appointmentID, patientID: patientID, status: "booked", comments: comments))
      return .success(
        Confirmation(
          appointmentID: appointmentID, patientID: patientID, match: match, existing: false, candidates: candidates))
    }
  }

  /// The lowest counting column free in every slot of `[start, end)`, or why there is none.
  ///
  /// The booking rule (docs/rules.md, "Bookings"): a booking starts on a slot start and ends on a
  /// slot end of consecutive slots (each starting where the one before ends, whatever their
  /// lengths), all published, with one counting column free in all of them.
  static func column(for start: Int, end: Int, in slots: [DiarySlot]) -> Result<Int, MessageRejection> {
    guard let first = slots.firstIndex(where: { $0.start.minutes == start }) else {
      // Inside a session but between slot starts: the message is wrong. Outside every session
      // (the practice shortened a session after publishing): the slot is simply gone.
      if let inside = slots.first(where: { $0.start.minutes < start && start < $0.end.minutes }) {
        return .failure(
          MessageRejection(
            .invalidMessage,
            "pmsAppointmentTime \(MinuteOfDay(start)) is not on the practitioner's diary grid: it does not start on a slot "
              + "boundary (it falls in the \(inside.start)–\(inside.end) slot)"))
      }
      return .failure(
        MessageRejection(.slotUnavailable, "the practitioner has no diary session at \(MinuteOfDay(start)) that day"))
    }
    var covered: [DiarySlot] = []
    var cursor = start
    var i = first
    while cursor < end, i < slots.count, slots[i].start.minutes == cursor {
      covered.append(slots[i])
      cursor = slots[i].end.minutes
      i += 1
    }
    guard cursor == end else {
      if cursor > end, let last = covered.last {
        return .failure(
          MessageRejection(
            .invalidMessage,
            "pmsAppointmentLength \((end - start) * 60) does not end on a slot boundary: the appointment would end at "
              + "\(MinuteOfDay(end)), inside the \(last.start)–\(last.end) slot"))
      }
      return .failure(MessageRejection(.slotUnavailable, "the diary session ends before \(MinuteOfDay(end))"))
    }
    guard covered.allSatisfy(\.published) else {
      let taken = covered.first { !$0.published }!
      return .failure(
        MessageRejection(
          .slotUnavailable,
          "the \(taken.start) slot is \(taken.blocked ? "blocked in the diary" : taken.freeColumns.isEmpty ? "already booked" : "not bookable")"))
    }
    var common = Set(covered[0].freeColumns)
    for s in covered.dropFirst() { common.formIntersection(s.freeColumns) }
    guard let column = common.min() else {
      return .failure(MessageRejection(.slotUnavailable, "no single column is free for the whole appointment"))
    }
    return .success(column)
  }

  /// How the earlier delivery matched its patient, rebuilt from PPMP for when the journal lost it
  /// (a crash after the booking committed but before the drop's journal write). A file the
  /// connector created whose first appointment is this one was created for it: because nobody
  /// matched, or because several earlier files did.
  /// `sameKey` names the files filed under a key (the key index, or a grouping of every row when
  /// the index is gone); each is re-checked against its live row, as matching does.
  static func earlierMatch(
    patientID: Int64, appointmentID: Int64, _ db: Database, sameKey: (PatientKey) throws -> [Int64]
  ) throws -> PatientMatch {
    guard let p = try PPMPBookingRows.patient(db, id: patientID), p.createdBy == "healthengine",
      try PPMPBookingRows.firstAppointment(ofPatient: patientID, db) == appointmentID
    else { return .matched }
    let key = PatientIndex.keyed(p).key
    let earlier = try PPMPBookingRows.patients(ids: try sameKey(key).filter { $0 < patientID }, db)
      .filter { PatientIndex.keyed($0).key == key }
    return earlier.count >= 2 ? .createdMultipleMatches : .createdNoMatch
  }

  /// Patient matching on normalised first name, last name and date of birth (`PatientKey`): one
  /// lookup in the key index, each hit re-checked against its live PPMP row in this transaction,
  /// so a file staff edited since the index saw it can never be matched on its old name. A new
  /// file comes with its ranked review candidates.
  private func patient(
    for r: BookingRequest, lookup: PatientIndex.Lookup?, _ db: Database
  ) throws -> (Int64, PatientMatch, [ReviewCandidate]) {
    let (key, mobile) = Self.matchingKey(r, lookup)
    let exact = try Self.exactFiles(key, stored: lookup?.exact, index: patients, db)
    if exact.count == 1 {
      var file = exact[0]
      if let phone = r.phone, file.mobile?.trimmingWhitespace.isEmpty ?? true {
        try PPMPBookingRows.setMobile(db, patientID: file.id, to: phone)
        file.mobile = phone
        patients.note(file)
      }
      return (file.id, .matched, [])
    }
    let new = NewPatient(
      firstName: r.firstName, lastName: r.lastName, dob: r.dob.description, mobile: r.phone, email: r.email, stamp: stamp)
    let id = try PPMPBookingRows.insertPatient(db, new)
    patients.note(
      PatientRow(id: id, firstName: new.firstName, lastName: new.lastName, dob: new.dob, mobile: new.mobile, createdBy: "healthengine"))
    let candidates = try Self.reviewCandidates(
      key: key, mobile: mobile, stored: lookup?.near, exact: exact.map(\.id), newFile: id, index: patients, db)
    return (id, exact.isEmpty ? .createdNoMatch : .createdMultipleMatches, candidates)
  }

  /// The files a person should look at instead of `newFile`, best first: ranked on the index's
  /// keys, then the few kept ranked again on their live rows (with every exact match). Only files
  /// older than `newFile` (lower ids): every other one when it has just been created, and when it
  /// is found again, not the files later bookings created since.
  private static func reviewCandidates(
    key: PatientKey, mobile: String?, stored: [PatientKeyHit]?, exact: [Int64], newFile: Int64, index: PatientIndex, _ db: Database
  ) throws -> [ReviewCandidate] {
    let shortlist = NearMatchRanker.rank(key, mobile: mobile, try index.near(key, mobile: mobile, stored: stored).filter { $0.id < newFile })
    let live = try PPMPBookingRows.patients(ids: Set(shortlist.map(\.patientID)).union(exact.filter { $0 < newFile }).sorted(), db)
    return NearMatchRanker.rank(key, mobile: mobile, live.map(PatientIndex.keyed))
  }

  /// `reviewCandidates` for a file created earlier (found again by its token, or rebuilt after
  /// the state was lost), on the key it was created with.
  private static func reviewCandidates(
    earlierFile: Int64, key: PatientKey, mobile: String?, lookup: PatientIndex.Lookup?, index: PatientIndex, _ db: Database
  ) throws -> [ReviewCandidate] {
    let exact = try exactFiles(key, stored: lookup?.exact, index: index, db)
    return try reviewCandidates(
      key: key, mobile: mobile, stored: lookup?.near, exact: exact.map(\.id), newFile: earlierFile, index: index, db)
  }

  /// The booking's matching key and mobile: as looked up ahead (`BookingPrefetch`), else its own.
  private static func matchingKey(_ r: BookingRequest, _ lookup: PatientIndex.Lookup?) -> (PatientKey, String?) {
    (
      lookup?.key ?? PatientKey(first: r.firstName, last: r.lastName, dob: r.dob.description),
      lookup.map(\.mobile) ?? PatientKey.mobileKey(r.phone)
    )
  }

  /// The files whose live rows have exactly `key`: the index's hits (`stored` when looked up
  /// ahead), each re-checked in this transaction.
  private static func exactFiles(_ key: PatientKey, stored: [Int64]?, index: PatientIndex, _ db: Database) throws -> [PatientRow] {
    try PPMPBookingRows.patients(ids: try index.exactIDs(key, stored: stored), db).filter { PatientIndex.keyed($0).key == key }
  }

  /// The review items of the bookings in `journal` (rebuilt from PPMP's tokens after the state
  /// was lost) whose file is still the new one they created, each with its candidates ranked
  /// again on the new file's own key. `index` must be level with PPMP.
  public static func reviewItems(
    rebuiltFrom journal: [JournalEntry], index: PatientIndex, _ database: PPMPDatabase, queuedAt stamp: String
  ) throws -> [ReviewItem] {
    try database.guarded("ranking review candidates in") { db in
      try journal.compactMap { entry -> ReviewItem? in
        guard case .confirmInsert(let heMsgId, _, let appointment, let patient, let match) = entry.outcome, match != .matched,
          let file = try PPMPBookingRows.patient(db, id: patient)
        else { return nil }
        let keyed = PatientIndex.keyed(file)
        let candidates = try reviewCandidates(
          earlierFile: patient, key: keyed.key, mobile: keyed.mobile, lookup: nil, index: index, db)
        return ReviewItem(
          heMsgId: heMsgId, appointmentID: appointment, newPatientID: patient, match: match, queuedAt: stamp,
          candidates: candidates)
      }
    }
  }

  /// Appointment ids by the heMsgIds their comments carry, read in one pass over the book the
  /// first time a cancellation is not found where the journal says (`cancel`), and reused for
  /// the rest of the ingest pass: a drop of unknown cancellations costs one read of the book,
  /// not one per message. Bookings made later in the pass are in the journal, so they never need it.
  private var tokenIndex: [String: [Int64]]?

  /// Drops the token index, so the next miss reads the book afresh (start of each ingest pass).
  public func forgetTokenIndex() {
    tokenIndex = nil
    patients.forget()
    booked.forget()
  }

  private func appointments(carrying heMsgId: String, _ db: Database) throws -> [Int64] {
    if tokenIndex == nil {
      var index: [String: [Int64]] = [:]
      try PPMPBookingRows.forEachTokenComment(db) { id, comments in
        for token in Self.tokens(in: comments) { index[token, default: []].append(id) }
      }
      tokenIndex = index
    }
    return tokenIndex?[heMsgId] ?? []
  }

  /// Cancels the appointment carrying `HE_MSG_ID:<heMsgId>`. `hint` is the appointment the
  /// journal says the booking went into (checked, never trusted blindly). Without a hint, or
  /// when the hinted appointment no longer carries the token, the token index is asked; of
  /// several carriers the lowest id not yet cancelled is the one cancelled.
  public func cancel(heMsgId: String, hint: Int64?) throws -> Result<Int64, MessageRejection> {
    // The kept days would still count the cancelled appointment (and a failed transaction
    // leaves nothing to trust either way).
    booked.forget()
    return try database.guardedWrite("cancelling \(heMsgId) in") { db -> Result<Int64, MessageRejection> in
      var candidates: [TokenCarrier] = []
      if let hint, let row = try PPMPBookingRows.appointment(db, id: hint), Self.comments(row.comments, carry: heMsgId) {
        candidates = [row]
      } else {
        for id in try appointments(carrying: heMsgId, db) {
          if let row = try PPMPBookingRows.appointment(db, id: id), Self.comments(row.comments, carry: heMsgId) {
            candidates.append(row)
          }
        }
      }
      guard !candidates.isEmpty else {
        return .failure(
          MessageRejection(
            .unknownBooking,
            "no PPMP appointment carries HE_MSG_ID:\(heMsgId) in its comments; staff may have removed it. Cancel the appointment in PPMP by hand, and leave HE_MSG_ID tokens in appointment comments"))
      }
      if let open = candidates.first(where: { !AppointmentStatus.isCancelled($0.status) }) {
        try PPMPBookingRows.cancelAppointment(db, id: open.id, stamp: stamp)
        return .success(open.id)
      }
      return .success(candidates[0].id)
    }
  }

  /// Makes every committed transaction durable before a receipt claims it (the connector runs
  /// the PPMP database in WAL mode with synchronous=NORMAL; fsync of the WAL covers every frame
  /// written before it).
  public func makeDurable() throws {
    let wal = database.path + "-wal"
    if FileManager.default.fileExists(atPath: wal) { try FileSystem.sync(wal) }
  }
}
