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
  /// What drop.xsd found wrong inside this booking (a required attribute missing, a value too
  /// long, an unknown attribute), naming the element, attribute and rule but never the value:
  /// `BookingChecks` answers it `invalid-message`. `nil` when the booking is schema-valid.
  public var problem: String?

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
  /// What drop.xsd found wrong inside this cancellation (see `BookingMessage.problem`);
  /// `CancellationChecks` answers it `invalid-message`.
  public var problem: String?

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
  /// In document order; answered after every booking and cancellation of the drop.
  public var requests: [RequestMessage] = []

  public init(
    practiceID: String, bookings: [BookingMessage], cancellations: [CancellationMessage], requests: [RequestMessage] = []
  ) {
    self.practiceID = practiceID
    self.bookings = bookings
    self.cancellations = cancellations
    self.requests = requests
  }
}
