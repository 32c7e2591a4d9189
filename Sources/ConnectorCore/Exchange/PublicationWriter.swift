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
    if !inAvailability {
      try writer.startElement("availability")
      try writer.endElement()
    }
    try writer.endDocument()
    return writer.finishedBytes()
  }
}

/// A reused NUL-terminated buffer for attribute values made of digits and punctuation, formatted
/// exactly as `String(Int)`, `LocalDate.description` and `MinuteOfDay.description` format them.
struct FormattedValue {
  private var bytes: [UInt8] = []

  init() { bytes.reserveCapacity(32) }

  mutating func clear() { bytes.removeAll(keepingCapacity: true) }

  /// Decimal, like `String(value)`.
  mutating func append(_ value: Int64) {
    if value < 0 {
      bytes.append(contentsOf: String(value).utf8)
      return
    }
    appendPadded(Int(value), width: 1)
  }

  /// `YYYY-MM-DD`.
  mutating func append(_ date: LocalDate) {
    let (y, m, d) = date.parts
    appendPadded(y, width: 4)
    bytes.append(UInt8(ascii: "-"))
    appendPadded(m, width: 2)
    bytes.append(UInt8(ascii: "-"))
    appendPadded(d, width: 2)
  }

  /// `HH:MM`.
  mutating func append(_ time: MinuteOfDay) {
    appendPadded(time.hour, width: 2)
    bytes.append(UInt8(ascii: ":"))
    appendPadded(time.minute, width: 2)
  }

  /// `value` in decimal, left-padded with zeros to `width` (`LocalDate.pad`).
  private mutating func appendPadded(_ value: Int, width: Int) {
    guard value >= 0 else {
      // Never produced by valid dates and times; keep `pad`'s exact output anyway.
      bytes.append(contentsOf: LocalDate.pad(value, width).utf8)
      return
    }
    var digits = 1
    var rest = value / 10
    while rest > 0 {
      digits += 1
      rest /= 10
    }
    for _ in digits..<max(width, digits) { bytes.append(UInt8(ascii: "0")) }
    let end = bytes.count + digits
    bytes.append(contentsOf: repeatElement(0, count: digits))
    var v = value
    var i = end - 1
    repeat {
      bytes[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
      v /= 10
      i -= 1
    } while v > 0
  }

  /// The literal's bytes as they are (attribute names and the punctuation around values).
  mutating func append(literal text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer(body)
  }
}
