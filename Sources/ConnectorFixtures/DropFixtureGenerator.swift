import ConnectorCore
import Foundation
import GRDB

/// What `ppmp-fixtures drops` generates (SPEC §11): drops aimed at a practice's free slots.
public struct DropFixtureSpec: Hashable, Sendable {
  /// Booking messages, conflicts included.
  public var bookings: Int
  /// Cancellation messages; each names a booking made earlier in the same set.
  public var cancellations: Int
  /// Extra drops that cannot be read at all (not well-formed, DOCTYPE, wrong practiceId, schema-invalid).
  public var invalid: Int
  public var seed: UInt64
  /// The most messages in one drop.
  public var perDrop: Int
  /// The practice time free slots are computed from; `nil` is now in the practice's zone.
  public var asOf: LocalDateTime?
  /// `practiceId` of every valid drop (the connector's `practice_id`).
  public var practiceID: String
  /// Days of availability to aim at, from the as-of date (the connector's `horizon_days`).
  public var horizonDays: Int

  /// The largest `perDrop`.
  public static let maxPerDrop = 100_000

  /// Creates a spec; `perDrop` defaults to 100 as in SPEC §11.
  public init(
    bookings: Int, cancellations: Int, invalid: Int, seed: UInt64, perDrop: Int = 100, asOf: LocalDateTime? = nil,
    practiceID: String = "practice", horizonDays: Int = 30
  ) {
    self.bookings = bookings
    self.cancellations = cancellations
    self.invalid = invalid
    self.seed = seed
    self.perDrop = perDrop
    self.asOf = asOf
    self.practiceID = practiceID
    self.horizonDays = horizonDays
  }

  /// Booking messages that deliberately ask for a slot an earlier booking of the set took
  /// (about one in twenty), answered `slot-unavailable`.
  public var conflicts: Int { bookings >= 20 ? bookings / 20 : 0 }

  /// Checks ranges; throws `DropFixtureError.invalidSpec` naming the field.
  public func validate() throws {
    func fail(_ field: String, _ detail: String) -> DropFixtureError { .invalidSpec(field: field, detail: detail) }
    guard bookings >= 0 else { throw fail("bookings", "must not be negative, got \(bookings)") }
    guard invalid >= 0 else { throw fail("invalid", "must not be negative, got \(invalid)") }
    guard (1...Self.maxPerDrop).contains(perDrop) else {
      throw fail("per-drop", "must be between 1 and \(Self.maxPerDrop), got \(perDrop)")
    }
    guard (1...90).contains(horizonDays) else { throw fail("horizon-days", "must be between 1 and 90, got \(horizonDays)") }
    // Conflicts and the bookings they copy are never cancelled, so every cancellation has a
    // booking that is certain to be confirmed.
    let cancellable = bookings - 2 * conflicts
    guard cancellations >= 0, cancellations <= cancellable else {
      throw fail("cancellations", "must be between 0 and \(max(0, cancellable)) for \(bookings) bookings, got \(cancellations)")
    }
  }
}

/// What a generation wrote.
public struct DropFixtureSummary: Hashable, Sendable {
  /// File names written, in processing order (drop-00001.xml, …).
  public var files: [String] = []
  public var bookings = 0
  /// Bookings aimed at a slot an earlier booking of the set takes.
  public var conflicts = 0
  public var cancellations = 0
  public var invalidDrops = 0
  /// Free published slots the bookings were drawn from.
  public var freeSlots = 0
  /// Bookings whose patient is an existing file, as written or with case and spacing changed.
  public var existingPatients = 0
  /// The as-of the slots were computed for (the ingest must run with it, or earlier).
  public var asOf = LocalDateTime(date: LocalDate(dayNumber: 0), time: MinuteOfDay(0))

  public init() {}
}

/// Why drops could not be generated.
public enum DropFixtureError: Error, Sendable, Equatable, CustomStringConvertible {
  case invalidSpec(field: String, detail: String)
  case notEnoughFreeSlots(needed: Int, found: Int)
  case fileExists(String)

  public var description: String {
    switch self {
    case .invalidSpec(let field, let detail): return "--\(field) \(detail)"
    case .notEnoughFreeSlots(let needed, let found):
      return "the practice has \(found) free published slot(s) in the horizon; \(needed) distinct bookings need more"
    case .fileExists(let path): return "\(path) already exists; drops are never overwritten"
    }
  }
}

/// Writes booking and cancellation drops aimed at a practice's free slots, reproducibly from a seed
/// (own SplitMix64 streams; no wall clock except the default as-of).
///
/// Free slots come from `AvailabilityEngine` over the database as it is, so every booking that is
/// not a deliberate conflict is expected to be confirmed when ingested at the same as-of.
public enum DropFixtureGenerator {
  /// Generates the drops of `spec` from the practice in `database` into `folder` (created 0700).
  public static func generate(_ spec: DropFixtureSpec, database path: String, into folder: String) throws -> DropFixtureSummary {
    try spec.validate()
    let database = try PPMPDatabase(path: path, readOnly: true)
    let settings = try database.guarded("reading settings of") { try PPMPDatabase.readSettings($0) }
    guard let zone = TimeZone(identifier: settings.timeZoneIdentifier) else {
      throw ConnectorError.dataError("settings.timezone \(settings.timeZoneIdentifier) is not an IANA zone")
    }
    let asOf = spec.asOf ?? LocalDateTime.now(in: zone)
    let options = AvailabilityOptions(asOf: asOf, horizonDays: spec.horizonDays, timeZone: zone)
    let (_, book) = try database.loadBook(from: asOf.date, days: options.effectiveHorizonDays)
    let availability = AvailabilityEngine.compute(book, options: options)
    let patients = try database.guarded("reading patients of") { db in
      try Row.fetchAll(db, sql: "SELECT first_name, last_name, dob, mobile FROM patients ORDER BY id").map {
        ExistingPatient(first: $0[0] ?? "", last: $0[1] ?? "", dob: $0[2] ?? "", mobile: $0[3])
      }
    }
    var generator = Generator(spec: spec, asOf: asOf, types: book.appointmentTypes, patients: patients)
    return try generator.write(days: availability.days, into: folder)
  }
}

private struct FreeSlot {
  var resourceID: Int64
  var date: LocalDate
  var start: Int
  var length: Int
}

private struct ExistingPatient {
  var first: String
  var last: String
  var dob: String
  var mobile: String?
}

private struct Generator {
  let spec: DropFixtureSpec
  let asOf: LocalDateTime
  let patients: [ExistingPatient]
  /// Online appointment types by length: the ones any practitioner offers, and each one's own.
  let sharedTypes: [Int: String]
  let ownTypes: [Int64: [Int: String]]
  let tag: String
  let stamp: String
  // Separate streams, so that, say, more cancellations leave the bookings unchanged.
  var slotRandom: SplitMix64
  var patientRandom: SplitMix64
  var cancelRandom: SplitMix64
  var invalidRandom: SplitMix64

  init(spec: DropFixtureSpec, asOf: LocalDateTime, types: [AppointmentType], patients: [ExistingPatient]) {
    self.spec = spec
    self.asOf = asOf
    self.patients = patients
    var shared: [Int: String] = [:]
    var own: [Int64: [Int: String]] = [:]
    for type in types.sorted(by: { $0.code < $1.code }) where type.online {
      if let staff = type.staffID {
        if own[staff, default: [:]][type.lengthMinutes] == nil { own[staff, default: [:]][type.lengthMinutes] = type.code }
      } else if shared[type.lengthMinutes] == nil {
        shared[type.lengthMinutes] = type.code
      }
    }
    sharedTypes = shared
    ownTypes = own
    tag = String(spec.seed, radix: 16)
    // bookedTime is a UTC stamp; the as-of stands in for it (close enough for fixtures).
    stamp = "\(asOf.date)T\(asOf.time):00Z"
    slotRandom = SplitMix64(seed: spec.seed ^ 0x4452_4F50_534C_0001)
    patientRandom = SplitMix64(seed: spec.seed ^ 0x4452_4F50_5041_0002)
    cancelRandom = SplitMix64(seed: spec.seed ^ 0x4452_4F50_4341_0003)
    invalidRandom = SplitMix64(seed: spec.seed ^ 0x4452_4F50_494E_0004)
  }

  mutating func write(days: [DayAvailability], into folder: String) throws -> DropFixtureSummary {
    var summary = DropFixtureSummary()
    summary.asOf = asOf
    var slots: [FreeSlot] = []
    for day in days {
      for range in day.ranges {
        let step = range.slotLengthSeconds / 60
        guard step > 0 else { continue }
        var minute = range.start.minutes
        while minute + step <= range.end.minutes {
          slots.append(FreeSlot(resourceID: day.resourceID, date: day.date, start: minute, length: step))
          minute += step
        }
      }
    }
    summary.freeSlots = slots.count
    let n = spec.bookings
    let conflicts = spec.conflicts
    let distinct = n - conflicts
    guard distinct <= slots.count else { throw DropFixtureError.notEnoughFreeSlots(needed: distinct, found: slots.count) }

    // Which bookings copy an earlier booking's slot: never the first one.
    var isConflict = [Bool](repeating: false, count: n)
    if conflicts > 0 {
      var positions = Array(1..<n)
      for k in 0..<conflicts {
        let j = k + slotRandom.below(positions.count - k)
        positions.swapAt(k, j)
        isConflict[positions[k]] = true
      }
    }
    // Distinct free slots by a partial Fisher-Yates shuffle of the slot indices.
    var order = Array(0..<slots.count)
    var chosen: [FreeSlot] = []
    chosen.reserveCapacity(n)
    var isTarget = [Bool](repeating: false, count: n)
    var next = 0
    for i in 0..<n {
      if isConflict[i] {
        let target = slotRandom.below(i)
        isTarget[target] = true
        chosen.append(chosen[target])
      } else {
        let j = next + slotRandom.below(order.count - next)
        order.swapAt(next, j)
        chosen.append(slots[order[next]])
        next += 1
      }
    }

    var bookings: [BookingMessage] = []
    bookings.reserveCapacity(n)
    for (i, slot) in chosen.enumerated() {
      bookings.append(makeBooking(number: i + 1, slot: slot, summary: &summary))
    }
    summary.bookings = n
    summary.conflicts = conflicts

    // Cancellations: bookings sure to be confirmed (not a conflict, not copied by one), each
    // placed in the stream at or after its booking, so it is processed after it.
    var cancellable = (0..<n).filter { !isConflict[$0] && !isTarget[$0] }
    var cancelAfter = [[Int]](repeating: [], count: n)
    for k in 0..<spec.cancellations {
      let j = k + cancelRandom.below(cancellable.count - k)
      cancellable.swapAt(k, j)
      let booking = cancellable[k]
      cancelAfter[booking + cancelRandom.below(n - booking)].append(booking)
    }
    summary.cancellations = spec.cancellations

    // The stream of messages, cut into drops of at most perDrop messages.
    var drops: [[UInt8]] = []
    var pendingBookings: [BookingMessage] = []
    var pendingCancellations: [CancellationMessage] = []
    var requestNumber = 0
    func flush() throws {
      guard !pendingBookings.isEmpty || !pendingCancellations.isEmpty else { return }
      drops.append(
        try DropWriter.render(practiceID: spec.practiceID, bookings: pendingBookings, cancellations: pendingCancellations))
      pendingBookings.removeAll(keepingCapacity: true)
      pendingCancellations.removeAll(keepingCapacity: true)
    }
    for i in 0..<n {
      pendingBookings.append(bookings[i])
      if pendingBookings.count + pendingCancellations.count >= spec.perDrop { try flush() }
      for b in cancelAfter[i] {
        requestNumber += 1
        pendingCancellations.append(
          CancellationMessage(
            heMsgId: bookings[b].heMsgId, requestId: "rq-\(tag)-" + LocalDate.pad(requestNumber, 8), updatedAt: stamp))
        if pendingBookings.count + pendingCancellations.count >= spec.perDrop { try flush() }
      }
    }
    try flush()

    // Unreadable drops at random places among the others.
    for k in 0..<spec.invalid {
      drops.insert(invalidDrop(k), at: invalidRandom.below(drops.count + 1))
    }
    summary.invalidDrops = spec.invalid

    try FileSystem.makeFolder(folder)
    for (i, bytes) in drops.enumerated() {
      let name = "drop-" + LocalDate.pad(i + 1, 5) + ".xml"
      let path = folder + "/" + name
      if FileManager.default.fileExists(atPath: path) { throw DropFixtureError.fileExists(path) }
      try FileSystem.writeAtomically(to: path, bytes: bytes)
      summary.files.append(name)
    }
    return summary
  }

  private mutating func makeBooking(number: Int, slot: FreeSlot, summary: inout DropFixtureSummary) -> BookingMessage {
    let id = LocalDate.pad(number, 8)
    var first: String
    var last: String
    var dob: String
    var phone: String?
    let roll = patientRandom.unit()
    if !patients.isEmpty && roll < 0.6 {
      let p = patients[patientRandom.below(patients.count)]
      (first, last, dob) = (p.first, p.last, p.dob)
      phone = p.mobile ?? (patientRandom.chance(0.5) ? mobile() : nil)
      if roll >= 0.45 {
        // The same person typed differently: matching trims and case-folds.
        switch patientRandom.below(3) {
        case 0: first = " " + first.uppercased() + " "
        case 1: last = last.lowercased()
        default: (first, last) = (first.lowercased() + "  ", " " + last.uppercased())
        }
      }
      summary.existingPatients += 1
    } else {
      first = newFirstNames[patientRandom.below(newFirstNames.count)]
      last = newLastNames[patientRandom.below(newLastNames.count)]
      dob = LocalDate(dayNumber: asOf.date.dayNumber - 365 - patientRandom.below(30_000)).description
      phone = patientRandom.chance(0.9) ? mobile() : nil
    }
    let email: String? = patientRandom.chance(0.3) ? "patient\(id)@example.net" : nil
    let reason: String? = patientRandom.chance(0.7) ? reasons[patientRandom.below(reasons.count)] : nil
    let type = ownTypes[slot.resourceID]?[slot.length] ?? sharedTypes[slot.length]
    return BookingMessage.make(
      heMsgId: "he-\(tag)-\(id)", bookingId: "bk-\(tag)-\(id)", resourceID: slot.resourceID, typeCode: type,
      start: LocalDateTime(date: slot.date, time: MinuteOfDay(slot.start)), lengthMinutes: slot.length,
      bookedTime: stamp, firstName: first, lastName: last, dob: dob, phone: phone, email: email, reason: reason,
      isNewPatient: patientRandom.chance(0.3))
  }

  private mutating func mobile() -> String { "04" + LocalDate.pad(patientRandom.below(100_000_000), 8) }

  /// One drop that cannot be read at all, cycling through the kinds SPEC §5 names.
  private mutating func invalidDrop(_ k: Int) -> [UInt8] {
    let ns = exchangeNamespace
    let id = "he-\(tag)-x" + LocalDate.pad(k + 1, 6)
    let text: String
    switch k % 4 {
    case 0:
      // Not well-formed: the booking element is never closed.
      text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <drop xmlns="\(ns)" practiceId="\(spec.practiceID)">
          <booking heMsgId="\(id)" bookingId="\(id)" pmsResourceId="1">
        </drop>
        """
    case 1:
      text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE drop [<!ENTITY who "someone">]>
        <drop xmlns="\(ns)" practiceId="\(spec.practiceID)">
          <cancellation heMsgId="\(id)" requestId="\(id)" updatedAt="\(stamp)"/>
        </drop>
        """
    case 2:
      text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <drop xmlns="\(ns)" practiceId="not-\(spec.practiceID)">
          <cancellation heMsgId="\(id)" requestId="\(id)" updatedAt="\(stamp)"/>
        </drop>
        """
    default:
      // Schema-invalid: an element the drop vocabulary does not have.
      text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <drop xmlns="\(ns)" practiceId="\(spec.practiceID)">
          <appointment heMsgId="\(id)" when="\(invalidRandom.below(1000))"/>
        </drop>
        """
    }
    return Array((text + "\n").utf8)
  }
}

// Names for new patients, apart from the practice generators' lists so most find no match.
private let newFirstNames = [
  "Anouk", "Bashir", "Catalina", "Dmitri", "Eero", "Farida", "Gideon", "Halle", "Ines", "Jarrah", "Kalani", "Leif",
  "Marisol", "Nnamdi", "Odette", "Pavel", "Quinlan", "Rafferty", "Saoirse", "Tovah", "Ulla", "Vesna", "Wren", "Yusuf",
]
private let newLastNames = [
  "Abernethy", "Bergqvist", "Castellanos", "Drummond", "Eriksen", "Fairweather", "Gorecki", "Hollingsworth",
  "Iwasaki", "Jovanovic", "Kowalczyk", "Lindqvist", "Montgomery", "Nakashima", "Oyelaran", "Pemberton", "Quartermaine",
  "Rautenbach", "Szymanski", "Tremblay", "Underhill", "Valentini", "Whitcombe", "Yarrowby",
]
private let reasons = [
  "Lower back pain", "Knee pain & swelling after running", "Follow-up <review>", "Shoulder stiffness",
  "Neck pain from desk work", "Ankle sprain, 2 weeks", "Post-op rehab: \"ACL\"", "Headaches",
]
