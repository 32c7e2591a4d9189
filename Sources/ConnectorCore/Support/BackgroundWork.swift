import Foundation

/// Work started on a background thread; `wait()` gives its result or rethrows its error.
///
/// Not a lock box, so not `Locked`: `result` is written once, by the work, and read only after
/// `done.wait()`, which orders that write before the read.
final class BackgroundWork<Value>: @unchecked Sendable {
  private var result: Result<Value, Error>?
  private let done = DispatchGroup()

  init(_ work: @escaping @Sendable () throws -> Value) {
    DispatchQueue.global().async(group: done) { self.result = Result { try work() } }
  }

  func wait() throws -> Value {
    done.wait()
    return try result!.get()
  }
}
