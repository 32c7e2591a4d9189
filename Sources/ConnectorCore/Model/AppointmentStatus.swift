/// Appointment status as PPMP stores it.
public enum AppointmentStatus: String, Hashable, Sendable, CaseIterable {
  case booked, arrived, completed, dna, cancelled

  /// Whether a status text frees its slots: `cancelled` in any case, nothing else
  /// (docs/rules.md; the same test as `PPMPDatabase.occupyingStatus`).
  public static func isCancelled(_ text: String) -> Bool { text.lowercased() == cancelled.rawValue }
}
