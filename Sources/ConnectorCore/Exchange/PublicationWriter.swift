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
  /// This runs for every practitioner-day of a snapshot or a worst-case delta. The first day
  /// goes through libxml2's element calls; every later one whose type codes need no escaping
  /// is formatted whole (names, numbers, dates, times, codes, indentation) into a reused buffer
  /// and handed to the writer in one write, byte for byte what the element calls write.
  public func writeDay(_ day: DayAvailability, removed: Bool = false) throws {
    if wroteDay, formatsWholeDays, formatDay(day, removed: removed) {
      try scratch.withBytes { try writer.writeFormattedElements($0) }
      formattedDays += 1
      return
    }
    try writeDayElement(day, removed: removed)
    wroteDay = true
  }

  /// `writeDay(_:)` for a day whose bytes, exactly as `writeDay` would format them, are at hand
  /// (a day read in the writer's form, `PublicationReader.RawDay.isNormalForm`): they are
  /// written as they are. `day` is decoded only when the day has to go through libxml2.
  func writeDay(formatted bytes: UnsafeBufferPointer<UInt8>, _ day: () -> DayAvailability) throws {
    guard wroteDay, formatsWholeDays else { return try writeDay(day()) }
    try writer.writeFormattedElements(bytes)
    formattedDays += 1
  }

  /// The day through libxml2's element calls: the first day (the writer's indentation state is
  /// set up by a closed sibling), and days whose codes libxml2 must escape.
  private func writeDayElement(_ day: DayAvailability, removed: Bool) throws {
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
        joinCodes(codes)
        try writer.writeAttribute(literal: "pmsAppointmentTypeIds", lastJoinedCodes)
      }
      try writer.endElement()
    }
    try writer.endElement()
  }

  /// Formats into `scratch` the whole `day` element as libxml2 writes it at its depth (4 spaces
  /// for the day, 6 for a range); false when a code list needs escaping (libxml2's job).
  private func formatDay(_ day: DayAvailability, removed: Bool) -> Bool {
    scratch.clear()
    scratch.append(literal: "    <day pmsResourceId=\"")
    scratch.append(day.resourceID)
    scratch.append(literal: "\" date=\"")
    scratch.append(day.date)
    scratch.append(literal: removed ? "\" removed=\"true\"" : "\"")
    guard !day.ranges.isEmpty else {
      scratch.append(literal: "/>\n")
      return true
    }
    scratch.append(literal: ">\n")
    for range in day.ranges {
      scratch.append(literal: "      <range start=\"")
      scratch.append(range.start)
      scratch.append(literal: "\" end=\"")
      scratch.append(range.end)
      scratch.append(literal: "\" slotLength=\"")
      scratch.append(Int64(range.slotLengthSeconds))
      let codes = range.appointmentTypeCodes
      if codes.isEmpty {
        scratch.append(literal: "\"/>\n")
      } else {
        joinCodes(codes)
        guard lastJoinedCodesArePlain else { return false }
        scratch.append(literal: "\" pmsAppointmentTypeIds=\"")
        scratch.append(utf8: lastJoinedCodes)
        scratch.append(literal: "\"/>\n")
      }
    }
    scratch.append(literal: "    </day>\n")
    return true
  }

  /// Joins `codes` into `lastJoinedCodes`; ranges share the catalog's code arrays, so the
  /// joined list is usually the previous one.
  private func joinCodes(_ codes: [String]) {
    guard codes != lastCodes else { return }
    lastCodes = codes
    lastJoinedCodes = codes.joined(separator: " ")
    lastJoinedCodesArePlain = lastJoinedCodes.utf8.allSatisfy(Self.isPlainAttributeByte)
  }

  /// Printable ASCII that libxml2 writes into an attribute value unchanged. It escapes `<`,
  /// `>`, `&`, `"` and writes tab, newline and CR as references; non-ASCII is left to it too,
  /// since how it writes that depends on the output's encoding settings.
  private static func isPlainAttributeByte(_ byte: UInt8) -> Bool {
    byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
      && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "\"")
  }

  /// Off only in tests, to compare the formatted days with libxml2's element calls.
  var formatsWholeDays = true
  /// Days written in one formatted write (tests check the path is taken).
  private(set) var formattedDays = 0
  private var wroteDay = false
  private var scratch = FormattedValue()
  private var lastCodes: [String] = []
  private var lastJoinedCodes = ""
  private var lastJoinedCodesArePlain = true

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
