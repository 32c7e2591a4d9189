/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified, so fixtures are stable
/// across platforms and toolchains. Deliberately not a `RandomNumberGenerator`: the standard
/// library's `random(in:using:)` algorithms are not promised to stay the same between releases.
public struct SplitMix64 {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A value in `0..<bound` (bound > 0); the modulo bias is irrelevant at fixture sizes.
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

  /// A uniform value in `[0, 1)` with 53 random bits.
  mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  mutating func chance(_ probability: Double) -> Bool { unit() < probability }

  mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
}
