/// A file waiting in `inbox/` or left in `work/`.
public struct SpoolFile: Sendable, Equatable {
  /// The name every message and answer uses (`DropName.safe`).
  public var name: String
  /// The name as the file system holds it: what `rename` and `lstat` need.
  public var rawName: [UInt8]
  public var size: Int64
  public var mtime: Int64
  public var isRegular: Bool
  public var isSymlink: Bool
  /// Hard links to the inode (a drop must have exactly one).
  public var links: Int

  /// The path of this file in `folder`, byte for byte.
  public func path(in folder: String) -> [UInt8] { Array(folder.utf8) + [UInt8(ascii: "/")] + rawName }
}
