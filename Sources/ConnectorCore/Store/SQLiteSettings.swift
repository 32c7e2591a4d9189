import CConnectorSQLite
import GRDB

/// SQLite's process-wide settings, applied once before the connector opens its first database.
public enum SQLiteSettings {
  /// Applies the settings on first use; later uses do nothing. Every connection the connector
  /// opens asks for it first (`openQueue`), and so does the program's entry point.
  public static func apply() { _ = applied }

  /// Opens a connection to `path`, the settings applied first: every connection the connector
  /// opens is opened here, so none can come before them.
  public static func openQueue(path: String, configuration: Configuration = Configuration()) throws -> DatabaseQueue {
    apply()
    return try DatabaseQueue(path: path, configuration: configuration)
  }

  private static let applied: Bool = connector_sqlite_disable_memory_statistics() == 0
}
