/// What an outbox publication is: the whole snapshot, or a delta against the last one (SPEC §5);
/// or one of the documents that share their sequence counter without joining the delta chain:
/// a refresh of asked-for days and lists, PPMP-side appointment events, the liveness contract.
/// The publication table, the export's result and `status` all use this one type.
public enum PublicationKind: String, Sendable, Codable, Equatable, CaseIterable {
  case snapshot, delta, refresh, events, liveness

  /// True for the kinds that form the delta chain (`published.xml` and its deltas).
  public var isChained: Bool { self == .snapshot || self == .delta }

  /// The outbox file name prefix: `<prefix>-<practiceId>-<sequence>.xml`.
  public var filePrefix: String { rawValue }
}
