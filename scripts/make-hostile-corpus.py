#!/usr/bin/env python3
"""Writes Fixtures/hostile/: hostile drop files and manifest.tsv (what DropReader must make of each).

The files are committed; run this only to change the corpus, then review the diff."""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "hostile")
NS = "urn:ppmp-connector:exchange:1"
DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def booking(i, reason="Check-up", dob="1990-01-01", first="Ann", time="2026-03-03T09:00"):
    return (f'  <booking heMsgId="hostile-{i}" bookingId="{i}" pmsResourceId="1" pmsAppointmentTypeId="STD" '
            f'pmsAppointmentTime="{time}" pmsAppointmentLength="1800" bookedTime="2026-03-02T00:00:00Z">\n'
            f'    <patient firstname="{first}" lastname="Hostile" dob="{dob}" phone="0400000000"/>\n'
            f'    <reason>{reason}</reason>\n  </booking>\n')


def cancel(i, updated="2026-03-02T00:00:00Z"):
    return f'  <cancellation heMsgId="hostile-{i}" requestId="r{i}" updatedAt="{updated}"/>\n'


def drop(body, practice="demo", ns=NS, decl=DECL, doctype=""):
    return decl + doctype + f'<drop xmlns="{ns}" practiceId="{practice}">\n' + body + '</drop>\n'


cases = []


def add(name, data, expected, note):
    cases.append((name, data.encode("utf-8") if isinstance(data, str) else data, expected, note))


add("valid-baseline.xml", drop(booking(1) + cancel(2)), "read b=1 c=1 ok=1 cok=1", "a well-formed valid drop: the control case")
add("xxe-local-file.xml",
    drop(booking(1, reason="&xxe;"), doctype='<!DOCTYPE drop [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'),
    "rejected doctype-forbidden", "external entity pointing at a local file; never resolved")
laughs = '<!DOCTYPE drop [\n <!ENTITY lol0 "lol">\n' + "".join(
    f' <!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">\n' for i in range(1, 10)) + ']>\n'
add("billion-laughs.xml", drop(booking(1, reason="&lol9;"), doctype=laughs), "rejected doctype-forbidden",
    "exponential entity expansion")
add("doctype-plain.xml", drop(booking(1), doctype="<!DOCTYPE drop>\n"), "rejected doctype-forbidden",
    "any DOCTYPE rejects the drop")
add("doctype-external-dtd.xml", drop(booking(1), doctype='<!DOCTYPE drop SYSTEM "http://127.0.0.1:9/drop.dtd">\n'),
    "rejected doctype-forbidden", "external DTD on the network; never fetched")
add("parameter-entity.xml",
    drop(booking(1), doctype='<!DOCTYPE drop [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>\n'),
    "rejected doctype-forbidden", "parameter entity to a local file")
add("undeclared-entity.xml", drop(booking(1, reason="&nope;")), "rejected not-well-formed",
    "entity reference with no declaration")
deep = "<reason>" + "<b>" * 5000 + "x" + "</b>" * 5000 + "</reason>"
add("deep-nesting.xml", drop(booking(1).replace("<reason>Check-up</reason>", deep)), "rejected not-valid",
    "5,000 nested elements")
add("invalid-utf8.xml", drop(booking(1)).encode().replace(b"Check-up", b"Check\xc3\x28up\xff"),
    "rejected not-well-formed", "bytes that are not UTF-8 in a UTF-8 document (libxml2: not proper UTF-8)")
add("utf16-declared-utf8-bytes.xml", drop(booking(1), decl='<?xml version="1.0" encoding="UTF-16"?>\n'),
    "rejected bad-encoding", "declares UTF-16 but is UTF-8 bytes: the declaration names another encoding")
add("utf16le-with-bom.xml",
    b"\xff\xfe" + drop(booking(1), decl='<?xml version="1.0" encoding="UTF-16"?>\n').encode("utf-16-le"),
    "rejected bad-encoding", "a real UTF-16 document: exchange files are UTF-8 only")
add("latin1-declared.xml",
    drop(booking(1, first="Ren\xe9e"), decl='<?xml version="1.0" encoding="ISO-8859-1"?>\n').encode("latin-1"),
    "rejected bad-encoding", "ISO-8859-1: exchange files are UTF-8 only")
full = drop(booking(1) + booking(2)).encode()
add("truncated.xml", full[: len(full) // 2], "rejected not-well-formed", "a transfer that broke off half way")
add("empty.xml", b"", "rejected not-well-formed", "zero bytes")
add("not-xml.xml", b'{"drop": {"practiceId": "demo"}}\n', "rejected not-well-formed", "JSON where XML was expected")
add("wrong-namespace.xml", drop(booking(1), ns="urn:example:other"), "rejected not-valid",
    "right names, wrong namespace")
add("no-namespace.xml", drop(booking(1)).replace(f' xmlns="{NS}"', ""), "rejected not-valid", "no namespace at all")
add("wrong-practice.xml", drop(booking(1), practice="other-practice"), "rejected wrong-practice",
    "another practice's drop")
add("huge-attribute.xml", drop(booking(1, first="A" * 60_000) + cancel(2)), "read b=1 c=1 ok=0 cok=1",
    "a 60,000-character attribute value: over the schema's 256, that booking alone is invalid")
add("huge-text.xml", drop(booking(1, reason="x" * 60_000) + cancel(2)), "read b=1 c=1 ok=0 cok=1",
    "a 60,000-character reason: over the schema's 4,000, that booking alone is invalid")
add("oversized-text.xml", drop(booking(1, reason="x" * 70_000)), "rejected too-large",
    "a 70,000-character text node: past the reader's 65,536-character cap, the drop is refused")
add("many-messages.xml", drop("".join(cancel(i) for i in range(1, 1001))), "read b=0 c=1000 ok=0 cok=1000",
    "1,000 messages in one drop")
add("nul-bytes.xml", drop(booking(1)).encode().replace(b"Check-up", b"Check\x00up"), "rejected not-well-formed",
    "NUL bytes in text")
add("bom-utf8.xml", b"\xef\xbb\xbf" + drop(booking(1)).encode(), "read b=1 c=0 ok=1 cok=0", "a UTF-8 byte order mark is allowed")
add("bom-utf8-twice.xml", b"\xef\xbb\xbf\xef\xbb\xbf" + drop(booking(1)).encode(), "rejected not-well-formed",
    "two byte order marks")
add("bom-utf16-on-utf8.xml", b"\xff\xfe" + drop(booking(1)).encode(), "rejected bad-encoding",
    "UTF-16 BOM before UTF-8 bytes: the file claims UTF-16")
add("cdata-in-reason.xml",
    drop(booking(1, reason='<![CDATA[</reason></booking><booking heMsgId="evil"/> HE_MSG_ID:hostile-9]]>')),
    "read b=1 c=0 ok=1 cok=0", "markup inside CDATA stays text: still one booking")
add("cdata-at-top.xml", drop("<![CDATA[<booking/>]]>\n" + booking(1)), "rejected not-valid",
    "text where only elements may be")
add("comments-and-pis.xml",
    drop("<!-- a comment -->\n<?transfer job=\"x\"?>\n" + booking(1) + "<!-- another -->\n" + cancel(2)),
    "read b=1 c=1 ok=1 cok=1", "comments and processing instructions are ignored")
add("xinclude.xml",
    drop('  <xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>\n' + booking(1)),
    "rejected not-valid", "XInclude is never processed; the element is unknown")
add("mixed-good-and-bad-messages.xml",
    drop(booking(1) + booking(2, dob="1990-02-30") + booking(3, time="2026-13-40T25:00") + cancel(4)
         + cancel(5, updated="yesterday")),
    "read b=3 c=2 ok=1 cok=1", "some messages invalid: the drop reads, BookingChecks rejects those messages alone")
add("trailing-garbage.xml", drop(booking(1)) + "<drop/>\n", "rejected not-well-formed", "a second root element")
add("lt-in-namespace.xml", drop(booking(1), ns="ur<reason><reason>") , "rejected not-well-formed",
    "an unescaped '<' in the namespace URI; libxml2's schema validator used to print 'Unimplemented block' to stderr")
add("unknown-attribute.xml", drop(booking(1).replace("<booking ", '<booking onclick="x" ') + booking(2)),
    "read b=2 c=0 ok=1 cok=0", "an attribute the schema does not know: that booking alone is invalid")
add("unknown-attribute-on-drop.xml", drop(booking(1)).replace('practiceId="demo"', 'practiceId="demo" onclick="x"'),
    "rejected not-valid", "an attribute the schema does not know on the drop itself: nothing to answer it in")
add("missing-message-id.xml", drop(booking(1).replace(' heMsgId="hostile-1"', '') + cancel(2)), "rejected not-valid",
    "a booking without heMsgId cannot be answered: the drop is refused")
# Work limits: libxml2 checks each attribute of a tag against all earlier ones (quadratic); the
# megabyte-sized floods are generated by the tests, these small ones cross the per-element cap.
add("attribute-flood-small.xml",
    drop(booking(1)).replace('practiceId="demo"', 'practiceId="demo"' + "".join(f' a{i}=""' for i in range(100))),
    "rejected too-large", "100 attributes on <drop>: over the 32-per-element cap, refused before libxml2 parses the tag")
add("attribute-flood-in-booking.xml",
    drop(booking(1).replace("<booking ", "<booking " + "".join(f'a{i}="" ' for i in range(40)))),
    "rejected too-large", "40 attributes on one booking: the cap bounds work, so it refuses the drop")
s32 = drop(booking(1), decl='<?xml version="1.0" encoding="UTF-32"?>\n')
add("utf32-with-bom.xml", s32.encode("utf-32"), "rejected bad-encoding", "UTF-32 with a byte order mark")
add("utf32le-no-bom.xml", s32.encode("utf-32-le"), "rejected bad-encoding", "UTF-32 without a byte order mark")
add("ebcdic-declared.xml", drop(booking(1), decl='<?xml version="1.0" encoding="IBM037"?>\n').encode("cp037"),
    "rejected bad-encoding", "EBCDIC: libxml2 would switch decoders and the attribute count would not see the markup")
add("utf7-declared.xml", drop(booking(1), decl='<?xml version="1.0" encoding="UTF-7"?>\n'),
    "rejected bad-encoding", "UTF-7 can spell '<' and '=' in base64: refused before libxml2 decodes it")
add("cjk-reason.xml", drop(booking(1, reason="\u75db" * 2800)), "read b=1 c=0 ok=1 cok=0",
    "a 2,800-character CJK reason (8,400 bytes): within the schema's 4,000 characters")
add("padded-dob.xml", drop(booking(1, dob=" 1990-01-01 ", first=" Ann ")), "read b=1 c=0 ok=1 cok=0",
    "date of birth and names padded with spaces: trimmed alike")
add("long-patient-value.xml", drop(booking(1, dob="1980-01-02" + "9" * 290) + booking(2)), "read b=2 c=0 ok=1 cok=0",
    "a 300-character dob: that booking alone is invalid, and no detail quotes the value")
add("missing-required-fields.xml",
    drop(booking(1).replace(' bookedTime="2026-03-02T00:00:00Z"', '') + booking(2).replace(' phone="0400000000"', '')
         + booking(3).replace('<patient firstname="Ann" lastname="Hostile" dob="1990-01-01" phone="0400000000"/>', '')
         + cancel(4).replace(' updatedAt="2026-03-02T00:00:00Z"', '') + cancel(5)),
    "read b=3 c=2 ok=1 cok=1",
    "no bookedTime, no patient, no updatedAt: each of those messages alone is invalid; no phone is fine (optional)")
add("bidi-override-name.xml", drop(booking(1, first="\u202eAnn") + booking(2, first="\u200b\u0301") + booking(3)),
    "read b=3 c=0 ok=1 cok=0", "a right-to-left override in one name, only zero-width and combining characters in another")

manifest = [
    "# Hostile drops (docs/reliability.md) and what DropReader must make of each.",
    "# file <TAB> expected <TAB> why; expected: `read b=<bookings> c=<cancellations> ok=<bookings BookingChecks accepts> cok=<cancellations CancellationChecks accepts>` or `rejected <reason>`.",
    "# Written by scripts/make-hostile-corpus.py; the test only reads them.",
]
for name in os.listdir(OUT) if os.path.isdir(OUT) else []:
    os.remove(os.path.join(OUT, name))
os.makedirs(OUT, exist_ok=True)
for name, data, expected, note in cases:
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    manifest.append(f"{name}\t{expected}\t{note}")
with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
    f.write("\n".join(manifest) + "\n")
