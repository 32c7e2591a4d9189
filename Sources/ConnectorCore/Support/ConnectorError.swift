/// Everything that can stop a command, each mapped to one exit status of SPEC §8.
///
/// Library code throws these (or errors that convert into them); the CLI front end turns them
/// into a one-line diagnostic and the exit code in one place.
public enum ConnectorError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Bad flags or arguments (exit 2).
  case usage(String)
  /// `connector.toml` is missing, unreadable, has an unknown key or a bad value (exit 2).
  case configuration(String)
  /// An input file or database cannot be used as it is (exit 65, EX_DATAERR).
  case dataError(String)
  /// Reading or writing a file failed (exit 74, EX_IOERR).
  case io(operation: String, path: String, errno: Int32, message: String)
  /// Another batch holds the spool lock (exit 75, EX_TEMPFAIL).
  case locked(String)
  /// A database operation failed for a reason outside the data (locked, disk I/O) (exit 74).
  case database(String)

  public var description: String {
    switch self {
    case .usage(let m), .configuration(let m), .dataError(let m), .locked(let m), .database(let m):
      return m
    case .io(let operation, let path, let errno, let message):
      return "\(operation) \(path): \(message)" + (errno != 0 ? " (errno \(errno))" : "")
    }
  }

  /// The process exit status for this error (SPEC §8).
  public var exitCode: Int32 {
    switch self {
    case .usage, .configuration: return ExitStatus.usage
    case .dataError: return ExitStatus.dataError
    case .io, .database: return ExitStatus.ioError
    case .locked: return ExitStatus.tempFail
    }
  }
}

/// Exit statuses of SPEC §8.
public enum ExitStatus {
  public static let success: Int32 = 0
  /// Done, but some message or drop was rejected (or `diff` found differences).
  public static let partial: Int32 = 1
  public static let usage: Int32 = 2
  public static let dataError: Int32 = 65
  public static let ioError: Int32 = 74
  public static let tempFail: Int32 = 75
}
