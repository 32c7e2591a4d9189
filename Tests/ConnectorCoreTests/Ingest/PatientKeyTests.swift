import Testing

@testable import ConnectorCore

/// The pieces of matching on their own: the key normalisation and the Jaro–Winkler similarity
/// against published reference values.
@Suite struct PatientKeyTests {
  @Test(arguments: [
    ("  O’Brien ", "o'brien"), ("O`BRIEN", "o'brien"), ("Smith–Jones", "smith jones"), ("Smith - Jones", "smith jones"),
    ("Mary\u{00A0}\u{00A0}Anne", "mary anne"), ("Chloe\u{301}", "chlo\u{E9}"), ("ÉMILE", "\u{E9}mile"), ("Groß", "gross"),
    ("\tLee\n", "lee"), ("---", ""),
  ])
  func normalise(_ raw: String, _ expected: String) {
    let key = PatientKey.normalise(raw)
    #expect(Array(key.unicodeScalars) == Array(expected.unicodeScalars), "\(raw)")
  }

  @Test func datesOfBirthKeepTheirDashes() {
    #expect(PatientKey.normaliseDate(" 2001-02-03 ") == "2001-02-03")
    #expect(PatientKey.normaliseDate("2001–02–03") == "2001-02-03")
    #expect(LocalDate(PatientKey(first: "a", last: "b", dob: "1980-01-01\t").dob) == LocalDate("1980-01-01"))
  }

  /// The index is asked for same-name files on these dates only: they must be exactly the dates
  /// the ranker counts as near (a year boundary, and a swap that is no date).
  @Test func nearDatesOfBirthAreOneDayEitherSideAndTheDayMonthSwap() {
    #expect(NearMatchRanker.nearDates("2004-06-05") == ["2004-06-04", "2004-06-06", "2004-05-06"])
    #expect(NearMatchRanker.nearDates("2000-01-01") == ["1999-12-31", "2000-01-02"], "a swap onto itself is the same date")
    #expect(NearMatchRanker.nearDates("1990-03-13") == ["1990-03-12", "1990-03-14"], "month 13 is no date")
    #expect(NearMatchRanker.nearDates("not a date").isEmpty)
    for dob in ["2004-06-05", "1999-12-31", "2012-02-29"] {
      let key = PatientKey(first: "a", last: "b", dob: dob)
      for near in NearMatchRanker.nearDates(dob) {
        let a = NearMatchRanker.agreement(key, mobile: nil, PatientKey(first: "a", last: "b", dob: near), otherMobile: nil)
        #expect(NearMatchRanker.qualifies(a) && !a.contains(.dob), "\(near) is near \(dob)")
      }
    }
  }

  @Test func mobilesCompareByDigits() {
    #expect(PatientKey.mobileKey("+61 411 222 333") == "0411222333")
    #expect(PatientKey.mobileKey("(0411) 222-333") == "0411222333")
    #expect(PatientKey.mobileKey("12") == nil && PatientKey.mobileKey(nil) == nil)
  }

  @Test(arguments: [("martha", "marhta", 0.961), ("dwayne", "duane", 0.840), ("dixon", "dicksonx", 0.813)])
  func jaroWinklerReferenceValues(_ a: String, _ b: String, _ expected: Double) {
    #expect(abs(JaroWinkler.similarity(a, b) - expected) < 0.001, "\(a) \(b): \(JaroWinkler.similarity(a, b))")
  }

  @Test func nicknamesGoBothWaysAndNeverMatchThemselves() {
    #expect(NicknameTable.areNicknames("bill", "william") && NicknameTable.areNicknames("william", "bill"))
    #expect(NicknameTable.areNicknames("liz", "elizabeth"))
    #expect(!NicknameTable.areNicknames("bill", "bill") && !NicknameTable.areNicknames("bill", "robert"))
  }
}
