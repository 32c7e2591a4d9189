/// Renders an `AuditReport` as one self-contained page for auditors: inline style and SVG, no
/// script, nothing fetched, every value escaped by `HTMLWriter`.
struct AuditPage {
  let report: AuditReport

  func render() -> String {
    let title = "Archive audit report"
    let dates = report.archives.compactMap(\.baggingDate).sorted()
    return ReportDocument.render(
      title: title, heading: title,
      subtitle: "\(ReportFormat.count(report.archives.count, "archive"))"
        + (dates.first.map { ", bagged \($0) to \(dates.last ?? $0)" } ?? "")
        + ". Read from the archive files by ppmp-connector \(ConnectorVersion.string); no drop is opened, so no "
        + "patient details appear here.",
      footer: "Look inside an archive with `ppmp-connector audit show NAME bag-info.txt` (or any member path); "
        + "check everything again with `ppmp-connector audit verify`."
    ) { w in
      summary(&w)
      timeline(&w)
      chain(&w)
      messages(&w)
    }
  }

  private func summary(_ w: inout HTMLWriter) {
    w.element("section", ["id": "summary", "aria-labelledby": "h-summary"]) { w in
      w.element("h2", ["id": "h-summary"], text: "Verification")
      w.element("dl", ["class": "tiles"]) { w in
        w.element("div", ["class": "tile \(report.isIntact ? "ok" : "bad")"]) { w in
          w.element("dt", text: "Chain")
          w.element("dd") { w in
            w.element(
              "span", ["class": "big"],
              text: report.isIntact
                ? "✔ verified" : "✖ broken: \(ReportFormat.count(report.problems.count, "problem"))")
            w.void("br")
            w.text(
              report.isIntact
                ? "every manifest hash, every Payload-Oxum and every link was checked"
                : "first: \(report.problems[0])")
          }
        }
        let total = report.archives.reduce(Int64(0)) { $0 + $1.fileBytes }
        let payload = report.archives.reduce(Int64(0)) { $0 + $1.payloadBytes }
        let files = report.archives.reduce(0) { $0 + $1.payloadFiles }
        w.element("div", ["class": "tile info"]) { w in
          w.element("dt", text: "Archives")
          w.element("dd") { w in
            w.element("span", ["class": "big"], text: "\(report.archives.count)")
            w.void("br")
            w.text("\(ReportFormat.bytes(total)) on disk; \(ReportFormat.count(files, "file")), \(ReportFormat.bytes(payload)) payload")
          }
        }
      }
      if !report.problems.isEmpty {
        w.element("h3", text: "✖ Problems, in chain order")
        w.element("ol") { w in
          for p in report.problems { w.element("li", text: p) }
        }
      }
    }
  }

  private func timeline(_ w: inout HTMLWriter) {
    w.element("section", ["id": "archives", "aria-labelledby": "h-archives"]) { w in
      w.element("h2", ["id": "h-archives"], text: "Archives over time")
      guard !report.archives.isEmpty else {
        w.element("p", text: "No archive yet.")
        return
      }
      let shown = Array(report.archives.suffix(30))
      w.element("figure") { w in
        SVGBarChart(
          id: "chart-archives", title: "Archive file sizes in sequence order",
          summary: shown.map { "\($0.name), \($0.baggingDate ?? "no date"): \(ReportFormat.bytes($0.fileBytes))" }
            .joined(separator: "; "),
          groups: shown.map(\.name), subLabels: shown.map { $0.baggingDate ?? "?" },
          series: [.init(name: "file size", values: shown.map { Int($0.fileBytes) })],
          valueLabel: { ReportFormat.bytes(Int64($0)) }
        ).write(&w)
        w.element(
          "figcaption",
          text: "File size of each archive, in sequence order (the last \(shown.count)); the table lists every archive.")
      }
      w.element("div", ["class": "scroll"]) { w in
        w.element("table") { w in
          w.element("caption", text: "Every archive")
          w.element("thead") { w in
            w.element("tr") { w in
              for (h, n) in [("Seq", true), ("Name (for audit show)", false), ("Bagging date", false), ("Files", true),
                             ("Payload", true), ("File", true), ("Intact", false), ("Path", false)] {
                w.element("th", ["scope": "col", "class": n ? "n" : nil], text: h)
              }
            }
          }
          w.element("tbody") { w in
            for a in report.archives {
              w.element("tr") { w in
                w.element("td", ["class": "n"], text: a.sequence.map(String.init) ?? "?")
                w.element("th", ["scope": "row"]) { w in w.element("code", text: a.name) }
                w.element("td", text: a.baggingDate ?? "?")
                w.element("td", ["class": "n"], text: "\(a.payloadFiles)")
                w.element("td", ["class": "n"], text: ReportFormat.bytes(a.payloadBytes))
                w.element("td", ["class": "n"], text: ReportFormat.bytes(a.fileBytes))
                w.element("td", text: a.problems.isEmpty ? "✔ yes" : "✖ no: \(a.problems[0])")
                w.element("td") { w in w.element("code", text: a.path) }
              }
            }
          }
        }
      }
    }
  }

  private func chain(_ w: inout HTMLWriter) {
    w.element("section", ["id": "chain", "aria-labelledby": "h-chain"]) { w in
      w.element("h2", ["id": "h-chain"], text: "The chain")
      w.element(
        "p",
        text: "Each archive's bag-info.txt names the SHA-256 of the previous archive's uncompressed tar stream "
          + "(64 zeros in the first). A link is verified when that value is the tar SHA-256 read from the archive before it.")
      guard !report.archives.isEmpty else { return }
      let shown = Array(report.archives.suffix(12))
      let box = 120
      let gap = 40
      let width = shown.count * box + (shown.count - 1) * gap + 16
      let summary = shown.map { a in
        "\(a.name): link " + (a.linkVerified == true ? "verified" : a.linkVerified == false ? "BROKEN" : "unknown")
      }.joined(separator: "; ")
      w.element("figure") { w in
        w.element(
          "svg",
          ["role": "img", "viewBox": "0 0 \(width) 70", "width": "\(width)", "height": "70",
           "aria-labelledby": "chain-t chain-d"]
        ) { w in
          w.element("title", ["id": "chain-t"], text: "The archive chain")
          w.element("desc", ["id": "chain-d"], text: summary)
          for (i, a) in shown.enumerated() {
            let x = 8 + i * (box + gap)
            if i > 0 {
              let ok = a.linkVerified == true
              w.element(
                "line", ["class": ok ? "link" : "broken", "x1": "\(x - gap)", "y1": "30", "x2": "\(x)", "y2": "30"]
              ) { w in w.element("title", text: "link \(shown[i - 1].name) → \(a.name): \(ok ? "verified" : "broken")") }
              w.element("text", ["x": "\(x - gap / 2)", "y": "24", "text-anchor": "middle"], text: ok ? "✔" : "✖")
            }
            let intact = a.problems.isEmpty && a.linkVerified != false
            w.element(
              "rect",
              ["x": "\(x)", "y": "10", "width": "\(box)", "height": "40", "rx": "6", "fill": "#fff",
               "stroke": intact ? "#1b6e34" : "#a01a1a", "stroke-width": intact ? "2" : "3"]
            ) { w in w.element("title", text: "\(a.name): \(intact ? "intact" : "problem")") }
            w.element("text", ["x": "\(x + box / 2)", "y": "28", "text-anchor": "middle"], text: a.name)
            w.element(
              "text", ["x": "\(x + box / 2)", "y": "43", "text-anchor": "middle"],
              text: (intact ? "✔ " : "✖ ") + ReportFormat.shortHash(a.tarSHA256))
            w.newline()
          }
        }
        w.element("figcaption", text: "The last \(shown.count) links; the table below lists every archive.")
      }
      w.element("div", ["class": "scroll"]) { w in
        w.element("table") { w in
          w.element("caption", text: "Links between archives")
          w.element("thead") { w in
            w.element("tr") { w in
              for h in ["Archive", "Previous-Archive-SHA256", "Tar SHA-256", "Link"] {
                w.element("th", ["scope": "col"], text: h)
              }
            }
          }
          w.element("tbody") { w in
            for a in report.archives {
              w.element("tr") { w in
                w.element("th", ["scope": "row"]) { w in w.element("code", text: a.name) }
                w.element("td", ["title": a.previousTarSHA256 ?? ""]) { w in
                  w.element("code", text: ReportFormat.shortHash(a.previousTarSHA256 ?? "missing"))
                }
                w.element("td", ["title": a.tarSHA256]) { w in w.element("code", text: ReportFormat.shortHash(a.tarSHA256)) }
                let link =
                  switch a.linkVerified {
                  case true?: a.sequence == 1 ? "✔ start of the chain" : "✔ verified"
                  case false?: "✖ broken"
                  case nil: "? the archive before is missing"
                  }
                w.element("td", text: link)
              }
            }
          }
        }
      }
    }
  }

  private func messages(_ w: inout HTMLWriter) {
    // Per bagging date: the archives' receipts, by outcome.
    var byDay: [String: [String: Int]] = [:]
    var archivesByDay: [String: [String]] = [:]
    for a in report.archives {
      let day = a.baggingDate ?? "?"
      archivesByDay[day, default: []].append(a.name)
      for (label, n) in a.outcomes { byDay[day, default: [:]][label, default: 0] += n }
    }
    let days = archivesByDay.keys.sorted()
    let rejectionLabels = Set(byDay.values.flatMap(\.keys)).subtracting([AuditReport.confirmed, AuditReport.cancelled]).sorted()
    let labels = [AuditReport.confirmed, AuditReport.cancelled] + rejectionLabels
    w.element("section", ["id": "messages", "aria-labelledby": "h-messages"]) { w in
      w.element("h2", ["id": "h-messages"], text: "Messages per day by outcome")
      w.element(
        "p",
        text: "Counted from the receipts and rejection notices inside the archives, by the archive's bagging date "
          + "(files are archived within the archive interval of being answered). Rejections are split by reason code.")
      guard !days.isEmpty else {
        w.element("p", text: "No archive yet.")
        return
      }
      let chartDays = Array(days.suffix(14))
      let rejected = chartDays.map { d in rejectionLabels.reduce(0) { $0 + (byDay[d]?[$1] ?? 0) } }
      w.element("figure") { w in
        SVGBarChart(
          id: "chart-messages", title: "Messages per day by outcome",
          summary: chartDays.enumerated().map { i, d in
            "\(d): \(byDay[d]?[AuditReport.confirmed] ?? 0) confirmed, \(byDay[d]?[AuditReport.cancelled] ?? 0) cancelled, "
              + "\(rejected[i]) rejected"
          }.joined(separator: "; "),
          groups: chartDays,
          series: [
            .init(name: "confirmed", values: chartDays.map { byDay[$0]?[AuditReport.confirmed] ?? 0 }),
            .init(name: "rejected (all reasons)", values: rejected),
            .init(name: "cancelled", values: chartDays.map { byDay[$0]?[AuditReport.cancelled] ?? 0 }),
          ]
        ).write(&w)
        w.element("figcaption", text: "Messages per bagging date; the table gives every outcome and reason.")
      }
      w.element("div", ["class": "scroll"]) { w in
        w.element("table") { w in
          w.element("caption", text: "Messages per day by outcome, and the archives holding them")
          w.element("thead") { w in
            w.element("tr") { w in
              w.element("th", ["scope": "col"], text: "Day")
              for l in labels { w.element("th", ["scope": "col", "class": "n"], text: l) }
              w.element("th", ["scope": "col"], text: "Archives")
            }
          }
          w.element("tbody") { w in
            for d in days {
              w.element("tr") { w in
                w.element("th", ["scope": "row"], text: d)
                for l in labels { w.element("td", ["class": "n"], text: "\(byDay[d]?[l] ?? 0)") }
                w.element("td") { w in w.element("code", text: (archivesByDay[d] ?? []).joined(separator: ", ")) }
              }
            }
          }
        }
      }
    }
  }
}
