internal import CConnectorLibArchive

/// The compression applied on top of the tar stream (SPEC §7: zstd by default, gzip or xz by option).
public enum ArchiveCodec: String, Sendable, CaseIterable {
  /// Zstandard, through libarchive's zstd filter with a pinned thread count.
  case zstd
  /// gzip without a header timestamp, so the bytes do not depend on the clock.
  case gzip
  /// xz (LZMA2) with a pinned, single thread.
  case xz
  /// A plain, uncompressed tar.
  case none

  /// The file name extension archives with this codec get: "tar.zst", "tar.gz", "tar.xz" or "tar".
  public var fileExtension: String {
    switch self {
    case .zstd: "tar.zst"
    case .gzip: "tar.gz"
    case .xz: "tar.xz"
    case .none: "tar"
    }
  }

  /// The libarchive filter module name that filter options are addressed to.
  var filterName: String? {
    switch self {
    case .zstd: "zstd"
    case .gzip: "gzip"
    case .xz: "xz"
    case .none: nil
    }
  }
}

/// Facts about the linked libarchive, recorded in each bag so an archive says what built it.
public enum ArchiveLibrary {
  /// libarchive's version string with its compression libraries, from `archive_version_details()`,
  /// e.g. "libarchive 3.6.2 zlib/1.2.13 liblzma/5.4.1 libzstd/1.5.4".
  ///
  /// Read once: `archive_version_details()` rebuilds the string in one static buffer it
  /// reallocates on every call, so two threads calling it at once double-free that buffer
  /// (AddressSanitizer caught it when archives were written on parallel test threads). A
  /// `static let` is initialised exactly once, whatever the thread.
  public static let versionDetails: String = String(cString: archive_version_details())
}
