/// A per-message failure: the reason code and a detail naming the field.
public struct MessageRejection: Error, Sendable, Equatable {
  public var reason: RejectReason
  public var detail: String

  public init(_ reason: RejectReason, _ detail: String) {
    self.reason = reason
    self.detail = detail
  }
}
