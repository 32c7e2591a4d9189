/// `pmsAppointmentTypeIds` bytes → the codes, split on spaces, unique and sorted, exactly as the
/// String path computes them; a practice has a handful of distinct lists, so a few entries
/// tried in turn hold them all.
struct CodeListCache {
  private var keys: [[UInt8]] = []
  private var values: [[String]] = []
  /// Whether the key is the values joined by single spaces (the list as the writer writes it).
  private var asWritten: [Bool] = []
  private var nextVictim = 0

  mutating func sortedUnique(_ bytes: ArraySlice<UInt8>) -> [String] {
    values[entry(bytes)]
  }

  /// True when `bytes` is a non-empty list exactly as the writer writes its codes: sorted,
  /// unique, one space apart.
  mutating func isSortedUniqueList(_ bytes: ArraySlice<UInt8>) -> Bool {
    !bytes.isEmpty && asWritten[entry(bytes)]
  }

  private mutating func entry(_ bytes: ArraySlice<UInt8>) -> Int {
    for i in keys.indices where keys[i].elementsEqual(bytes) { return i }
    let text = String(decoding: bytes, as: UTF8.self)
    let codes = bytes.isEmpty ? [] : Array(Set(text.split(separator: " ").map(String.init))).sorted()
    let written = codes.joined(separator: " ").utf8.elementsEqual(bytes)
    if keys.count < 16 {
      keys.append(Array(bytes))
      values.append(codes)
      asWritten.append(written)
      return keys.count - 1
    }
    let i = nextVictim
    keys[i] = Array(bytes)
    values[i] = codes
    asWritten[i] = written
    nextVictim = (nextVictim + 1) % 16
    return i
  }
}
