import ConnectorCore
import Testing

@Suite struct HTMLWriterTests {
  @Test(arguments: [
    ("<b>&", "&lt;b&gt;&amp;", "&lt;b&gt;&amp;"),
    ("say \"hi\" 'x'", "say \"hi\" 'x'", "say &quot;hi&quot; &#39;x&#39;"),
    ("a\u{1B}[31mb\u{0}", "a\u{FFFD}[31mb\u{FFFD}", "a\u{FFFD}[31mb\u{FFFD}"),
    ("abc\u{202E}fdp.exe", "abc\u{FFFD}fdp.exe", "abc\u{FFFD}fdp.exe"),
    ("tab\tline\n", "tab\tline\n", "tab\tline\n"),
  ])
  func escapesTextAndAttributes(input: String, text: String, attribute: String) {
    #expect(HTMLWriter.escape(input, quotes: false) == text)
    #expect(HTMLWriter.escape(input, quotes: true) == attribute)
  }

  @Test func writesElementsWithEscapedContentAndOmitsNilAttributes() {
    var w = HTMLWriter()
    w.element("p", ["class": "x\"><script>", "title": nil]) { w in
      w.text("<script>alert(1)</script>")
      w.void("br")
    }
    #expect(w.document == "<p class=\"x&quot;&gt;&lt;script&gt;\">&lt;script&gt;alert(1)&lt;/script&gt;<br></p>\n")
  }
}
