/// Keys cut into lists of exactly `size`, for one prepared `… IN (?, …)` statement of `size`
/// parameters: the last list is padded with repeats of one of its keys, which select nothing
/// more. A statement per list length would be prepared (and, cached, kept) anew whenever the
/// number of keys moved.
enum PaddedKeyLists {
  static func lists<Key>(_ keys: [Key], size: Int) -> [[Key]] {
    stride(from: 0, to: keys.count, by: size).map { start in
      var list = Array(keys[start..<min(start + size, keys.count)])
      list += repeatElement(list[0], count: size - list.count)
      return list
    }
  }
}
