import ConnectorXML

/// Streams a snapshot or delta file with libxml2's reader: the header and the (small) resource
/// and appointment-type lists up front, then one day at a time, so memory does not grow with
/// the number of days.
///
/// Reading compares content, not bytes: ranges are normalised (sorted, adjacent equal ranges
/// merged, type codes sorted) so two files that say the same thing read the same.
public final class PublicationReader {
  public enum Kind: Sendable, Equatable { case snapshot, delta(baseSequence: Int64, baseSHA256: String) }

  public let path: String
  public private(set) var kind: Kind = .snapshot
  public private(set) var header = PublicationHeader(
    practiceID: "", sequence: 0, asOf: LocalDateTime(absoluteMinutes: 0), timeZone: "", horizonStart: LocalDate(dayNumber: 0),
    horizonDays: 0)
  /// `nil` in a delta that did not change the list.
  public private(set) var resources: [ResourceEntry]?
  public private(set) var appointmentTypes: [AppointmentTypeEntry]?

  private let reader: XMLStreamReader
  /// The SHA-256 of the bytes read so far, when asked for at `init`.
  private let inputHash: InputHash?
  /// Names the day loop matches, interned once in the reader's dictionary.
  private let names: Names
  private var pending: XMLEvent?
  private var lastKey: (Int64, Int)?
  private var finished = false
  /// The days' bytes, when the file is read on the canonical path (`init?(canonicalSnapshotAt:…)`).
  private var canonicalDays: CanonicalDayScanner?
  /// Elements and attributes counted so far on the canonical path, against `limits`.
  private var canonicalMarkup = (elements: 0, attributes: 0)
  private var limits = XMLReadLimits()

  /// Opens `path` and reads everything before the first day. With `hashingInput`, the file is
  /// hashed as it is parsed; `inputSHA256()` gives the digest at the end.
  public init(
    path: String, limits: XMLReadLimits = XMLReadLimits(maxDepth: 8, maxTextBytes: 1 << 20),
    hashingInput: Bool = false
  ) throws {
    self.path = path
    do {
      if hashingInput {
        let hash = InputHash()
        reader = try XMLStreamReader(path: path, limits: limits) { hash.hasher.update($0) }
        inputHash = hash
      } else {
        reader = try XMLStreamReader(path: path, limits: limits)
        inputHash = nil
      }
      names = Names(reader)
      try readPrologue()
    } catch let error as XMLError {
      throw PublicationReadError.unreadable(path: path, error)
    }
  }

  /// Opens the snapshot at `path` to read its days from its bytes, for the diff: the head
  /// (header, resources, types) goes through libxml2 as a document of its own, and the days are
  /// matched byte for byte against the form `PublicationWriter` writes (`CanonicalDayScanner`),
  /// which is several times cheaper than parsing them. nil when the head is not followed by
  /// `<availability>` in that form; reading a day throws `CanonicalDayScanner.NotCanonical` at
  /// the first byte that is not in it. Either way the caller reads the file again with
  /// `init(path:…)`, which gives the same days and the errors for a bad file.
  init?(
    canonicalSnapshotAt path: String, hashingInput: Bool = false,
    limits: XMLReadLimits = XMLReadLimits(maxDepth: 8, maxTextBytes: 1 << 20)
  ) {
    self.path = path
    // The day matcher's own bounds must be within the limits it stands in for.
    guard limits.maxBytes == nil, limits.maxTextCharacters == nil, limits.maxDepth >= 4,
      limits.maxAttributesPerElement >= 4, limits.maxTextBytes >= CanonicalDayScanner.maxDayBytes
    else { return nil }
    let hash = hashingInput ? InputHash() : nil
    var observer: ((UnsafeRawBufferPointer) -> Void)?
    if let hash { observer = { hash.hasher.update($0) } }
    guard let days = CanonicalDayScanner(path: path, observer: observer),
      var head = days.readPrologue()
    else { return nil }
    // The head and an empty `availability` closing the root: well-formed exactly when the
    // file's head is, up to the `<availability` the days follow.
    head.append(contentsOf: "/></snapshot>".utf8)
    guard let reader = try? XMLStreamReader(bytes: head, limits: limits) else { return nil }
    self.reader = reader
    inputHash = hash
    names = Names(reader)
    canonicalDays = days
    self.limits = limits
    do {
      try readPrologue()
      while try reader.next() != nil {}
    } catch {
      return nil
    }
    guard kind == .snapshot else { return nil }
    canonicalMarkup = reader.markupCounts
  }

  /// The SHA-256 (lower-case hex) of the whole file, for a reader opened with `hashingInput`:
  /// reads what the parser has not (normally nothing once the days are read) and hashes it too.
  public func inputSHA256() throws -> String {
    guard let inputHash else { preconditionFailure("PublicationReader opened without hashingInput") }
    if let canonicalDays {
      try canonicalDays.drain()
      return inputHash.hasher.finalizeHex()
    }
    do throws(XMLError) {
      try reader.consumeRemainingInput()
    } catch {
      throw PublicationReadError.unreadable(path: path, error)
    }
    return inputHash.hasher.finalizeHex()
  }

  private func fail(_ message: String, line: Int? = nil) -> PublicationReadError {
    .malformed(path: path, line: line, problem: message)
  }

  private func nextEvent() throws -> XMLEvent? {
    if let p = pending {
      pending = nil
      return p
    }
    return try reader.next()
  }

  private func nextElement() throws -> XMLElementStart? {
    while let event = try nextEvent() {
      switch event {
      case .startElement(let e): return e
      case .endElement: continue
      case .text: continue
      }
    }
    return nil
  }

  private func required(_ e: XMLElementStart, _ name: String) throws -> String {
    guard let v = e[attribute: name] else { throw fail("<\(e.name)> lacks \(name)", line: e.line) }
    return v
  }

  private func int64(_ e: XMLElementStart, _ name: String) throws -> Int64 {
    guard let v = Int64(try required(e, name)) else { throw fail("\(name) of <\(e.name)> is not a number", line: e.line) }
    return v
  }

  private func readPrologue() throws {
    guard let root = try nextElement(), root.namespace == exchangeNamespace, root.name == "snapshot" || root.name == "delta" else {
      throw fail("not a snapshot or delta in namespace \(exchangeNamespace)")
    }
    guard let asOf = LocalDateTime(try required(root, "asOf")),
      let start = LocalDate(try required(root, "horizonStart")),
      let days = Int(try required(root, "horizonDays"))
    else { throw fail("bad asOf, horizonStart or horizonDays", line: root.line) }
    header = PublicationHeader(
      practiceID: try required(root, "practiceId"), sequence: try int64(root, "sequence"), asOf: asOf,
      timeZone: try required(root, "timezone"), horizonStart: start, horizonDays: days)
    if root.name == "delta" {
      kind = .delta(baseSequence: try int64(root, "baseSequence"), baseSHA256: try required(root, "baseSha256"))
    }
    while let e = try nextElement() {
      switch e.name {
      case "pmsResources": resources = []
      case "pmsResource":
        resources?.append(
          ResourceEntry(
            id: try int64(e, "pmsResourceId"), name: try required(e, "pmsResourceName"),
            title: e[attribute: "pmsPractitionerTitle"], firstName: try required(e, "pmsPractitionerFirstname"),
            lastName: try required(e, "pmsPractitionerLastname")))
      case "pmsAppointmentTypes": appointmentTypes = []
      case "pmsAppointmentType":
        guard let length = Int(try required(e, "pmsAppointmentLength")) else {
          throw fail("pmsAppointmentLength is not a number", line: e.line)
        }
        appointmentTypes?.append(
          AppointmentTypeEntry(
            code: try required(e, "pmsAppointmentTypeId"), name: try required(e, "pmsAppointmentTypeName"),
            lengthMinutes: length, resourceID: e[attribute: "pmsResourceId"].flatMap { Int64($0) }))
      case "availability":
        return
      default:
        throw fail("unexpected <\(e.name)>", line: e.line)
      }
    }
    throw fail("no <availability> element")
  }

  /// The next day, in file order; throws when days are not sorted by practitioner then date.
  public func nextDay() throws -> PublishedDay? {
    guard try readRawDay() else { return nil }
    return decodedRawDay()
  }

  // MARK: days as read, before decoding

  /// One range of the current day: times and slot length parsed, type codes still the bytes of
  /// `pmsAppointmentTypeIds` (a slice of `RawDay.codes`).
  struct RawRange: Equatable {
    var start: MinuteOfDay
    var end: MinuteOfDay
    var slotLength: Int
    var codes: Range<Int>
  }

  /// The day `readRawDay()` read, held in buffers reused from day to day so that reading a day
  /// allocates nothing. Two days with the same content as read decode to the same day; the
  /// diff compares these first and decodes (normalises) only days that differ as read.
  struct RawDay {
    var resourceID: Int64 = 0
    var date = LocalDate(dayNumber: 0)
    var removed = false
    var ranges: [RawRange] = []
    /// The `pmsAppointmentTypeIds` bytes of every range, back to back.
    var codes: [UInt8] = []

    var key: (Int64, Int) { (resourceID, date.dayNumber) }
    /// Set on the canonical path when the day's bytes are exactly what `PublicationWriter`
    /// writes for its decoded content (numbers without leading zeros, codes sorted, unique and
    /// one space apart, ranges sorted and not mergeable): two such days have the same content
    /// exactly when their bytes are the same, and the bytes can be written as they are.
    var isNormalForm = false

    /// True when both days say exactly the same as read (a sufficient, not a necessary, test
    /// for the same normalised content).
    func isSameAsRead(as other: RawDay) -> Bool { ranges == other.ranges && codes == other.codes }
  }

  // Touched several times per range; a reader is used from one thread and none of these is
  // borrowed across a call that touches it again, so the runtime exclusivity check is skipped
  // (as in XMLStreamReader).
  @exclusivity(unchecked) private(set) var raw = RawDay()
  @exclusivity(unchecked) private var times = ShortValueCache<MinuteOfDay>()
  @exclusivity(unchecked) private var numbers = ShortValueCache<Int>()
  @exclusivity(unchecked) private var ids = ShortValueCache<Int64>()
  @exclusivity(unchecked) private var dates = ShortValueCache<LocalDate>()
  @exclusivity(unchecked) private var codeLists = CodeListCache()

  /// Reads the next day into `raw`; false at the end of `<availability>`. Makes every check
  /// `nextDay()` makes (it is `nextDay()`'s first half), with the same messages.
  func readRawDay() throws -> Bool {
    if finished { return false }
    if let canonicalDays { return try readCanonicalDay(canonicalDays) }
    do {
      var kind = try reader.nextNode()
      while let k = kind, k != .startElement { kind = try reader.nextNode() }
      guard kind != nil else {
        finished = true
        return false
      }
      guard reader.isLocalName(names.day) else {
        throw fail("unexpected <\(reader.localName)> in <availability>", line: reader.line)
      }
      let dayName = "day"
      let idBytes = try requiredBytes(names.pmsResourceId, of: dayName)
      guard let id = ids.value(idBytes, parse: { Int64($0) }) else {
        throw fail("pmsResourceId of <day> is not a number", line: reader.line)
      }
      guard let date = dates.value(try requiredBytes(names.date, of: dayName), parse: { LocalDate($0) }) else {
        throw fail("bad date", line: reader.line)
      }
      if let (lid, ldate) = lastKey, (lid, ldate) >= (id, date.dayNumber) {
        throw fail("days are not sorted by pmsResourceId then date (practitioner \(id), \(date))", line: reader.line)
      }
      lastKey = (id, date.dayNumber)
      raw.resourceID = id
      raw.date = date
      raw.removed = reader.attributeBytes(names.removed).map { Self.isTrue($0) } ?? false
      raw.isNormalForm = false
      raw.ranges.removeAll(keepingCapacity: true)
      raw.codes.removeAll(keepingCapacity: true)
      if !reader.isEmptyElement {
        while let k = try reader.nextNode() {
          if k == .endElement {
            if reader.isLocalName(names.day) { break }
            continue
          }
          guard k == .startElement else { continue }
          guard reader.isLocalName(names.range),
            let s = times.value(try requiredBytes(names.start, of: "range"), parse: { MinuteOfDay(range: $0) }),
            let en = times.value(try requiredBytes(names.end, of: "range"), parse: { MinuteOfDay(range: $0) }),
            let slot = numbers.value(try requiredBytes(names.slotLength, of: "range"), parse: { Int($0) })
          else { throw fail("bad <\(reader.localName)> in day \(id) \(date)", line: reader.line) }
          let first = raw.codes.count
          if let codes = reader.attributeBytes(names.pmsAppointmentTypeIds) { raw.codes.append(contentsOf: codes) }
          let range = RawRange(start: s, end: en, slotLength: slot, codes: first..<raw.codes.count)
          raw.ranges.append(range)
        }
      }
      return true
    } catch let error as XMLError {
      throw PublicationReadError.unreadable(path: path, error)
    }
  }

  /// `readRawDay()` on the canonical path: the same day into `raw`, or `NotCanonical`.
  private func readCanonicalDay(_ days: CanonicalDayScanner) throws(CanonicalDayScanner.NotCanonical) -> Bool {
    while true {
      days.beginDay()
      if let more = matchCanonicalDay(days) { return more }
      guard days.starved, try days.refill() else { throw CanonicalDayScanner.NotCanonical() }
    }
  }

  /// One day line (or the document's end) in the writer's form; nil when the bytes are not in
  /// it or run out (`starved`). Values are parsed by the caches and initialisers `readRawDay()`
  /// uses, so a day matched here is the day libxml2's path reads from the same bytes.
  private func matchCanonicalDay(_ days: CanonicalDayScanner) -> Bool? {
    guard days.skip("    <day pmsResourceId=\"") else {
      guard !days.starved, days.skip("  </availability>\n</snapshot>\n"), (try? days.isAtEndOfFile()) == true else {
        return nil
      }
      finished = true
      return false
    }
    guard let idBytes = days.value(), let id = ids.value(idBytes, parse: { Int64($0) }),
      days.skip(" date=\""), let dateBytes = days.value(), let date = dates.value(dateBytes, parse: { LocalDate($0) })
    else { return nil }
    if let (lid, ldate) = lastKey, (lid, ldate) >= (id, date.dayNumber) { return nil }
    raw.resourceID = id
    raw.date = date
    raw.removed = false
    raw.ranges.removeAll(keepingCapacity: true)
    raw.codes.removeAll(keepingCapacity: true)
    // Dates and times parse only from their one written form; numbers and codes are checked.
    var normal = Self.isPlainNumber(idBytes)
    var elements = 1
    var attributes = 2
    let selfClosing = days.skip("/>\n")
    if !selfClosing {
      guard days.skip(">\n") else { return nil }
      while !days.skip("    </day>\n") {
        guard !days.starved, days.skip("      <range start=\""),
          let startBytes = days.value(), let start = times.value(startBytes, parse: { MinuteOfDay(range: $0) }),
          days.skip(" end=\""), let endBytes = days.value(), let end = times.value(endBytes, parse: { MinuteOfDay(range: $0) }),
          days.skip(" slotLength=\""), let slotBytes = days.value(), let slot = numbers.value(slotBytes, parse: { Int($0) })
        else { return nil }
        let first = raw.codes.count
        attributes += 3
        normal = normal && Self.isPlainNumber(slotBytes)
        if days.skip(" pmsAppointmentTypeIds=\"") {
          guard let codes = days.value() else { return nil }
          raw.codes.append(contentsOf: codes)
          attributes += 1
          normal = normal && codeLists.isSortedUniqueList(raw.codes[first...])
        }
        guard days.skip("/>\n") else { return nil }
        let range = RawRange(start: start, end: end, slotLength: slot, codes: first..<raw.codes.count)
        if normal, let last = raw.ranges.last {
          // AvailabilityRange.merged leaves strictly increasing, unmergeable ranges as they are.
          let mergeable =
            last.end == start && last.slotLength == slot && raw.codes[last.codes].elementsEqual(raw.codes[range.codes])
          normal = (last.start, last.end) < (start, end) && !mergeable
        }
        raw.ranges.append(range)
        elements += 1
      }
    }
    canonicalMarkup.elements += elements
    canonicalMarkup.attributes += attributes
    guard canonicalMarkup.elements <= limits.maxElements, canonicalMarkup.attributes <= limits.maxAttributes else {
      return nil
    }
    lastKey = (id, date.dayNumber)
    // `<day …></day>` with no range reads as empty, but the writer writes `<day …/>`.
    raw.isNormalForm = normal && (selfClosing || !raw.ranges.isEmpty)
    return true
  }

  /// The bytes of the day the canonical path read last (valid until the next read); nil on
  /// libxml2's path.
  var rawDayBytes: UnsafeBufferPointer<UInt8>? { canonicalDays?.dayBytes }

  /// Digits without a leading zero: how the writer writes a non-negative number.
  private static func isPlainNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = bytes.first, first != UInt8(ascii: "0") || bytes.count == 1 else { return false }
    return bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
  }

  /// The day `readRawDay()` read, decoded and normalised: what `nextDay()` returns.
  func decodedRawDay() -> PublishedDay {
    var ranges: [AvailabilityRange] = []
    ranges.reserveCapacity(raw.ranges.count)
    for r in raw.ranges {
      ranges.append(
        AvailabilityRange(
          start: r.start, end: r.end, slotLengthSeconds: r.slotLength,
          appointmentTypeCodes: codeLists.sortedUnique(raw.codes[r.codes])))
    }
    return PublishedDay(
      day: DayAvailability(resourceID: raw.resourceID, date: raw.date, ranges: AvailabilityRange.merged(ranges)), removed: raw.removed)
  }

  private func requiredBytes(
    _ name: XMLStreamReader.InternedName, of element: String
  ) throws -> UnsafeBufferPointer<UInt8> {
    guard let v = reader.attributeBytes(name) else {
      throw fail("<\(element)> lacks \(name.description)", line: reader.line)
    }
    return v
  }

  /// The element and attribute names of a day, interned in one reader's dictionary.
  private struct Names {
    let day, range, pmsResourceId, date, removed, start, end, slotLength, pmsAppointmentTypeIds:
      XMLStreamReader.InternedName

    init(_ reader: XMLStreamReader) {
      day = reader.internedName("day")
      range = reader.internedName("range")
      pmsResourceId = reader.internedName("pmsResourceId")
      date = reader.internedName("date")
      removed = reader.internedName("removed")
      start = reader.internedName("start")
      end = reader.internedName("end")
      slotLength = reader.internedName("slotLength")
      pmsAppointmentTypeIds = reader.internedName("pmsAppointmentTypeIds")
    }
  }

  /// Holds the running hash the reader's input observer updates.
  private final class InputHash {
    var hasher = StreamingSHA256()
  }

  /// `removed="true"` or `removed="1"`, as `nextDay()` always accepted.
  private static func isTrue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    bytes.elementsEqual("true".utf8) || bytes.elementsEqual("1".utf8)
  }
}
