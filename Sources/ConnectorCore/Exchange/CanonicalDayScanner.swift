#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import ConnectorPOSIX

/// The bytes of a snapshot file for `PublicationReader`'s canonical path: the file read in large
/// chunks into one buffer, with the few byte-level matches the day section of a file in the exact
/// form `PublicationWriter` writes needs (fixed indentation, attribute order and quoting, values
/// of printable ASCII without references).
///
/// It recognises that one form and nothing else; it does not parse XML. Whatever is not exactly
/// that form makes its caller give up (`NotCanonical`) and read the file again through libxml2,
/// which accepts or rejects it. What it does accept is well-formed XML that libxml2 reads as the
/// same values: no references, no whitespace inside values, no markup but the day and range tags.
final class CanonicalDayScanner {
  /// The bytes left the writer's form (or could not be read); read the file through libxml2.
  struct NotCanonical: Error {}

  /// The longest document head (everything before the days) read into memory.
  static let maxPrologueBytes = 16 << 20
  /// A day (with all its ranges) must fit in this many bytes; longer ones go to libxml2.
  static let maxDayBytes = 1 << 20
  private static let chunkBytes = 256 << 10

  private let descriptor: Int32
  private let observer: ((UnsafeRawBufferPointer) -> Void)?
  private var buffer: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  /// Bytes held: `buffer[0..<end]`.
  private var end = 0
  /// The cursor, and where the day being read began (kept across a refill).
  private(set) var position = 0
  private var mark = 0
  private var atEndOfFile = false
  /// Set when a match needed bytes past `end`; the day is read again after a refill.
  private(set) var starved = false

  /// Opens `path`; `observer` sees every byte read, in order (for the base file's hash).
  init?(path: String, observer: ((UnsafeRawBufferPointer) -> Void)?) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
      close(descriptor)
      return nil
    }
    self.descriptor = descriptor
    self.observer = observer
    capacity = Self.chunkBytes + Self.maxDayBytes
    buffer = .allocate(capacity: capacity)
  }

  deinit {
    buffer.deallocate()
    close(descriptor)
  }

  /// Reads up to the `<availability>` start tag as the writer writes it (on its own line, two
  /// spaces in) and returns the document before the tag's `>`, so the caller can have libxml2
  /// parse the head (header, resources, types) as a document of its own; nil when there is no
  /// such line within `maxPrologueBytes`. The cursor is left on the first day's line.
  func readPrologue() -> [UInt8]? {
    let marker: StaticString = "\n  <availability>\n"
    let length = marker.utf8CodeUnitCount
    var searchFrom = 0
    while true {
      var i = searchFrom
      while i + length <= end {
        if buffer[i] == 0x0A, memcmp(buffer + i, marker.utf8Start, length) == 0 {
          position = i + length
          mark = position
          return Array(UnsafeBufferPointer(start: buffer, count: i + length - 2))
        }
        i += 1
      }
      searchFrom = max(0, end - length + 1)
      if end == capacity {
        guard capacity < Self.maxPrologueBytes else { return nil }
        grow(to: min(capacity * 2, Self.maxPrologueBytes))
      }
      guard (try? readMore()) == true else { return nil }
    }
  }

  /// Starts reading one day at the cursor.
  func beginDay() {
    mark = position
    starved = false
  }

  /// After a day ran out of bytes: keeps the day's bytes, reads more after them and puts the
  /// cursor back at the day's start. False when nothing more can be read for it.
  func refill() throws(NotCanonical) -> Bool {
    guard !atEndOfFile else { return false }
    let kept = end - mark
    if mark > 0 {
      memmove(buffer, buffer + mark, kept)
      end = kept
      mark = 0
    }
    position = mark
    starved = false
    guard end < capacity else { return false }
    return try readMore()
  }

  /// True when the cursor is at the end of the file.
  func isAtEndOfFile() throws(NotCanonical) -> Bool {
    while position == end {
      position = 0
      mark = 0
      end = 0
      if try !readMore() { return true }
    }
    return false
  }

  /// Reads the rest of the file (normally nothing) so that the observer has seen all of it.
  func drain() throws(NotCanonical) {
    while try isAtEndOfFile() == false {
      position = end
    }
  }

  /// Matches `literal` at the cursor and moves past it. A mismatch within the bytes held is
  /// false; running out of bytes first is false with `starved` set.
  @inline(__always)
  func skip(_ literal: StaticString) -> Bool {
    let length = literal.utf8CodeUnitCount
    let available = min(length, end - position)
    guard memcmp(buffer + position, literal.utf8Start, available) == 0 else { return false }
    guard available == length else {
      starved = true
      return false
    }
    position += length
    return true
  }

  /// An attribute value from the cursor to its closing `"`, which the cursor moves past; nil
  /// unless every byte is printable ASCII other than `&`, `<` and `>` (so libxml2 reads the
  /// bytes unchanged, and the writer writes them unchanged), or, with `starved` set, when the
  /// bytes held end first. Valid until the next refill.
  @inline(__always)
  func value() -> UnsafeBufferPointer<UInt8>? {
    var i = position
    while i < end {
      let byte = buffer[i]
      if byte == 0x22 {
        let value = UnsafeBufferPointer(start: buffer + position, count: i - position)
        position = i + 1
        return value
      }
      guard byte >= 0x20, byte < 0x7F, byte != 0x26, byte != 0x3C, byte != 0x3E else { return nil }
      i += 1
    }
    starved = true
    return nil
  }

  /// The bytes of the day read since `beginDay()`.
  var dayBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: buffer + mark, count: position - mark) }

  private func grow(to newCapacity: Int) {
    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    bigger.update(from: buffer, count: end)
    buffer.deallocate()
    buffer = bigger
    capacity = newCapacity
  }

  /// Appends what one `read` gives; false at the end of the file.
  private func readMore() throws(NotCanonical) -> Bool {
    let count = POSIX.read(descriptor, buffer + end, min(Self.chunkBytes, capacity - end))
    guard count >= 0 else { throw NotCanonical() }
    if count == 0 {
      atEndOfFile = true
      return false
    }
    observer?(UnsafeRawBufferPointer(start: buffer + end, count: count))
    end += count
    return true
  }
}
