/// Everything that can stop a command, by kind (`category`).
///
/// Library code throws these (or errors that convert into them); the CLI front end turns them
/// into a one-line diagnostic and, through its one table (`ExitStatus`), an exit status.
public enum ConnectorError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Bad flags or arguments.
  case usage(String)
  /// `connector.toml` is missing, unreadable, has an unknown key or a bad value (exit 2).
  case configuration(String)
  /// An input file or database cannot be used as it is.
  case dataError(String)
  /// Reading or writing a file failed.
  case io(operation: String, path: String, errno: Int32, message: String)
  /// Another batch holds the spool lock.
  case locked(String)
  /// A database operation failed for a reason outside the data (locked, disk I/O).
  case database(String)

  public var description: String {
    switch self {
    case .usage(let m), .configuration(let m), .dataError(let m), .locked(let m), .database(let m):
      return m
    case .io(let operation, let path, let errno, let message):
      return "\(operation) \(path): \(message)" + (errno != 0 ? " (errno \(errno))" : "")
    }
  }

  /// What kind of failure this is; the CLI's one exit-status table maps each to its code.
  public var category: Category {
    switch self {
    case .usage: .usage
    case .configuration: .configuration
    case .dataError: .data
    case .io, .database: .io
    case .locked: .locked
    }
  }

  /// The failure kinds a caller (the CLI, a monitor) tells apart.
  public enum Category: String, Sendable, Codable {
    case usage, configuration, data, io, locked
  }
}
