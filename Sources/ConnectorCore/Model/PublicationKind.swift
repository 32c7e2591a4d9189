/// What an availability publication is: the whole snapshot, or a delta against the last one
/// (SPEC §5). The publication table, the export's result and `status` all use this one type.
public enum PublicationKind: String, Sendable, Codable, Equatable {
  case snapshot, delta
}
