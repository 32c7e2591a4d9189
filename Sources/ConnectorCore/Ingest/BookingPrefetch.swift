import Foundation

/// What one booking of a drop needs that depends neither on PPMP nor on the drop's earlier
/// bookings: its content hash, its checks, and its patient key index lookups.
struct PreparedBooking: Sendable {
  var content: String
  var check: Result<BookingRequest, MessageRejection>
  /// The key index's answer for the booking's key; nil when the checks failed.
  var lookup: PatientIndex.Lookup?
}

/// Works out each booking's `PreparedBooking` on a second thread, in document order, while the
/// ingest thread applies the bookings before it in their own PPMP write transactions.
///
/// The lookups give what looking up at the booking's turn would: the key reader holds one read
/// transaction for the whole drop (the index is written only after the drop's last message), and
/// the index's files of this pass (`PatientIndex.note`) are added by the ingest thread when the
/// booking's turn comes. While a prefetch runs, only its thread uses the key reader; `finish()`
/// stops it and waits, and must come before anything else reads or writes the index.
final class BookingPrefetch: @unchecked Sendable {
  private let messages: [BookingMessage]
  private let index: PatientIndex
  private let condition = NSCondition()
  private var prepared: [PreparedBooking] = []
  private var failure: Error?
  private var stopped = false
  private let done = DispatchGroup()

  /// Starts preparing `messages`; the index must be level with PPMP (`PatientIndex.refresh`).
  init(_ messages: [BookingMessage], index: PatientIndex) {
    self.messages = messages
    self.index = index
    prepared.reserveCapacity(messages.count)
    guard !messages.isEmpty else { return }
    DispatchQueue.global().async(group: done) { self.run() }
  }

  private func run() {
    for m in messages {
      condition.lock()
      let stop = stopped
      condition.unlock()
      if stop { return }
      let item: PreparedBooking
      do {
        let check = BookingChecks.check(m)
        var lookup: PatientIndex.Lookup?
        if case .success(let r) = check {
          lookup = try index.lookUp(PatientKey(first: r.firstName, last: r.lastName, dob: r.dob.description), phone: r.phone)
        }
        // A booking that passed its checks carries its hash already.
        let content = (try? check.get())?.contentSHA256 ?? m.contentSHA256
        item = PreparedBooking(content: content, check: check, lookup: lookup)
      } catch {
        condition.lock()
        failure = error
        condition.broadcast()
        condition.unlock()
        return
      }
      condition.lock()
      prepared.append(item)
      condition.broadcast()
      condition.unlock()
    }
  }

  /// The `i`th booking's preparation, waiting for it if the thread has not got there yet.
  func take(_ i: Int) throws -> PreparedBooking {
    condition.lock()
    defer { condition.unlock() }
    while prepared.count <= i, failure == nil { condition.wait() }
    if prepared.count > i { return prepared[i] }
    throw failure!
  }

  /// Stops the thread (after the booking it is on) and waits for it.
  func finish() {
    condition.lock()
    stopped = true
    condition.unlock()
    done.wait()
  }
}
