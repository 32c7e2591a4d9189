/// What "the same content" means for a publication's ranges: `PublicationReader` normalises each
/// day with this rule, so two files that say the same thing read (and diff) the same.
extension AvailabilityRange {
  /// Sorted by start and end, adjacent ranges with the same slot length and codes merged; for
  /// ranges whose codes are already sorted and unique. Files we wrote are already in this form,
  /// so the common case sorts nothing and copies nothing.
  static func merged(_ ranges: [AvailabilityRange]) -> [AvailabilityRange] {
    var sorted = ranges
    // Strictly increasing keys: every sort leaves the array as it is, so skipping it cannot
    // change the result (equal keys are left to the sort, whose order for them is its own).
    var strictlyIncreasing = true
    var mergeable = false
    for i in sorted.indices.dropFirst() {
      let a = sorted[i - 1]
      let b = sorted[i]
      if (a.start, a.end) >= (b.start, b.end) {
        strictlyIncreasing = false
        break
      }
      if a.end == b.start, a.slotLengthSeconds == b.slotLengthSeconds, a.appointmentTypeCodes == b.appointmentTypeCodes {
        mergeable = true
      }
    }
    if strictlyIncreasing && !mergeable { return sorted }
    if !strictlyIncreasing { sorted.sort { ($0.start, $0.end) < ($1.start, $1.end) } }
    var out: [AvailabilityRange] = []
    out.reserveCapacity(sorted.count)
    for r in sorted {
      if var last = out.last, last.end == r.start, last.slotLengthSeconds == r.slotLengthSeconds,
        last.appointmentTypeCodes == r.appointmentTypeCodes
      {
        last.end = r.end
        out[out.count - 1] = last
      } else {
        out.append(r)
      }
    }
    return out
  }
}
