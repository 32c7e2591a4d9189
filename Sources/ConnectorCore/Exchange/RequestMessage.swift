/// A request from Healthengine as it appeared in a drop (`availabilityRequest`,
/// `pmsResourcesRequest`, `pmsAppointmentTypesRequest`, `pmsAppointmentChangesRequest`): raw
/// attribute text, checked later per request so that one bad request is answered alone.
public struct RequestMessage: Sendable, Equatable {
  public var kind: RequestKind
  public var requestId: String
  /// `availabilityRequest`: the day asked for (`YYYY-MM-DD`).
  public var day: String?
  /// `availabilityRequest`: one practitioner; absent means every published practitioner.
  public var pmsResourceId: String?
  /// `pmsAppointmentChangesRequest`: the booking asked about.
  public var bookingId: String?
  public var heMsgId: String?
  /// Line of the element, for details.
  public var line: Int
  /// What drop.xsd found wrong inside this request (see `BookingMessage.problem`).
  public var problem: String?

  public init(
    kind: RequestKind, requestId: String, day: String? = nil, pmsResourceId: String? = nil, bookingId: String? = nil,
    heMsgId: String? = nil, line: Int = 0
  ) {
    self.kind = kind
    self.requestId = requestId
    self.day = day
    self.pmsResourceId = pmsResourceId
    self.bookingId = bookingId
    self.heMsgId = heMsgId
    self.line = line
  }

  /// A stable digest of the content, to tell a re-delivery from a different request reusing a
  /// requestId (`duplicate-message`).
  public var contentSHA256: String {
    let fields: [String?] = ["request", kind.rawValue, requestId, day, pmsResourceId, bookingId, heMsgId]
    return SHA256Digest.hex(Array(fields.map { ($0 ?? "\u{1}") }.joined(separator: "\u{0}").utf8))
  }
}
