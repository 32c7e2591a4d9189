/// The XML namespace of every exchange document (SPEC §5).
public let exchangeNamespace = "urn:ppmp-connector:exchange:1"

/// The document kinds the connector reads and writes, each with its own XSD.
public enum ExchangeDocumentKind: String, Sendable, CaseIterable {
  case snapshot, delta, drop, receipt, dropRejected, availabilityRefresh, appointmentEvents, livenessContract

  /// Bundled schema path, relative to the resources.
  public var schemaResource: String { "schemas/\(rawValue).xsd" }
}

/// The header every snapshot and delta carries.
public struct PublicationHeader: Sendable, Equatable {
  public var practiceID: String
  public var sequence: Int64
  public var asOf: LocalDateTime
  public var timeZone: String
  public var horizonStart: LocalDate
  public var horizonDays: Int

  public init(practiceID: String, sequence: Int64, asOf: LocalDateTime, timeZone: String, horizonStart: LocalDate, horizonDays: Int) {
    self.practiceID = practiceID
    self.sequence = sequence
    self.asOf = asOf
    self.timeZone = timeZone
    self.horizonStart = horizonStart
    self.horizonDays = horizonDays
  }
}

/// A published practitioner (`pmsResource`).
public struct ResourceEntry: Sendable, Hashable {
  public var id: Int64
  public var name: String
  public var title: String?
  public var firstName: String
  public var lastName: String

  public init(id: Int64, name: String, title: String?, firstName: String, lastName: String) {
    self.id = id
    self.name = name
    self.title = title
    self.firstName = firstName
    self.lastName = lastName
  }

  public init(_ p: Practitioner) {
    self.init(id: p.id, name: p.displayName, title: p.title.flatMap { $0.isEmpty ? nil : $0 }, firstName: p.firstName, lastName: p.lastName)
  }
}

/// A published appointment type (`pmsAppointmentType`).
public struct AppointmentTypeEntry: Sendable, Hashable {
  public var code: String
  public var name: String
  public var lengthMinutes: Int
  /// `nil`: every practitioner offers it.
  public var resourceID: Int64?

  public init(code: String, name: String, lengthMinutes: Int, resourceID: Int64?) {
    self.code = code
    self.name = name
    self.lengthMinutes = lengthMinutes
    self.resourceID = resourceID
  }
}
