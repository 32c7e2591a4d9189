/// Jaro–Winkler similarity of two strings, by Unicode scalar: 1 for equal, 0 for nothing in
/// common. Used only to rank review candidates, never to match.
enum JaroWinkler {
  static func similarity(_ a: String, _ b: String) -> Double {
    let s = Array(a.unicodeScalars)
    let t = Array(b.unicodeScalars)
    if s == t { return 1 }
    if s.isEmpty || t.isEmpty { return 0 }
    let window = max(0, max(s.count, t.count) / 2 - 1)
    var sMatched = [Bool](repeating: false, count: s.count)
    var tMatched = [Bool](repeating: false, count: t.count)
    var matches = 0
    for i in s.indices {
      let lo = max(0, i - window)
      let hi = min(t.count - 1, i + window)
      guard lo <= hi else { continue }
      for j in lo...hi where !tMatched[j] && s[i] == t[j] {
        sMatched[i] = true
        tMatched[j] = true
        matches += 1
        break
      }
    }
    guard matches > 0 else { return 0 }
    var transpositions = 0
    var j = 0
    for i in s.indices where sMatched[i] {
      while !tMatched[j] { j += 1 }
      if s[i] != t[j] { transpositions += 1 }
      j += 1
    }
    let m = Double(matches)
    let jaro = (m / Double(s.count) + m / Double(t.count) + (m - Double(transpositions / 2)) / m) / 3
    var prefix = 0
    while prefix < min(4, s.count, t.count), s[prefix] == t[prefix] { prefix += 1 }
    return jaro + Double(prefix) * 0.1 * (1 - jaro)
  }
}
