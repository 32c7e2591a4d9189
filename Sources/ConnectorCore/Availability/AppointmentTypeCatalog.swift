/// The online appointment types one practitioner offers, arranged so that a range's
/// `pmsAppointmentTypeIds` is a lookup returning a shared array (no allocation per range).
struct AppointmentTypeCatalog {
  /// Types offered (online, for everyone or this practitioner, positive length).
  private let offered: [AppointmentType]
  /// Per slot interval: lengths ascending, and for each prefix of that order the codes sorted.
  private var tables: [(interval: Int, lengths: [Int], codesByCount: [[String]])] = []

  init(offered: [AppointmentType]) {
    self.offered = offered.filter { $0.online && $0.lengthMinutes > 0 }
  }

  /// Codes of the offered types whose length is a multiple of `interval` and at most `rangeMinutes`.
  mutating func codes(interval: Int, rangeMinutes: Int) -> [String] {
    guard !offered.isEmpty else { return [] }
    let table: Int
    if let found = tables.firstIndex(where: { $0.interval == interval }) {
      table = found
    } else {
      let fitting = offered.filter { $0.lengthMinutes % interval == 0 }
        .sorted { ($0.lengthMinutes, $0.code) < ($1.lengthMinutes, $1.code) }
      var codesByCount: [[String]] = [[]]
      var running: [String] = []
      for type in fitting {
        running.append(type.code)
        codesByCount.append(running.sorted())
      }
      tables.append((interval, fitting.map(\.lengthMinutes), codesByCount))
      table = tables.count - 1
    }
    let lengths = tables[table].lengths
    var count = 0
    while count < lengths.count, lengths[count] <= rangeMinutes { count += 1 }
    return tables[table].codesByCount[count]
  }
}
