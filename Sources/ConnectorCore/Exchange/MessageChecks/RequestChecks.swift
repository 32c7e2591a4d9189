/// Field checks of a request message. Pure: no database.
public enum RequestChecks {
  /// What a refresh must hold to answer `r` (nil for `pmsAppointmentChangesRequest`, answered in
  /// an events document), or why it must be answered `rejectRequest invalid-message`.
  public static func check(_ r: RequestMessage) -> Result<RefreshItem?, MessageRejection> {
    if let problem = r.problem { return .failure(MessageRejection(.invalidMessage, problem)) }
    switch r.kind {
    case .resources: return .success(.resources)
    case .appointmentTypes: return .success(.appointmentTypes)
    case .availability:
      guard let text = r.day?.trimmingWhitespace, !text.isEmpty else {
        return .failure(MessageRejection(.invalidMessage, "day is missing"))
      }
      guard let day = LocalDate(text) else {
        return .failure(MessageRejection(.invalidMessage, "day '\(text)' is not a date YYYY-MM-DD"))
      }
      guard let resource = r.pmsResourceId?.trimmingWhitespace else { return .success(.day(resourceID: nil, date: day)) }
      guard let id = Int64(resource), id > 0 else {
        return .failure(MessageRejection(.invalidMessage, "pmsResourceId '\(resource)' is not a practitioner id"))
      }
      return .success(.day(resourceID: id, date: day))
    case .appointmentChanges:
      for (name, value) in [("bookingId", r.bookingId), ("heMsgId", r.heMsgId)] where !DropReader.isMessageID(value) {
        return .failure(MessageRejection(.invalidMessage, "\(name) is missing or not an id"))
      }
      return .success(nil)
    }
  }
}
