import ConnectorCore

/// Exit statuses (docs/operations.md), and the one table that maps what happened to them.
enum ExitStatus {
  static let success: Int32 = 0
  /// Done, but some message or drop was rejected (or `diff` found differences).
  static let partial: Int32 = 1
  static let usage: Int32 = 2
  static let dataError: Int32 = 65
  static let ioError: Int32 = 74
  static let tempFail: Int32 = 75

  /// The status for an error that stopped a command, by its category (`CategorizedError`);
  /// an error without one (a Foundation error) is an I/O failure.
  static func code(for error: Error) -> Int32 {
    switch ConnectorError.Category(of: error) {
    case .usage, .configuration: return usage
    case .data: return dataError
    case .io: return ioError
    case .locked: return tempFail
    }
  }

  /// The status for how a batch ended.
  static func code(for end: RunEnd) -> Int32 {
    switch end {
    case .finished(let rejections): rejections ? partial : success
    case .interrupted(let signal): 128 + signal
    case .failed(let error): code(for: error)
    }
  }
}
