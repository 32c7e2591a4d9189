#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ConnectorPOSIX

/// What a diff found.
public struct DiffSummary: Sendable, Equatable {
  public var changedDays = 0
  public var addedDays = 0
  public var removedDays = 0
  public var resourcesChanged = false
  public var appointmentTypesChanged = false
  public var headerChanged = false

  public init() {}

  /// True when the two snapshots publish the same thing.
  public var isEmpty: Bool {
    changedDays == 0 && addedDays == 0 && removedDays == 0 && !resourcesChanged && !appointmentTypesChanged
      && !headerChanged
  }

  /// Days the delta carries.
  public var deltaDays: Int { changedDays + addedDays + removedDays }
}

/// The deterministic diff pass (SPEC §5 delta): a merge walk over two snapshots sorted by
/// practitioner then date, holding one day of each at a time, writing the delta as it goes.
public enum SnapshotDiff {
  /// Diffs `basePath` against `newPath` and streams the delta into `outputPath`.
  /// The delta's header is the new snapshot's, with `baseSequence`/`baseSHA256` of the base.
  /// When the summary is empty the written file is removed (no delta is published).
  @discardableResult
  public static func writeDelta(
    base basePath: String, new newPath: String, to outputPath: String, baseSHA256: String,
    sequence: Int64? = nil
  ) throws -> DiffSummary {
    try write(base: basePath, new: newPath, to: outputPath, baseSHA256: baseSHA256, sequence: sequence).summary
  }

  /// `writeDelta(base:new:to:baseSHA256:sequence:)` with `baseSHA256` the SHA-256 of the base
  /// file, taken while the diff reads it (one pass over the base instead of two). The delta is
  /// written with a placeholder of the same length that is overwritten in place at the end, so
  /// the bytes are those the other form writes given the same hash.
  @discardableResult
  public static func writeDelta(
    base basePath: String, new newPath: String, to outputPath: String, sequence: Int64? = nil
  ) throws -> (summary: DiffSummary, baseSHA256: String) {
    let result = try write(base: basePath, new: newPath, to: outputPath, baseSHA256: nil, sequence: sequence)
    return (result.summary, result.baseSHA256)
  }

  /// 64 characters, like any hex SHA-256, so filling it in moves no byte.
  private static let placeholderSHA256 = String(repeating: "0", count: 64)

  /// Both `writeDelta`s; with `readingBytes` false, both files go
  /// through libxml2 from the start (tests compare the two ways of reading).
  static func write(
    base basePath: String, new newPath: String, to outputPath: String, baseSHA256 knownSHA256: String?,
    sequence: Int64?, readingBytes: Bool = true
  ) throws -> (summary: DiffSummary, baseSHA256: String) {
    // Snapshots in the form the connector writes (all of its own) have their days read from the
    // bytes; at the first byte that is not in that form both files are read again, from the
    // start, through libxml2, which reads the same days and rejects what is malformed.
    if readingBytes, let old = PublicationReader(canonicalSnapshotAt: basePath, hashingInput: knownSHA256 == nil),
      let new = PublicationReader(canonicalSnapshotAt: newPath)
    {
      do {
        return try write(old: old, new: new, to: outputPath, baseSHA256: knownSHA256, sequence: sequence)
      } catch is CanonicalDayScanner.NotCanonical {}
    }
    return try write(
      old: PublicationReader(path: basePath, hashingInput: knownSHA256 == nil), new: PublicationReader(path: newPath),
      to: outputPath, baseSHA256: knownSHA256, sequence: sequence)
  }

  private static func write(
    old: PublicationReader, new: PublicationReader, to outputPath: String, baseSHA256 knownSHA256: String?,
    sequence: Int64?
  ) throws -> (summary: DiffSummary, baseSHA256: String) {
    guard old.kind == .snapshot, new.kind == .snapshot else {
      throw ConnectorError.dataError("diff compares two snapshots; a delta was given")
    }
    var header = new.header
    if let sequence { header.sequence = sequence }
    var summary = DiffSummary()
    summary.resourcesChanged = old.resources != new.resources
    summary.appointmentTypesChanged = old.appointmentTypes != new.appointmentTypes
    summary.headerChanged = old.header.timeZone != new.header.timeZone || old.header.practiceID != new.header.practiceID

    let writer = try PublicationWriter(
      path: outputPath,
      kind: .delta(baseSequence: old.header.sequence, baseSHA256: knownSHA256 ?? placeholderSHA256), header: header)
    var wroteAll = false
    defer { if !wroteAll { try? FileSystem.removeIfPresent(outputPath) } }
    if summary.resourcesChanged { try writer.writeResources(new.resources ?? []) }
    if summary.appointmentTypesChanged { try writer.writeAppointmentTypes(new.appointmentTypes ?? []) }

    // Days are compared as read first (parsed times, raw type-code bytes, in buffers reused from
    // day to day); only days that differ as read are decoded and normalised, and only those whose
    // normalised content differs are written, so formatting and equivalent range lists still do
    // not count as changes.
    var hasA = try old.readRawDay()
    var hasB = try new.readRawDay()
    while hasA || hasB {
      if hasA, hasB, old.raw.key == new.raw.key {
        // Days both in the writer's own form have the same content exactly when they have the
        // same bytes, and the new day's bytes are what the writer would write for it.
        if old.raw.isNormalForm, new.raw.isNormalForm, let a = old.rawDayBytes, let b = new.rawDayBytes {
          if a.count != b.count || memcmp(a.baseAddress!, b.baseAddress!, a.count) != 0 {
            try writer.writeDay(formatted: b) { new.decodedRawDay().day }
            summary.changedDays += 1
          }
        } else if !old.raw.isSameAsRead(as: new.raw) {
          let y = new.decodedRawDay().day
          if old.decodedRawDay().day.ranges != y.ranges {
            try writer.writeDay(y)
            summary.changedDays += 1
          }
        }
        hasA = try old.readRawDay()
        hasB = try new.readRawDay()
      } else if hasA, !hasB || old.raw.key < new.raw.key {
        try writer.writeDay(DayAvailability(resourceID: old.raw.resourceID, date: old.raw.date, ranges: []), removed: true)
        summary.removedDays += 1
        hasA = try old.readRawDay()
      } else {
        if new.raw.isNormalForm, let b = new.rawDayBytes {
          try writer.writeDay(formatted: b) { new.decodedRawDay().day }
        } else {
          try writer.writeDay(new.decodedRawDay().day)
        }
        summary.addedDays += 1
        hasB = try new.readRawDay()
      }
    }
    try writer.finish()
    var baseSHA256 = knownSHA256 ?? ""
    if knownSHA256 == nil {
      baseSHA256 = try old.inputSHA256()
      if !summary.isEmpty { try fillInBaseSHA256(baseSHA256, in: outputPath) }
    }
    wroteAll = true
    if summary.isEmpty { try FileSystem.removeIfPresent(outputPath) }
    return (summary, baseSHA256)
  }

  /// Overwrites the placeholder of the root's `baseSha256` attribute in the written delta. The
  /// first ` baseSha256="` in the file is that attribute: the root start tag comes first, and a
  /// `"` inside an earlier attribute value is written as `&quot;`.
  private static func fillInBaseSHA256(_ hash: String, in path: String) throws {
    let marker = Array(" baseSha256=\"\(placeholderSHA256)\"".utf8)
    let fd = open(path, O_RDWR | O_CLOEXEC)
    guard fd >= 0 else { throw FileSystem.ioError("open", path) }
    defer { close(fd) }
    // The header is a few hundred bytes; read on only if an unusually long one needs it.
    var head: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
      let n = chunk.withUnsafeMutableBytes { POSIX.pread(fd, $0.baseAddress, $0.count, at: Int64(head.count)) }
      if n < 0 { throw FileSystem.ioError("read", path) }
      head.append(contentsOf: chunk[0..<n])
      let searchFrom = max(0, head.count - n - marker.count)
      if let at = firstIndex(of: marker, in: head, from: searchFrom) {
        let value = Array(hash.utf8)
        let offset = at + marker.count - 1 - value.count
        let written = value.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard written == value.count else { throw FileSystem.ioError("write", path) }
        return
      }
      if n == 0 { throw ConnectorError.dataError("\(path): the delta header has no baseSha256 to fill in") }
    }
  }

  private static func firstIndex(of marker: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
    guard bytes.count >= marker.count else { return nil }
    var i = start
    while i <= bytes.count - marker.count {
      if bytes[i] == marker[0], bytes[i..<(i + marker.count)].elementsEqual(marker) { return i }
      i += 1
    }
    return nil
  }
}

/// A whole snapshot in memory: for tests and for checking that base + delta = new.
public struct SnapshotContent: Sendable, Equatable {
  public var header: PublicationHeader
  public var resources: [ResourceEntry]
  public var appointmentTypes: [AppointmentTypeEntry]
  public var days: [DayAvailability]

  /// Reads a snapshot file entirely.
  public init(path: String) throws {
    let r = try PublicationReader(path: path)
    guard r.kind == .snapshot else { throw ConnectorError.dataError("\(path) is not a snapshot") }
    header = r.header
    resources = r.resources ?? []
    appointmentTypes = r.appointmentTypes ?? []
    days = []
    while let d = try r.nextDay() { days.append(d.day) }
  }

  /// Applies a delta file: the receiver's side of the protocol.
  public func applying(deltaAt path: String) throws -> SnapshotContent {
    let r = try PublicationReader(path: path)
    guard case .delta(let baseSequence, _) = r.kind else { throw ConnectorError.dataError("\(path) is not a delta") }
    guard baseSequence == header.sequence else {
      throw ConnectorError.dataError("delta \(path) is based on sequence \(baseSequence), not \(header.sequence)")
    }
    var out = self
    out.header = r.header
    if let res = r.resources { out.resources = res }
    if let types = r.appointmentTypes { out.appointmentTypes = types }
    var byKey: [Int64: [Int: DayAvailability]] = [:]
    for d in days { byKey[d.resourceID, default: [:]][d.date.dayNumber] = d }
    while let d = try r.nextDay() {
      if d.removed {
        byKey[d.day.resourceID]?[d.day.date.dayNumber] = nil
      } else {
        byKey[d.day.resourceID, default: [:]][d.day.date.dayNumber] = d.day
      }
    }
    out.days = byKey.keys.sorted().flatMap { id in byKey[id]!.keys.sorted().map { byKey[id]![$0]! } }
    return out
  }
}
