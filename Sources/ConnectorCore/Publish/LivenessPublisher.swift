import Foundation

/// Declares the practice's live hours to Healthengine (SPEC §14.4): a liveness document on the
/// first run with `[liveness]` set, and again whenever the hours or PPMP's holidays change.
public final class LivenessPublisher {
  public let configuration: ConnectorConfiguration
  public let spool: SpoolLayout
  public let database: PPMPDatabase
  public let state: ConnectorState
  /// The meta key holding the content of the last contract written.
  static let lastContractKey = "liveness_contract"

  public init(configuration: ConnectorConfiguration, spool: SpoolLayout, database: PPMPDatabase, state: ConnectorState) {
    self.configuration = configuration
    self.spool = spool
    self.database = database
    self.state = state
  }

  /// Writes a liveness document when the contract changed; returns its outbox name.
  public func publish(asOf: LocalDateTime, timeZone: String) throws -> String? {
    // A reservation a crashed run left: finished when its file was written, else given up (the
    // contract is recomputed below).
    for pending in try state.publications(status: .pending, kind: .liveness) {
      let path = spool.outbox + "/" + pending.file
      guard FileManager.default.fileExists(atPath: path) else {
        try state.updatePublication(pending.sequence, status: .abandoned)
        continue
      }
      try OutboxDocument.finish(pending, at: path, spool: spool, state: state)
    }
    guard let hours = configuration.liveness else { return nil }
    let holidays = try database.guarded("reading holidays from") {
      try PPMPDatabase.readHolidays($0, from: asOf.date, to: asOf.date.adding(days: max(configuration.horizonDays, 1)))
    }.sorted()
    var document = LivenessContractDocument(
      practiceID: configuration.practiceID, sequence: 0, asOf: asOf, timeZone: timeZone, hours: hours, holidays: holidays)
    guard try state.meta(Self.lastContractKey) != document.contentKey else { return nil }
    let record = try state.reserveDocument(.liveness, practiceID: configuration.practiceID, outbox: spool.outbox, asOf: asOf.description)
    document.sequence = record.sequence
    let path = spool.outbox + "/" + record.file
    try FileSystem.writeAtomically(to: path, bytes: try document.render())
    try OutboxDocument.finish(record, at: path, spool: spool, state: state)
    try state.setMeta(Self.lastContractKey, document.contentKey)
    return record.file
  }
}
