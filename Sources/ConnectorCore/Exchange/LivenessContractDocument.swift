import ConnectorXML

/// A `livenessContract` document (outbox `liveness-<practiceId>-<sequence>.xml`), mirroring the
/// API's liveness contract: live hours per weekday, and the public holidays (from PPMP) on which
/// the practice is not live.
public struct LivenessContractDocument: Sendable, Equatable {
  public var practiceID: String
  public var sequence: Int64
  public var asOf: LocalDateTime
  public var timeZone: String
  public var hours: LivenessHours
  /// PPMP's holidays from the as-of date, sorted; listed only when holidays are closed.
  public var holidays: [LocalDate]

  public init(practiceID: String, sequence: Int64, asOf: LocalDateTime, timeZone: String, hours: LivenessHours, holidays: [LocalDate]) {
    self.practiceID = practiceID
    self.sequence = sequence
    self.asOf = asOf
    self.timeZone = timeZone
    self.hours = hours
    self.holidays = holidays
  }

  /// What the contract says, without the header: a change of it (not of the sequence or clock)
  /// is what makes a new document due.
  public var contentKey: String {
    let days = LivenessHours.weekdays.indices.map { i in
      LivenessHours.weekdays[i] + "=" + hours.days[i].map(\.description).joined(separator: ",")
    }
    let closed = hours.publicHolidaysOpen ? [] : holidays.map(\.description)
    return (days + ["tz=" + timeZone, "holidays=" + closed.joined(separator: ",")]).joined(separator: ";")
  }

  public func render() throws -> [UInt8] {
    let w = try XMLStreamWriter.exchangeDocument("livenessContract", practiceID: practiceID, sequence: sequence, asOf: asOf)
    try w.writeAttribute("timezone", timeZone)
    try w.startElement("liveHours")
    for (i, name) in LivenessHours.weekdays.enumerated() {
      try w.startElement(name)
      for r in hours.days[i] {
        try w.startElement("range")
        try w.writeAttribute("start", r.start.description)
        try w.writeAttribute("end", r.end.minutes == 1440 ? "24:00" : r.end.description)
        try w.endElement()
      }
      try w.endElement()
    }
    try w.endElement()
    try w.startElement("publicHolidays")
    if !hours.publicHolidaysOpen {
      for day in holidays {
        try w.startElement("range")
        try w.writeAttribute("start", "\(day)T00:00")
        try w.writeAttribute("end", "\(day.adding(days: 1))T00:00")
        try w.endElement()
      }
    }
    try w.endElement()
    try w.endElement()
    try w.endDocument()
    return w.finishedBytes()
  }
}
