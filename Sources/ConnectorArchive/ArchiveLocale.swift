#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs libarchive calls under a UTF-8 character type on the calling thread only.
///
/// libarchive converts member names between UTF-8 (pax records) and the current locale's
/// charset, and a Swift process stays in the "C" locale, where non-ASCII names cannot be
/// converted: libarchive 3.6.2's pax writer then dereferences a NULL name and crashes, and its
/// reader warns on every such name. `uselocale` changes the locale for this thread alone, so the
/// rest of the process (and other threads) keep theirs; every public method here is synchronous,
/// so a scope never spans a thread hop.
enum ArchiveLocale {
  /// A UTF-8 LC_CTYPE locale, or nil if the system has none (then non-ASCII names are refused).
  nonisolated(unsafe) static let utf8: locale_t? = {
    for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8", "UTF-8"] {
      if let locale = newlocale(LC_CTYPE_MASK, name, nil) { return locale }
    }
    return nil
  }()

  /// Runs `body` with the UTF-8 locale current on this thread, restoring the previous one after.
  static func withUTF8<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
    guard let utf8 else { return try body() }
    let previous = uselocale(utf8)
    defer { uselocale(previous) }
    return try body()
  }
}
