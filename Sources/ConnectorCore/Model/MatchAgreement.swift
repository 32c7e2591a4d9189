/// Which fields of a review candidate agree with the booking, and how (docs/rules.md, "Review
/// queue"). Stored and printed as the stable codes of `codes`, never as names or dates.
public struct MatchAgreement: OptionSet, Sendable, Hashable {
  public let rawValue: Int
  public init(rawValue: Int) { self.rawValue = rawValue }

  public static let firstName = MatchAgreement(rawValue: 1 << 0)
  public static let lastName = MatchAgreement(rawValue: 1 << 1)
  public static let dob = MatchAgreement(rawValue: 1 << 2)
  public static let mobile = MatchAgreement(rawValue: 1 << 3)
  /// Jaro–Winkler ≥ 0.88 on the normalised first name.
  public static let firstNameSimilar = MatchAgreement(rawValue: 1 << 4)
  /// Jaro–Winkler ≥ 0.88 on the normalised last name.
  public static let lastNameSimilar = MatchAgreement(rawValue: 1 << 5)
  /// The first names are known nicknames of each other (Bill/William).
  public static let firstNameNickname = MatchAgreement(rawValue: 1 << 6)
  /// First and last name exchanged.
  public static let namesSwapped = MatchAgreement(rawValue: 1 << 7)
  public static let dobOneDayOff = MatchAgreement(rawValue: 1 << 8)
  public static let dobDayMonthSwapped = MatchAgreement(rawValue: 1 << 9)

  /// Each flag with its code, in a fixed order.
  public static let all: [(MatchAgreement, String)] = [
    (.firstName, "first-name"), (.lastName, "last-name"), (.dob, "dob"), (.mobile, "mobile"),
    (.firstNameSimilar, "first-name-similar"), (.lastNameSimilar, "last-name-similar"),
    (.firstNameNickname, "first-name-nickname"), (.namesSwapped, "names-swapped"), (.dobOneDayOff, "dob-one-day-off"),
    (.dobDayMonthSwapped, "dob-day-month-swapped"),
  ]

  /// The codes of the flags set, in `all`'s order.
  public var codes: [String] { Self.all.filter { contains($0.0) }.map(\.1) }

  /// The flags named by `codes` (unknown codes are ignored).
  public init(codes: some Sequence<some StringProtocol>) {
    var value = MatchAgreement()
    for code in codes {
      if let flag = Self.all.first(where: { $0.1 == code })?.0 { value.insert(flag) }
    }
    self = value
  }
}
