/// One thing a refresh document must hold: a practitioner-day (or that day for every published
/// practitioner), or one of the two full lists.
public enum RefreshItem: Sendable, Hashable {
  /// `resourceID` nil: every published practitioner.
  case day(resourceID: Int64?, date: LocalDate)
  case resources
  case appointmentTypes

  /// The state's text form: `day <id|*> <date>`, `resources`, `appointmentTypes`.
  public var text: String {
    switch self {
    case .day(let id, let date): "day \(id.map(String.init) ?? "*") \(date)"
    case .resources: "resources"
    case .appointmentTypes: "appointmentTypes"
    }
  }

  public init?(text: String) {
    switch text {
    case "resources": self = .resources
    case "appointmentTypes": self = .appointmentTypes
    default:
      let parts = text.split(separator: " ")
      guard parts.count == 3, parts[0] == "day", let date = LocalDate(String(parts[2])) else { return nil }
      if parts[1] == "*" {
        self = .day(resourceID: nil, date: date)
      } else if let id = Int64(parts[1]) {
        self = .day(resourceID: id, date: date)
      } else {
        return nil
      }
    }
  }
}
