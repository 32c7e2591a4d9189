/// Stable reason codes of `rejectInsert` / `rejectUpdate` (SPEC §5).
public enum RejectReason: String, Sendable, CaseIterable {
  case slotUnavailable = "slot-unavailable"
  case unknownResource = "unknown-resource"
  case unknownAppointmentType = "unknown-appointment-type"
  case outsideHorizon = "outside-horizon"
  case invalidMessage = "invalid-message"
  case unknownBooking = "unknown-booking"
  case duplicateMessage = "duplicate-message"
}

/// How the booking's patient was found (SPEC §6).
public enum PatientMatch: String, Sendable {
  case matched
  case createdNoMatch = "created-no-match"
  case createdMultipleMatches = "created-multiple-matches"
}

/// The kinds of Healthengine message a drop carries.
public enum MessageKind: String, Sendable {
  case booking, cancellation, request
}

/// The answer to one message: what its receipt says and what the journal remembers, built once.
public enum MessageOutcome: Sendable, Equatable {
  case confirmInsert(heMsgId: String, bookingId: String, appointmentID: Int64, patientID: Int64, match: PatientMatch)
  case rejectInsert(heMsgId: String, bookingId: String, reason: RejectReason, detail: String)
  case confirmUpdate(heMsgId: String, requestId: String, appointmentID: Int64)
  case rejectUpdate(heMsgId: String, requestId: String, reason: RejectReason, detail: String)
  /// A request taken: `file` is the outbox document that carries its answer.
  case confirmRequest(requestId: String, kind: RequestKind, file: String)
  case rejectRequest(requestId: String, reason: RejectReason, detail: String)

  /// The receipt element's name, also the journal's `outcome` column.
  public var name: String {
    switch self {
    case .confirmInsert: "confirmInsert"
    case .rejectInsert: "rejectInsert"
    case .confirmUpdate: "confirmUpdate"
    case .rejectUpdate: "rejectUpdate"
    case .confirmRequest: "confirmRequest"
    case .rejectRequest: "rejectRequest"
    }
  }

  public var kind: MessageKind {
    switch self {
    case .confirmInsert, .rejectInsert: .booking
    case .confirmUpdate, .rejectUpdate: .cancellation
    case .confirmRequest, .rejectRequest: .request
    }
  }

  public var heMsgId: String {
    switch self {
    case .confirmInsert(let id, _, _, _, _), .rejectInsert(let id, _, _, _), .confirmUpdate(let id, _, _),
      .rejectUpdate(let id, _, _, _):
      id
    case .confirmRequest, .rejectRequest: ""
    }
  }

  /// What identifies the message: its heMsgId for a booking, its requestId for a cancellation
  /// or a request.
  public var key: String {
    switch self {
    case .confirmInsert, .rejectInsert: heMsgId
    case .confirmUpdate(_, let requestId, _), .rejectUpdate(_, let requestId, _, _), .confirmRequest(let requestId, _, _),
      .rejectRequest(let requestId, _, _):
      requestId
    }
  }

  public var isRejection: Bool {
    switch self {
    case .rejectInsert, .rejectUpdate, .rejectRequest: true
    case .confirmInsert, .confirmUpdate, .confirmRequest: false
    }
  }
}

/// Where a booking was placed in PPMP: all the journal knows of a booking rebuilt from PPMP's
/// HE_MSG_ID tokens after the connector's state was lost.
public struct BookingPlacement: Sendable, Equatable {
  public var resourceID: Int64
  /// Practice time `YYYY-MM-DDTHH:MM`.
  public var start: String
  public var minutes: Int

  public init(resourceID: Int64, start: String, minutes: Int) {
    self.resourceID = resourceID
    self.start = start
    self.minutes = minutes
  }

  /// The journal's text form: `"<resource> <start> <minutes>"`.
  public var text: String { "\(resourceID) \(start) \(minutes)" }

  public init?(text: String) {
    let parts = text.split(separator: " ")
    guard parts.count == 3, let resource = Int64(parts[0]), let minutes = Int(parts[2]) else { return nil }
    self.init(resourceID: resource, start: String(parts[1]), minutes: minutes)
  }
}
