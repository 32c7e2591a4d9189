/// A day as read from a snapshot or delta: the availability plus, in deltas, whether it left the
/// published set.
public struct PublishedDay: Sendable, Equatable {
  public var day: DayAvailability
  public var removed: Bool
}
