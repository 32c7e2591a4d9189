import ConnectorCore
import Foundation
import GRDB

/// One diary row in minutes, with the text written to `diary_times`.
struct GeneratedRow {
  var weekday: Int
  var start: Int
  var end: Int
  var interval: Int
}

/// Everything about one practitioner the appointment pass needs, kept as plain integers.
struct GeneratedPractitioner {
  var id: Int64
  var active: Bool
  var columns: Int
  var rosterAnchor: LocalDate?
  /// Diary rows per ISO weekday (index 1...7).
  var main: [[GeneratedRow]]
  var alternate: [[GeneratedRow]]
  var ownTypeID: Int64?
}

/// Fills the tables of one new database. Owns the prepared statements for the bulk inserts.
struct PracticeWriter {
  let db: Database
  let spec: PracticeFixtureSpec
  var summary = PracticeFixtureSummary()

  // Separate streams so that, say, a different patient count leaves the diaries unchanged.
  var staffRandom: SplitMix64
  var patientRandom: SplitMix64
  var bookingRandom: SplitMix64

  /// `YYYY-MM-DD` for each generated day, `HH:MM` for each minute: built once, reused per row.
  let dayText: [String]
  let timeText: [String]
  let createdAt: String
  let cancelledAt: String
  let messageIDPrefix: String

  init(db: Database, spec: PracticeFixtureSpec) throws {
    self.db = db
    self.spec = spec
    staffRandom = SplitMix64(seed: spec.seed ^ 0x5354_4146_4600_0001)
    patientRandom = SplitMix64(seed: spec.seed ^ 0x5041_5449_454E_0002)
    bookingRandom = SplitMix64(seed: spec.seed ^ 0x424F_4F4B_0000_0003)
    dayText = (0..<spec.days).map { spec.start.adding(days: $0).description }
    timeText = (0..<1440).map { MinuteOfDay($0).description }
    let eve = spec.start.adding(days: -1)
    createdAt = "\(eve) 17:45:00"
    cancelledAt = "\(eve) 18:20:00"
    messageIDPrefix = "HE_MSG_ID:he-fx-" + String(spec.seed, radix: 16) + "-"
  }

  mutating func writeAll() throws -> PracticeFixtureSummary {
    try writeSettings()
    let holidays = try writeHolidays()
    var practitioners = try writePractitioners()
    try writeAppointmentTypes(&practitioners)
    let blocks = try writeBlocks(practitioners)
    try writePatients()
    try writeAppointments(practitioners, holidays: holidays, blocks: blocks)
    return summary
  }

  private func writeSettings() throws {
    let insert = try db.makeStatement(sql: "INSERT INTO settings (key, value) VALUES (?, ?)")
    let settings = [
      ("ppmp_version", "9.6"),
      ("practice_name", "Fixture Practice \(spec.seed)"),
      ("timezone", "Australia/Perth"),
      ("he_colour", PracticeFixtureGenerator.healthengineColour),
    ]
    for (key, value) in settings { try insert.execute(arguments: [key, value]) }
  }

  /// About one weekday holiday per four weeks; returns the day offsets.
  private mutating func writeHolidays() throws -> Set<Int> {
    let insert = try db.makeStatement(sql: "INSERT INTO holidays (holiday_date, name) VALUES (?, ?)")
    var offsets = Set<Int>()
    var chunk = 0
    while chunk < spec.days {
      let offset = chunk + staffRandom.below(min(28, spec.days - chunk))
      let weekday = spec.start.adding(days: offset).weekday
      if weekday <= 5, offsets.insert(offset).inserted {
        try insert.execute(arguments: [dayText[offset], staffRandom.pick(holidayNames)])
      }
      chunk += 28
    }
    summary.holidays = offsets.count
    return offsets
  }

  private mutating func writePractitioners() throws -> [GeneratedPractitioner] {
    let insertStaff = try db.makeStatement(
      sql: """
        INSERT INTO staff (id, title, first_name, last_name, active, online_booking, slot_duration,
                           columns, roster_anchor)
        VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
        """)
    let insertRow = try db.makeStatement(
      sql: """
        INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    let thisMonday = spec.start.adding(days: 1 - spec.start.weekday)
    var result: [GeneratedPractitioner] = []
    result.reserveCapacity(spec.practitioners)

    for index in 1...spec.practitioners {
      let id = Int64(index)
      let active = !staffRandom.chance(0.02)
      let online = !staffRandom.chance(0.03)
      let columns = staffRandom.chance(0.1) ? 2 : 1
      let interval = staffRandom.pick([15, 15, 20, 30])
      let twelveHour = staffRandom.chance(0.05)
      let startHour = staffRandom.pick([7, 8, 8, 9, 9])
      let endHour = staffRandom.pick([16, 17, 17, 18])
      let lunch = staffRandom.chance(0.7)
      let dayOff = staffRandom.chance(0.15) ? 1 + staffRandom.below(5) : 0
      let saturday = staffRandom.chance(0.2)
      let rostered = staffRandom.chance(0.2)
      let anchor = rostered ? thisMonday.adding(days: -7 * staffRandom.below(4)) : nil

      var main = Array(repeating: [GeneratedRow](), count: 8)
      var alternate = Array(repeating: [GeneratedRow](), count: 8)
      for weekday in 1...5 where weekday != dayOff {
        if lunch {
          main[weekday].append(GeneratedRow(weekday: weekday, start: startHour * 60, end: 720, interval: interval))
          main[weekday].append(GeneratedRow(weekday: weekday, start: 780, end: endHour * 60, interval: interval))
        } else {
          main[weekday].append(
            GeneratedRow(weekday: weekday, start: startHour * 60, end: endHour * 60, interval: interval))
        }
        if rostered {
          // The other fortnight: late shifts on Mon/Wed/Fri, early ones on Tue/Thu.
          let (from, to) = weekday % 2 == 1 ? (720, 1140) : (420, 660)
          alternate[weekday].append(GeneratedRow(weekday: weekday, start: from, end: to, interval: interval))
        }
      }
      if saturday {
        main[6].append(GeneratedRow(weekday: 6, start: 480, end: 720, interval: interval))
      }

      let title: String? = staffRandom.pick(titles)
      try insertStaff.execute(arguments: [
        id, title, staffRandom.pick(firstNames), staffRandom.pick(lastNames), active ? 1 : 0,
        online ? 1 : 0, columns, anchor?.description,
      ])
      summary.practitioners += 1
      for (diary, rows) in [("main", main), ("alternate", alternate)] {
        for row in rows.joined() {
          try insertRow.execute(arguments: [
            id, diary, row.weekday, diaryTime(row.start, twelveHour: twelveHour),
            diaryTime(row.end, twelveHour: twelveHour), row.interval,
          ])
          summary.diaryRows += 1
        }
      }
      result.append(
        GeneratedPractitioner(
          id: id, active: active, columns: columns, rosterAnchor: anchor, main: main,
          alternate: alternate, ownTypeID: nil))
    }
    return result
  }

  /// Shared types first (ids 1...4), then one of their own for about one practitioner in ten.
  private mutating func writeAppointmentTypes(_ practitioners: inout [GeneratedPractitioner]) throws {
    let insert = try db.makeStatement(
      sql: """
        INSERT INTO appointment_types (id, code, name, length_minutes, staff_id, online)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    let shared: [(String, String, Int, Int)] = [
      ("STD", "Standard Consultation", 30, 1), ("INIT", "Initial Consultation", 60, 1),
      ("LONG", "Long Consultation", 45, 1), ("WORKCOVER", "WorkCover Assessment", 60, 0),
    ]
    var nextID: Int64 = 1
    for (code, name, length, online) in shared {
      try insert.execute(arguments: [nextID, code, name, length, nil as Int64?, online])
      nextID += 1
    }
    for index in practitioners.indices where staffRandom.chance(0.1) {
      let (name, length) = staffRandom.pick(specialTypes)
      let staffID = practitioners[index].id
      try insert.execute(arguments: [nextID, "S\(staffID)-\(name.prefix(4).uppercased())", name, length, staffID, 1])
      practitioners[index].ownTypeID = nextID
      nextID += 1
    }
    summary.appointmentTypes = Int(nextID - 1)
  }

  /// A few blocks per practitioner: half whole days (leave), half two-hour meetings.
  /// Returns, per practitioner index and day offset, the blocked minutes (nil range: whole day).
  private mutating func writeBlocks(_ practitioners: [GeneratedPractitioner]) throws
    -> [Int64: [Int: Range<Int>?]]
  {
    let insert = try db.makeStatement(
      sql: """
        INSERT INTO diary_blocks (staff_id, block_date, start_time, end_time, reason)
        VALUES (?, ?, ?, ?, ?)
        """)
    var blocks: [Int64: [Int: Range<Int>?]] = [:]
    for practitioner in practitioners {
      let count = staffRandom.below(spec.days / 30 + 2)
      for _ in 0..<count {
        let offset = staffRandom.below(spec.days)
        guard blocks[practitioner.id]?[offset] == nil else { continue }
        if staffRandom.chance(0.5) {
          blocks[practitioner.id, default: [:]][offset] = .some(nil)
          try insert.execute(arguments: [
            practitioner.id, dayText[offset], nil as String?, nil as String?, staffRandom.pick(leaveReasons),
          ])
        } else {
          let start = staffRandom.pick([600, 720, 840])
          blocks[practitioner.id, default: [:]][offset] = .some(start..<(start + 120))
          try insert.execute(arguments: [
            practitioner.id, dayText[offset], timeText[start], timeText[start + 120],
            staffRandom.pick(meetingReasons),
          ])
        }
        summary.blocks += 1
      }
    }
    return blocks
  }

  private mutating func writePatients() throws {
    guard spec.patients > 0 else { return }
    let insert = try db.makeStatement(
      sql: """
        INSERT INTO patients (id, first_name, last_name, dob, mobile, email, created_at, created_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """)
    let lowerFirst = firstNames.map { $0.lowercased() }
    let lowerLast = lastNames.map { $0.lowercased().replacingOccurrences(of: "'", with: "") }
    // Name indexes and DOB day number per patient, so duplicates can copy an earlier file.
    var identities: [(first: Int, last: Int, dob: Int)] = []
    identities.reserveCapacity(spec.patients)
    let newest = spec.start.adding(days: -1).dayNumber

    for index in 1...spec.patients {
      var identity: (first: Int, last: Int, dob: Int)
      if index > 10, patientRandom.chance(0.005) {
        identity = identities[patientRandom.below(identities.count)]
      } else {
        identity = (
          patientRandom.below(firstNames.count), patientRandom.below(lastNames.count),
          newest - patientRandom.below(32_000)
        )
      }
      identities.append(identity)
      let mobile: String? =
        patientRandom.chance(0.9) ? "04" + LocalDate.pad(patientRandom.below(100_000_000), 8) : nil
      let email: String? =
        patientRandom.chance(0.4)
        ? "\(lowerFirst[identity.first]).\(lowerLast[identity.last])\(index)@example.com" : nil
      let created = LocalDate(dayNumber: newest - patientRandom.below(3650)).description + " 10:00:00"
      let createdBy = patientRandom.chance(0.05) ? "healthengine" : "reception"
      try insert.execute(arguments: [
        index, firstNames[identity.first], lastNames[identity.last],
        LocalDate(dayNumber: identity.dob).description, mobile, email, created, createdBy,
      ])
    }
    summary.patients = spec.patients
  }

  private mutating func writeAppointments(
    _ practitioners: [GeneratedPractitioner], holidays: Set<Int>, blocks: [Int64: [Int: Range<Int>?]]
  ) throws {
    let insert = try db.makeStatement(
      sql: """
        INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes,
          patient_id, type_id, status, comments, colour, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    let booked = spec.bookedFraction
    // Cancelled appointments sit in free slots, about 5% of all appointments.
    let cancelled = booked / 19
    let noColour: String? = nil
    let colour: String? = PracticeFixtureGenerator.healthengineColour
    var messageNumber = 0

    for practitioner in practitioners where practitioner.active {
      let staffBlocks = blocks[practitioner.id] ?? [:]
      for offset in 0..<spec.days where !holidays.contains(offset) {
        let blocked = staffBlocks[offset]
        if case .some(nil) = blocked { continue }
        let date = spec.start.adding(days: offset)
        let rows = diaryRows(of: practitioner, on: date)
        guard !rows.isEmpty else { continue }
        for row in rows {
          var minute = row.start
          while minute + row.interval <= row.end {
            defer { minute += row.interval }
            if case .some(.some(let range)) = blocked, range.overlaps(minute..<(minute + row.interval)) {
              continue
            }
            summary.bookableSlots += 1
            for column in 1...practitioner.columns {
              // The second column is a quieter overflow column.
              let share = column == 1 ? booked : booked / 2
              let roll = bookingRandom.unit()
              let isCancelled: Bool
              if roll < share {
                isCancelled = false
              } else if roll < share + (column == 1 ? cancelled : cancelled / 2) {
                isCancelled = true
              } else {
                continue
              }
              let status: String
              var updatedAt = createdAt
              if isCancelled {
                status = "cancelled"
                updatedAt = cancelledAt
              } else if offset == 0 && minute < 720 {
                // The first day is "today": the morning has been seen already.
                status = bookingRandom.chance(0.05) ? "dna" : (minute < 660 ? "completed" : "arrived")
                updatedAt = dayText[0] + " " + timeText[minute] + ":00"
              } else {
                status = "booked"
              }
              var comments = ""
              var appointmentColour = noColour
              if bookingRandom.chance(0.08) {
                messageNumber += 1
                // Fixed width, so no token is a prefix of another (he-…-1 vs he-…-10).
                comments = "Healthengine booking. " + messageIDPrefix + LocalDate.pad(messageNumber, 8)
                appointmentColour = colour
                summary.healthengineAppointments += 1
              }
              let patient: Int? = spec.patients > 0 ? 1 + bookingRandom.below(spec.patients) : nil
              var type: Int64 = 1
              if let own = practitioner.ownTypeID, bookingRandom.chance(0.3) { type = own }
              try insert.execute(arguments: [
                practitioner.id, column, dayText[offset], timeText[minute], row.interval, patient, type,
                status, comments, appointmentColour, createdAt, updatedAt,
              ])
              summary.appointments += 1
              if isCancelled { summary.cancelledAppointments += 1 }
            }
          }
        }
      }
    }
  }

  /// SPEC §3: the alternate diary on odd weeks after the anchor, when it has rows for the day.
  private func diaryRows(of practitioner: GeneratedPractitioner, on date: LocalDate) -> [GeneratedRow] {
    let weekday = date.weekday
    if let anchor = practitioner.rosterAnchor, !practitioner.alternate[weekday].isEmpty {
      let days = date.days(since: anchor)
      let weeks = days >= 0 ? days / 7 : (days - 6) / 7
      if weeks % 2 != 0 { return practitioner.alternate[weekday] }
    }
    return practitioner.main[weekday]
  }

  /// Diary times as a practice types them: `HH:MM`, or `h:MMam`/`h:MMpm` for some practices.
  private func diaryTime(_ minutes: Int, twelveHour: Bool) -> String {
    guard twelveHour else { return timeText[minutes] }
    let hour = minutes / 60
    let clock = hour % 12 == 0 ? 12 : hour % 12
    return "\(clock):" + LocalDate.pad(minutes % 60, 2) + (hour < 12 ? "am" : "pm")
  }
}

// MARK: - Name lists

private let titles: [String?] = ["Dr", "Dr", "Ms", "Mr", "Mrs", nil]

private let firstNames = [
  "Olivia", "Charlotte", "Amelia", "Isla", "Mia", "Ava", "Grace", "Chloe", "Willow", "Matilda",
  "Ella", "Sophie", "Harper", "Ruby", "Zoe", "Emily", "Evie", "Lily", "Sienna", "Hannah",
  "Jessica", "Sarah", "Emma", "Lucy", "Georgia", "Madison", "Isabella", "Alice", "Scarlett", "Ivy",
  "Priya", "Mei", "Fatima", "Aroha", "Margaret", "Susan", "Karen", "Helen", "Jennifer", "Michelle",
  "Rebecca", "Natalie", "Kate", "Claire", "Nicole", "Anh", "Leilani", "Yasmin", "Bronwyn", "Tahlia",
  "Jack", "Oliver", "Noah", "William", "Leo", "Henry", "Charlie", "Thomas", "Lucas", "James",
  "Hudson", "Harrison", "Ethan", "Mason", "Liam", "Max", "Archie", "Oscar", "Samuel", "Joshua",
  "Daniel", "Benjamin", "Lachlan", "Riley", "Cooper", "Xavier", "Hamish", "Angus", "Patrick", "Michael",
  "Matthew", "David", "Andrew", "Peter", "John", "Robert", "Wei", "Aarav", "Mohammed", "Sione",
  "Bradley", "Darren", "Shane", "Craig", "Jarrah", "Kieran", "Rohan", "Tane", "Minh", "Declan",
]

private let lastNames = [
  "Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin", "Anderson",
  "Thompson", "Nguyen", "Thomas", "Walker", "Harris", "Lee", "Ryan", "Robinson", "Kelly", "King",
  "Davis", "Wright", "Evans", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel",
  "Khan", "Mitchell", "Campbell", "Young", "Scott", "Stewart", "Murphy", "O'Brien", "Hughes", "Edwards",
  "Baker", "Hill", "Moore", "Cooper", "Watson", "Turner", "Phillips", "Morris", "Tran", "Le",
  "Chen", "Wang", "Singh", "Papadopoulos", "Rossi", "D'Souza", "McDonald", "Fraser", "Gallagher", "Sullivan",
  "O'Connor", "Byrne", "Kennedy", "Morgan", "Bell", "Murray", "Graham", "Marshall", "Russell", "Ward",
  "Pham", "Huynh", "Li", "Zhang", "Kaur", "Sharma", "Ali", "Costa", "Nikolaidis", "Kowalski",
  "MacKenzie", "Ferguson", "Hayes", "Doyle", "Quinn", "Lawson", "Reid", "Brennan", "Dunn", "Fitzgerald",
  "Tan", "Lim", "Ng", "Wong", "Ho", "Ahmed", "Hussain", "Romano", "Bianchi", "Jovanovic",
]

private let holidayNames = ["Public holiday", "Practice closed", "Staff training day"]
private let leaveReasons = ["Annual leave", "Sick leave", "Conference", "Long service leave"]
private let meetingReasons = ["Staff meeting", "Clinical supervision", "Home visits", "Admin time"]
private let specialTypes: [(String, Int)] = [
  ("Dry Needling", 30), ("Clinical Pilates", 60), ("Hydrotherapy", 40), ("Sports Massage", 45),
  ("Hand Therapy", 30), ("Orthotic Fitting", 40), ("Telehealth Review", 20),
]
