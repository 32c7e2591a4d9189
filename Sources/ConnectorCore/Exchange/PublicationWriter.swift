import ConnectorXML

/// Streams a snapshot, delta or availability refresh document to disk through libxml2's writer, in the fixed element
/// and attribute order of SPEC §5. Callers write the parts in schema order: resources, types,
/// then days (already sorted by practitioner id, then date).
public final class PublicationWriter {
  /// Which document, and for a delta, its base.
  public enum Kind: Sendable, Equatable {
    case snapshot
    case delta(baseSequence: Int64, baseSHA256: String)
    /// `availabilityRefresh`: only the parts asked for; `requestIDs` may be empty.
    case refresh(requestIDs: [String])
  }

  private let writer: XMLStreamWriter
  private let kind: Kind
  private var inAvailability = false

  /// Opens `path` (0600) and writes the root element with its header attributes.
  public convenience init(path: String, kind: Kind, header: PublicationHeader) throws {
    try self.init(writer: XMLStreamWriter(path: path), kind: kind, header: header)
  }

  /// Like `init(path:kind:header:)`; `tap` sees every byte written to the file, in order.
  public convenience init(
    path: String, kind: Kind, header: PublicationHeader, observingOutput tap: @escaping (UnsafeRawBufferPointer) -> Void
  ) throws {
    try self.init(writer: XMLStreamWriter(path: path, observingOutput: tap), kind: kind, header: header)
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
    case .refresh: try writer.startElement("availabilityRefresh")
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
    if case .refresh(let requestIDs) = kind {
      try writer.writeAttribute("requestIds", requestIDs.joined(separator: " "))
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
  ///
  /// This runs for every practitioner-day of a snapshot, so names are literals and numbers,
  /// dates and times are formatted, with their names, into a reused buffer and handed to the
  /// writer in one call per element instead of going through `String` and libxml2 per attribute.
  public func writeDay(_ day: DayAvailability, removed: Bool = false) throws {
    if !inAvailability {
      try writer.startElement(literal: "availability")
      inAvailability = true
    }
    try writer.startElement(literal: "day")
    try writeFormatted {
      $0.append(literal: " pmsResourceId=\"")
      $0.append(day.resourceID)
      $0.append(literal: "\" date=\"")
      $0.append(day.date)
      $0.append(literal: "\"")
    }
    if removed { try writer.writeAttribute(literal: "removed", "true") }
    for range in day.ranges {
      try writer.startElement(literal: "range")
      try writeFormatted {
        $0.append(literal: " start=\"")
        $0.append(range.start)
        $0.append(literal: "\" end=\"")
        $0.append(range.end)
        $0.append(literal: "\" slotLength=\"")
        $0.append(Int64(range.slotLengthSeconds))
        $0.append(literal: "\"")
      }
      // Codes are PPMP text: they go through libxml2's attribute escaping.
      let codes = range.appointmentTypeCodes
      if !codes.isEmpty {
        // Ranges share the catalog's code arrays, so the joined list is usually the previous one.
        if codes != lastCodes {
          lastCodes = codes
          lastJoinedCodes = codes.joined(separator: " ")
        }
        try writer.writeAttribute(literal: "pmsAppointmentTypeIds", lastJoinedCodes)
      }
      try writer.endElement()
    }
    try writer.endElement()
  }

  private var scratch = FormattedValue()
  private var lastCodes: [String] = []
  private var lastJoinedCodes = ""

  /// Formats ` name="value"` pairs into `scratch` and writes them into the open start tag.
  private func writeFormatted(_ format: (inout FormattedValue) -> Void) throws {
    scratch.clear()
    format(&scratch)
    try scratch.withBytes { try writer.writeFormattedAttributes($0) }
  }

  /// Closes the document. Returns the bytes for an in-memory writer, `[]` for a file.
  @discardableResult
  public func finish() throws -> [UInt8] {
    if !inAvailability, kind.requiresAvailability {
      try writer.startElement("availability")
      try writer.endElement()
    }
    try writer.endDocument()
    return writer.finishedBytes()
  }
}

extension PublicationWriter.Kind {
  /// Snapshots and deltas always carry `availability`, even empty; a refresh only what was asked.
  fileprivate var requiresAvailability: Bool {
    if case .refresh = self { return false }
    return true
  }
}
