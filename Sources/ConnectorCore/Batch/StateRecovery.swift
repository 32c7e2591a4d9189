import ConnectorArchive
import Foundation

/// Rebuilding what a lost `state/connector.sqlite` held, from the spool itself (SPEC §10 crash
/// recovery; docs/reliability.md "State loss").
///
/// What can be rebuilt: the archive catalog and heMsgId index (every archive on disk is
/// verified and re-recorded in chain order, so the next archive links to the last one on disk,
/// not to 64 zeros), the publication sequence (raised past every sequence found in
/// `published.xml`, the outbox, the staging area and the archives, so the receiver never sees a
/// sequence twice), and the message journal's bookings from PPMP's HE_MSG_ID tokens (where each
/// was placed; `AppointmentBook.journalFromTokens`). What need not be: the last publication
/// (with no recorded base the next export is a full snapshot).
extension ConnectorContext {
  func recoverLostState() throws -> [String] {
    guard state.wasCreated else { return [] }
    let auditor = ArchiveAuditor(archiveFolder: spool.archive, state: nil)
    let archiveFiles = auditor.archiveFiles()
    var highest: Int64 = 0
    var sawPublication = false
    if let header = try? PublicationReader(path: spool.publishedSnapshot).header {
      highest = max(highest, header.sequence)
      sawPublication = true
    }
    for folder in [spool.outbox, spool.staging + "/outbox"] {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
        if let s = publicationSequence(name) {
          highest = max(highest, s)
          sawPublication = true
        }
      }
    }
    for file in archiveFiles {
      // Member names only: adoption below verifies every archive, and hashing each here too
      // read every archive's payload twice. An archive that cannot be read is left to it.
      guard let reader = try? TarReader(path: spool.archive + "/" + file) else { continue }
      while let entry = try? reader.next() {
        if let s = publicationSequence((entry.path as NSString).lastPathComponent) {
          highest = max(highest, s)
          sawPublication = true
        }
      }
    }
    // A brand-new spool: nothing was lost, nothing to say.
    guard sawPublication || !archiveFiles.isEmpty else { return [] }

    var warnings = ["\(spool.stateDatabase) was missing and has been created anew; rebuilding from the spool"]
    if !archiveFiles.isEmpty {
      let archiver = try makeArchiver()
      try archiver.adoptOrphans()
      let adopted = archiver.adopted.count
      warnings.append(
        "archive catalog rebuilt from archive/: \(adopted) of \(archiveFiles.count) archive file(s) verified and recorded"
          + (adopted < archiveFiles.count ? "; the rest do not chain (run `audit verify`)" : ""))
    }
    let journal = try AppointmentBook.journalFromTokens(database)
    if !journal.isEmpty {
      try state.record(journal, dropSHA256: "", at: "\(asOf.date) \(asOf.time):00")
      warnings.append(
        "message journal rebuilt from PPMP: \(journal.count) booking(s) carrying an HE_MSG_ID token; a re-sent heMsgId "
          + "placed elsewhere is rejected as duplicate-message")
    }
    if sawPublication {
      try state.raiseSequenceFloor(to: highest)
      warnings.append("publication sequence continues after \(highest); the next export is a full snapshot")
    }
    return warnings
  }

  /// N of `snapshot-<practiceId>-N.xml`, `delta-…`, `refresh-…` and the other documents that
  /// share the counter (suffixed names included).
  private func publicationSequence(_ name: String) -> Int64? {
    for kind in PublicationKind.allCases {
      let head = kind.filePrefix + "-" + configuration.practiceID + "-"
      guard name.hasPrefix(head), name.hasSuffix(".xml") else { continue }
      let digits = name.dropFirst(head.count).prefix { $0.isNumber }
      return Int64(digits)
    }
    return nil
  }
}
