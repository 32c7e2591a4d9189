import GRDB

extension ConnectorState {
  /// Frees SQLite's page cache and cached statements on the state connection (`watch`, between
  /// cycles; see `PPMPDatabase.releaseMemory`).
  public func releaseMemory() { queue.releaseMemory() }
}
