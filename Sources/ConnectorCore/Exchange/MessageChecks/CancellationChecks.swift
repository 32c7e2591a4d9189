/// Field checks of a cancellation message. Pure: no database.
public enum CancellationChecks {
  /// Why `c` must be answered `rejectUpdate invalid-message`, naming the field; nil when it may
  /// be applied. Every required attribute (see drop.xsd) must be present and well-formed.
  public static func check(_ c: CancellationMessage) -> MessageRejection? {
    if let problem = c.problem { return MessageRejection(.invalidMessage, problem) }
    guard let updatedAt = c.updatedAt?.trimmingWhitespace, !updatedAt.isEmpty else {
      return MessageRejection(.invalidMessage, "updatedAt is missing")
    }
    guard BookingChecks.isUTCTimestamp(updatedAt) else {
      return MessageRejection(.invalidMessage, "updatedAt '\(updatedAt)' is not a UTC time YYYY-MM-DDTHH:MM:SSZ")
    }
    return nil
  }
}
