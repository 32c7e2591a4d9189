extension Doctor {
  /// `[practitioner.<id>]` sections for staff ids PPMP does not have: a typo there means the
  /// practitioner it was meant for keeps the default, silently.
  func checkConfiguredPractitioners(_ book: PracticeBook) -> [DoctorFinding] {
    let known = Set(book.practitioners.map(\.id))
    return configuration.multiColumn.keys.sorted().filter { !known.contains($0) }.map { id in
      DoctorFinding(
        .warning, "unknown-configured-practitioner",
        what: "connector.toml has a [practitioner.\(id)] section, but PPMP has no staff member with id \(id); it has no effect.",
        where: .init(practitionerId: id, text: "[practitioner.\(id)]"),
        fix: "Use the practitioner's staff id from PPMP (doctor's findings and the front-desk page name each practitioner "
          + "with it), or remove the section.")
    }
  }
}
