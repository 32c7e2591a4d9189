import Foundation

extension Doctor {
  /// Open review items queued more than a day ago: a booking may sit on a duplicate patient file.
  func checkReview(state: ConnectorState?) -> [DoctorFinding] {
    guard let state else { return [] }
    let now = asOf ?? LocalDateTime.now(in: .current)
    let dayAgo = LocalDateTime(date: now.date.adding(days: -1), time: now.time)
    guard let counts = try? state.openReviewCounts(queuedBefore: dayAgo.description), counts.older > 0 else { return [] }
    return [
      DoctorFinding(
        .warning, "review-items-waiting",
        what: "\(counts.older) booking(s) that got a new patient file have waited more than a day for review "
          + "(\(counts.open) open in all): their appointments may sit on a duplicate file.",
        fix: "Run `ppmp-connector review list` and resolve each item with `review resolve <heMsgId> --link "
          + "<pmsPatientId>` or `--keep-new`.")
    ]
  }
}
