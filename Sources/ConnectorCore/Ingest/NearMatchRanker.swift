/// Which PPMP patient files a person should look at for a booking that got a new file, ranked
/// (docs/rules.md, "Review queue"). Pure: the caller finds the rows (`PatientIndex`); nothing
/// here is ever applied automatically.
enum NearMatchRanker {
  /// Jaro–Winkler similarity from which two names count as similar.
  static let similarity = 0.88
  /// At most this many candidates are kept per booking.
  static let limit = 5

  /// What agrees between the booking and one PPMP file, both as keys.
  static func agreement(_ booking: PatientKey, mobile: String?, _ other: PatientKey, otherMobile: String?) -> MatchAgreement {
    var a = MatchAgreement()
    if booking.first == other.first { a.insert(.firstName) }
    if booking.last == other.last { a.insert(.lastName) }
    if booking.dob == other.dob { a.insert(.dob) }
    if let mobile, mobile == otherMobile { a.insert(.mobile) }
    if !a.contains(.firstName) {
      if JaroWinkler.similarity(booking.first, other.first) >= similarity { a.insert(.firstNameSimilar) }
      if NicknameTable.areNicknames(booking.first, other.first) { a.insert(.firstNameNickname) }
    }
    if !a.contains(.lastName), JaroWinkler.similarity(booking.last, other.last) >= similarity { a.insert(.lastNameSimilar) }
    if booking.first != booking.last, booking.first == other.last, booking.last == other.first { a.insert(.namesSwapped) }
    if !a.contains(.dob), let mine = LocalDate(booking.dob), let theirs = LocalDate(other.dob) {
      if abs(mine.dayNumber - theirs.dayNumber) == 1 { a.insert(.dobOneDayOff) }
      if mine.year == theirs.year, mine.month == theirs.day, mine.day == theirs.month { a.insert(.dobDayMonthSwapped) }
    }
    return a
  }

  /// The dates of birth that count as near `dob` (`agreement`): one day either side, and day and
  /// month transposed when that is another valid date. Empty when `dob` is not a date.
  static func nearDates(_ dob: String) -> [String] {
    guard let date = LocalDate(dob) else { return [] }
    var dates = [date.adding(days: -1), date.adding(days: 1)]
    if date.month != date.day, let swapped = LocalDate(year: date.year, month: date.day, day: date.month) { dates.append(swapped) }
    return dates.map(\.description)
  }

  /// Whether that agreement makes the file worth a person's look: same date of birth with
  /// similar names (each similar, or a nickname, or swapped, or the same first name with a
  /// changed surname), the same names with a date of birth one day off or day and month
  /// transposed, or the same mobile.
  static func qualifies(_ a: MatchAgreement) -> Bool {
    let first = !a.isDisjoint(with: [.firstName, .firstNameSimilar, .firstNameNickname])
    let last = !a.isDisjoint(with: [.lastName, .lastNameSimilar])
    if a.contains(.dob), (first && last) || a.contains(.namesSwapped) || a.contains(.firstName) { return true }
    if a.isSuperset(of: [.firstName, .lastName]), !a.isDisjoint(with: [.dobOneDayOff, .dobDayMonthSwapped]) { return true }
    return a.contains(.mobile)
  }

  static func score(_ a: MatchAgreement) -> Int {
    let weights: [(MatchAgreement, Int)] = [
      (.firstName, 3), (.lastName, 3), (.dob, 3), (.mobile, 3), (.firstNameSimilar, 2), (.lastNameSimilar, 2),
      (.firstNameNickname, 2), (.namesSwapped, 5), (.dobOneDayOff, 2), (.dobDayMonthSwapped, 2),
    ]
    return weights.reduce(0) { $0 + (a.contains($1.0) ? $1.1 : 0) }
  }

  /// The qualifying files among `files`, best first (ties: lower id), at most `limit`.
  static func rank(_ booking: PatientKey, mobile: String?, _ files: [KeyedPatient]) -> [ReviewCandidate] {
    var seen = Set<Int64>()
    var out: [ReviewCandidate] = []
    for f in files where seen.insert(f.id).inserted {
      let a = agreement(booking, mobile: mobile, f.key, otherMobile: f.mobile)
      if qualifies(a) { out.append(ReviewCandidate(patientID: f.id, score: score(a), agreement: a)) }
    }
    out.sort { ($0.score, -$0.patientID) > ($1.score, -$1.patientID) }
    return Array(out.prefix(limit))
  }
}
