/// The connector's own version, printed by `--version` and recorded in archives.
public enum ConnectorVersion {
  public static let string = "0.1.0"
}
