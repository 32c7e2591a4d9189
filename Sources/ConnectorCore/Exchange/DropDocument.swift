import ConnectorXML

/// A booking request as it appeared in a drop: raw attribute text, checked later per message so
/// that one bad booking is answered alone.
public struct BookingMessage: Sendable, Equatable {
  public var heMsgId: String
  public var bookingId: String
  public var pmsResourceId: String?
  public var pmsAppointmentTypeId: String?
  public var pmsAppointmentTime: String?
  public var pmsAppointmentLength: String?
  public var bookedTime: String?
  public var isNewPatient: String?
  public var hasPatient: Bool
  public var firstName: String?
  public var lastName: String?
  public var dob: String?
  public var phone: String?
  public var email: String?
  public var reason: String?
  /// Line of the `<booking>` element, for details.
  public var line: Int

  public init(heMsgId: String, bookingId: String, line: Int = 0) {
    self.heMsgId = heMsgId
    self.bookingId = bookingId
    self.hasPatient = false
    self.line = line
  }

  /// A stable digest of the content, to tell a re-delivery from a different message that
  /// reuses an heMsgId (`duplicate-message`). `bookedTime` is part of the content.
  public var contentSHA256: String {
    let fields: [String?] = [
      "booking", heMsgId, bookingId, pmsResourceId, pmsAppointmentTypeId, pmsAppointmentTime, pmsAppointmentLength,
      bookedTime, isNewPatient, firstName, lastName, dob, phone, email, reason,
    ]
    return SHA256Digest.hex(Array(fields.map { ($0 ?? "\u{1}") }.joined(separator: "\u{0}").utf8))
  }
}

/// A cancellation request: cancel the appointment carrying `HE_MSG_ID:<heMsgId>`.
public struct CancellationMessage: Sendable, Equatable {
  public var heMsgId: String
  public var requestId: String
  public var updatedAt: String?
  public var line: Int

  public init(heMsgId: String, requestId: String, updatedAt: String? = nil, line: Int = 0) {
    self.heMsgId = heMsgId
    self.requestId = requestId
    self.updatedAt = updatedAt
    self.line = line
  }

  public var contentSHA256: String {
    SHA256Digest.hex(Array(["cancellation", heMsgId, requestId, updatedAt ?? "\u{1}"].joined(separator: "\u{0}").utf8))
  }
}

/// A whole, schema-valid drop.
public struct DropDocument: Sendable, Equatable {
  public var practiceID: String
  /// In document order.
  public var bookings: [BookingMessage]
  /// In document order.
  public var cancellations: [CancellationMessage]
}

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

/// Reads a drop with the hardened libxml2 reader, validating against drop.xsd while streaming.
/// Nothing is applied until the whole file has been read and validated.
public enum DropReader {
  /// Reads `path`. Throws `DropRejection` for content problems, `ConnectorError` for I/O.
  /// `expectedPracticeID` nil skips the practice check (for `validate`).
  public static func read(path: String, maxBytes: Int64, expectedPracticeID: String?) throws -> DropDocument {
    let schema = try ExchangeSchemas.shared.schema(for: .drop)
    var document = DropDocument(practiceID: "", bookings: [], cancellations: [])
    do {
      let reader = try XMLStreamReader(
        path: path, limits: XMLReadLimits(maxBytes: maxBytes, maxDepth: 8, maxTextBytes: 8192), schema: schema)
      var current: BookingMessage?
      var inReason = false
      while let event = try reader.next() {
        switch event {
        case .startElement(let e):
          switch e.name {
          case "drop":
            document.practiceID = e[attribute: "practiceId"] ?? ""
            if let expectedPracticeID, document.practiceID != expectedPracticeID {
              throw DropRejection(
                .wrongPractice, "practiceId '\(document.practiceID)' is not this connector's '\(expectedPracticeID)'",
                line: e.line)
            }
          case "booking":
            var b = BookingMessage(heMsgId: e[attribute: "heMsgId"] ?? "", bookingId: e[attribute: "bookingId"] ?? "", line: e.line)
            b.pmsResourceId = e[attribute: "pmsResourceId"]
            b.pmsAppointmentTypeId = e[attribute: "pmsAppointmentTypeId"]
            b.pmsAppointmentTime = e[attribute: "pmsAppointmentTime"]
            b.pmsAppointmentLength = e[attribute: "pmsAppointmentLength"]
            b.bookedTime = e[attribute: "bookedTime"]
            b.isNewPatient = e[attribute: "isNewPatient"]
            if e.isEmpty { document.bookings.append(b) } else { current = b }
          case "patient":
            current?.hasPatient = true
            current?.firstName = e[attribute: "firstname"]
            current?.lastName = e[attribute: "lastname"]
            current?.dob = e[attribute: "dob"]
            current?.phone = e[attribute: "phone"]
            current?.email = e[attribute: "email"]
          case "reason":
            inReason = !e.isEmpty
            if e.isEmpty { current?.reason = "" }
          case "cancellation":
            document.cancellations.append(
              CancellationMessage(
                heMsgId: e[attribute: "heMsgId"] ?? "", requestId: e[attribute: "requestId"] ?? "",
                updatedAt: e[attribute: "updatedAt"], line: e.line))
          default:
            break
          }
        case .text(let t):
          if inReason, var b = current {
            b.reason = (b.reason ?? "") + t
            current = b
          }
        case .endElement(let name):
          if name == "reason" { inReason = false }
          if name == "booking", let b = current {
            document.bookings.append(b)
            current = nil
          }
        }
      }
    } catch let error as XMLError {
      throw rejection(for: error)
    }
    return document
  }

  static func rejection(for error: XMLError) -> DropRejection {
    let reason: DropRejection.Reason
    switch error.kind {
    case .notWellFormed: reason = .notWellFormed
    case .invalid, .tooDeep, .schema: reason = .notValid
    case .doctypeForbidden, .entityForbidden: reason = .doctypeForbidden
    case .tooLarge, .textTooLong: reason = .tooLarge
    case .encoding: reason = .badEncoding
    case .io, .writer: reason = .notWellFormed
    }
    return DropRejection(reason, error.message, line: error.line, column: error.column)
  }
}
