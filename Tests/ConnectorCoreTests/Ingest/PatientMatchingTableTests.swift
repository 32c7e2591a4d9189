import ConnectorTestSupport
import Foundation
import GRDB
import Testing

@testable import ConnectorCore

/// Patient matching against cases a front desk meets every week (docs/rules.md, "Patient
/// matching"): each case is one booking into a practice holding the case's PPMP rows, ingested
/// through the real `Ingestor`; the receipt's answer and the review queue are checked.
@Suite struct PatientMatchingTableTests {
  /// A PPMP patient row of a case (ids from 100; the practice's own rows are 1–4).
  struct File: Sendable {
    var id: Int64
    var first: String
    var last: String
    var dob: String
    var mobile: String? = nil
  }

  enum Expected: Sendable, Equatable {
    /// Matched this file.
    case matched(Int64)
    /// A new file, with these review candidates in rank order, the first agreeing on `codes`.
    case new(PatientMatch, candidates: [Int64], codes: [String] = [])
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var files: [File]
    var first: String
    var last: String
    var dob: String
    var phone: String? = nil
    var expected: Expected
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "typographic apostrophe in the booking", files: [File(id: 100, first: "Sean", last: "O'Brien", dob: "2001-01-01")],
         first: "Sean", last: "O’Brien", dob: "2001-01-01", expected: .matched(100)),
    Case(name: "typographic apostrophe in PPMP", files: [File(id: 100, first: "Sean", last: "O’Brien", dob: "2001-01-01")],
         first: "Sean", last: "O'Brien", dob: "2001-01-01", expected: .matched(100)),
    Case(name: "left quote as apostrophe", files: [File(id: 100, first: "Sean", last: "O‘Brien", dob: "2001-01-01")],
         first: "Sean", last: "O'Brien", dob: "2001-01-01", expected: .matched(100)),
    Case(name: "modifier letter apostrophe", files: [File(id: 100, first: "Sean", last: "O\u{2BC}Brien", dob: "2001-01-01")],
         first: "Sean", last: "O'Brien", dob: "2001-01-01", expected: .matched(100)),
    Case(name: "backtick as apostrophe", files: [File(id: 100, first: "Sean", last: "O`Brien", dob: "2001-01-01")],
         first: "Sean", last: "O'Brien", dob: "2001-01-01", expected: .matched(100)),
    Case(name: "hyphen against space", files: [File(id: 100, first: "Kate", last: "Smith-Jones", dob: "2001-01-02")],
         first: "Kate", last: "Smith Jones", dob: "2001-01-02", expected: .matched(100)),
    Case(name: "en dash against hyphen", files: [File(id: 100, first: "Kate", last: "Smith–Jones", dob: "2001-01-02")],
         first: "Kate", last: "Smith-Jones", dob: "2001-01-02", expected: .matched(100)),
    Case(name: "spaced hyphen", files: [File(id: 100, first: "Kate", last: "Smith - Jones", dob: "2001-01-02")],
         first: "Kate", last: "Smith-Jones", dob: "2001-01-02", expected: .matched(100)),
    Case(name: "doubled space inside a name", files: [File(id: 100, first: "Mary  Anne", last: "Hill", dob: "2001-01-03")],
         first: "Mary Anne", last: "Hill", dob: "2001-01-03", expected: .matched(100)),
    Case(name: "no-break space inside a name", files: [File(id: 100, first: "Mary\u{00A0}Anne", last: "Hill", dob: "2001-01-03")],
         first: "Mary Anne", last: "Hill", dob: "2001-01-03", expected: .matched(100)),
    Case(name: "DOB with a trailing space in PPMP", files: [File(id: 100, first: "Tom", last: "Reid", dob: "2001-02-03 ")],
         first: "Tom", last: "Reid", dob: "2001-02-03", expected: .matched(100)),
    Case(name: "padded DOB in the drop", files: [File(id: 100, first: "Tom", last: "Reid", dob: "2001-02-04")],
         first: "Tom", last: "Reid", dob: " 2001-02-04 ", expected: .matched(100)),
    Case(name: "padded names in the drop", files: [File(id: 100, first: "Lee", last: "Park", dob: "2001-02-05")],
         first: "  Lee ", last: " Park  ", dob: "2001-02-05", expected: .matched(100)),
    Case(name: "upper case", files: [File(id: 100, first: "Ian", last: "McDonald", dob: "2001-02-06")],
         first: "IAN", last: "MCDONALD", dob: "2001-02-06", expected: .matched(100)),
    Case(name: "sharp s folds to ss", files: [File(id: 100, first: "Jonas", last: "Groß", dob: "2001-02-07")],
         first: "Jonas", last: "GROSS", dob: "2001-02-07", expected: .matched(100)),
    Case(name: "NFD booking, NFC in PPMP", files: [File(id: 100, first: "Chlo\u{E9}", last: "Martin", dob: "2002-03-04")],
         first: "Chloe\u{301}", last: "Martin", dob: "2002-03-04", expected: .matched(100)),
    Case(name: "NFC booking, NFD in PPMP", files: [File(id: 100, first: "Chloe\u{301}", last: "Martin", dob: "2002-03-04")],
         first: "Chlo\u{E9}", last: "Martin", dob: "2002-03-04", expected: .matched(100)),
    Case(name: "Chloé against Chloe is offered, not matched", files: [File(id: 100, first: "Chloé", last: "Martin", dob: "2002-03-04")],
         first: "Chloe", last: "Martin", dob: "2002-03-04",
         expected: .new(.createdNoMatch, candidates: [100], codes: ["last-name", "dob", "first-name-similar"])),
    Case(name: "twin on file", files: [File(id: 100, first: "Jack", last: "Taylor", dob: "2003-04-05"),
                                         File(id: 101, first: "Emily", last: "Taylor", dob: "2003-04-05")],
         first: "Jack", last: "Taylor", dob: "2003-04-05", expected: .matched(100)),
    Case(name: "twin not on file is not offered the other twin", files: [File(id: 101, first: "Emily", last: "Taylor", dob: "2003-04-05")],
         first: "Jack", last: "Taylor", dob: "2003-04-05", expected: .new(.createdNoMatch, candidates: [])),
    Case(name: "same name, different people", files: [File(id: 100, first: "John", last: "Smith", dob: "2002-01-01"),
                                                      File(id: 101, first: "John", last: "Smith", dob: "1975-03-03")],
         first: "John", last: "Smith", dob: "1975-03-03", expected: .matched(101)),
    Case(name: "same name, another DOB, is someone else", files: [File(id: 100, first: "Wei", last: "Chen", dob: "1960-07-07")],
         first: "Wei", last: "Chen", dob: "2003-07-07", expected: .new(.createdNoMatch, candidates: [])),
    Case(name: "DOB day and month swapped", files: [File(id: 100, first: "Anna", last: "Kowalski", dob: "2004-05-06")],
         first: "Anna", last: "Kowalski", dob: "2004-06-05",
         expected: .new(.createdNoMatch, candidates: [100], codes: ["first-name", "last-name", "dob-day-month-swapped"])),
    Case(name: "DOB one day off", files: [File(id: 100, first: "Anna", last: "Kowalski", dob: "2004-08-09")],
         first: "Anna", last: "Kowalski", dob: "2004-08-10",
         expected: .new(.createdNoMatch, candidates: [100], codes: ["first-name", "last-name", "dob-one-day-off"])),
    Case(name: "surname changed by marriage", files: [File(id: 100, first: "Sarah", last: "Nguyen", dob: "1988-09-10")],
         first: "Sarah", last: "Walker", dob: "1988-09-10", expected: .new(.createdNoMatch, candidates: [100], codes: ["first-name", "dob"])),
    Case(name: "surname changed, same mobile", files: [File(id: 100, first: "Priya", last: "Shah", dob: "1989-01-11", mobile: "0433 333 333")],
         first: "Priya", last: "Patel", dob: "1989-01-11", phone: "+61 433 333 333",
         expected: .new(.createdNoMatch, candidates: [100], codes: ["first-name", "dob", "mobile"])),
    Case(name: "nickname Bill for William is a candidate only", files: [File(id: 100, first: "William", last: "Turner", dob: "1950-12-01")],
         first: "Bill", last: "Turner", dob: "1950-12-01",
         expected: .new(.createdNoMatch, candidates: [100], codes: ["last-name", "dob", "first-name-nickname"])),
    Case(name: "nickname Liz for Elizabeth is a candidate only", files: [File(id: 100, first: "Elizabeth", last: "Moore", dob: "1955-02-14")],
         first: "Liz", last: "Moore", dob: "1955-02-14",
         expected: .new(.createdNoMatch, candidates: [100], codes: ["last-name", "dob", "first-name-nickname"])),
    Case(name: "names swapped", files: [File(id: 100, first: "Tran", last: "Minh", dob: "1991-03-15")],
         first: "Minh", last: "Tran", dob: "1991-03-15", expected: .new(.createdNoMatch, candidates: [100], codes: ["dob", "names-swapped"])),
    Case(name: "two files with the same keys", files: [File(id: 100, first: "Grace", last: "Lee", dob: "1992-04-16"),
                                                       File(id: 101, first: "grace ", last: "LEE", dob: "1992-04-16")],
         first: "Grace", last: "Lee", dob: "1992-04-16", expected: .new(.createdMultipleMatches, candidates: [100, 101])),
    Case(name: "two files equal only after normalising", files: [File(id: 100, first: "Ryan", last: "O'Neil", dob: "1993-05-17"),
                                                                 File(id: 101, first: "Ryan", last: "O’Neil", dob: "1993-05-17")],
         first: "Ryan", last: "O'Neil", dob: "1993-05-17", expected: .new(.createdMultipleMatches, candidates: [100, 101])),
    Case(name: "surname typo is offered", files: [File(id: 100, first: "Katherine", last: "Johnston", dob: "1994-06-18")],
         first: "Katherine", last: "Johnson", dob: "1994-06-18",
         expected: .new(.createdNoMatch, candidates: [100], codes: ["first-name", "dob", "last-name-similar"])),
    Case(name: "one letter more is never matched", files: [File(id: 100, first: "Lucas", last: "Martin", dob: "1995-07-19")],
         first: "Lucas", last: "Martins", dob: "1995-07-19",
         expected: .new(.createdNoMatch, candidates: [100], codes: ["first-name", "dob", "last-name-similar"])),
    Case(name: "apostrophe left out is not exact", files: [File(id: 100, first: "Sean", last: "O'Brien", dob: "1996-08-20")],
         first: "Sean", last: "OBrien", dob: "1996-08-20",
         expected: .new(.createdNoMatch, candidates: [100], codes: ["first-name", "dob", "last-name-similar"])),
    Case(name: "a stranger with the same DOB", files: [File(id: 100, first: "Oliver", last: "Brown", dob: "1997-09-21")],
         first: "Zara", last: "Ahmed", dob: "1997-09-21", expected: .new(.createdNoMatch, candidates: [])),
  ]

  @Test(arguments: cases) func matching(_ c: Case) throws {
    let p = try IngestTestPractice("table")
    for f in c.files {
      try p.write(
        "INSERT INTO patients (id, first_name, last_name, dob, mobile, created_at, created_by) VALUES (?, ?, ?, ?, ?, 'x', 'ppmp')",
        [f.id, f.first, f.last, f.dob, f.mobile])
    }
    try p.drop("d.xml", bookings: [IngestTestPractice.booking("t1", first: c.first, last: c.last, dob: c.dob, phone: c.phone)])
    try p.ingest()
    let answer = try #require(try p.answers("receipt-d.xml").first)
    let patientID = try #require(Int64(answer["pmsPatientId"] ?? ""))
    let item = try ConnectorState(path: p.spool.stateDatabase).reviewItem(heMsgId: "t1")
    switch c.expected {
    case .matched(let id):
      #expect(answer["patientMatch"] == "matched" && patientID == id)
      #expect(item == nil)
    case .new(let match, let candidates, let codes):
      #expect(answer["patientMatch"] == match.rawValue)
      #expect(patientID > 4 && !c.files.contains { $0.id == patientID }, "a new file, not one of the practice's")
      let queued = try #require(item)
      #expect(queued.newPatientID == patientID && queued.status == .open)
      #expect(queued.candidates.map(\.patientID) == candidates)
      if !codes.isEmpty { #expect(queued.candidates.first?.agreement.codes.sorted() == codes.sorted()) }
    }
  }
}
