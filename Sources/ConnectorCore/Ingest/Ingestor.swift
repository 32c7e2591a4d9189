#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// What one ingest pass did.
public struct IngestSummary: Sendable, Equatable {
  public var drops = 0
  public var dropsRejected = 0
  public var confirmed = 0
  public var rejectedMessages = 0
  /// Drops seen but not yet settled (left for the next run).
  public var waiting = 0
  /// Drops that failed for a reason other than their content and stay claimed for a retry.
  public var retrying = 0
  /// Outbox files written (receipts and rejection notices).
  public var answers: [String] = []
  /// One line per retryable failure (no patient data).
  public var errors: [String] = []

  /// True when something was rejected (exit status 1).
  public var hadRejections: Bool { dropsRejected > 0 || rejectedMessages > 0 }
}

/// Thrown inside `apply` when a stop was requested between two messages.
private struct StopRequested: Error {}

/// Ingests drops (SPEC §4, §6): recovers `work/`, claims settled drops from `inbox/` oldest first,
/// applies each message, answers every drop with exactly one receipt or rejection notice, and
/// stages what it handled for the archive.
public final class Ingestor {
  public let configuration: ConnectorConfiguration
  public let spool: SpoolLayout
  public let state: ConnectorState
  public let book: AppointmentBook
  /// Where requests are answered and stale days noted.
  public let requests: RequestDesk
  /// Wall-clock seconds for the settle check (the logical `--as-of` clock does not apply to files).
  public var now: () -> Int64 = { Int64(Date().timeIntervalSince1970) }
  /// Inbox files known to be complete without the settle check: `watch` saw them renamed into
  /// the inbox, which is atomic, so waiting `settle_seconds` would only delay the answer.
  public var isComplete: (SpoolFile) -> Bool = { _ in false }
  /// Checked between drops; when it returns true the pass stops early, leaving the rest queued.
  public var shouldStop: () -> Bool = { false }
  /// Told after each drop: (drops done, drops known so far). For progress on a terminal.
  public var progress: (Int, Int) -> Void = { _, _ in }
  /// Told each message's answer, with the booking's patient name: only `--verbose` sets it, as
  /// only `--verbose` may put patient names in logs.
  public var onMessage: ((_ drop: String, _ outcome: MessageOutcome, _ patient: String?) -> Void)?

  public init(configuration: ConnectorConfiguration, spool: SpoolLayout, state: ConnectorState, book: AppointmentBook) {
    self.configuration = configuration
    self.spool = spool
    self.state = state
    self.book = book
    requests = RequestDesk(practiceID: configuration.practiceID, spool: spool, state: state, book: book)
  }

  private var stamp: String { book.options.asOf.description }

  public func run() throws -> IngestSummary {
    var summary = IngestSummary()
    book.forgetTokenIndex()
    let leftOver = try adoptWorkNames(try Inbox.list(spool.work))
    let waiting = try Inbox.list(spool.inbox)
    let total = leftOver.count + waiting.count
    // A drop's parse may start the comparison of the key index with PPMP (`process`).
    defer { book.patients.settle() }
    // Anything left in work/ by a crashed run goes first, then the inbox.
    for file in leftOver {
      if shouldStop() { return summary }
      try process(workName: file.name, originalName: nil, summary: &summary)
      progress(summary.drops, total)
    }
    let clock = now()
    let seen = try state.inboxSightings()
    var sightings: [[UInt8]: InboxSighting] = [:]
    // Written only when something changed: an idle inbox costs no write transaction per pass.
    defer { if sightings != seen { try? state.replaceInboxSightings(sightings) } }
    for file in waiting {
      if shouldStop() {
        // Not looked at this time: keep what was known of it.
        if let s = seen[file.rawName] { sightings[file.rawName] = s }
        continue
      }
      let known = seen[file.rawName].flatMap { $0.size == file.size && $0.mtime == file.mtime ? $0 : nil }
      if file.isRegular && !isComplete(file) && !Inbox.isSettled(file, settleSeconds: configuration.settleSeconds, now: clock, sighting: known) {
        sightings[file.rawName] = known ?? InboxSighting(size: file.size, mtime: file.mtime, firstSeen: clock)
        summary.waiting += 1
        continue
      }
      // The work name is the safe form of the name (DropName): from here on no byte of the
      // delivered name reaches XML, a temporary name or a terminal.
      let workName = FileSystem.freeName(in: spool.work, for: file.name)
      // The claim: one atomic rename. A file that vanished meanwhile was claimed by nobody else
      // (we hold the lock); the transfer job took it back, which is its right.
      if FileSystem.renameBytes(file.path(in: spool.inbox), to: Array((spool.work + "/" + workName).utf8)) != 0 {
        if errno == ENOENT { continue }
        throw FileSystem.ioError("claim (rename into work/)", spool.inbox + "/" + file.name)
      }
      try FileSystem.sync(spool.work, isFolder: true)
      try process(workName: workName, originalName: file.name, summary: &summary)
      progress(summary.drops, total)
    }
    return summary
  }

  /// Gives files in work/ whose names are not safe (claimed by a version before `DropName`, or
  /// put there by hand) their safe name, carrying any open drop record along.
  private func adoptWorkNames(_ files: [SpoolFile]) throws -> [SpoolFile] {
    try files.map { file in
      guard Array(file.name.utf8) != file.rawName else { return file }
      let target = FileSystem.freeName(in: spool.work, for: file.name)
      if FileSystem.renameBytes(file.path(in: spool.work), to: Array((spool.work + "/" + target).utf8)) != 0 {
        throw FileSystem.ioError("rename in work/", spool.work + "/" + file.name)
      }
      try FileSystem.sync(spool.work, isFolder: true)
      try state.renameOpenDrops(workName: String(decoding: file.rawName, as: UTF8.self), to: target)
      var renamed = file
      renamed.name = target
      renamed.rawName = Array(target.utf8)
      return renamed
    }
  }

  // MARK: one drop

  private func process(workName: String, originalName: String?, summary: inout IngestSummary) throws {
    let path = spool.work + "/" + workName
    let name = originalName ?? workName
    guard let info = FileSystem.fileInfo(path) else { return }
    summary.drops += 1
    if (info.mode & S_IFMT) != S_IFREG {
      try reject(
        workName: workName, name: name, sha256: SHA256Digest.hex(Array(name.utf8)), record: nil,
        DropRejection(.notARegularFile, "the inbox entry is a symbolic link or special file; drops must be regular files"),
        summary: &summary)
      return
    }
    if info.links > 1 {
      // Another name for the same file exists (possibly outside the spool: /etc/passwd, the PPMP
      // database). Its content is never read, archived or kept: only this name is removed.
      try reject(
        workName: workName, name: name, sha256: nil, record: nil,
        DropRejection(
          .notARegularFile,
          "the inbox entry has \(info.links) hard links; a drop must be a file of its own (write it, then rename it into "
            + "inbox/). It was not read; this name was removed and the other links are untouched"),
        keepDrop: false, summary: &summary)
      return
    }
    // Adopted: the drop holds patient data, whatever mode the sender gave it.
    if (info.mode & 0o777) != FileSystem.fileMode { chmod(path, FileSystem.fileMode) }
    if info.size > configuration.maxDropBytes {
      try reject(
        workName: workName, name: name, sha256: nil, record: nil,
        DropRejection(.tooLarge, "the drop is \(info.size) bytes; max_drop_bytes is \(configuration.maxDropBytes)"),
        summary: &summary)
      return
    }
    let sha = try SHA256Digest.hex(ofFile: path)
    var record = try state.openDrop(workName: workName, sha256: sha)
      ?? state.insertDrop(originalName: name, workName: workName, sha256: sha, at: stamp)
    // Names recorded by a version before DropName may hold any byte: never let one through.
    record.originalName = DropName(record.originalName).safe

    // Answered before a crash: finish the bookkeeping, never answer twice.
    if let answer = record.answerName, FileManager.default.fileExists(atPath: spool.outbox + "/" + answer) {
      // The crash may have come before the answer was staged: the archive must still get it.
      // (No archive roll runs between a crash and this recovery, so a staged copy is still there.)
      if !FileManager.default.fileExists(atPath: spool.staging + "/outbox/" + answer) {
        try stage(from: spool.outbox + "/" + answer, as: "outbox/" + answer, move: false)
      }
      if answer.hasPrefix("rejected-") {
        let target = FileSystem.freeName(in: spool.rejected, for: record.originalName)
        let reasonMissing = !FileManager.default.fileExists(atPath: spool.rejected + "/" + target + ".reason.txt")
        try moveRejected(
          workName: workName, name: record.originalName,
          reasonText: reasonMissing ? "drop: \(record.originalName)\nsha256: \(sha)\nreason: see outbox/\(answer)\n" : nil)
        try state.updateDrop(record.id, status: .rejected)
      } else {
        try stage(from: path, as: "inbox/" + record.originalName, move: true)
        try state.updateDrop(record.id, status: .done)
      }
      return
    }

    // An attempt counts before any work on the drop, so one that hangs or is killed mid-way
    // (a crash, a SIGKILL by a timeout) is counted too and cannot hold the queue for ever.
    if record.attempts >= configuration.maxAttempts {
      let last = record.lastError.map { "last error: \($0)" } ?? "each attempt was interrupted before it finished (killed, crashed or stopped)"
      try reject(
        workName: workName, name: record.originalName, sha256: sha, record: record,
        DropRejection(.tooManyAttempts, "gave up after \(record.attempts) attempts; \(last)"), summary: &summary)
      return
    }
    record.attempts += 1
    try state.updateDrop(record.id, attempts: record.attempts)
    // The patient key index is compared with PPMP on a second thread while the drop is parsed;
    // its bookings wait for it (`PatientIndex.refresh`). Not before the claim's writes above:
    // the comparison reads the state, and a write of the state waits for every read of it.
    book.patients.warm(book.database)

    let document: DropDocument
    do {
      document = try DropReader.read(
        path: path, maxBytes: configuration.maxDropBytes, expectedPracticeID: configuration.practiceID,
        shouldStop: shouldStop)
    } catch let rejection as DropRejection {
      try reject(workName: workName, name: record.originalName, sha256: sha, record: record, rejection, summary: &summary)
      return
    } catch is DropReadInterrupted {
      // A stop request, not the drop's fault: it stays claimed in work/, the next run reads it
      // first, and this attempt does not count against it.
      try state.updateDrop(record.id, attempts: record.attempts - 1)
      return
    }

    do {
      let entries: [MessageOutcome]
      do {
        entries = try apply(document, dropSHA256: sha)
        if let onMessage { Self.tell(onMessage, drop: record.originalName, document, entries) }
      } catch is StopRequested {
        // Stopped between two messages: what was applied carries its tokens, so the next run
        // confirms those against PPMP and applies the rest, as after a crash.
        try state.updateDrop(record.id, attempts: record.attempts - 1)
        return
      }
      let receipt = Receipt(dropName: record.originalName, dropSHA256: sha, practiceID: configuration.practiceID, entries: entries)
      let receiptName = FileSystem.freeName(
        in: spool.outbox, for: "receipt-\(FileSystem.splitExtension(record.originalName).stem).xml")
      try state.updateDrop(record.id, answerName: receiptName)
      try FileSystem.writeAtomically(to: spool.outbox + "/" + receiptName, bytes: try receipt.render())
      try state.updateDrop(record.id, status: .answered)
      summary.answers.append(receiptName)
      summary.confirmed += entries.filter { !$0.isRejection }.count
      summary.rejectedMessages += entries.filter(\.isRejection).count
      try stage(from: spool.outbox + "/" + receiptName, as: "outbox/" + receiptName, move: false)
      try stage(from: path, as: "inbox/" + record.originalName, move: true)
      try state.updateDrop(record.id, status: .done)
    } catch let error where error is ConnectorError || error is StoreError {
      // Not the drop's fault (database locked, disk trouble): keep it claimed and retry next run.
      let attempts = record.attempts
      summary.errors.append("\(record.originalName): \(error)")
      if attempts >= configuration.maxAttempts {
        try state.updateDrop(record.id, lastError: "\(error)")
        try reject(
          workName: workName, name: record.originalName, sha256: sha, record: record,
          DropRejection(.tooManyAttempts, "gave up after \(attempts) attempts; last error: \(error)"), summary: &summary)
      } else {
        try? state.updateDrop(record.id, lastError: "\(error)")
        summary.retrying += 1
        if case .io? = error as? ConnectorError { throw error }
      }
    }
  }

  /// Hands each answer to `onMessage`, with the booking's patient where there is one (answers
  /// come in processing order: bookings, then cancellations).
  private static func tell(
    _ onMessage: (String, MessageOutcome, String?) -> Void, drop: String, _ document: DropDocument, _ answers: [MessageOutcome]
  ) {
    for (i, answer) in answers.enumerated() {
      let booking = i < document.bookings.count ? document.bookings[i] : nil
      let patient = booking.map { [$0.firstName, $0.lastName].compactMap { $0 }.joined(separator: " ") }
      onMessage(drop, answer, patient)
    }
  }

  /// Answers every message of the drop: bookings first, then cancellations, then requests, each
  /// in document order.
  private func apply(_ document: DropDocument, dropSHA256: String) throws -> [MessageOutcome] {
    // Each booking's checks and key index lookups are worked out on a second thread ahead of its
    // write transaction, from an index already level with PPMP.
    if !document.bookings.isEmpty { try book.patients.refresh(book.database) }
    let prefetch = BookingPrefetch(
      document.bookings, index: book.patients,
      days: document.bookings.count >= DayReadAhead.worthFrom ? book.makeDayReadAhead() : nil)
    if !document.bookings.isEmpty { book.patients.writeBehind = prefetch }
    // A drop of thousands of bookings checkpoints PPMP's log on another thread too.
    let checkpoints = document.bookings.count >= WALCheckpointer.worthFrom ? WALCheckpointer(path: book.database.path) : nil
    // A drop that stops half-way (an error, a stop request) must not leave the index's read of
    // the state open: the next write of the state would wait for it.
    defer {
      checkpoints?.finish()
      prefetch.finish()
      book.patients.writeBehind = nil
      try? book.patients.endLookups()
    }
    requests.discard()
    var answers: [MessageOutcome] = []
    // Outcomes the journal must remember: each message the connector decided afresh, with the
    // content it is compared on when it comes again (repeats of known answers are not recorded).
    var journal: [JournalEntry] = []
    func answer(_ outcome: MessageOutcome, journaled content: String? = nil) {
      answers.append(outcome)
      if let content { journal.append(JournalEntry(outcome: outcome, contentSHA256: content)) }
    }
    // Confirmed bookings of this drop, so a cancellation later in the same drop finds them.
    var confirmedHere: [String: (content: String, outcome: MessageOutcome, appointment: Int64)] = [:]
    // Bookings that got a new patient file, for a person to review (docs/operations.md).
    var review: [ReviewItem] = []
    // What the journal knew before this drop, read up front: the drop's own outcomes are recorded
    // only after its last message, so nothing it reads can change while the drop is applied.
    let knownBookings = try state.journalEntries(kind: .booking, keys: document.bookings.map(\.heMsgId))
    let knownCancellations = try state.journalEntries(kind: .cancellation, keys: document.cancellations.map(\.requestId))

    for (i, m) in document.bookings.enumerated() {
      if shouldStop() { throw StopRequested() }
      let prepared = try prefetch.take(i)
      let content = prepared.content
      func confirmed(as earlier: MessageOutcome) -> MessageOutcome? {
        guard case .confirmInsert(_, _, let appointment, let patient, let match) = earlier else { return nil }
        return .confirmInsert(heMsgId: m.heMsgId, bookingId: m.bookingId, appointmentID: appointment, patientID: patient, match: match)
      }
      if let earlier = confirmedHere[m.heMsgId] {
        if earlier.content == content, let again = confirmed(as: earlier.outcome) {
          answer(again)
        } else {
          answer(.rejectInsert(heMsgId: m.heMsgId, bookingId: m.bookingId, reason: .duplicateMessage, detail: "heMsgId \(m.heMsgId) appears earlier in this drop with different content"))
        }
        continue
      }
      if let known = knownBookings[m.heMsgId], case .confirmInsert(_, _, let appointment, _, _) = known.outcome {
        var same = known.contentSHA256 == content
        if let placement = known.placement, case .success(let r) = prepared.check {
          // Rebuilt from PPMP after a state loss: only where it was booked can be compared.
          same = placement == BookingPlacement(resourceID: r.resourceID, start: r.start.description, minutes: r.lengthMinutes)
        }
        if same, let again = confirmed(as: known.outcome) {
          answer(again)
          confirmedHere[m.heMsgId] = (content, again, appointment)
        } else {
          answer(.rejectInsert(heMsgId: m.heMsgId, bookingId: m.bookingId, reason: .duplicateMessage, detail: "heMsgId \(m.heMsgId) was confirmed earlier as appointment \(appointment) with different content"))
        }
        continue
      }
      let outcome: Result<AppointmentBook.Confirmation, MessageRejection>
      switch prepared.check {
      case .failure(let r): outcome = .failure(r)
      case .success(let request):
        outcome = try book.book(request, lookup: prepared.lookup)
        checkpoints?.committed()
      }
      switch outcome {
      case .success(let c):
        let confirmation = MessageOutcome.confirmInsert(
          heMsgId: m.heMsgId, bookingId: m.bookingId, appointmentID: c.appointmentID, patientID: c.patientID, match: c.match)
        answer(confirmation, journaled: content)
        confirmedHere[m.heMsgId] = (content, confirmation, c.appointmentID)
        // Found again by its token too: a crash may have come before its item was queued.
        if c.match != .matched {
          review.append(
            ReviewItem(
              heMsgId: m.heMsgId, appointmentID: c.appointmentID, newPatientID: c.patientID, match: c.match, queuedAt: stamp,
              candidates: c.candidates))
        }
      case .failure(let r):
        answer(.rejectInsert(heMsgId: m.heMsgId, bookingId: m.bookingId, reason: r.reason, detail: r.detail), journaled: content)
        if r.reason == .slotUnavailable, case .success(let request) = prepared.check {
          try requests.refreshStaleDay(resourceID: request.resourceID, date: request.start.date)
        }
      }
    }

    // requestId names one cancellation request: within a drop as across drops, the same
    // requestId with the same content gets the same answer again, with other content
    // `duplicate-message`.
    var cancellationsHere: [String: (content: String, answer: MessageOutcome)] = [:]
    for c in document.cancellations {
      if shouldStop() { throw StopRequested() }
      let content = c.contentSHA256
      if let earlier = cancellationsHere[c.requestId] {
        if earlier.content == content {
          answer(earlier.answer)
        } else {
          answer(.rejectUpdate(heMsgId: c.heMsgId, requestId: c.requestId, reason: .duplicateMessage, detail: "requestId \(c.requestId) appears earlier in this drop with different content"))
        }
        continue
      }
      defer { if cancellationsHere[c.requestId] == nil, let last = answers.last { cancellationsHere[c.requestId] = (content, last) } }
      if let known = knownCancellations[c.requestId], known.contentSHA256 != content, case .confirmUpdate = known.outcome {
        answer(.rejectUpdate(heMsgId: c.heMsgId, requestId: c.requestId, reason: .duplicateMessage, detail: "requestId \(c.requestId) was confirmed earlier for heMsgId \(known.outcome.heMsgId)"))
        continue
      }
      if let r = CancellationChecks.check(c) {
        answer(.rejectUpdate(heMsgId: c.heMsgId, requestId: c.requestId, reason: r.reason, detail: r.detail))
        continue
      }
      let hint = try confirmedHere[c.heMsgId]?.appointment ?? state.confirmedAppointment(heMsgId: c.heMsgId)
      switch try book.cancel(heMsgId: c.heMsgId, hint: hint) {
      case .success(let appointment):
        answer(.confirmUpdate(heMsgId: c.heMsgId, requestId: c.requestId, appointmentID: appointment), journaled: content)
      case .failure(let r):
        answer(.rejectUpdate(heMsgId: c.heMsgId, requestId: c.requestId, reason: r.reason, detail: r.detail), journaled: content)
      }
    }
    // Patient lookups are over (they serve bookings only), and answering a request may reserve
    // a publication: end the lookups' read of the state first, or that write waits on our own read.
    prefetch.endOfLookups()
    try book.patients.endLookups()
    try answerRequests(document.requests, answer: answer)
    // Bookings must be durable in PPMP before a receipt claims them.
    try book.makeDurable()
    // The index first (it ends the pass's read of the state). Queued before the journal: a crash
    // before the journal re-applies the drop, which finds its bookings again by token and queues
    // each new file's item again (one already queued stays as it is), so none is lost.
    try book.patients.flush()
    try state.enqueueReview(review)
    try requests.commit()
    try state.record(journal, dropSHA256: dropSHA256, at: stamp)
    try state.raiseActionNeeded(ActionNeededDetector(state: state, book: book).items(for: journal.map(\.outcome), in: document))
    return answers
  }

  /// Answers a drop's requests in document order. requestId names one request: the same requestId
  /// with the same content gets the same answer again (a confirmed one names the same file), with
  /// other content `duplicate-message`.
  private func answerRequests(
    _ messages: [RequestMessage], answer: (_ outcome: MessageOutcome, _ journaled: String?) -> Void
  ) throws {
    let known = try state.journalEntries(kind: .request, keys: messages.map(\.requestId))
    var here: [String: (content: String, answer: MessageOutcome)] = [:]
    for r in messages {
      if shouldStop() { throw StopRequested() }
      let content = r.contentSHA256
      let outcome: MessageOutcome
      var journaled: String?
      if let earlier = here[r.requestId] ?? known[r.requestId].flatMap({ e in
        e.outcome.isRejection ? nil : e.contentSHA256.map { ($0, e.outcome) }
      }) {
        outcome =
          earlier.content == content
          ? earlier.answer
          : .rejectRequest(
            requestId: r.requestId, reason: .duplicateMessage,
            detail: "requestId \(r.requestId) was received earlier with different content")
      } else {
        journaled = content
        switch RequestChecks.check(r) {
        case .failure(let x): outcome = .rejectRequest(requestId: r.requestId, reason: x.reason, detail: x.detail)
        case .success(let item?): outcome = try requests.answer(r, item: item)
        case .success(nil): outcome = try requests.answerChanges(r)
        }
      }
      if here[r.requestId] == nil { here[r.requestId] = (content, outcome) }
      answer(outcome, journaled)
    }
  }

  // MARK: rejection and staging

  /// Answers a drop with a rejection notice and moves it to rejected/ beside NAME.reason.txt.
  /// `keepDrop: false` removes the drop's name instead of moving it (a hard link: rejected/ and
  /// the archive must never hold another file's content).
  private func reject(
    workName: String, name: String, sha256: String?, record: DropRecord?, _ rejection: DropRejection,
    keepDrop: Bool = true, summary: inout IngestSummary
  ) throws {
    let notice = DropRejectedNotice(dropName: name, dropSHA256: sha256, rejection: rejection)
    let noticeName = FileSystem.freeName(in: spool.outbox, for: "rejected-\(FileSystem.splitExtension(name).stem).xml")
    if let record { try state.updateDrop(record.id, answerName: noticeName) }
    try FileSystem.writeAtomically(to: spool.outbox + "/" + noticeName, bytes: try notice.render())
    try moveRejected(workName: workName, name: name, reasonText: notice.reasonText, keepDrop: keepDrop)
    if let record { try state.updateDrop(record.id, status: .rejected) }
    try stage(from: spool.outbox + "/" + noticeName, as: "outbox/" + noticeName, move: false)
    summary.dropsRejected += 1
    summary.answers.append(noticeName)
  }

  /// Moves a drop from work/ to rejected/ beside NAME.reason.txt (never overwriting), or with
  /// `keepDrop: false` writes the reason and removes the drop's name from work/.
  private func moveRejected(workName: String, name: String, reasonText: String? = nil, keepDrop: Bool = true) throws {
    let target = FileSystem.freeName(in: spool.rejected, for: name)
    if let reasonText {
      let reasonName = FileSystem.freeName(in: spool.rejected, for: target + ".reason.txt")
      try FileSystem.writeAtomically(to: spool.rejected + "/" + reasonName, bytes: Array(reasonText.utf8))
    }
    guard keepDrop else {
      try FileSystem.removeIfPresent(spool.work + "/" + workName)
      try FileSystem.sync(spool.work, isFolder: true)
      return
    }
    if rename(spool.work + "/" + workName, spool.rejected + "/" + target) != 0 {
      throw FileSystem.ioError("move to rejected/", spool.work + "/" + workName)
    }
    try FileSystem.sync(spool.rejected, isFolder: true)
    try FileSystem.sync(spool.work, isFolder: true)
    if FileSystem.fileInfo(spool.rejected + "/" + target).map({ ($0.mode & S_IFMT) == S_IFREG }) == true {
      try stage(from: spool.rejected + "/" + target, as: "rejected/" + target, move: false)
    }
  }

  private func stage(from path: String, as relative: String, move: Bool) throws {
    try spool.stage(path, as: relative, move: move)
  }
}
