internal import CConnectorLibArchive

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConnectorPOSIX

/// A failure or warning from libarchive, or one of our own refusals, with enough context to act on.
///
/// Library failures carry `archive_error_string` and `archive_errno` of the handle that failed;
/// our own refusals (unsafe member names, limits, …) use `code` 0 and name the check in `operation`.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The libarchive function that failed (e.g. `archive_write_header`) or the name of our own check.
  public var operation: String
  /// libarchive's return code (`ARCHIVE_WARN`, `ARCHIVE_FAILED`, `ARCHIVE_FATAL`, …), or 0 for our own refusals.
  public var code: Int
  /// The `errno` libarchive or the system call reported, 0 when there was none.
  public var errno: Int32
  /// libarchive's message or ours, without the member: for a caller that names the file itself.
  public var reason: String
  /// The archive member (or file) concerned, when there is one.
  public var member: String?

  /// `reason`, naming the member when there is one (control characters escaped, a long name
  /// shortened: `MemberNameRules.display`).
  public var message: String {
    guard let member else { return reason }
    return "\(reason) [member '\(MemberNameRules.display(member))']"
  }

  /// Creates an error from its parts; mostly for tests and for callers that re-wrap failures.
  /// `message` is the reason; `member`, when given, is named after it.
  public init(operation: String, code: Int = 0, errno: Int32 = 0, message: String, member: String? = nil) {
    self.operation = operation
    self.code = code
    self.errno = errno
    self.reason = message
    self.member = member
  }

  /// One line in the style "libarchive error -30 (errno 2) in archive_read_open_filename: …".
  public var description: String {
    var text = code == 0 ? "\(operation): \(message)" : "libarchive error \(code) in \(operation): \(message)"
    if errno != 0 {
      text += " (errno \(errno))"
    }
    return text
  }
}

extension ArchiveError {
  /// Reads the message and errno that libarchive keeps on `handle` for its last call.
  init(handle: OpaquePointer, operation: String, code: Int32, member: String?) {
    let libraryMessage = archive_error_string(handle).map { String(cString: $0) } ?? "no message from libarchive"
    self.init(
      operation: operation,
      code: Int(code),
      errno: archive_errno(handle),
      message: libraryMessage,
      member: member
    )
  }

  /// One of our own refusals (code 0).
  static func refusal(_ operation: String, _ message: String, member: String? = nil, errno: Int32 = 0) -> ArchiveError {
    ArchiveError(operation: operation, errno: errno, message: message, member: member)
  }

  /// A failed system call, with the C library's text for `errno`.
  static func system(_ operation: String, errno: Int32, member: String? = nil) -> ArchiveError {
    let text = POSIX.message(errno)
    return ArchiveError(operation: operation, errno: errno, message: text, member: member)
  }
}

/// libarchive's status codes; spelled once here so call sites read as intent, not numbers.
enum ArchiveStatus {
  static let ok = Int32(ARCHIVE_OK)
  static let eof = Int32(ARCHIVE_EOF)
  static let warn = Int32(ARCHIVE_WARN)
}

/// Turns a libarchive return code into our policy: OK passes, WARN is recorded and passes,
/// anything else (RETRY, FAILED, FATAL) throws with the handle's message, or `cause` when a
/// failure below the handle (in its client callbacks) explains it.
func checkArchiveCall(
  _ code: Int32,
  _ handle: OpaquePointer,
  _ operation: String,
  member: String? = nil,
  cause: ArchiveError? = nil,
  warnings: inout [ArchiveError]
) throws(ArchiveError) {
  if code == ArchiveStatus.ok { return }
  // A client callback can only return -1, so the handle's own message would just say the write
  // failed; the failure the callback recorded (a full disk, say) is the one worth reporting.
  if code != ArchiveStatus.warn, let cause { throw cause }
  let error = ArchiveError(handle: handle, operation: operation, code: code, member: member)
  if code == ArchiveStatus.warn {
    warnings.append(error)
    return
  }
  throw error
}
