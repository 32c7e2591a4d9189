import Foundation

/// What Healthengine is being shown: free minutes per practitioner and day, read from the last
/// published snapshot (`state/published.xml`), the base every delta applies to.
public struct FreeHoursGrid: Sendable, Equatable {
  /// One practitioner's row.
  public struct Row: Sendable, Equatable {
    public var id: Int64
    /// The practitioner's name as published (`pmsResourceName`).
    public var name: String
    /// Free minutes per day of the horizon, in date order; 0 when nothing is free.
    public var minutes: [Int]
  }

  /// The snapshot's sequence and logical time.
  public var sequence: Int64
  public var asOf: String
  /// The horizon's days, in order.
  public var dates: [LocalDate]
  /// Practitioners in published order (by id).
  public var rows: [Row]

  /// Reads the published snapshot; nil when nothing has been published yet.
  public static func read(path: String) throws -> FreeHoursGrid? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    let reader = try PublicationReader(path: path)
    let header = reader.header
    let dates = (0..<header.horizonDays).map { header.horizonStart.adding(days: $0) }
    let column = Dictionary(uniqueKeysWithValues: dates.enumerated().map { ($1, $0) })
    var minutes: [Int64: [Int]] = [:]
    for r in reader.resources ?? [] { minutes[r.id] = Array(repeating: 0, count: dates.count) }
    while let published = try reader.nextDay() {
      let day = published.day
      guard let index = column[day.date] else { continue }
      let free = day.ranges.reduce(0) { $0 + max(0, $1.end.minutes - $1.start.minutes) }
      minutes[day.resourceID, default: Array(repeating: 0, count: dates.count)][index] += free
    }
    let names = Dictionary((reader.resources ?? []).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    let rows = minutes.keys.sorted().map { id in
      Row(id: id, name: names[id] ?? "staff \(id)", minutes: minutes[id] ?? [])
    }
    return FreeHoursGrid(sequence: header.sequence, asOf: header.asOf.description, dates: dates, rows: rows)
  }

  /// Hours for a cell: "7", "7.5", "6.3"; "–" for nothing free.
  public static func hours(_ minutes: Int) -> String {
    guard minutes > 0 else { return "–" }
    if minutes % 60 == 0 { return "\(minutes / 60)" }
    let tenths = (minutes * 10 + 30) / 60
    return "\(tenths / 10).\(tenths % 10)"
  }
}
