/// Number, size and age wording shared by both HTML reports; all deterministic.
enum ReportFormat {
  /// "512 B", "12.3 KiB", "4.0 MiB".
  static func bytes(_ n: Int64) -> String {
    if n < 1024 { return "\(n) B" }
    let units = ["KiB", "MiB", "GiB", "TiB"]
    var value = n
    var unit = 0
    while value >= 1024 * 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    let tenths = (value * 10 + 512) / 1024
    return "\(tenths / 10).\(tenths % 10) \(units[unit])"
  }

  /// "45 s", "12 min", "3 h", "2 days".
  static func age(_ seconds: Int64) -> String {
    switch seconds {
    case ..<120: "\(max(0, seconds)) s"
    case ..<7200: "\(seconds / 60) min"
    case ..<172_800: "\(seconds / 3600) h"
    default: "\(seconds / 86400) days"
    }
  }

  /// "Mon 2 Mar".
  static func shortDay(_ date: LocalDate) -> String {
    let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return "\(weekdays[date.weekday - 1]) \(date.day) \(months[date.month - 1])"
  }

  /// "1 drop", "3 drops".
  static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
  }

  /// The first 12 hex digits of a hash, for tables (the full value is in the cell's title).
  static func shortHash(_ hash: String) -> String {
    hash.count > 12 ? String(hash.prefix(12)) + "…" : hash
  }
}
