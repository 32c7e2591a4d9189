/// One slot of a weekly diary template, in minutes since midnight.
struct TemplateSlot: Hashable, Sendable {
  var start: Int
  var end: Int
  var interval: Int
}

/// A practitioner's two weekly diaries turned into sorted, de-duplicated slot lists, built once
/// per practitioner so each date only has to pick a list.
struct DiaryTemplate: Sendable {
  /// Index `diaryIndex(kind, weekday)`: slots sorted by start, unique starts.
  private(set) var slots: [[TemplateSlot]] = Array(repeating: [], count: 14)
  /// Whether the diary has any row (valid or not) for that weekday; an alternate diary with only
  /// invalid rows still applies, so the bad rows are not silently replaced by the main diary.
  private(set) var hasRows: [Bool] = Array(repeating: false, count: 14)

  /// Builds the template from `rows` (rows of other staff and weekdays outside 1...7 are ignored)
  /// and appends one diagnostic per problem row to `diagnostics`.
  init(practitioner: Practitioner, rows: [DiaryRow], diagnostics: inout [AvailabilityDiagnostic]) {
    // Row-id order makes "keep the first row's slot" deterministic whatever order rows arrived in.
    let ordered = rows.filter { $0.staffID == practitioner.id && (1...7).contains($0.weekday) }
      .sorted { $0.id < $1.id }
    var generated: [[(slot: TemplateSlot, order: Int)]] = Array(repeating: [], count: 14)
    for (order, row) in ordered.enumerated() {
      let index = DiaryTemplate.index(row.diary, row.weekday)
      hasRows[index] = true
      let checked = DiaryTemplate.check(row, of: practitioner)
      if let diagnostic = checked.diagnostic { diagnostics.append(diagnostic) }
      guard let span = checked.span else { continue }
      var start = span.start
      while start + span.interval <= span.end {
        generated[index].append((TemplateSlot(start: start, end: start + span.interval, interval: span.interval), order))
        start += span.interval
      }
    }
    for index in 0..<14 where !generated[index].isEmpty {
      let sorted = generated[index].sorted { ($0.slot.start, $0.order) < ($1.slot.start, $1.order) }
      var unique: [TemplateSlot] = []
      unique.reserveCapacity(sorted.count)
      for entry in sorted where unique.last?.start != entry.slot.start {
        unique.append(entry.slot)
      }
      slots[index] = unique
    }
  }

  static func index(_ kind: DiaryKind, _ weekday: Int) -> Int { (kind == .main ? 0 : 7) + weekday - 1 }

  /// The diary in force on `date` (SPEC §3): alternate on odd whole weeks after the roster anchor
  /// when that weekday has alternate rows, main otherwise.
  func kind(on date: LocalDate, anchor: LocalDate?) -> DiaryKind {
    guard let anchor else { return .main }
    let days = date.days(since: anchor)
    // Floor division keeps the fortnightly rhythm going backwards from the anchor too.
    let weeks = days >= 0 ? days / 7 : (days - 6) / 7
    guard weeks & 1 == 1, hasRows[DiaryTemplate.index(.alternate, date.weekday)] else { return .main }
    return .alternate
  }

  /// The sorted slots of the diary in force on `date`.
  func slots(on date: LocalDate, anchor: LocalDate?) -> [TemplateSlot] {
    slots[DiaryTemplate.index(kind(on: date, anchor: anchor), date.weekday)]
  }

  /// Parses and checks one row: the usable span (end trimmed to the interval grid) and at most
  /// one diagnostic, so a bad row is reported once however many dates it would cover.
  static func check(
    _ row: DiaryRow, of practitioner: Practitioner
  ) -> (span: (start: Int, end: Int, interval: Int)?, diagnostic: AvailabilityDiagnostic?) {
    let start = DiaryTime.parse(row.startText)
    let end = DiaryTime.parse(row.endText)
    func report(_ kind: AvailabilityDiagnostic.Kind, _ text: String, _ problem: String) -> AvailabilityDiagnostic {
      AvailabilityDiagnostic(
        kind: kind, practitionerID: practitioner.id, practitionerName: practitioner.displayName,
        diary: row.diary, weekday: row.weekday, diaryRowID: row.id, text: text,
        message: "\(practitioner.displayName) (staff \(practitioner.id)), \(row.diary.rawValue) diary, "
          + "\(weekdayName(row.weekday)), diary row \(row.id): \(problem)")
    }
    let formHint = "type it as 24-hour \"09:00\" or 12-hour \"9:00am\" (no space, no leading zero)"
    guard let start, let end else {
      var problem: String
      let text: String
      if start == nil && end == nil {
        text = row.startText
        problem = "start time \"\(row.startText)\" and end time \"\(row.endText)\" are not valid diary times"
      } else if start == nil {
        text = row.startText
        problem = "start time \"\(row.startText)\" is not a valid diary time"
      } else {
        text = row.endText
        problem = "end time \"\(row.endText)\" is not a valid diary time"
      }
      problem += "; the row is skipped. Fix: \(formHint)."
      return (nil, report(.invalidDiaryTime, text, problem))
    }
    guard row.intervalMinutes > 0 else {
      return (nil, report(
        .invalidInterval, String(row.intervalMinutes),
        "interval \(row.intervalMinutes) minutes is not positive; the row is skipped. "
          + "Fix: set the slot interval to the appointment length in minutes, e.g. 15."))
    }
    guard end > start else {
      return (nil, report(
        .endNotAfterStart, row.endText,
        "end time \"\(row.endText)\" is not after start time \"\(row.startText)\"; the row is skipped. "
          + "Fix: correct the times (an afternoon time needs \"pm\" or the 24-hour form)."))
    }
    let length = end.minutes - start.minutes
    let whole = length - length % row.intervalMinutes
    let span = (start: start.minutes, end: start.minutes + whole, interval: row.intervalMinutes)
    guard whole == length else {
      let lastEnd = MinuteOfDay(span.end)
      return (span, report(
        .trailingPartialSlot, row.endText,
        "\(row.startText)–\(row.endText) is not a whole number of \(row.intervalMinutes)-minute slots; "
          + "slots end at \(lastEnd) and the partial slot after it is not published. "
          + "Fix: make the end time a multiple of the interval after the start."))
    }
    return (span, nil)
  }
}

private let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

/// "Monday" … "Sunday" for ISO weekday 1 … 7; "weekday N" for anything else.
func weekdayName(_ weekday: Int) -> String {
  (1...7).contains(weekday) ? weekdayNames[weekday - 1] : "weekday \(weekday)"
}
