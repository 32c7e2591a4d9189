import CConnectorSQLite

/// SQLite's process-wide settings, applied once before the connector opens its first database.
public enum SQLiteSettings {
  /// Applies the settings on first use; later uses do nothing. Every connection the connector
  /// opens asks for it first, and so does the program's entry point.
  public static func apply() { _ = applied }

  private static let applied: Bool = connector_sqlite_disable_memory_statistics() == 0
}
