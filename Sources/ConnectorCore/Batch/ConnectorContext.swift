import ConnectorArchive
import ConnectorPOSIX
import Foundation

/// Everything a batch command holds while it works on a spool: the checked spool, its lock, the
/// PPMP database, the connector state and the logical clock.
public final class ConnectorContext {
  public let configuration: ConnectorConfiguration
  public let spool: SpoolLayout
  public let database: PPMPDatabase
  public let state: ConnectorState
  public let settings: PracticeSettings
  public let timeZone: TimeZone
  /// The run's logical time: `--as-of`, or now in the practice's zone (moved on by `watch`
  /// between cycles through `setClock`).
  public private(set) var asOf: LocalDateTime
  private let lock: SpoolLock
  /// What was rebuilt because `state/connector.sqlite` was missing (empty on a healthy spool).
  public private(set) var recoveryWarnings: [String] = []
  /// One patient key index for every ingest pass of this process: `watch` then compares it with
  /// PPMP's patients only after another program has written to PPMP (`PatientIndex.refresh`).
  public private(set) lazy var patientIndex = PatientIndex(state: state)

  /// Checks the spool, takes the lock (or throws `.locked` at once), opens both databases.
  public init(configuration: ConnectorConfiguration, asOf: LocalDateTime?) throws {
    self.configuration = configuration
    spool = SpoolLayout(root: configuration.spoolPath)
    try spool.check()
    lock = try SpoolLock(path: spool.lockFile)
    // A run killed mid-write leaves its temporary file behind; with the lock held none is live.
    spool.removeStaleTemporaries()
    database = try PPMPDatabase(path: configuration.databasePath)
    state = try ConnectorState(path: spool.stateDatabase)
    settings = try database.guarded("reading settings of") { try PPMPDatabase.readSettings($0) }
    guard let zone = TimeZone(identifier: settings.timeZoneIdentifier) else {
      throw ConnectorError.dataError("settings.timezone \(settings.timeZoneIdentifier) is not an IANA zone")
    }
    timeZone = zone
    self.asOf = asOf ?? LocalDateTime.now(in: zone)
    recoveryWarnings = try recoverLostState()
  }

  /// Moves the logical clock for the next cycle (`watch`); a batch keeps the one it started with.
  public func setClock(_ asOf: LocalDateTime) { self.asOf = asOf }

  /// The availability rules' parameters for this run.
  public var availabilityOptions: AvailabilityOptions {
    AvailabilityOptions(
      asOf: asOf, horizonDays: configuration.horizonDays, leadMinutes: configuration.leadMinutes, timeZone: timeZone,
      multiColumn: configuration.multiColumn)
  }

  public func makeExporter() -> Exporter {
    Exporter(configuration: configuration, spool: spool, database: database, state: state)
  }

  public func makeRefreshPublisher() -> RefreshPublisher {
    RefreshPublisher(configuration: configuration, spool: spool, state: state)
  }

  public func makeEventPublisher() -> AppointmentEventPublisher {
    AppointmentEventPublisher(configuration: configuration, spool: spool, database: database, state: state)
  }

  public func makeLivenessPublisher() -> LivenessPublisher {
    LivenessPublisher(configuration: configuration, spool: spool, database: database, state: state)
  }

  public func makeIngestor() throws -> Ingestor {
    Ingestor(
      configuration: configuration, spool: spool, state: state,
      book: try AppointmentBook(database: database, options: availabilityOptions, patients: patientIndex))
  }

  /// The archiver configured for this spool.
  public func makeArchiver() throws -> BagArchiver {
    guard let codec = ArchiveCodec(rawValue: configuration.archiveCodec) else {
      throw ConnectorError.configuration("archive.codec \(configuration.archiveCodec) is not zstd, gzip or xz")
    }
    return BagArchiver(
      spool: spool, state: state, practiceID: configuration.practiceID, codec: codec, level: configuration.archiveLevel)
  }

  /// Brings the patient key index level with PPMP before any drop needs it: `watch` does it
  /// after its start cycle, so its first receipt does not wait for the comparison of every
  /// patient row (on a new spool, the building of the whole index).
  public func prepareIngest() throws { try patientIndex.refresh(database) }

  /// Gives back what a cycle used and no longer needs: both connections' page caches and
  /// statements, then the C heap's free pages. `watch` calls it after each cycle, so its memory
  /// stays flat however long it runs and however large the book grows.
  public func releaseMemory() {
    database.releaseMemory()
    state.releaseMemory()
    patientIndex.releaseMemory()
    POSIX.trimHeap()
  }

  /// Closes both databases, as their last use would: PPMP's write-ahead log is copied back and
  /// removed (a backup of the database file alone then holds every booking). Nothing may use
  /// the context, nor anything it made, afterwards.
  public func closeDatabases() throws {
    try database.queue.close()
    try state.queue.close()
  }

  /// The spool's queues now, with waiting ages from the connector's first sightings: what `run`
  /// and `watch` record in status.json.
  public func queueDepths() throws -> RunStatus.Queue {
    try BatchRunner.queueDepths(spool, sightings: (try? state.inboxSightings()) ?? [:])
  }
}
