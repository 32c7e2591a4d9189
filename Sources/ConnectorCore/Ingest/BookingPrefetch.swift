import Foundation

/// What one booking of a drop needs that depends neither on PPMP nor on the drop's earlier
/// bookings: its content hash, its checks, and its patient key index lookups.
struct PreparedBooking: Sendable {
  var content: String
  var check: Result<BookingRequest, MessageRejection>
  /// The key index's answer for the booking's key; nil when the checks failed.
  var lookup: PatientIndex.Lookup?
}

/// A second thread for a drop's bookings: it works out each booking's `PreparedBooking` ahead
/// of the ingest thread, which applies them in their own PPMP write transactions, then writes
/// the patient files the ingest thread notes to the stored key index behind it.
///
/// Looking ahead gives what looking up at the booking's turn would: the key reader holds one
/// read transaction until the last booking is prepared, and the drop's own files
/// (`PatientIndex.note`) are added by the ingest thread at each booking's turn. Writing behind
/// starts only after that read has ended (a write to the state waits for every read of it),
/// and a row written early is as safe as one written at the end: lookups re-check every hit
/// against its live PPMP row, and `PatientIndex.refresh` removes rows of files PPMP lost.
///
/// While it runs, only its thread uses the key reader: the ingest thread waits for
/// `endOfLookups()` before it touches the reader, and for `finishWriting()` or `finish()`
/// before anything else writes the index.
final class BookingPrefetch: @unchecked Sendable {
  private let messages: [BookingMessage]
  private let index: PatientIndex
  private let days: DayReadAhead?
  private let condition = NSCondition()
  private var prepared: [PreparedBooking] = []
  private var failure: Error?
  private var lookupsEnded = false
  private var stopped = false
  /// Rows noted and not yet written; `closed` once the ingest thread has noted its last.
  private var queued: [PatientKeyRow] = []
  private var closed = false
  private var written: Set<Int64> = []
  private var writeFailure: Error?
  private let done = DispatchGroup()

  /// Rows written per state transaction while the drop is still being applied.
  static let batch = 256
  /// Drops with fewer bookings are prepared on the ingest thread, at each booking's turn: a
  /// thread handoff costs more than it saves for `watch`'s drops of one or two bookings.
  static let threadFrom = 32
  private let inline: Bool

  /// Starts preparing `messages`; the index must be level with PPMP (`PatientIndex.refresh`).
  /// `days`: reads each booking's practitioner-day ahead too, when given.
  init(_ messages: [BookingMessage], index: PatientIndex, days: DayReadAhead? = nil) {
    self.messages = messages
    self.index = index
    self.days = days
    prepared.reserveCapacity(messages.count)
    inline = messages.count < Self.threadFrom
    guard !messages.isEmpty else {
      lookupsEnded = true
      return
    }
    if inline { return }
    DispatchQueue.global().async(group: done) { self.run() }
  }

  /// Days are read ahead for this many bookings at a time, in one read transaction.
  static let chunk = 16

  private func prepare(_ m: BookingMessage) throws -> PreparedBooking {
    let check = BookingChecks.check(m)
    var lookup: PatientIndex.Lookup?
    if case .success(let r) = check {
      lookup = try index.lookUp(PatientKey(first: r.firstName, last: r.lastName, dob: r.dob.description), phone: r.phone)
    }
    // A booking that passed its checks carries its hash already.
    let content = (try? check.get())?.contentSHA256 ?? m.contentSHA256
    return PreparedBooking(content: content, check: check, lookup: lookup)
  }

  /// Reads ahead the days `items` fall on, before they are handed over (so every read ahead is
  /// over once the last booking is). A failed read ahead only means the booking thread reads
  /// the day itself.
  private func readDaysAhead(_ items: [PreparedBooking]) {
    guard let days else { return }
    try? days.readAhead(items.compactMap { try? $0.check.get() }.map { (staffID: $0.resourceID, date: $0.start.date) })
  }

  private func run() {
    var failed: Error?
    do {
      for start in stride(from: 0, to: messages.count, by: Self.chunk) {
        if locked({ stopped }) { break }
        let items = try messages[start..<min(start + Self.chunk, messages.count)].map(prepare)
        readDaysAhead(items)
        locked {
          prepared += items
          condition.broadcast()
        }
      }
      days?.close()
      try index.endLookups()
    } catch {
      days?.close()
      failed = error
    }
    locked {
      // A failed preparation fails the booking waiting for it, and nothing is written behind:
      // `finishWriting` reports it, and `flush` writes every row itself.
      failure = failed
      writeFailure = failed
      lookupsEnded = true
      condition.broadcast()
    }
    if failed == nil { writeBehind() }
  }

  private func writeBehind() {
    while true {
      condition.lock()
      while queued.count < Self.batch, !closed, !stopped { condition.wait() }
      let rows = stopped ? [] : queued
      let last = closed || stopped
      queued = []
      condition.unlock()
      if !rows.isEmpty {
        do {
          try index.writeStored(rows)
        } catch {
          locked { writeFailure = error }
          return
        }
        locked { written.formUnion(rows.map(\.patientID)) }
      }
      if last { return }
    }
  }

  private func locked<T>(_ body: () throws -> T) rethrows -> T {
    condition.lock()
    defer { condition.unlock() }
    return try body()
  }

  /// The `i`th booking's preparation, waiting for it if the thread has not got there yet.
  func take(_ i: Int) throws -> PreparedBooking {
    if inline {
      while prepared.count <= i { prepared.append(try prepare(messages[prepared.count])) }
      return prepared[i]
    }
    condition.lock()
    defer { condition.unlock() }
    while prepared.count <= i, failure == nil { condition.wait() }
    if prepared.count > i { return prepared[i] }
    throw failure!
  }

  /// Waits until the thread has ended its read of the state (every booking prepared).
  func endOfLookups() {
    if inline {
      if !lookupsEnded {
        days?.close()
        try? index.endLookups()
        lookupsEnded = true
      }
      return
    }
    condition.lock()
    defer { condition.unlock() }
    while !lookupsEnded { condition.wait() }
  }

  /// Hands a row `PatientIndex.note` recorded to the thread, to write once its lookups are over.
  func enqueue(_ row: PatientKeyRow) {
    // Prepared inline, nothing writes behind: `PatientIndex.flush` writes every row itself.
    if inline { return }
    locked {
      queued.append(row)
      if queued.count >= Self.batch { condition.signal() }
    }
  }

  /// Writes what is still queued and waits for the thread: the ids of every row it wrote.
  /// Throws when a write failed (the caller then writes the rows itself).
  func finishWriting() throws -> Set<Int64> {
    locked {
      closed = true
      condition.broadcast()
    }
    done.wait()
    return try locked {
      if let writeFailure { throw writeFailure }
      return written
    }
  }

  /// Stops the thread (after the booking or batch it is on) and waits for it; rows still
  /// queued are not written (the next `refresh` finds them).
  func finish() {
    locked {
      stopped = true
      condition.broadcast()
    }
    done.wait()
  }
}
