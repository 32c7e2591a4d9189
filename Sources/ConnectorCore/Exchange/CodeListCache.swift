/// `pmsAppointmentTypeIds` bytes → the codes, split on spaces, unique and sorted, exactly as the
/// String path computes them; a practice has a handful of distinct lists, so a few entries
/// tried in turn hold them all.
struct CodeListCache {
  private var keys: [[UInt8]] = []
  private var values: [[String]] = []
  private var nextVictim = 0

  mutating func sortedUnique(_ bytes: ArraySlice<UInt8>) -> [String] {
    if bytes.isEmpty { return [] }
    for i in keys.indices where keys[i].elementsEqual(bytes) { return values[i] }
    let text = String(decoding: bytes, as: UTF8.self)
    let codes = Array(Set(text.split(separator: " ").map(String.init))).sorted()
    if keys.count < 16 {
      keys.append(Array(bytes))
      values.append(codes)
    } else {
      keys[nextVictim] = Array(bytes)
      values[nextVictim] = codes
      nextVictim = (nextVictim + 1) % 16
    }
    return codes
  }
}
