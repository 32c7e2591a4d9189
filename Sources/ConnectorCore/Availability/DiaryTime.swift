/// Strict parser for the two diary time forms PPMP accepts (SPEC §2 "Diary time formats").
///
/// Valid forms, and nothing else:
/// - 24-hour: exactly two digits, a colon, two digits, `00:00` … `23:59` (`09:00`, `13:30`).
/// - 12-hour: hour `1` … `12` **without** a leading zero, a colon, two minute digits and an
///   `am`/`pm` suffix with no space (`9:00am`, `1:30pm`, `12:00pm` = noon, `12:15am` = 00:15).
///   The suffix is all lower-case or all upper-case (`PM`); mixed case (`Pm`) is rejected, as is
///   `01:00pm`, because the spec's 12-hour examples never pad the hour.
///
/// `24:00` is not accepted, not even as an end time: the spec lists no such form and an invalid
/// row is skipped rather than guessed, so a session that runs to midnight ends at `23:59` /
/// `11:59pm`. Leading or trailing spaces make a time invalid too, because the practice has to
/// see (and fix) exactly what PPMP stored.
public enum DiaryTime {
  /// Parses one diary time, returning `nil` for anything outside the two valid forms
  /// (`9:00`, `9:00 am`, `9am`, `0900`, `13:00pm`, `12:60`, `24:00`, `1:5pm`, `01:00pm`, empty).
  public static func parse(_ text: String) -> MinuteOfDay? {
    // Native strings are contiguous; the copy only happens for bridged strings.
    if let result = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0) }) {
      return result
    }
    return Array(text.utf8).withUnsafeBufferPointer { parse(bytes: $0) }
  }

  private static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> MinuteOfDay? {
    switch b.count {
    case 5:
      // HH:MM
      guard b[2] == colon, let h = twoDigits(b[0], b[1]), let m = twoDigits(b[3], b[4]) else { return nil }
      return MinuteOfDay(hour: h, minute: m)
    case 6:
      // H:MMam, H = 1…9
      guard (one...nine).contains(b[0]), b[1] == colon, let m = twoDigits(b[2], b[3]),
        let pm = meridiem(b[4], b[5])
      else { return nil }
      return twelveHour(Int(b[0] - zero), m, pm: pm)
    case 7:
      // HH:MMam, HH = 10…12
      guard b[0] == one, (zero...two).contains(b[1]), b[2] == colon, let m = twoDigits(b[3], b[4]),
        let pm = meridiem(b[5], b[6])
      else { return nil }
      return twelveHour(10 + Int(b[1] - zero), m, pm: pm)
    default:
      return nil
    }
  }

  private static let zero = UInt8(ascii: "0")
  private static let one = UInt8(ascii: "1")
  private static let two = UInt8(ascii: "2")
  private static let nine = UInt8(ascii: "9")
  private static let colon = UInt8(ascii: ":")

  private static func twoDigits(_ a: UInt8, _ b: UInt8) -> Int? {
    guard (zero...nine).contains(a), (zero...nine).contains(b) else { return nil }
    return Int(a - zero) * 10 + Int(b - zero)
  }

  /// `false` for am, `true` for pm, `nil` for anything else (including mixed case).
  private static func meridiem(_ a: UInt8, _ m: UInt8) -> Bool? {
    switch (a, m) {
    case (UInt8(ascii: "a"), UInt8(ascii: "m")), (UInt8(ascii: "A"), UInt8(ascii: "M")): return false
    case (UInt8(ascii: "p"), UInt8(ascii: "m")), (UInt8(ascii: "P"), UInt8(ascii: "M")): return true
    default: return nil
    }
  }

  private static func twelveHour(_ hour: Int, _ minute: Int, pm: Bool) -> MinuteOfDay? {
    // 12am is the midnight hour and 12pm the noon hour; the other hours shift by 12 in the afternoon.
    let h24 = hour == 12 ? (pm ? 12 : 0) : (pm ? hour + 12 : hour)
    return MinuteOfDay(hour: h24, minute: minute)
  }
}
