internal import CConnectorLibArchive

/// What kind of member a tar entry is.
public enum TarEntryType: String, Sendable {
  /// A regular file with data.
  case file
  /// A folder.
  case directory
  /// A symbolic link; `linkTarget` holds where it points.
  case symlink
  /// A hard link to an earlier member; `linkTarget` holds that member's path.
  case hardlink
  /// Anything else: device nodes, fifos, sockets.
  case other
}

/// One tar member's header, copied out of libarchive into Swift values.
public struct TarEntry: Sendable, Equatable {
  /// The member path as stored, without the trailing "/" tar adds to folders.
  public var path: String
  /// The kind of member.
  public var type: TarEntryType
  /// The data size in bytes (0 for folders and links).
  public var size: Int64
  /// Permission bits (e.g. 0o600), without the file type bits.
  public var mode: UInt32
  /// Modification time in seconds since the epoch.
  public var mtime: Int64
  /// Where a symlink points or which member a hard link names; nil for other kinds.
  public var linkTarget: String?

  /// Creates an entry from its parts.
  public init(path: String, type: TarEntryType, size: Int64, mode: UInt32, mtime: Int64, linkTarget: String? = nil) {
    self.path = path
    self.type = type
    self.size = size
    self.mode = mode
    self.mtime = mtime
    self.linkTarget = linkTarget
  }
}

/// File type bits as archive_entry.h defines them (AE_IF*); its macros are casts Swift cannot import.
enum TarFileType {
  static let mask: UInt32 = 0o170000
  static let regular: UInt32 = 0o100000
  static let directory: UInt32 = 0o040000
  static let symlink: UInt32 = 0o120000
  static let characterDevice: UInt32 = 0o020000
  static let fifo: UInt32 = 0o010000
}

extension TarEntry {
  /// Copies a borrowed `archive_entry *` (valid only until the next header) into a value.
  init(copying entry: OpaquePointer) {
    let hardlink = Self.string(archive_entry_hardlink_utf8(entry), fallback: archive_entry_hardlink(entry))
    let symlink = Self.string(archive_entry_symlink_utf8(entry), fallback: archive_entry_symlink(entry))
    let fileType = UInt32(archive_entry_filetype(entry)) & TarFileType.mask
    let type: TarEntryType
    // A hard link's header often claims "regular file", so the link name decides first.
    if hardlink != nil {
      type = .hardlink
    } else {
      switch fileType {
      case TarFileType.regular: type = .file
      case TarFileType.directory: type = .directory
      case TarFileType.symlink: type = .symlink
      default: type = .other
      }
    }
    var path = Self.string(archive_entry_pathname_utf8(entry), fallback: archive_entry_pathname(entry)) ?? ""
    if type == .directory, path.count > 1, path.hasSuffix("/") {
      path.removeLast()
    }
    self.init(
      path: path,
      type: type,
      size: archive_entry_size_is_set(entry) != 0 ? Int64(archive_entry_size(entry)) : 0,
      mode: UInt32(archive_entry_perm(entry)),
      mtime: Int64(archive_entry_mtime(entry)),
      linkTarget: type == .hardlink ? hardlink : (type == .symlink ? symlink : nil)
    )
  }

  /// Prefers libarchive's UTF-8 view; falls back to the raw bytes, repairing invalid UTF-8 with U+FFFD
  /// (which SecureExtractor then refuses, so a lossy name never reaches the file system).
  private static func string(_ utf8: UnsafePointer<CChar>?, fallback raw: UnsafePointer<CChar>?) -> String? {
    if let utf8 { return String(cString: utf8) }
    if let raw { return String(cString: raw) }
    return nil
  }
}
