import Foundation
@testable import ConnectorCore

/// Builders shared by the availability tests; everything is a fresh value per test.
enum AvailabilityFixture {
  static let perth = TimeZone(identifier: "Australia/Perth")!
  static let sydney = TimeZone(identifier: "Australia/Sydney")!
  /// A Monday.
  static let monday = LocalDate("2026-03-02")!

  static func practitioner(
    _ id: Int64 = 1, columns: Int = 1, anchor: LocalDate? = nil, active: Bool = true, online: Bool = true
  ) -> Practitioner {
    Practitioner(
      id: id, title: "Dr", firstName: "Jane", lastName: "Citizen\(id)", active: active, onlineBooking: online,
      columns: columns, rosterAnchor: anchor)
  }

  static func row(
    _ id: Int64, staff: Int64 = 1, _ diary: DiaryKind = .main, weekday: Int = 1, _ start: String = "09:00",
    _ end: String = "10:00", interval: Int = 15
  ) -> DiaryRow {
    DiaryRow(id: id, staffID: staff, diary: diary, weekday: weekday, startText: start, endText: end, intervalMinutes: interval)
  }

  static func row(
    _ id: Int64, staff: Int64 = 1, weekday: Int = 1, _ start: String = "09:00", _ end: String = "10:00",
    interval: Int = 15
  ) -> DiaryRow {
    row(id, staff: staff, .main, weekday: weekday, start, end, interval: interval)
  }

  static func booking(
    _ id: Int64, staff: Int64 = 1, column: Int = 1, on date: LocalDate = monday, _ start: String, minutes: Int = 15,
    occupies: Bool = true
  ) -> BookedInterval {
    BookedInterval(
      appointmentID: id, staffID: staff, column: column, date: date, start: MinuteOfDay(hhmm: start)!,
      durationMinutes: minutes, occupies: occupies)
  }

  static func options(
    asOf: String = "2026-03-02T00:00", horizon: Int = 1, lead: Int = 0, timeZone: TimeZone = perth,
    multiColumn: [Int64: MultiColumnMode] = [:]
  ) -> AvailabilityOptions {
    AvailabilityOptions(
      asOf: LocalDateTime(asOf)!, horizonDays: horizon, leadMinutes: lead, timeZone: timeZone, multiColumn: multiColumn)
  }

  /// The ranges of one practitioner-day as `HH:MM-HH:MM/minutes` strings (nil if the day is missing).
  static func ranges(_ result: AvailabilityResult, staff: Int64 = 1, on date: LocalDate = monday) -> [String]? {
    result.days.first { $0.resourceID == staff && $0.date == date }.map { day in
      day.ranges.map { "\($0.start)-\($0.end)/\($0.slotLengthSeconds / 60)" }
    }
  }
}
