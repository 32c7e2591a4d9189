import Foundation

extension Doctor {
  /// Whether the practice is inside its declared live hours now (`[liveness]`, PPMP's holidays and
  /// time zone); false when no hours are declared or PPMP cannot be read. Inside them, a message
  /// or request left unanswered for 10 minutes can get the integration marked unhealthy.
  func isInsideLiveHours() -> Bool {
    guard let hours = configuration.liveness,
      let database = try? PPMPDatabase(path: configuration.databasePath, readOnly: true),
      let (holiday, time) = try? database.guarded("reading settings of", { db in
        let settings = try PPMPDatabase.readSettings(db)
        let at = asOf ?? LocalDateTime.now(in: TimeZone(identifier: settings.timeZoneIdentifier) ?? .current)
        return (!(try PPMPDatabase.readHolidays(db, from: at.date, to: at.date.adding(days: 1))).isEmpty, at)
      })
    else { return false }
    return hours.isLive(on: time.date, at: time.time, holiday: holiday)
  }
}
