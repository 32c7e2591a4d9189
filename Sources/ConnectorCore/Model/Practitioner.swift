/// One row of PPMP's `staff` table: a practitioner whose diary may be published.
public struct Practitioner: Hashable, Sendable {
  public var id: Int64
  public var title: String?
  public var firstName: String
  public var lastName: String
  public var active: Bool
  public var onlineBooking: Bool
  /// Setup > Staff > 1st Available > Slot Duration. Must be 0; anything else is a `doctor` warning.
  public var slotDuration: Int
  /// Patients seen side by side (appointment book columns).
  public var columns: Int
  /// A Monday; dates an odd number of whole weeks after it use the alternate diary.
  public var rosterAnchor: LocalDate?

  public init(
    id: Int64, title: String? = nil, firstName: String, lastName: String, active: Bool = true,
    onlineBooking: Bool = true, slotDuration: Int = 0, columns: Int = 1, rosterAnchor: LocalDate? = nil
  ) {
    self.id = id
    self.title = title
    self.firstName = firstName
    self.lastName = lastName
    self.active = active
    self.onlineBooking = onlineBooking
    self.slotDuration = slotDuration
    self.columns = columns
    self.rosterAnchor = rosterAnchor
  }

  /// "Dr Jane Citizen": the name published as `pmsResourceName`.
  public var displayName: String {
    [title, firstName, lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
  }
}

/// How occupied columns count for a practitioner (`[practitioner.<id>] multi_column`).
public enum MultiColumnMode: String, Hashable, Sendable {
  /// Only column 1 counts (the default).
  case first
  /// A slot is free while any of the practitioner's columns is free in it.
  case any
}
