import ConnectorCore

/// One-line summaries of what a step did. They never name patients.
enum Report {
  static func export(_ result: ExportResult, spool: SpoolLayout, quiet: Bool) {
    if !quiet {
      var previous: AvailabilityDiagnostic?
      for d in result.diagnostics {
        // The severity doctor gives the same problem (a skipped row loses availability), and
        // a fix shared by consecutive rows said once.
        let fix = previous?.kind == d.kind && previous?.fix == d.fix ? "as above" : d.fix
        Console.err("\(d.kind.skipsRow ? "error" : "warning"): \(d.problem) Fix: \(fix)")
        previous = d
      }
    }
    for w in result.warnings { Console.err("warning: \(w)") }
    guard !quiet else { return }
    switch result.outcome {
    case .unchanged:
      Console.out("export: no change since the last publication; nothing written")
    case .snapshot, .delta:
      Console.out(
        "export: wrote \(spool.outbox)/\(result.outboxFile ?? "") (\(result.outcome.rawValue), sequence \(result.sequence ?? 0), \(result.changedDays) of \(result.publishedDays) day(s))")
    }
  }

  static func ingest(_ s: IngestSummary, quiet: Bool) {
    for e in s.errors { Console.err("error: \(e) (will retry)") }
    guard !quiet else { return }
    Console.out(
      "ingest: \(s.drops) drop(s), \(s.confirmed) confirmed, \(s.rejectedMessages) message(s) rejected, \(s.dropsRejected) drop(s) rejected"
        + (s.waiting > 0 ? ", \(s.waiting) waiting to settle" : "") + (s.retrying > 0 ? ", \(s.retrying) to retry" : ""))
  }
}
