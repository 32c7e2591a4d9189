import ConnectorXML

/// Why a snapshot or delta (`published.xml`, a file given to `diff`) could not be read.
public enum PublicationReadError: CategorizedError, Sendable, Equatable {
  /// libxml2 refused the file: it is unreadable, not well-formed, or over a read limit.
  case unreadable(path: String, XMLError)
  /// The XML is fine but is not a publication this program writes: `problem` says what is
  /// wrong, at `line` when known.
  case malformed(path: String, line: Int?, problem: String)

  public var category: ConnectorError.Category {
    switch self {
    case .unreadable(_, let error): error.kind == .io ? .io : .data
    case .malformed: .data
    }
  }

  public var description: String {
    switch self {
    case .unreadable(let path, let error): "\(path): \(error)"
    case .malformed(let path, let line, let problem): "\(path)\(line.map { ":\($0)" } ?? ""): \(problem)"
    }
  }
}
