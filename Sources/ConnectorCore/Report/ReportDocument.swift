/// The frame both pages share: doctype, head with the inline style, a skip link, the header
/// (title and a line under it), `main` with the page's sections, and a footer line.
enum ReportDocument {
  static func render(
    title: String, heading: String, subtitle: String, footer: String, main: (inout HTMLWriter) -> Void
  ) -> String {
    var w = HTMLWriter()
    w.doctype()
    w.element("html", ["lang": "en"]) { w in
      w.element("head") { w in
        w.void("meta", ["charset": "utf-8"])
        w.void("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
        w.element("title", text: title)
        w.element("style") { w in w.trusted(ReportStyle.css) }
      }
      w.element("body") { w in
        w.element("a", ["class": "skip", "href": "#main"], text: "Skip to the report")
        w.element("header") { w in
          w.element("h1", text: heading)
          w.element("p", ["class": "sub"], text: subtitle)
        }
        w.element("main", ["id": "main"], main)
        w.element("footer") { w in w.element("p", text: footer) }
      }
    }
    return w.document
  }
}
