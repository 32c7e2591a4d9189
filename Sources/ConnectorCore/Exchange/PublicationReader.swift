import ConnectorXML

/// A day as read from a snapshot or delta: the availability plus, in deltas, whether it left the
/// published set.
public struct PublishedDay: Sendable, Equatable {
  public var day: DayAvailability
  public var removed: Bool
}

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
  private var pending: XMLEvent?
  private var lastKey: (Int64, Int)?
  private var finished = false

  /// Opens `path` and reads everything before the first day.
  public init(path: String, limits: XMLReadLimits = XMLReadLimits(maxDepth: 8, maxTextBytes: 1 << 20)) throws {
    self.path = path
    do {
      reader = try XMLStreamReader(path: path, limits: limits)
      try readPrologue()
    } catch let error as XMLError {
      throw ConnectorError.dataError("\(path): \(error)")
    }
  }

  private func fail(_ message: String, line: Int? = nil) -> ConnectorError {
    .dataError("\(path)\(line.map { ":\($0)" } ?? ""): \(message)")
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
    if finished { return nil }
    do {
      guard let e = try nextElement() else {
        finished = true
        return nil
      }
      guard e.name == "day" else { throw fail("unexpected <\(e.name)> in <availability>", line: e.line) }
      let id = try int64(e, "pmsResourceId")
      guard let date = LocalDate(try required(e, "date")) else { throw fail("bad date", line: e.line) }
      if let (lid, ldate) = lastKey, (lid, ldate) >= (id, date.dayNumber) {
        throw fail("days are not sorted by pmsResourceId then date (practitioner \(id), \(date))", line: e.line)
      }
      lastKey = (id, date.dayNumber)
      var ranges: [AvailabilityRange] = []
      if !e.isEmpty {
        while let event = try reader.next() {
          if case .endElement(let name) = event, name == "day" { break }
          guard case .startElement(let r) = event else { continue }
          guard r.name == "range", let s = MinuteOfDay(range: try required(r, "start")),
            let en = MinuteOfDay(range: try required(r, "end")), let slot = Int(try required(r, "slotLength"))
          else { throw fail("bad <\(r.name)> in day \(id) \(date)", line: r.line) }
          let codes = (r[attribute: "pmsAppointmentTypeIds"] ?? "").split(separator: " ").map(String.init)
          ranges.append(AvailabilityRange(start: s, end: en, slotLengthSeconds: slot, appointmentTypeCodes: codes))
        }
      }
      return PublishedDay(
        day: DayAvailability(resourceID: id, date: date, ranges: Self.normalised(ranges)),
        removed: e[attribute: "removed"] == "true" || e[attribute: "removed"] == "1")
    } catch let error as XMLError {
      throw fail("\(error)")
    }
  }

  /// Sorted, codes sorted and unique, adjacent ranges with the same slot length and codes merged.
  static func normalised(_ ranges: [AvailabilityRange]) -> [AvailabilityRange] {
    var sorted = ranges.map { r -> AvailabilityRange in
      var r = r
      r.appointmentTypeCodes = Array(Set(r.appointmentTypeCodes)).sorted()
      return r
    }
    sorted.sort { ($0.start, $0.end) < ($1.start, $1.end) }
    var out: [AvailabilityRange] = []
    for r in sorted {
      if var last = out.last, last.end == r.start, last.slotLengthSeconds == r.slotLengthSeconds,
        last.appointmentTypeCodes == r.appointmentTypeCodes
      {
        last.end = r.end
        out[out.count - 1] = last
      } else {
        out.append(r)
      }
    }
    return out
  }
}

extension MinuteOfDay {
  /// `HH:MM`, or `24:00` as the end of a range that runs to midnight.
  init?(range text: String) {
    if text == "24:00" {
      self.init(1440)
    } else {
      self.init(hhmm: text)
    }
  }
}
