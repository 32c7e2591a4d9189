/// What `ack` found for an id.
public struct ActionNeededAcknowledgement: Sendable, Equatable {
  /// Items this call marked handled.
  public var acknowledged: [ActionNeededItem] = []
  /// Items an earlier `ack` had already marked handled.
  public var alreadyAcknowledged: [ActionNeededItem] = []

  /// True when no item carries the id.
  public var isUnknown: Bool { acknowledged.isEmpty && alreadyAcknowledged.isEmpty }
}
