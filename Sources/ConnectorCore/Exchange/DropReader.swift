import ConnectorXML
import Foundation

/// Why a drop could not be read at all (SPEC §5 dropRejected reasons).
public struct DropRejection: Error, Sendable, Equatable {
  public enum Reason: String, Sendable {
    case notWellFormed = "not-well-formed"
    case notValid = "not-valid"
    case doctypeForbidden = "doctype-forbidden"
    case wrongPractice = "wrong-practice"
    case tooLarge = "too-large"
    case badEncoding = "bad-encoding"
    case notARegularFile = "not-a-regular-file"
    case tooManyAttempts = "too-many-attempts"
  }

  public var reason: Reason
  public var detail: String
  public var line: Int?
  public var column: Int?

  public init(_ reason: Reason, _ detail: String, line: Int? = nil, column: Int? = nil) {
    self.reason = reason
    self.detail = detail
    self.line = line
    self.column = column
  }
}

/// The read was stopped by the caller's stop request (`shouldStop`), not refused: the drop says
/// nothing wrong about itself and stays where it is, to be read again by a later run.
public struct DropReadInterrupted: Error, Sendable, Equatable {
  public init() {}
}

/// Reads a drop with the hardened libxml2 reader, validating against drop.xsd while streaming.
/// Nothing is applied until the whole file has been read and validated.
///
/// A schema violation inside one `booking` or `cancellation` is kept on that message
/// (`problem`) so that it alone is answered `invalid-message`; a violation anywhere else, or in
/// the ids a reply needs (`heMsgId`, `bookingId`, `requestId`), refuses the drop (`not-valid`).
public enum DropReader {
  /// The bounds a drop is read under; far above any real drop, far below what would keep a
  /// run busy. Text limits count characters, as drop.xsd's `maxLength` does, and sit above the
  /// schema's (256 per attribute, 4,000 for `reason`) so that an over-long value is answered
  /// in its message; only values past 65,536 characters refuse the whole drop.
  public static func limits(maxBytes: Int64) -> XMLReadLimits {
    XMLReadLimits(
      maxBytes: maxBytes, maxDepth: 8, maxTextBytes: 4 * 65_536, maxTextCharacters: 65_536,
      maxAttributesPerElement: 32, maxAttributes: 1_000_000, maxElements: 250_000)
  }

  /// Reads `path`. Throws `DropRejection` for content problems, `DropReadInterrupted` when
  /// `shouldStop` (asked regularly while reading) answered `true`, `ConnectorError` for I/O.
  /// `expectedPracticeID` nil skips the practice check (for `validate`).
  public static func read(
    path: String, maxBytes: Int64, expectedPracticeID: String?,
    shouldStop: @escaping () -> Bool = { false }
  ) throws -> DropDocument {
    let schema = try ExchangeSchemas.shared.schema(for: .drop)
    var document = DropDocument(practiceID: "", bookings: [], cancellations: [])
    do {
      let reader = try XMLStreamReader(
        path: path, limits: limits(maxBytes: maxBytes), schema: schema, violationScope: 2,
        shouldStop: shouldStop)
      var current: BookingMessage?
      var inReason = false
      // The element at depth 2 (a message, or something that is not one) being read.
      var depth = 0
      var message: XMLElementStart?
      func endOfMessage() throws {
        defer { message = nil }
        guard let m = message else { return }
        let violations = reader.takeScopeViolations()
        guard let first = violations.first else { return }
        let detail = problemDetail(violations)
        let request = RequestKind(rawValue: m.name)
        let isMessage =
          m.namespace == exchangeNamespace && (m.name == "booking" || m.name == "cancellation" || request != nil)
        let ids = m.name == "booking" ? ["heMsgId", "bookingId"] : request != nil ? ["requestId"] : ["heMsgId", "requestId"]
        guard isMessage, ids.allSatisfy({ isMessageID(m[attribute: $0]) }) else {
          throw DropRejection(.notValid, detail, line: first.line ?? m.line, column: first.column)
        }
        if request != nil {
          if let i = document.requests.indices.last { document.requests[i].problem = detail }
        } else if m.name == "booking" {
          if current != nil { current?.problem = detail } else if let i = document.bookings.indices.last {
            document.bookings[i].problem = detail
          }
        } else if let i = document.cancellations.indices.last {
          document.cancellations[i].problem = detail
        }
      }
      while let event = try reader.next() {
        switch event {
        case .startElement(let e):
          depth += 1
          if depth == 2 { message = e }
          switch e.name {
          case "drop":
            document.practiceID = e[attribute: "practiceId"] ?? ""
            if let expectedPracticeID, document.practiceID != expectedPracticeID {
              throw DropRejection(
                .wrongPractice, "practiceId '\(document.practiceID)' is not this connector's '\(expectedPracticeID)'",
                line: e.line)
            }
          case "booking" where depth == 2:
            var b = BookingMessage(heMsgId: e[attribute: "heMsgId"] ?? "", bookingId: e[attribute: "bookingId"] ?? "", line: e.line)
            b.pmsResourceId = e[attribute: "pmsResourceId"]
            b.pmsAppointmentTypeId = e[attribute: "pmsAppointmentTypeId"]
            b.pmsAppointmentTime = e[attribute: "pmsAppointmentTime"]
            b.pmsAppointmentLength = e[attribute: "pmsAppointmentLength"]
            b.bookedTime = e[attribute: "bookedTime"]
            b.isNewPatient = e[attribute: "isNewPatient"]
            if e.isEmpty { document.bookings.append(b) } else { current = b }
          case "patient" where depth == 3:
            current?.hasPatient = true
            current?.firstName = e[attribute: "firstname"]
            current?.lastName = e[attribute: "lastname"]
            current?.dob = e[attribute: "dob"]
            current?.phone = e[attribute: "phone"]
            current?.email = e[attribute: "email"]
          case "reason" where depth == 3:
            inReason = !e.isEmpty
            if e.isEmpty { current?.reason = "" }
          case "cancellation" where depth == 2:
            document.cancellations.append(
              CancellationMessage(
                heMsgId: e[attribute: "heMsgId"] ?? "", requestId: e[attribute: "requestId"] ?? "",
                updatedAt: e[attribute: "updatedAt"], line: e.line))
          default:
            if depth == 2, e.namespace == exchangeNamespace, let kind = RequestKind(rawValue: e.name) {
              document.requests.append(
                RequestMessage(
                  kind: kind, requestId: e[attribute: "requestId"] ?? "", day: e[attribute: "day"],
                  pmsResourceId: e[attribute: "pmsResourceId"], bookingId: e[attribute: "bookingId"],
                  heMsgId: e[attribute: "heMsgId"], line: e.line))
            }
          }
          if e.isEmpty {
            if depth == 2 { try endOfMessage() }
            depth -= 1
          }
        case .text(let t):
          if inReason, depth == 3, var b = current {
            b.reason = (b.reason ?? "") + t
            current = b
          }
        case .endElement(let name):
          if name == "reason", depth == 3 { inReason = false }
          if depth == 2 {
            if name == "booking", let b = current {
              document.bookings.append(b)
              current = nil
            }
            try endOfMessage()
          }
          depth -= 1
        }
      }
    } catch let error as XMLError {
      if error.kind == .interrupted { throw DropReadInterrupted() }
      throw rejection(for: error)
    }
    return document
  }

  /// The first violation (and how many more), without the schema namespace; never a value.
  static func problemDetail(_ violations: [XMLError]) -> String {
    let first = violations[0].message.replacingOccurrences(of: "{\(exchangeNamespace)}", with: "")
    return violations.count == 1 ? first : first + " (and \(violations.count - 1) more)"
  }

  /// drop.xsd's MessageId: what a receipt can carry back.
  static func isMessageID(_ value: String?) -> Bool {
    guard let value, (1...64).contains(value.utf8.count), let first = value.utf8.first else { return false }
    func allowed(_ c: UInt8) -> Bool {
      (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
    return allowed(first) && value.utf8.allSatisfy { allowed($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A || $0 == 0x2D }
  }

  static func rejection(for error: XMLError) -> DropRejection {
    let reason: DropRejection.Reason
    switch error.kind {
    case .notWellFormed: reason = .notWellFormed
    case .invalid, .tooDeep, .schema: reason = .notValid
    case .doctypeForbidden, .entityForbidden: reason = .doctypeForbidden
    case .tooLarge, .textTooLong, .limitExceeded: reason = .tooLarge
    case .encoding: reason = .badEncoding
    case .io, .writer, .interrupted: reason = .notWellFormed
    }
    return DropRejection(reason, error.message, line: error.line, column: error.column)
  }
}
