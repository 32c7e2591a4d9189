import ConnectorXML

/// An `appointmentEvents` document (outbox `events-<practiceId>-<sequence>.xml`): what changed
/// in PPMP to bookings the connector placed, and answers to `pmsAppointmentChangesRequest`.
/// Ids and practice times only: never a patient's name, birth date or phone.
public struct AppointmentEventsDocument: Sendable, Equatable {
  public var practiceID: String
  public var sequence: Int64
  public var asOf: LocalDateTime
  public var events: [AppointmentEvent]

  public init(practiceID: String, sequence: Int64, asOf: LocalDateTime, events: [AppointmentEvent]) {
    self.practiceID = practiceID
    self.sequence = sequence
    self.asOf = asOf
    self.events = events
  }

  /// The document's bytes (deterministic).
  public func render() throws -> [UInt8] {
    let w = try XMLStreamWriter.exchangeDocument("appointmentEvents", practiceID: practiceID, sequence: sequence, asOf: asOf)
    for e in events {
      try w.startElement(e.kind.name)
      if !e.bookingId.isEmpty { try w.writeAttribute("bookingId", e.bookingId) }
      try w.writeAttribute("heMsgId", e.heMsgId)
      if e.kind != .noChange { try w.writeAttribute("pmsAppointmentId", String(e.appointmentID)) }
      switch e.kind {
      case .cancel(let reason): try w.writeAttribute("reason", reason.rawValue)
      case .moved(let from, let to, let resourceID):
        try w.writeAttribute("from", from)
        try w.writeAttribute("to", to)
        try w.writeAttribute("pmsResourceId", String(resourceID))
      case .didNotAttend, .noChange: break
      }
      if let requestId = e.requestId { try w.writeAttribute("requestId", requestId) }
      try w.endElement()
    }
    try w.endElement()
    try w.endDocument()
    return w.finishedBytes()
  }
}
