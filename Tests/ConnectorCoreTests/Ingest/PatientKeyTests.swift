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
