import ConnectorCore
import ConnectorTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif


/// Generator-based fuzzing of the drop reader (SPEC §10): random mutations of valid drops. Every
/// input must either read (and then every booking gets an answer from BookingChecks) or be
/// rejected with a `DropRejection` reason; never crash, hang or balloon. `PPMP_SOAK=1` runs the
/// long mode (`make soak`).
@Suite struct DropReaderFuzzTests {
  static let mutations = ProcessInfo.processInfo.environment["PPMP_SOAK"] == "1" ? 10_000 : 300

  /// The corpus drops that read: the seeds every mutation starts from.
  static func seeds() throws -> [[UInt8]] {
    try HostileCase.all().filter { $0.expected.hasPrefix("read") && !$0.file.hasPrefix("many") }.map {
      [UInt8](try Data(contentsOf: URL(fileURLWithPath: RepositoryPaths.fixture("hostile/" + $0.file))))
    }
  }

  static let fragments: [[UInt8]] = [
    "<!DOCTYPE drop [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>", "&x;", "&amp;", "&#0;", "&#xD800;", "<![CDATA[",
    "]]>", "<!--", "-->", "<?pi x?>", "<booking>", "</booking>", "<reason>", "<patient/>", "\u{0}", "\u{FEFF}",
    "encoding=\"UTF-16\"", "encoding=\"ISO-8859-1\"", " heMsgId=\"dup\"", "xmlns=\"urn:other\"", "\"", "'", "<", ">",
    "HE_MSG_ID:x", "\u{00E9}", "\u{1F600}", "\u{202E}", "\u{200B}", "\u{0301}", "①½Ⅻ", "&#10;", "encoding=\"UTF-32\"",
    "encoding=\"UTF-7\"", "<!-- <a b=\"1\" c='2 -->", "<![CDATA[ a=1 b=2 ]]>", "<?pi a=1 b=2?>",
  ].map { Array($0.utf8) } + [
    [0xFF, 0xFE], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFF, 0xFE, 0x00, 0x00],
    [0x00, 0x00, 0xFE, 0xFF], [0x4C, 0x6F, 0xA7, 0x94],
  ]

  static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
    var b = input
    let rounds = Int.random(in: 1...4, using: &rng)
    for _ in 0..<rounds {
      let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
      switch Int.random(in: 0..<10, using: &rng) {
      case 0: b = Array(b.prefix(at))  // truncation
      case 1: if !b.isEmpty { b[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng)) }  // bit flip
      case 2: b.insert(UInt8.random(in: 0...255, using: &rng), at: at)  // byte insert
      case 3: if !b.isEmpty { b.remove(at: at) }  // byte delete
      case 4: b.insert(contentsOf: fragments.randomElement(using: &rng)!, at: at)  // markup and entity tricks
      case 5:  // a huge attribute on the element around `at`
        let size = Int.random(in: 1_000...200_000, using: &rng)
        if let space = b[at...].firstIndex(of: 0x20) {
          b.insert(contentsOf: Array(" huge=\"".utf8) + [UInt8](repeating: 0x41, count: size) + [0x22], at: space)
        }
      case 6:  // deep nesting
        let depth = Int.random(in: 2...3_000, using: &rng)
        b.insert(contentsOf: Array(String(repeating: "<reason>", count: depth).utf8), at: at)
      case 7:  // duplicate a chunk (repeated messages, repeated closers)
        let end = min(b.count, at + Int.random(in: 1...400, using: &rng))
        let chunk = Array(b[at..<end])
        b.insert(contentsOf: chunk, at: end)
      case 8:  // an attribute flood on the element around `at` (libxml2 checks them quadratically)
        let count = Int.random(in: 10...200_000, using: &rng)
        if let space = b[at...].firstIndex(of: 0x20) {
          b.insert(contentsOf: (0..<count).flatMap { Array(" f\($0)=\"\"".utf8) }, at: space)
        }
      default:  // wrong encodings: re-encode as UTF-16 or Latin-1
        let text = String(decoding: b, as: UTF8.self)
        if Bool.random(using: &rng) {
          b = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        } else {
          b = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        }
      }
    }
    return b
  }

  private static func maxResidentKiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
  }

  @Test func mutatedDropsAreReadOrRejectedNeverCrashHangOrBalloon() throws {
    let folder = try TemporaryFolder("fuzz")
    let seeds = try Self.seeds()
    #expect(seeds.count >= 5)
    var rng = SeededRandom(seed: 0x5EED_F00D)
    var read = 0, rejected = 0, bookingsAnswered = 0
    var reasons: [String: Int] = [:]
    var slowest = 0.0
    let memoryBefore = Self.maxResidentKiB()
    for i in 0..<Self.mutations {
      let input = Self.mutate(seeds[i % seeds.count], &rng)
      let path = folder.child("m.xml")
      try Data(input).write(to: URL(fileURLWithPath: path))
      let started = Date()
      do {
        let document = try DropReader.read(path: path, maxBytes: 16 * 1024 * 1024, expectedPracticeID: "demo")
        read += 1
        for b in document.bookings {
          switch BookingChecks.check(b) {
          case .success: bookingsAnswered += 1
          case .failure(let r):
            #expect(!r.detail.isEmpty, "mutation \(i): a rejected booking without detail")
            bookingsAnswered += 1
          }
        }
      } catch let r as DropRejection {
        rejected += 1
        reasons[r.reason.rawValue, default: 0] += 1
        #expect(!r.detail.isEmpty, "mutation \(i): rejection \(r.reason) without detail")
      } catch {
        Issue.record("mutation \(i) threw \(type(of: error)), not a DropRejection: \(error)")
      }
      let elapsed = Date().timeIntervalSince(started)
      slowest = max(slowest, elapsed)
      #expect(elapsed < 2, "mutation \(i) took \(elapsed) s")
    }
    let growthMiB = (Self.maxResidentKiB() - memoryBefore) / 1024
    #expect(growthMiB < 256, "peak memory grew \(growthMiB) MiB")
    #expect(read + rejected == Self.mutations)
    #expect(read > 0 && rejected > 0, "mutations should land on both sides")
    print(
      "drop-fuzz mutations=\(Self.mutations) read=\(read) rejected=\(rejected) bookings_answered=\(bookingsAnswered) "
        + "reasons=\(reasons.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")) "
        + "slowest_ms=\(Int(slowest * 1000)) rss_growth_mib=\(growthMiB)")
  }
}
