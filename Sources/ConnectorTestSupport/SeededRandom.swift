import ConnectorCore
import ConnectorFixtures

/// A seeded `RandomNumberGenerator` for tests (the fixtures' SplitMix64 underneath), so a
/// failing random case can be replayed from the seed its message prints.
public struct SeededRandom: RandomNumberGenerator {
  private var core: SplitMix64

  public init(seed: UInt64) { core = SplitMix64(seed: seed) }

  public mutating func next() -> UInt64 { core.next() }
}
