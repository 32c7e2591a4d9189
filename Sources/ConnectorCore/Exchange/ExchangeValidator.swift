import ConnectorXML

/// `validate`: which kind a file is (from its root element) and what its XSD says about it.
public enum ExchangeValidator {
  public struct Report: Sendable {
    public var kind: ExchangeDocumentKind?
    public var errors: [XMLError]
    /// For a valid drop: messages the connector would answer `invalid-message`, with line and detail.
    public var messageProblems: [String] = []
  }

  /// The kind named by the root element, when it is one of ours.
  public static func kind(ofFile path: String, limits: XMLReadLimits = .init()) throws -> ExchangeDocumentKind? {
    let reader = try XMLStreamReader(path: path, limits: limits)
    while let event = try reader.next() {
      if case .startElement(let element) = event {
        guard element.namespace == exchangeNamespace else { return nil }
        return ExchangeDocumentKind(rawValue: element.name)
      }
    }
    return nil
  }

  public static func validate(path: String) -> Report {
    let kind: ExchangeDocumentKind?
    do {
      kind = try self.kind(ofFile: path)
    } catch let error as XMLError {
      return Report(kind: nil, errors: [error])
    } catch {
      return Report(kind: nil, errors: [XMLError(kind: .io, code: 0, message: "\(error)", line: nil, column: nil, file: path)])
    }
    guard let kind else {
      return Report(
        kind: nil,
        errors: [
          XMLError(
            kind: .invalid, code: 0,
            message: "root element is not one of \(ExchangeDocumentKind.allCases.map(\.rawValue).joined(separator: ", ")) "
              + "in namespace \(exchangeNamespace)",
            line: 1, column: nil, file: path)
        ])
    }
    do {
      if kind == .drop { return try validateDrop(path: path) }
      let schema = try ExchangeSchemas.shared.schema(for: kind)
      return Report(kind: kind, errors: schema.validate(path: path))
    } catch {
      return Report(kind: kind, errors: [XMLError(kind: .schema, code: 0, message: "\(error)", line: nil, column: nil, file: nil)])
    }
  }

  /// A drop is read the way ingest reads it: a violation inside one message is that message's
  /// problem (a warning naming the field and rule), anything else refuses the drop. No detail
  /// quotes a patient value.
  private static func validateDrop(path: String) throws -> Report {
    let drop: DropDocument
    do {
      drop = try DropReader.read(path: path, maxBytes: Int64.max, expectedPracticeID: nil)
    } catch let rejection as DropRejection {
      let kind: XMLError.Kind =
        switch rejection.reason {
        case .notWellFormed: .notWellFormed
        case .doctypeForbidden: .doctypeForbidden
        case .tooLarge: .tooLarge
        case .badEncoding: .encoding
        default: .invalid
        }
      return Report(
        kind: .drop,
        errors: [
          XMLError(
            kind: kind, message: "\(rejection.reason.rawValue): \(rejection.detail)", line: rejection.line,
            column: rejection.column, file: path)
        ])
    }
    var report = Report(kind: .drop, errors: [])
    for b in drop.bookings {
      if case .failure(let r) = BookingChecks.check(b) {
        report.messageProblems.append("line \(b.line): booking \(b.heMsgId): \(r.reason.rawValue): \(r.detail)")
      }
    }
    for c in drop.cancellations {
      if let r = CancellationChecks.check(c) {
        report.messageProblems.append("line \(c.line): cancellation \(c.heMsgId): \(r.reason.rawValue): \(r.detail)")
      }
    }
    return report
  }
}
