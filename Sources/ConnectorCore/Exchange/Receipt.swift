import ConnectorXML

/// The answer to one drop.
public struct Receipt: Sendable, Equatable {
  public var dropName: String
  public var dropSHA256: String
  public var practiceID: String
  public var entries: [MessageOutcome]

  /// The receipt document's bytes (deterministic).
  public func render() throws -> [UInt8] {
    let w = try XMLStreamWriter()
    try w.startDocument()
    try w.startElement("receipt")
    try w.writeAttribute("xmlns", exchangeNamespace)
    try w.writeAttribute("drop", dropName)
    try w.writeAttribute("dropSha256", dropSHA256)
    try w.writeAttribute("practiceId", practiceID)
    for entry in entries {
      switch entry {
      case .confirmInsert(let heMsgId, let bookingId, let appointmentID, let patientID, let match):
        try w.startElement("confirmInsert")
        try w.writeAttribute("heMsgId", heMsgId)
        try w.writeAttribute("bookingId", bookingId)
        try w.writeAttribute("pmsAppointmentId", String(appointmentID))
        try w.writeAttribute("pmsPatientId", String(patientID))
        try w.writeAttribute("patientMatch", match.rawValue)
      case .rejectInsert(let heMsgId, let bookingId, let reason, let detail):
        try w.startElement("rejectInsert")
        try w.writeAttribute("heMsgId", heMsgId)
        try w.writeAttribute("bookingId", bookingId)
        try w.writeAttribute("reason", reason.rawValue)
        try w.writeAttribute("detail", String(detail.prefix(2000)))
      case .confirmUpdate(let heMsgId, let requestId, let appointmentID):
        try w.startElement("confirmUpdate")
        try w.writeAttribute("heMsgId", heMsgId)
        try w.writeAttribute("requestId", requestId)
        try w.writeAttribute("pmsAppointmentId", String(appointmentID))
      case .rejectUpdate(let heMsgId, let requestId, let reason, let detail):
        try w.startElement("rejectUpdate")
        try w.writeAttribute("heMsgId", heMsgId)
        try w.writeAttribute("requestId", requestId)
        try w.writeAttribute("reason", reason.rawValue)
        try w.writeAttribute("detail", String(detail.prefix(2000)))
      case .confirmRequest(let requestId, let kind, let file):
        try w.startElement("confirmRequest")
        try w.writeAttribute("requestId", requestId)
        try w.writeAttribute("kind", kind.rawValue)
        try w.writeAttribute("file", file)
      case .rejectRequest(let requestId, let reason, let detail):
        try w.startElement("rejectRequest")
        try w.writeAttribute("requestId", requestId)
        try w.writeAttribute("reason", reason.rawValue)
        try w.writeAttribute("detail", String(detail.prefix(2000)))
      }
      try w.endElement()
    }
    try w.endElement()
    try w.endDocument()
    return w.finishedBytes()
  }
}

/// The notice that a drop could not be read at all.
public struct DropRejectedNotice: Sendable, Equatable {
  public var dropName: String
  /// `nil` when the drop was refused unread (too large).
  public var dropSHA256: String?
  public var rejection: DropRejection

  public func render() throws -> [UInt8] {
    let w = try XMLStreamWriter()
    try w.startDocument()
    try w.startElement("dropRejected")
    try w.writeAttribute("xmlns", exchangeNamespace)
    try w.writeAttribute("drop", dropName)
    if let dropSHA256 { try w.writeAttribute("dropSha256", dropSHA256) }
    try w.writeAttribute("reason", rejection.reason.rawValue)
    try w.writeAttribute("detail", String(rejection.detail.prefix(2000)))
    if let line = rejection.line, line > 0 { try w.writeAttribute("line", String(line)) }
    if let column = rejection.column, column > 0 { try w.writeAttribute("column", String(column)) }
    try w.endElement()
    try w.endDocument()
    return w.finishedBytes()
  }

  /// The plain-text `NAME.reason.txt` placed beside the drop in `rejected/`.
  public var reasonText: String {
    var s = "drop: \(dropName)\nsha256: \(dropSHA256 ?? "(not read: too large)")\nreason: \(rejection.reason.rawValue)\n"
    if let line = rejection.line { s += "line: \(line)\n" }
    if let column = rejection.column { s += "column: \(column)\n" }
    return s + "detail: \(rejection.detail)\n"
  }
}
