/// Thrown by `Exporter.export` when its `shouldYield` asked it to stop: nothing was published
/// or reserved, and the export is still owed. `watch` uses it to answer a drop that arrived
/// during a long export before finishing the export.
public struct ExportYielded: Error, Sendable, Equatable {
  public init() {}
}
