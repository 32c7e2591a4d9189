/// A grouped bar chart drawn as inline SVG, with a text alternative.
///
/// The SVG is `role="img"` with a `<title>` and `<desc>` (the summary in words); each bar has a
/// `<title>` naming its series and value, and its value printed above it, so no bar is told
/// apart by colour alone. Callers put the same numbers in a table beside the chart.
struct SVGBarChart {
  struct Series {
    var name: String
    var values: [Int]
  }

  /// Unique within the page: it prefixes the ids of the title and description.
  var id: String
  var title: String
  var summary: String
  /// One label per group (a day, an archive).
  var groups: [String]
  /// A second line under each group label (optional).
  var subLabels: [String] = []
  var series: [Series]
  /// How a value is printed above its bar.
  var valueLabel: (Int) -> String = { "\($0)" }

  func write(_ w: inout HTMLWriter) {
    let barWidth = series.count > 1 ? 16 : 34
    let groupWidth = max(62, series.count * barWidth + 18)
    let chartHeight = 120
    let top = 22
    let bottom = subLabels.isEmpty ? 24 : 38
    let left = 8
    let width = left * 2 + max(1, groups.count) * groupWidth
    let height = top + chartHeight + bottom
    let maximum = max(1, series.flatMap(\.values).max() ?? 1)
    w.element(
      "svg",
      [
        "role": "img", "viewBox": "0 0 \(width) \(height)",
        "width": "\(width)", "height": "\(height)", "aria-labelledby": "\(id)-t \(id)-d",
      ]
    ) { w in
      w.element("title", ["id": "\(id)-t"], text: title)
      w.element("desc", ["id": "\(id)-d"], text: summary)
      let baseline = top + chartHeight
      // SVG elements are never void in HTML: an unclosed <line> would swallow the bars after it.
      w.element("line", ["class": "axis", "x1": "\(left)", "y1": "\(baseline)", "x2": "\(width - left)", "y2": "\(baseline)"], text: "")
      w.newline()
      for (g, label) in groups.enumerated() {
        let x0 = left + g * groupWidth + (groupWidth - series.count * barWidth) / 2
        for (s, serie) in series.enumerated() {
          let value = g < serie.values.count ? serie.values[g] : 0
          let h = value == 0 ? 0 : max(2, value * chartHeight / maximum)
          let x = x0 + s * barWidth
          w.element(
            "rect",
            ["class": "s\(s % 5)", "x": "\(x + 1)", "y": "\(baseline - h)", "width": "\(barWidth - 2)", "height": "\(h)"]
          ) { w in
            w.element("title", text: "\(label): \(serie.name) \(valueLabel(value))")
          }
          w.element(
            "text", ["x": "\(x + barWidth / 2)", "y": "\(baseline - h - 4)", "text-anchor": "middle"], text: valueLabel(value))
        }
        let cx = left + g * groupWidth + groupWidth / 2
        w.element("text", ["x": "\(cx)", "y": "\(baseline + 15)", "text-anchor": "middle"], text: label)
        if g < subLabels.count {
          w.element("text", ["x": "\(cx)", "y": "\(baseline + 29)", "text-anchor": "middle"], text: subLabels[g])
        }
        w.newline()
      }
    }
    if series.count > 1 {
      w.element("p", ["class": "sub"], text: "Bars in each group, left to right: " + series.map(\.name).joined(separator: ", ") + ".")
      w.element("ul", ["class": "legend", "aria-hidden": "true"]) { w in
        for (s, serie) in series.enumerated() {
          w.element("li") { w in
            w.element("span", ["class": "sw s\(s % 5)"], text: "")
            w.text(serie.name)
          }
        }
      }
    }
  }
}
