import Foundation

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

  mutating func reserve(mentions: Int) { entries.reserveCapacity(mentions) }

  /// Sorts the entries and drops repeats (an id mentioned twice in one member).
  mutating func seal() {
    Self.radixSort(&entries)
    let kept = entries.withUnsafeMutableBufferPointer { e -> Int in
      var kept = 0
      for i in e.indices where kept == 0 || e[kept - 1] != e[i] {
        e[kept] = e[i]
        kept += 1
      }
      return kept
    }
    entries.removeSubrange(kept...)
  }

  /// Sorts entries by their key (the top 40 bits) with a stable least-significant-digit radix
  /// sort: one pass counts all four 10-bit digits, four passes move the entries (1,024 buckets
  /// keep the counts in L1 and the scattered writes few enough to stay cached).
  /// `add` appends in ascending ordinal order, and stability keeps that order among equal keys,
  /// so the result is in full 64-bit order. The standard library's comparison sort of an
  /// archive's millions of entries took three times as long.
  static func radixSort(_ values: inout [UInt64]) {
    guard values.count > 1 else { return }
    let buckets = 1 << 10
    let mask = UInt64(buckets - 1)
    let shifts: [UInt64] = [24, 34, 44, 54]
    // The four digits' counts side by side, then turned into each bucket's next slot.
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: 4 * buckets)
    defer { counts.deallocate() }
    counts.initialize(repeating: 0, count: 4 * buckets)
    values.withUnsafeBufferPointer { v in
      for value in v {
        counts[Int((value >> 24) & mask)] += 1
        counts[buckets + Int((value >> 34) & mask)] += 1
        counts[2 * buckets + Int((value >> 44) & mask)] += 1
        counts[3 * buckets + Int(value >> 54)] += 1
      }
    }
    var scratch = [UInt64](repeating: 0, count: values.count)
    for (d, shift) in shifts.enumerated() {
      let slots = counts + d * buckets
      // A digit all entries share leaves the order as it is.
      if (0..<buckets).contains(where: { slots[$0] == values.count }) { continue }
      var total = 0
      for i in 0..<buckets {
        let c = slots[i]
        slots[i] = total
        total += c
      }
      values.withUnsafeBufferPointer { input in
        scratch.withUnsafeMutableBufferPointer { out in
          for value in input {
            let bucket = Int((value >> shift) & mask)
            out[slots[bucket]] = value
            slots[bucket] += 1
          }
        }
      }
      swap(&values, &scratch)
    }
  }

  /// The members that may mention `heMsgId` (see the type's note on collisions).
  func candidates(heMsgId: String) -> [String] {
    Self.candidateOrdinals(of: heMsgId, count: entries.count) { entries[$0] }.map { members[Int($0)] }
  }

  /// The high 40 bits of a 64-bit hash of the id's UTF-8 bytes: MurmurHash3's x64 block mix
  /// over little-endian 8-byte words (the last one zero-padded), seeded with the length, then
  /// its fmix64 finalizer. A word at a time, since an archive hashes millions of ids. Stored in
  /// the catalog: it must never change.
  static func key(_ id: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(id.count)
    var at = 0
    while at < id.count {
      var word: UInt64 = 0
      let count = min(8, id.count - at)
      if count == 8 {
        word = UInt64(littleEndian: id.loadUnaligned(fromByteOffset: at, as: UInt64.self))
      } else {
        for i in 0..<count { word |= UInt64(id[at + i]) << (8 * UInt64(i)) }
      }
      word = word &* 0x87C3_7B91_1142_53D5
      word = (word << 31) | (word >> 33)
      word = word &* 0x4CF5_AD43_2745_937F
      h ^= word
      h = ((h << 27) | (h >> 37)) &* 5 &+ 0x52DC_E729
      at += count
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

  /// Calls `body` with the entries as stored: 8 bytes each, little-endian.
  func withBlob<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    #if _endian(little)
      return try entries.withUnsafeBytes(body)
    #else
      return try entries.map(\.littleEndian).withUnsafeBytes(body)
    #endif
  }

  /// Members one per line, each encoded like a manifest path (a name may hold a newline).
  var memberText: String { members.map(BagLayout.encodeManifestPath).joined(separator: "\n") }

  static func members(fromText text: String) -> [String] {
    text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map { BagLayout.decodeManifestPath(String($0)) }
  }
}
