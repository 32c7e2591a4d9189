import ConnectorXML

/// Streams a snapshot or delta document to disk through libxml2's writer, in the fixed element
/// and attribute order of SPEC §5. Callers write the parts in schema order: resources, types,
/// then days (already sorted by practitioner id, then date).
public final class PublicationWriter {
  /// Which document, and for a delta, its base.
  public enum Kind: Sendable, Equatable {
    case snapshot
    case delta(baseSequence: Int64, baseSHA256: String)
  }

  private let writer: XMLStreamWriter
  private let kind: Kind
  private var inAvailability = false

  /// Opens `path` (0600) and writes the root element with its header attributes.
  public convenience init(path: String, kind: Kind, header: PublicationHeader) throws {
    try self.init(writer: XMLStreamWriter(path: path), kind: kind, header: header)
  }

  /// Writes into memory; take the bytes with `finish()`.
  public convenience init(kind: Kind, header: PublicationHeader) throws {
    try self.init(writer: XMLStreamWriter(), kind: kind, header: header)
  }

  private init(writer: XMLStreamWriter, kind: Kind, header: PublicationHeader) throws {
    self.writer = writer
    self.kind = kind
    try writer.startDocument()
    switch kind {
    case .snapshot: try writer.startElement("snapshot")
    case .delta: try writer.startElement("delta")
    }
    try writer.writeAttribute("xmlns", exchangeNamespace)
    try writer.writeAttribute("practiceId", header.practiceID)
    try writer.writeAttribute("sequence", String(header.sequence))
    try writer.writeAttribute("asOf", header.asOf.description)
    try writer.writeAttribute("timezone", header.timeZone)
    try writer.writeAttribute("horizonStart", header.horizonStart.description)
    try writer.writeAttribute("horizonDays", String(header.horizonDays))
    if case .delta(let baseSequence, let baseSHA256) = kind {
      try writer.writeAttribute("baseSequence", String(baseSequence))
      try writer.writeAttribute("baseSha256", baseSHA256)
    }
  }

  public func writeResources(_ resources: [ResourceEntry]) throws {
    try writer.startElement("pmsResources")
    for r in resources {
      try writer.startElement("pmsResource")
      try writer.writeAttribute("pmsResourceId", String(r.id))
      try writer.writeAttribute("pmsResourceName", r.name)
      if let title = r.title { try writer.writeAttribute("pmsPractitionerTitle", title) }
      try writer.writeAttribute("pmsPractitionerFirstname", r.firstName)
      try writer.writeAttribute("pmsPractitionerLastname", r.lastName)
      try writer.endElement()
    }
    try writer.endElement()
  }

  public func writeAppointmentTypes(_ types: [AppointmentTypeEntry]) throws {
    try writer.startElement("pmsAppointmentTypes")
    for t in types {
      try writer.startElement("pmsAppointmentType")
      try writer.writeAttribute("pmsAppointmentTypeId", t.code)
      try writer.writeAttribute("pmsAppointmentTypeName", t.name)
      try writer.writeAttribute("pmsAppointmentLength", String(t.lengthMinutes))
      if let id = t.resourceID { try writer.writeAttribute("pmsResourceId", String(id)) }
      try writer.endElement()
    }
    try writer.endElement()
  }

  /// Writes one `day`; `removed` marks a day that left the published set (deltas only).
  public func writeDay(_ day: DayAvailability, removed: Bool = false) throws {
    if !inAvailability {
      try writer.startElement("availability")
      inAvailability = true
    }
    try writer.startElement("day")
    try writer.writeAttribute("pmsResourceId", String(day.resourceID))
    try writer.writeAttribute("date", day.date.description)
    if removed { try writer.writeAttribute("removed", "true") }
    for range in day.ranges {
      try writer.startElement("range")
      try writer.writeAttribute("start", range.start.description)
      try writer.writeAttribute("end", range.end.description)
      try writer.writeAttribute("slotLength", String(range.slotLengthSeconds))
      if !range.appointmentTypeCodes.isEmpty {
        try writer.writeAttribute("pmsAppointmentTypeIds", range.appointmentTypeCodes.joined(separator: " "))
      }
      try writer.endElement()
    }
    try writer.endElement()
  }

  /// Closes the document. Returns the bytes for an in-memory writer, `[]` for a file.
  @discardableResult
  public func finish() throws -> [UInt8] {
    if !inAvailability {
      try writer.startElement("availability")
      try writer.endElement()
    }
    try writer.endDocument()
    return writer.finishedBytes()
  }
}
