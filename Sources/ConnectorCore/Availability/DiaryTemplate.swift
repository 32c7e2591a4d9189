/// One slot of a weekly diary template, in minutes since midnight.
struct TemplateSlot: Hashable, Sendable {
  var start: Int
  var end: Int
  var interval: Int
}

/// A practitioner's two weekly diaries turned into sorted, non-overlapping slot lists, built once
/// per practitioner so each date only has to pick a list.
///
/// Overlapping rows of one diary and weekday (docs/rules.md, "Overlapping diary rows"): rows are
/// taken in order of start time, then row id, and a slot is kept only when it overlaps no slot
/// already kept. So the earlier-starting row wins, and every published slot start is bookable
/// for its own length: no two slots of a practitioner-day share a minute.
struct DiaryTemplate: Sendable {
  /// Index `diaryIndex(kind, weekday)`: slots sorted by start, pairwise disjoint.
  private(set) var slots: [[TemplateSlot]] = Array(repeating: [], count: 14)
  /// Whether the diary has any row (valid or not) for that weekday; an alternate diary with only
  /// invalid rows still applies, so the bad rows are not silently replaced by the main diary.
  private(set) var hasRows: [Bool] = Array(repeating: false, count: 14)

  /// Builds the template from `rows` (rows of other staff and weekdays outside 1...7 are ignored)
  /// and appends one diagnostic per problem row to `diagnostics`.
  init(practitioner: Practitioner, rows: [DiaryRow], diagnostics: inout [AvailabilityDiagnostic]) {
    let ordered = rows.filter { $0.staffID == practitioner.id && (1...7).contains($0.weekday) }
      .sorted { $0.id < $1.id }
    var usable: [[(row: DiaryRow, start: Int, end: Int, interval: Int)]] = Array(repeating: [], count: 14)
    for row in ordered {
      let index = DiaryTemplate.index(row.diary, row.weekday)
      hasRows[index] = true
      let checked = DiaryTemplate.check(row, of: practitioner)
      if let diagnostic = checked.diagnostic { diagnostics.append(diagnostic) }
      guard let span = checked.span, span.end > span.start else { continue }
      usable[index].append((row, span.start, span.end, span.interval))
    }
    for index in 0..<14 where !usable[index].isEmpty {
      // Earlier start wins; on the same start, the lower row id (the row entered first).
      let byStart = usable[index].sorted { ($0.start, $0.row.id) < ($1.start, $1.row.id) }
      var kept: [TemplateSlot] = []
      // Minutes of the day already covered by a kept slot; only needed when rows can collide.
      var taken = byStart.count > 1 ? [Bool](repeating: false, count: 1440) : []
      for (k, entry) in byStart.enumerated() {
        var dropped = 0
        var total = 0
        var start = entry.start
        while start + entry.interval <= entry.end {
          let slot = TemplateSlot(start: start, end: start + entry.interval, interval: entry.interval)
          start += entry.interval
          total += 1
          if !taken.isEmpty {
            let minutes = slot.start..<min(slot.end, 1440)
            if minutes.contains(where: { taken[$0] }) {
              dropped += 1
              continue
            }
            for m in minutes { taken[m] = true }
          }
          kept.append(slot)
        }
        let earlier = byStart[..<k].filter { $0.start < entry.end && entry.start < $0.end }.map(\.row)
        if !earlier.isEmpty {
          diagnostics.append(
            DiaryTemplate.overlap(entry.row, with: earlier, dropped: dropped, of: total, practitioner: practitioner))
        }
      }
      kept.sort { $0.start < $1.start }
      slots[index] = kept
    }
  }

  /// The diagnostic for a row whose time overlaps rows that start earlier (or start together
  /// and have lower ids), naming every row involved.
  static func overlap(
    _ row: DiaryRow, with earlier: [DiaryRow], dropped: Int, of total: Int, practitioner: Practitioner
  ) -> AvailabilityDiagnostic {
    let others = earlier.map { "row \($0.id) \"\(rowText($0))\"" }.joined(separator: ", ")
    let consequence =
      dropped == 0
      ? "none of its \(total) slots collide with a slot already kept, so all are published"
      : "\(dropped) of its \(total) slots overlap slots of the earlier-starting row(s) and are not published"
    return AvailabilityDiagnostic(
      kind: .overlappingDiaryRows, practitionerID: practitioner.id, practitionerName: practitioner.displayName,
      diary: row.diary, weekday: row.weekday, diaryRowID: row.id, text: "\(row.startText)–\(row.endText)",
      problem: "\(practitioner.displayName) (staff \(practitioner.id)), \(row.diary.rawValue) diary, "
        + "\(weekdayName(row.weekday)), diary row \(row.id) \"\(rowText(row))\" overlaps \(others); \(consequence).",
      fix: "make the rows of one day follow each other without overlapping (end one session where the next begins), "
        + "or delete the duplicate row.")
  }

  /// A row as typed: `start–end every N min`.
  static func rowText(_ row: DiaryRow) -> String {
    "\(row.startText)–\(row.endText) every \(row.intervalMinutes) min"
  }

  static func index(_ kind: DiaryKind, _ weekday: Int) -> Int { (kind == .main ? 0 : 7) + weekday - 1 }

  /// The diary in force on `date` (docs/rules.md, "Fortnightly rosters"): alternate on odd whole
  /// weeks after the roster anchor when that weekday has alternate rows, main otherwise. Weeks
  /// are counted from the Monday of the anchor's week, so an anchor typed on another weekday
  /// still gives Monday-to-Sunday weeks; dates before the anchor's week always use the main
  /// diary (the roster has not started).
  func kind(on date: LocalDate, anchor: LocalDate?) -> DiaryKind {
    guard let first = anchor.map(DiaryTemplate.rosterStart) else { return .main }
    let days = date.days(since: first)
    guard days >= 0, (days / 7) & 1 == 1, hasRows[DiaryTemplate.index(.alternate, date.weekday)] else { return .main }
    return .alternate
  }

  /// The Monday of the anchor's week: where the roster's week 0 (main diary) begins.
  static func rosterStart(_ anchor: LocalDate) -> LocalDate { anchor.adding(days: 1 - anchor.weekday) }

  /// Whether `kind`'s diary has rows for `weekday` of which none yields a slot (every row
  /// invalid, or shorter than its interval): on such a day nothing is published.
  func isUnusable(_ kind: DiaryKind, weekday: Int) -> Bool {
    guard (1...7).contains(weekday) else { return false }
    let index = DiaryTemplate.index(kind, weekday)
    return hasRows[index] && slots[index].isEmpty
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
    func report(_ kind: AvailabilityDiagnostic.Kind, _ text: String, _ problem: String, fix: String) -> AvailabilityDiagnostic {
      AvailabilityDiagnostic(
        kind: kind, practitionerID: practitioner.id, practitionerName: practitioner.displayName,
        diary: row.diary, weekday: row.weekday, diaryRowID: row.id, text: text,
        problem: "\(practitioner.displayName) (staff \(practitioner.id)), \(row.diary.rawValue) diary, "
          + "\(weekdayName(row.weekday)), diary row \(row.id): \(problem)",
        fix: fix)
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
      problem += "; the row is skipped."
      return (nil, report(.invalidDiaryTime, text, problem, fix: "\(formHint)."))
    }
    guard row.intervalMinutes > 0 else {
      return (nil, report(
        .invalidInterval, String(row.intervalMinutes),
        "interval \(row.intervalMinutes) minutes is not positive; the row is skipped.",
        fix: "set the slot interval to the appointment length in minutes, e.g. 15."))
    }
    guard end > start else {
      return (nil, report(
        .endNotAfterStart, row.endText,
        "end time \"\(row.endText)\" is not after start time \"\(row.startText)\"; the row is skipped.",
        fix: "correct the times (an afternoon time needs \"pm\" or the 24-hour form)."))
    }
    let length = end.minutes - start.minutes
    let whole = length - length % row.intervalMinutes
    let span = (start: start.minutes, end: start.minutes + whole, interval: row.intervalMinutes)
    guard whole == length else {
      let lastEnd = MinuteOfDay(span.end)
      return (span, report(
        .trailingPartialSlot, row.endText,
        "\(row.startText)–\(row.endText) is not a whole number of \(row.intervalMinutes)-minute slots; "
          + "slots end at \(lastEnd) and the partial slot after it is not published.",
        fix: "make the end time a multiple of the interval after the start."))
    }
    return (span, nil)
  }
}

private let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

/// "Monday" … "Sunday" for ISO weekday 1 … 7; "weekday N" for anything else.
func weekdayName(_ weekday: Int) -> String {
  (1...7).contains(weekday) ? weekdayNames[weekday - 1] : "weekday \(weekday)"
}
