import Testing
@testable import ConnectorCore

@Suite struct DiaryTimeTests {
  @Test(arguments: [
    ("09:00", 9 * 60), ("13:30", 13 * 60 + 30), ("00:00", 0), ("23:59", 23 * 60 + 59),
    ("9:00am", 9 * 60), ("1:30pm", 13 * 60 + 30), ("12:00pm", 12 * 60), ("12:15am", 15),
    ("12:00am", 0), ("12:59pm", 12 * 60 + 59), ("11:59pm", 23 * 60 + 59), ("10:05am", 10 * 60 + 5),
    ("1:30PM", 13 * 60 + 30), ("9:00AM", 9 * 60), ("13:00", 13 * 60),
  ])
  func validTimesParse(text: String, minutes: Int) {
    #expect(DiaryTime.parse(text) == MinuteOfDay(minutes))
  }

  @Test(arguments: [
    "9:00", "9:00 am", "9am", "0900", "13:00pm", "12:60", "", "24:00", "00:60", "1:5pm", "01:00pm",
    " 09:00", "09:00 ", "0:30am", "13:00am", "9:00Pm", "9:00pM", "9.00am", "9:00a", "9:00amx", "1:300pm",
    "12:00 pm", "-1:00", "２:00pm",
  ])
  func invalidTimesAreRejected(text: String) {
    #expect(DiaryTime.parse(text) == nil)
  }
}
