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

  /// Streams the snapshot document to `path`, computing one practitioner's days at a time from
  /// the bookings `bookingsOf` returns for that practitioner (asked in ascending id order), so
  /// no more than one practitioner's bookings and days are in memory. Returns the days written
  /// and the file's SHA-256 (hashed from the bytes as they are written, not read back).
  public static func write(
    book: PracticeBook, computation: inout AvailabilityComputation, header: PublicationHeader, to path: String,
    bookingsOf: (Int64) throws -> [BookedInterval]
  ) throws -> (days: Int, sha256: String) {
    var hasher = StreamingSHA256()
    let writer = try PublicationWriter(path: path, kind: .snapshot, header: header) { hasher.update($0) }
    try writer.writeResources(resources(of: book))
    try writer.writeAppointmentTypes(appointmentTypes(of: book))
    var written = 0
    for p in computation.practitioners.indices {
      let bookings = try bookingsOf(computation.practitioners[p].id)
      try computation.days(ofPractitionerAt: p, bookings: bookings) { day in
        try writer.writeDay(day)
        written += 1
      }
    }
    try writer.finish()
    return (written, hasher.finalizeHex())
  }
}
