/// Renders a `FrontDeskReport` as one self-contained page: inline style, inline SVG, no script,
/// nothing fetched. Every value goes through `HTMLWriter`, which escapes it.
struct FrontDeskPage {
  let report: FrontDeskReport

  /// Severity as words and an icon, so colour is never the only signal.
  static func label(_ severity: DoctorFinding.Severity) -> (icon: String, word: String, plural: String, css: String) {
    switch severity {
    case .error: ("✖", "Error", "Errors", "bad")
    case .warning: ("▲", "Warning", "Warnings", "warn")
    case .info: ("ℹ", "Information", "Information", "info")
    }
  }

  func render() -> String {
    ReportDocument.render(
      title: "Online bookings report — practice \(report.practiceID)",
      heading: "Online bookings — practice \(report.practiceID)",
      subtitle: "Healthengine connector report as of \(report.asOf ?? "— (no run yet)") (practice time). "
        + "Written by ppmp-connector \(ConnectorVersion.string); it only reads, and shows no patient details.",
      footer: "Times ending in Z are UTC wall-clock times; the others are practice times. "
        + "Regenerate with `ppmp-connector report --html FILE`."
    ) { w in
      health(&w)
      actions(&w)
      freeHours(&w)
      activity(&w)
      queues(&w)
      doctor(&w)
    }
  }

  // MARK: health

  private func health(_ w: inout HTMLWriter) {
    let status = report.status
    let run = status.lastRun
    w.element("section", ["id": "health", "aria-labelledby": "h-health"]) { w in
      w.element("h2", ["id": "h-health"], text: "Health at a glance")
      w.element("dl", ["class": "tiles"]) { w in
        // Last run.
        if let run {
          let (css, icon, word) = Self.outcome(run.outcome)
          tile(&w, css: css, title: "Last run") { w in
            w.element("span", ["class": "big"], text: "\(icon) \(word)")
            w.void("br")
            w.text("exit \(run.exitCode), \(run.durationMilliseconds) ms; finished \(run.finishedAt), as of \(run.asOf)")
          }
          tile(&w, css: run.outcome == .failed ? "bad" : "ok", title: "Last success") { w in
            if run.outcome == .failed || run.outcome == .interrupted, let at = run.lastSuccessAt {
              w.element("span", ["class": "big"], text: "✖ \(at)")
              w.void("br")
              w.text("The last run did not finish; this is when the last one that did ended.")
            } else if run.outcome == .failed || run.outcome == .interrupted {
              let last = report.publications.last.map { "last publication \($0.file) as of \($0.asOf)" } ?? "no publication yet"
              w.element("span", ["class": "big"], text: "✖ not the last run")
              w.void("br")
              w.text("Only the last run is recorded in detail; \(last).")
            } else {
              w.element("span", ["class": "big"], text: "✔ \(run.finishedAt)")
              w.void("br")
              w.text("as of \(run.asOf) practice time")
            }
          }
          let failures = run.errors.count + run.ingest.retrying
          tile(&w, css: failures > 0 ? "bad" : "ok", title: "Failures in the last run") { w in
            w.element("span", ["class": "big"], text: (failures > 0 ? "✖ " : "✔ ") + "\(failures)")
            w.void("br")
            w.text(
              run.errors.first.map { "first: \($0)" }
                ?? "\(run.ingest.retrying) drop(s) to retry; errors are listed under Needs attention")
          }
          tile(&w, css: run.ingest.rejectedMessages + run.ingest.dropsRejected > 0 ? "warn" : "ok", title: "Bookings, last run") { w in
            w.element("span", ["class": "big"], text: "\(run.ingest.confirmed) confirmed")
            w.void("br")
            w.text(
              "\(ReportFormat.count(run.ingest.drops, "drop")), \(run.ingest.rejectedMessages) message(s) rejected, "
                + "\(run.ingest.dropsRejected) drop(s) rejected")
          }
        } else {
          tile(&w, css: "info", title: "Last run") { w in
            w.element("span", ["class": "big"], text: "ℹ no run yet")
            w.void("br")
            w.text("Schedule `ppmp-connector run` every minute.")
          }
        }
        let waiting = status.queue.oldestWaitingSeconds ?? 0
        tile(&w, css: waiting > Doctor.waitingThresholdSeconds ? "warn" : "ok", title: "Waiting drops") { w in
          w.element("span", ["class": "big"], text: (waiting > Doctor.waitingThresholdSeconds ? "▲ " : "✔ ") + "\(status.queue.inbox) in inbox")
          w.void("br")
          w.text(status.queue.oldestWaitingSeconds.map { "oldest waiting \(ReportFormat.age($0))" } ?? "nothing waiting")
        }
        let counts = DoctorFinding.Severity.allCases.map { s in report.findings.filter { $0.severity == s }.count }
        tile(&w, css: counts[0] > 0 ? "bad" : counts[1] > 0 ? "warn" : "ok", title: "Checks (doctor)") { w in
          w.element("span", ["class": "big"], text: (counts[0] > 0 ? "✖ " : counts[1] > 0 ? "▲ " : "✔ ") + "\(counts[0]) error(s)")
          w.void("br")
          w.text("\(counts[1]) warning(s), \(counts[2]) information")
        }
        tile(&w, css: status.archive.chainVerified ? "ok" : "bad", title: "Archive") { w in
          w.element(
            "span", ["class": "big"],
            text: status.archive.chainVerified ? "✔ chain verified" : "✖ chain broken")
          w.void("br")
          w.text(
            "\(ReportFormat.count(status.archive.count, "archive"))"
              + (status.archive.lastName.map { ", last \($0)" } ?? "") + "; next due \(status.archive.nextDue)")
        }
      }
    }
  }

  static func outcome(_ outcome: RunOutcome) -> (css: String, icon: String, word: String) {
    switch outcome {
    case .ok: ("ok", "✔", "OK")
    case .rejections: ("ok", "✔", "OK, with rejections")
    case .interrupted: ("warn", "▲", "Interrupted")
    case .failed: ("bad", "✖", "Failed")
    }
  }

  private func tile(_ w: inout HTMLWriter, css: String, title: String, _ body: (inout HTMLWriter) -> Void) {
    w.element("div", ["class": "tile \(css)"]) { w in
      w.element("dt", text: title)
      w.element("dd", [:], body)
    }
  }

  // MARK: actions

  private func actions(_ w: inout HTMLWriter) {
    var items: [(css: String, text: String)] = []
    if let run = report.status.lastRun {
      for e in run.errors { items.append(("bad", "✖ The last run reported an error: \(e)")) }
      for warning in run.warnings ?? [] { items.append(("warn", "▲ \(warning)")) }
    }
    for item in report.actionNeeded {
      items.append(
        ("bad",
         "✖ Needs a person (\(item.cause.rawValue)): \(item.summary). \(item.fix)"))
    }
    if report.status.queue.rejected > 0 {
      items.append(
        ("warn",
         "▲ \(ReportFormat.count(report.status.queue.rejected, "drop")) in rejected/ could not be read: "
           + "read NAME.reason.txt beside each and ask for a corrected file."))
    }
    let errors = report.findings.filter { $0.severity == .error }
    if !errors.isEmpty {
      let codes = Array(Set(errors.map(\.code))).sorted().joined(separator: ", ")
      items.append(("bad", "✖ \(ReportFormat.count(errors.count, "doctor error")) (\(codes)): see Checks below."))
    }
    if report.status.reviewOpen > 0 {
      items.append(
        ("warn",
         "▲ \(ReportFormat.count(report.status.reviewOpen, "booking")) in the review queue, each put on a new patient file: "
           + "run `ppmp-connector review list`, then `review resolve <heMsgId> --link <pmsPatientId>` (the same person) "
           + "or `--keep-new`."))
    }
    for p in report.problems { items.append(("bad", "✖ \(p)")) }
    w.element("section", ["id": "actions", "aria-labelledby": "h-actions"]) { w in
      w.element("h2", ["id": "h-actions"], text: "Needs attention")
      if items.isEmpty {
        w.element("p", text: "✔ Nothing needs attention.")
      } else {
        w.element("ul", ["class": "findings"]) { w in
          for item in items { w.element("li", ["class": item.css], text: item.text) }
        }
      }
    }
  }

  // MARK: activity

  /// Per-day counts of what the journal, the publication list and the archive catalog recorded.
  struct Day {
    var date: String
    var drops = 0
    var confirmed = 0
    var cancelled = 0
    var rejected = 0
    var publications = 0
    var archives = 0
  }

  func days() -> [Day] {
    var byDate: [String: Day] = [:]
    func touch(_ date: String, _ update: (inout Day) -> Void) {
      let d = String(date.prefix(10))
      guard !d.isEmpty else { return }
      var day = byDate[d] ?? Day(date: d)
      update(&day)
      byDate[d] = day
    }
    for (date, n) in report.dropsByDay { touch(date) { $0.drops += n } }
    for c in report.journal {
      touch(c.day) { day in
        switch c.outcome {
        case "confirmInsert": day.confirmed += c.count
        case "confirmUpdate": day.cancelled += c.count
        case "rejectInsert", "rejectUpdate": day.rejected += c.count
        default: break
        }
      }
    }
    for p in report.publications { touch(p.asOf) { $0.publications += 1 } }
    for a in report.archives { touch(a.baggingDate) { $0.archives += 1 } }
    // The last 14 days with activity: a picture of now, not of the practice's whole history.
    return Array(byDate.values.sorted { $0.date < $1.date }.suffix(14))
  }

  private func activity(_ w: inout HTMLWriter) {
    let days = days()
    w.element("section", ["id": "activity", "aria-labelledby": "h-activity"]) { w in
      w.element("h2", ["id": "h-activity"], text: "Recent runs and activity")
      w.element(
        "p",
        text: "The connector records the last run in detail. Earlier runs are shown by what they left behind: "
          + "drops claimed and messages answered (from the journal), availability published and archives written, per day.")
      if days.isEmpty {
        w.element("p", text: "No activity recorded yet.")
      } else {
        let summary = days.map {
          "\($0.date): \($0.drops) drops, \($0.confirmed) bookings confirmed, \($0.cancelled) cancelled, "
            + "\($0.rejected) rejected, \($0.publications) publications, \($0.archives) archives"
        }.joined(separator: "; ")
        w.element("figure") { w in
          SVGBarChart(
            id: "chart-activity", title: "Activity per day", summary: summary,
            groups: days.map { LocalDate($0.date).map(ReportFormat.shortDay) ?? $0.date },
            series: [
              .init(name: "drops", values: days.map(\.drops)),
              .init(name: "rejected", values: days.map(\.rejected)),
              .init(name: "publications", values: days.map(\.publications)),
              .init(name: "cancelled", values: days.map(\.cancelled)),
              .init(name: "confirmed", values: days.map(\.confirmed)),
            ]
          ).write(&w)
          w.element("figcaption", text: "Activity per day; the table below gives the same numbers.")
        }
        w.element("div", ["class": "scroll"]) { w in
          w.element("table") { w in
            w.element("caption", text: "Activity per day (practice dates)")
            w.element("thead") { w in
              w.element("tr") { w in
                w.element("th", ["scope": "col"], text: "Day")
                for h in ["Drops claimed", "Bookings confirmed", "Cancelled", "Rejected", "Publications", "Archives"] {
                  w.element("th", ["scope": "col", "class": "n"], text: h)
                }
              }
            }
            w.element("tbody") { w in
              for d in days {
                w.element("tr") { w in
                  w.element("th", ["scope": "row"], text: d.date)
                  for n in [d.drops, d.confirmed, d.cancelled, d.rejected, d.publications, d.archives] {
                    w.element("td", ["class": "n"], text: "\(n)")
                  }
                }
              }
            }
          }
        }
      }
      if let run = report.status.lastRun { lastRun(&w, run) }
      recentEvents(&w)
    }
  }

  private func lastRun(_ w: inout HTMLWriter, _ run: RunStatus) {
    w.element("table") { w in
      w.element("caption", text: "The last run")
      w.element("tbody") { w in
        let rows: [(String, String)] = [
          ("Started", run.startedAt), ("Finished", run.finishedAt), ("As of (practice time)", run.asOf),
          ("Outcome", "\(Self.outcome(run.outcome).icon) \(run.outcome.rawValue), exit \(run.exitCode), \(run.durationMilliseconds) ms"),
          ("Ingest",
           "\(ReportFormat.count(run.ingest.drops, "drop")), \(run.ingest.confirmed) confirmed, "
             + "\(run.ingest.rejectedMessages) message(s) rejected, \(run.ingest.dropsRejected) drop(s) rejected, "
             + "\(run.ingest.waiting) waiting to settle, \(run.ingest.retrying) to retry"),
          ("Export",
           run.export.outcome + (run.export.file.map { " \($0)" } ?? "")
             + ", \(run.export.changedDays) of \(run.export.publishedDays) day(s) changed, \(run.export.diagnostics) diagnostic(s)"),
          ("Archive", run.archive.written.map { "wrote \($0)" } ?? "none written; \(run.archive.stagedFiles) file(s) staged"),
        ]
        for (name, value) in rows {
          w.element("tr") { w in
            w.element("th", ["scope": "row"], text: name)
            w.element("td", text: value)
          }
        }
      }
    }
  }

  private func recentEvents(_ w: inout HTMLWriter) {
    var events: [(time: String, kind: String, text: String)] = []
    for d in report.recentDrops {
      events.append(
        (d.claimedAt, "drop",
         "\(DropName(d.originalName).safe): \(d.status)" + (d.answerName.map { ", answered with \($0)" } ?? "")))
    }
    for p in report.publications.suffix(20) {
      events.append((p.asOf, "publication", "\(p.kind.rawValue) \(p.sequence): \(p.file)"))
    }
    for a in report.archives.suffix(20) {
      events.append(
        (a.baggingDate, "archive",
         "\(a.name): \(ReportFormat.count(a.payloadFiles, "file")), \(ReportFormat.bytes(a.fileBytes))"))
    }
    let shown = events.sorted { ($0.time, $0.kind, $0.text) > ($1.time, $1.kind, $1.text) }.prefix(20)
    guard !shown.isEmpty else { return }
    w.element("table") { w in
      w.element("caption", text: "Recent events, newest first (at most 20)")
      w.element("thead") { w in
        w.element("tr") { w in
          w.element("th", ["scope": "col"], text: "When (practice time)")
          w.element("th", ["scope": "col"], text: "What")
          w.element("th", ["scope": "col"], text: "Detail")
        }
      }
      w.element("tbody") { w in
        for e in shown {
          w.element("tr") { w in
            w.element("td", text: e.time)
            w.element("td", text: e.kind)
            w.element("td", text: e.text)
          }
        }
      }
    }
  }

  // MARK: queues

  private func queues(_ w: inout HTMLWriter) {
    let q = report.status.queue
    w.element("section", ["id": "queues", "aria-labelledby": "h-queues"]) { w in
      w.element("h2", ["id": "h-queues"], text: "Queues")
      w.element("table") { w in
        w.element("caption", text: "Files in the spool now")
        w.element("thead") { w in
          w.element("tr") { w in
            w.element("th", ["scope": "col"], text: "Queue")
            w.element("th", ["scope": "col", "class": "n"], text: "Files")
            w.element("th", ["scope": "col"], text: "Meaning")
          }
        }
        w.element("tbody") { w in
          let rows: [(String, String, String)] = [
            ("inbox/", "\(q.inbox)",
             q.oldestWaitingSeconds.map { "drops waiting; the oldest for \(ReportFormat.age($0))" } ?? "drops waiting; none now"),
            ("work/", "\(q.work)", "drops claimed by a run in progress, or to be retried"),
            ("rejected/", "\(q.rejected)", "drops that could not be read"),
            ("staged for the archive", "\(report.status.archive.stagedFiles)",
             "archived every \(report.status.archive.every); next due \(report.status.archive.nextDue)"),
            ("review queue", "\(report.status.reviewOpen)",
             "bookings that got a new patient file, waiting for a person (`ppmp-connector review list`)"),
          ]
          for (name, count, meaning) in rows {
            w.element("tr") { w in
              w.element("th", ["scope": "row"], text: name)
              w.element("td", ["class": "n"], text: count)
              w.element("td", text: meaning)
            }
          }
        }
      }
      if let ahead = q.futureMtime {
        w.element("p", text: "▲ \(ReportFormat.count(ahead, "inbox file")) dated ahead of this machine's clock (see Checks).")
      }
    }
  }

  // MARK: doctor

  private func doctor(_ w: inout HTMLWriter) {
    w.element("section", ["id": "checks", "aria-labelledby": "h-checks"]) { w in
      w.element("h2", ["id": "h-checks"], text: "Checks (doctor)")
      if report.findings.isEmpty {
        w.element("p", text: "✔ No findings.")
      }
      var number = 0
      for severity in DoctorFinding.Severity.allCases {
        let group = report.findings.filter { $0.severity == severity }
        guard !group.isEmpty else { continue }
        let l = Self.label(severity)
        w.element("h3", text: "\(l.icon) \(l.plural) (\(group.count))")
        w.element("ul", ["class": "findings"]) { w in
          for f in group {
            number += 1
            w.element("li", ["class": l.css, "id": "finding-\(number)"]) { w in
              w.element("h4") { w in
                w.element("span", ["class": "badge \(l.css)"], text: "\(l.icon) \(l.word)")
                w.text(" ")
                w.element("code", text: f.code)
              }
              w.element("p", text: f.what)
              let place = f.location.summary
              if !place.isEmpty { w.element("p", text: "Where: \(place)") }
              if !f.fix.isEmpty { w.element("p", text: "Fix: \(f.fix)") }
            }
          }
        }
      }
    }
  }

  /// Finding anchors per practitioner, for the marks in the grid: number of the first finding
  /// of each mark.
  func marks() -> [Int64: [(code: String, label: String, css: String, anchor: Int)]] {
    var out: [Int64: [(code: String, label: String, css: String, anchor: Int)]] = [:]
    var number = 0
    for severity in DoctorFinding.Severity.allCases {
      for f in report.findings where f.severity == severity {
        number += 1
        guard let id = f.location.practitionerId else { continue }
        let mark: (String, String)?
        if FrontDeskReport.diaryRowCodes.contains(f.code) {
          mark = ("invalid-diary-row", "invalid diary row")
        } else if f.code == FrontDeskReport.multiColumnCode {
          mark = ("multi-column", "other columns ignored")
        } else {
          mark = nil
        }
        guard let (code, label) = mark, !(out[id] ?? []).contains(where: { $0.code == code }) else { continue }
        out[id, default: []].append((code, label, f.severity == .error ? "bad" : "warn", number))
      }
    }
    return out
  }

  // MARK: free hours

  private func freeHours(_ w: inout HTMLWriter) {
    w.element("section", ["id": "free-hours", "aria-labelledby": "h-free"]) { w in
      w.element("h2", ["id": "h-free"], text: "What Healthengine shows: free hours per practitioner and day")
      guard let grid = report.grid else {
        w.element("p", text: "Nothing has been published yet.")
        return
      }
      let marks = marks()
      w.element(
        "p",
        text: "From the last publication (sequence \(grid.sequence), as of \(grid.asOf)): the hours each practitioner "
          + "is shown as free online, per day. “–” means nothing is offered that day. "
          + "Marks: ✖ invalid diary row (those rows are skipped, so their hours are missing); "
          + "▲ other columns ignored (several diary columns, only column 1 counts). Each mark links to its finding.")
      w.element("div", ["class": "scroll"]) { w in
        w.element("table", ["class": "grid"]) { w in
          w.element(
            "caption",
            text: "Free hours published, \(grid.dates.first?.description ?? "") to \(grid.dates.last?.description ?? "")")
          w.element("thead") { w in
            w.element("tr") { w in
              w.element("th", ["scope": "col"], text: "Practitioner")
              for d in grid.dates {
                let label = ReportFormat.shortDay(d).split(separator: " ", maxSplits: 1).map(String.init)
                w.element("th", ["scope": "col", "class": d.weekday == 1 ? "we" : nil, "title": d.description]) { w in
                  w.text(label.first ?? "")
                  w.void("br")
                  w.text(label.last ?? "")
                }
              }
              w.element("th", ["scope": "col", "class": "n"], text: "Total")
            }
          }
          w.element("tbody") { w in
            for row in grid.rows {
              w.element("tr") { w in
                w.element("th", ["scope": "row"]) { w in
                  w.text("\(row.name) (staff \(row.id))")
                  for m in marks[row.id] ?? [] {
                    w.void("br")
                    w.element("a", ["class": "mark \(m.css)", "href": "#finding-\(m.anchor)"]) { w in
                      w.text((m.css == "bad" ? "✖ " : "▲ ") + m.label)
                    }
                  }
                }
                for (i, minutes) in row.minutes.enumerated() {
                  let level = minutes == 0 ? 0 : minutes < 120 ? 1 : minutes < 240 ? 2 : minutes < 360 ? 3 : 4
                  let css = "l\(level)" + (grid.dates[i].weekday == 1 ? " we" : "")
                  let date = grid.dates[i]
                  w.element(
                    "td",
                    ["class": css, "title": "\(row.name), \(ReportFormat.shortDay(date)) \(date): \(FreeHoursGrid.hours(minutes)) h free"],
                    text: FreeHoursGrid.hours(minutes))
                }
                w.element("td", ["class": "n"], text: FreeHoursGrid.hours(row.minutes.reduce(0, +)))
              }
            }
          }
        }
      }
      let published = Set(grid.rows.map(\.id))
      let others = marks.keys.filter { !published.contains($0) }.sorted()
      if !others.isEmpty {
        w.element("p", text: "Practitioners with diary findings who are not in the published list:")
        w.element("ul") { w in
          for id in others {
            let name = report.findings.first { $0.location.practitionerId == id }?.location.practitionerName
            w.element("li") { w in
              w.text((name.map { "\($0) " } ?? "") + "(staff \(id))")
              for m in marks[id] ?? [] {
                w.element("a", ["class": "mark \(m.css)", "href": "#finding-\(m.anchor)"]) { w in
                  w.text((m.css == "bad" ? "✖ " : "▲ ") + m.label)
                }
              }
            }
          }
        }
      }
    }
  }
}
