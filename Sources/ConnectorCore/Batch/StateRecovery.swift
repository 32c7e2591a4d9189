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
/// was placed; `AppointmentBook.journalFromTokens`), and the review queue's items from the same
/// tokens (`AppointmentBook.reviewItems(rebuiltFrom:)`). What need not be: the last publication
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
    let stamp = "\(asOf.date) \(asOf.time):00"
    if !journal.isEmpty {
      try state.record(journal, dropSHA256: "", at: stamp)
      warnings.append(
        "message journal rebuilt from PPMP: \(journal.count) booking(s) carrying an HE_MSG_ID token; a re-sent heMsgId "
          + "placed elsewhere is rejected as duplicate-message")
    }
    // The review queue went with the state: every booking whose file is still the new one it
    // created is queued again (the key index is built first, to rank its candidates).
    if journal.contains(where: { if case .confirmInsert(_, _, _, _, let m) = $0.outcome { m != .matched } else { false } }) {
      try patientIndex.refresh(database)
      let review = try AppointmentBook.reviewItems(rebuiltFrom: journal, index: patientIndex, database, queuedAt: stamp)
      // The lookups' read of the state ends before the queue is written (a write waits for it).
      try patientIndex.endLookups()
      try state.enqueueReview(review)
      if !review.isEmpty {
        warnings.append(
          "review queue rebuilt from PPMP: \(review.count) booking(s) whose new patient file is still theirs; "
            + "decisions made before the loss (keep-new) are not known, so those come back open")
      }
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
