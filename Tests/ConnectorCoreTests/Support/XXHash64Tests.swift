import ConnectorCore
import ConnectorTestSupport
import Testing

/// Reference values from the `xxhash` Python package (xxhash.xxh64(data).hexdigest()).
@Suite struct XXHash64Tests {
  private func hash(_ bytes: [UInt8], chunks: [Int] = []) -> UInt64 {
    var h = XXHash64()
    var at = 0
    bytes.withUnsafeBytes { all in
      for size in chunks where at + size <= all.count {
        h.update(slice(all, at, size))
        at += size
      }
      h.update(slice(all, at, all.count - at))
    }
    return h.finalize()
  }

  private func slice(_ all: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: all[at..<(at + count)])
  }

  static let stripes = [UInt8]((0..<768).map { UInt8($0 % 256) })

  @Test func matchesTheReferenceImplementation() {
    #expect(hash([]) == 0xef46_db37_51d8_e999)
    #expect(hash(Array("a".utf8)) == 0xd24e_c4f1_a98c_6e5b)
    #expect(hash(Array("abc".utf8)) == 0x44bc_2cf5_ad77_0999)
    #expect(hash(Self.stripes) == 0x8e03_c838_c596_036f)
  }

  @Test func anySplitIntoChunksGivesTheSameHash() {
    var random = SeededRandom(seed: 3)
    for _ in 0..<50 {
      let chunks = (0..<8).map { _ in Int.random(in: 0..<90, using: &random) }
      #expect(hash(Self.stripes, chunks: chunks) == 0x8e03_c838_c596_036f)
    }
  }
}
