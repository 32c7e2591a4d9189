import GRDB

extension PPMPDatabase {
  /// Frees SQLite's page cache and cached statements on the connector's connection. `watch`
  /// calls it between cycles: the cache would otherwise grow with the book over a long life,
  /// and the pages a cycle needs are in the operating system's file cache anyway.
  public func releaseMemory() { queue.releaseMemory() }
}
