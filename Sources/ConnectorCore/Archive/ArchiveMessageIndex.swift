/// Which members of one archive mention which heMsgIds (`audit find`), kept compact: the
/// payload paths in archive order, and one sorted array of 64-bit entries, each the top 40 bits
/// of a hash of an id above the 24-bit ordinal of a member that mentions it.
///
/// An archive of receipts mentions about as many ids as it has lines; a catalog row per mention
/// made the index two thirds of `archive`'s time. One array per archive is sorted once and
/// stored as one blob, and a lookup is a binary search in it. A 40-bit hash can collide, so a
/// hit is a candidate: `ArchiveAuditor.find` reads the member to confirm it.
public struct ArchiveMessageIndex: Sendable, Equatable {
  /// Payload paths (`data/…`) that mention an id, in the order they were added; an entry's low
  /// bits index this.
  public private(set) var members: [String] = []
  /// Sorted and without repeats once `seal()` ran.
  public private(set) var entries: [UInt64] = []
  /// False when the archive held more members than an entry can number: the index is then not
  /// stored, and `find` reads that archive whole.
  public private(set) var isComplete = true

  static let ordinalBits: UInt64 = 24
  static let ordinalMask: UInt64 = (1 << ordinalBits) - 1

  public init() {}

  init(members: [String], entries: [UInt64]) {
    self.members = members
    self.entries = entries
  }

  /// Adds the heMsgIds a member's XML mentions (`MessageMentions`); a member that mentions
  /// none is not listed.
  mutating func add(member: String, xml: UnsafeRawBufferPointer) {
    guard isComplete else { return }
    let ordinal = UInt64(members.count)
    let before = entries.count
    MessageMentions.forEach(in: xml) { entries.append(Self.key($0) | ordinal) }
    guard entries.count > before else { return }
    guard ordinal <= Self.ordinalMask else {
      isComplete = false
      entries = []
      return
    }
    members.append(member)
  }

  /// Sorts the entries and drops repeats (an id mentioned twice in one member).
  mutating func seal() {
    Self.radixSort(&entries)
    var kept = 0
    for i in entries.indices where kept == 0 || entries[kept - 1] != entries[i] {
      entries[kept] = entries[i]
      kept += 1
    }
    entries.removeSubrange(kept...)
  }

  /// Least-significant-digit radix sort, 16 bits a pass: an archive holds millions of entries,
  /// and the standard library's comparison sort took three times as long.
  static func radixSort(_ values: inout [UInt64]) {
    guard values.count > 1 else { return }
    var scratch = [UInt64](repeating: 0, count: values.count)
    var counts = [Int](repeating: 0, count: 1 << 16)
    for shift in stride(from: UInt64(0), to: 64, by: 16) {
      for i in counts.indices { counts[i] = 0 }
      for v in values { counts[Int((v >> shift) & 0xFFFF)] += 1 }
      // A digit all entries share leaves the order as it is.
      if counts.contains(values.count) { continue }
      var total = 0
      for i in counts.indices {
        let c = counts[i]
        counts[i] = total
        total += c
      }
      for v in values {
        let digit = Int((v >> shift) & 0xFFFF)
        scratch[counts[digit]] = v
        counts[digit] += 1
      }
      swap(&values, &scratch)
    }
  }

  /// The members that may mention `heMsgId` (see the type's note on collisions).
  public func candidates(heMsgId: String) -> [String] {
    Self.candidateOrdinals(of: heMsgId, count: entries.count) { entries[$0] }.map { members[Int($0)] }
  }

  /// The high 40 bits of a 64-bit FNV-1a hash of the id's UTF-8 bytes, finished with
  /// MurmurHash3's fmix64 so every input bit reaches the kept bits. Stored in the catalog: it
  /// must never change.
  static func key(_ id: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in id {
      h ^= UInt64(byte)
      h = h &* 0x0000_0100_0000_01b3
    }
    h ^= h >> 33
    h = h &* 0xff51_afd7_ed55_8ccd
    h ^= h >> 33
    h = h &* 0xc4ce_b9fe_1a85_ec53
    h ^= h >> 33
    return h & ~ordinalMask
  }

  static func key(_ id: String) -> UInt64 {
    var id = id
    return id.withUTF8 { key(UnsafeRawBufferPointer($0)) }
  }

  /// Binary search over `count` sorted entries read through `entry` (from memory or from the
  /// catalog's blob): the ordinals stored under `heMsgId`'s key.
  static func candidateOrdinals(of heMsgId: String, count: Int, entry: (Int) throws -> UInt64) rethrows -> [UInt64] {
    let key = key(heMsgId)
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      if try entry(middle) & ~ordinalMask < key { low = middle + 1 } else { high = middle }
    }
    var ordinals: [UInt64] = []
    while low < count {
      let found = try entry(low)
      guard found & ~ordinalMask == key else { break }
      ordinals.append(found & ordinalMask)
      low += 1
    }
    return ordinals
  }

  /// The entries as stored: 8 bytes each, little-endian.
  var blob: [UInt8] {
    var bytes = [UInt8](repeating: 0, count: entries.count * 8)
    bytes.withUnsafeMutableBytes { out in
      for (i, entry) in entries.enumerated() { out.storeBytes(of: entry.littleEndian, toByteOffset: i * 8, as: UInt64.self) }
    }
    return bytes
  }

  /// Members one per line, each encoded like a manifest path (a name may hold a newline).
  var memberText: String { members.map(BagLayout.encodeManifestPath).joined(separator: "\n") }

  static func members(fromText text: String) -> [String] {
    text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map { BagLayout.decodeManifestPath(String($0)) }
  }
}
