import ConnectorXML

/// Renders drop documents: what Healthengine's relay would leave in the inbox. Used by the demo,
/// the fixture generator and tests.
public enum DropWriter {
  /// The drop's bytes; bookings, cancellations and requests are written in the order given.
  public static func render(
    practiceID: String, bookings: [BookingMessage], cancellations: [CancellationMessage], requests: [RequestMessage] = []
  ) throws -> [UInt8] {
    let w = try XMLStreamWriter()
    try w.startDocument()
    try w.startElement("drop")
    try w.writeAttribute("xmlns", exchangeNamespace)
    try w.writeAttribute("practiceId", practiceID)
    for b in bookings {
      try w.startElement("booking")
      try w.writeAttribute("heMsgId", b.heMsgId)
      try w.writeAttribute("bookingId", b.bookingId)
      let optional: [(String, String?)] = [
        ("pmsResourceId", b.pmsResourceId), ("pmsAppointmentTypeId", b.pmsAppointmentTypeId),
        ("pmsAppointmentTime", b.pmsAppointmentTime), ("pmsAppointmentLength", b.pmsAppointmentLength),
        ("bookedTime", b.bookedTime), ("isNewPatient", b.isNewPatient),
      ]
      for (name, value) in optional { if let value { try w.writeAttribute(name, value) } }
      if b.hasPatient {
        try w.startElement("patient")
        let fields: [(String, String?)] = [
          ("firstname", b.firstName), ("lastname", b.lastName), ("dob", b.dob), ("phone", b.phone), ("email", b.email),
        ]
        for (name, value) in fields { if let value { try w.writeAttribute(name, value) } }
        try w.endElement()
      }
      if let reason = b.reason {
        try w.startElement("reason")
        try w.writeText(reason)
        try w.endElement()
      }
      try w.endElement()
    }
    for c in cancellations {
      try w.startElement("cancellation")
      try w.writeAttribute("heMsgId", c.heMsgId)
      try w.writeAttribute("requestId", c.requestId)
      if let u = c.updatedAt { try w.writeAttribute("updatedAt", u) }
      try w.endElement()
    }
    for r in requests {
      try w.startElement(r.kind.rawValue)
      try w.writeAttribute("requestId", r.requestId)
      let optional: [(String, String?)] = [
        ("day", r.day), ("pmsResourceId", r.pmsResourceId), ("bookingId", r.bookingId), ("heMsgId", r.heMsgId),
      ]
      for (name, value) in optional { if let value { try w.writeAttribute(name, value) } }
      try w.endElement()
    }
    try w.endElement()
    try w.endDocument()
    return w.finishedBytes()
  }
}

extension BookingMessage {
  /// A complete booking message (convenience for generators and tests).
  public static func make(
    heMsgId: String, bookingId: String, resourceID: Int64, typeCode: String?, start: LocalDateTime, lengthMinutes: Int,
    bookedTime: String, firstName: String, lastName: String, dob: String, phone: String?, email: String? = nil,
    reason: String? = nil, isNewPatient: Bool? = nil
  ) -> BookingMessage {
    var b = BookingMessage(heMsgId: heMsgId, bookingId: bookingId)
    b.pmsResourceId = String(resourceID)
    b.pmsAppointmentTypeId = typeCode
    b.pmsAppointmentTime = start.description
    b.pmsAppointmentLength = String(lengthMinutes * 60)
    b.bookedTime = bookedTime
    b.isNewPatient = isNewPatient.map { $0 ? "true" : "false" }
    b.hasPatient = true
    b.firstName = firstName
    b.lastName = lastName
    b.dob = dob
    b.phone = phone
    b.email = email
    b.reason = reason
    return b
  }
}
