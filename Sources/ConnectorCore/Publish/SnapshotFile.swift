/// Writing a whole snapshot from the practice book and its computed availability.
public enum SnapshotFile {
  /// The published practitioners (active and online), sorted by id.
  public static func resources(of book: PracticeBook) -> [ResourceEntry] {
    book.practitioners.filter { $0.active && $0.onlineBooking }.sorted { $0.id < $1.id }.map(ResourceEntry.init)
  }

  /// Online appointment types offered by everyone or by a published practitioner, sorted by code.
  public static func appointmentTypes(of book: PracticeBook) -> [AppointmentTypeEntry] {
    let published = Set(book.practitioners.filter { $0.active && $0.onlineBooking }.map(\.id))
    return book.appointmentTypes
      .filter { $0.online && ($0.staffID.map(published.contains) ?? true) }
      .sorted { $0.code < $1.code }
      .map { AppointmentTypeEntry(code: $0.code, name: $0.name, lengthMinutes: $0.lengthMinutes, resourceID: $0.staffID) }
  }

  /// Streams the snapshot document to `path`.
  public static func write(book: PracticeBook, availability: AvailabilityResult, header: PublicationHeader, to path: String) throws {
    let writer = try PublicationWriter(path: path, kind: .snapshot, header: header)
    try writer.writeResources(resources(of: book))
    try writer.writeAppointmentTypes(appointmentTypes(of: book))
    for day in availability.days { try writer.writeDay(day) }
    try writer.finish()
  }
}
