import Foundation

/// The last steps every document outside the delta chain shares (refresh, events, liveness).
enum OutboxDocument {
  /// Stages the written outbox file for the archive (unless a crashed run already did) and
  /// marks its publication done with the file's hash.
  static func finish(_ record: PublicationRecord, at path: String, spool: SpoolLayout, state: ConnectorState) throws {
    if !FileManager.default.fileExists(atPath: spool.staging + "/outbox/" + record.file) {
      try spool.stage(path, as: "outbox/" + record.file, move: false)
    }
    try state.updatePublication(record.sequence, fileSHA256: try SHA256Digest.hex(ofFile: path), status: .done)
  }
}
