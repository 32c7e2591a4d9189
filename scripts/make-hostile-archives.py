#!/usr/bin/env python3
"""Writes hostile archives for `audit` (the cases of Fixtures/hostile-archives/manifest.tsv).

    make-hostile-archives.py OUTDIR [--huge-bytes N] [CASE ...]

Each case becomes OUTDIR/<case>/2026-03/demo-1.tar.zst: an archive folder of its own, so
`audit … --archive-dir OUTDIR/<case>` sees exactly one archive. Every case is a BagIt bag as
the connector writes it (bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt,
payload under data/, sequence 1, chain start) with one twist; `intact` has none.

The archives are built here with Python's tarfile, which writes whatever it is told (the
connector's own TarWriter refuses '..', absolute and duplicate names), and compressed by the
stock `zstd`. Members are streamed: the 1 GiB of the tag-file bomb is never held in memory.
Output is byte-deterministic for a given Python and zstd (fixed mtimes, owners and order)."""
import hashlib
import io
import os
import subprocess
import sys
import tarfile

MTIME = 1_772_409_600  # 2026-03-02T00:00:00Z
ZERO = hashlib.sha256(b"").hexdigest()
BAGIT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MIB = 1024 * 1024


class Zeros(io.RawIOBase):
    """`size` zero bytes, read in chunks."""

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def zeros_sha256(size):
    h = hashlib.sha256()
    chunk = bytes(MIB)
    while size > 0:
        n = min(size, MIB)
        h.update(chunk[:n])
        size -= n
    return h.hexdigest()


class Member:
    """A regular file: its name in the tar, its bytes (or a zero count) and its SHA-256."""

    def __init__(self, name, data=None, zeros=None):
        self.name = name
        self.data = data
        self.size = len(data) if data is not None else zeros
        self.sha256 = hashlib.sha256(data).hexdigest() if data is not None else zeros_sha256(zeros)

    def reader(self):
        return io.BytesIO(self.data) if self.data is not None else io.BufferedReader(Zeros(self.size), MIB)


def bag(payload, manifest_extra=b"", tag_overrides=None, before_tags=(), after_tags=(), manifest_paths=None,
        name="demo-1", oxum_extra=()):
    """The members of a bag holding `payload` ([(manifest path, Member)]), in the connector's order.
    `oxum_extra` members count in Payload-Oxum too, so that the twist is the only thing wrong."""
    tag_overrides = tag_overrides or {}
    paths = manifest_paths if manifest_paths is not None else [p for p, _ in payload]
    manifest = b"".join(f"{m.sha256}  {p}\n".encode() for p, (_, m) in sorted(zip(paths, payload))) + manifest_extra
    counted = [m for _, m in payload] + list(oxum_extra)
    oxum = f"{sum(m.size for m in counted)}.{len(counted)}"
    info = (f"Bagging-Date: 2026-03-02\nPayload-Oxum: {oxum}\nArchive-Sequence: 1\n"
            f"Previous-Archive-SHA256: {'0' * 64}\nExternal-Identifier: {name}\n").encode()
    tags = {"bagit.txt": BAGIT, "bag-info.txt": info, "manifest-sha256.txt": manifest}
    tags.update(tag_overrides)
    tag_members = {k: (v if isinstance(v, Member) else Member(f"{name}/{k}", v)) for k, v in tags.items()}
    tagmanifest = "".join(f"{tag_members[k].sha256}  {k}\n" for k in sorted(tag_members)).encode()
    members = [("dir", f"{name}"), tag_members["bagit.txt"], tag_members["bag-info.txt"], ("dir", f"{name}/data")]
    members += list(before_tags)
    members += [m for _, m in payload]
    members += [tag_members["manifest-sha256.txt"], Member(f"{name}/tagmanifest-sha256.txt", tagmanifest)]
    members += list(after_tags)
    return members


def ok_payload():
    return [("data/inbox/drop-1.xml", Member("demo-1/data/inbox/drop-1.xml", b"<drop/>\n"))]


def cases(huge):
    long_name = "demo-1/data/" + "a/" * ((64 * 1024) // 2) + "x.xml"
    deep_name = "demo-1/data/" + "d/" * 200 + "x.xml"
    evil = Member("demo-1/data/../../evil.xml", b"evil\n")
    unlisted = Member("demo-1/data/evil.xml", b"evil\n")
    first = Member("demo-1/data/dup.xml", b"FIRST\n")
    return {
        "intact": bag(ok_payload()),
        "tag-bomb": bag(ok_payload(), after_tags=[Member(f"demo-1/junk-{i:02d}.bin", zeros=16 * MIB) for i in range(64)]),
        "tag-oversized-manifest": bag(ok_payload(), tag_overrides={
            "manifest-sha256.txt": Member("demo-1/manifest-sha256.txt", zeros=17 * MIB)}),
        "tag-oversized-bag-info": bag(ok_payload(), tag_overrides={
            "bag-info.txt": Member("demo-1/bag-info.txt", zeros=MIB)}),
        "tag-oversized-bagit": bag(ok_payload(), tag_overrides={"bagit.txt": Member("demo-1/bagit.txt", zeros=8192)}),
        "payload-oversized": bag([("data/outbox/huge.xml", Member("demo-1/data/outbox/huge.xml", zeros=huge))]),
        "dot-data": bag(ok_payload(), after_tags=[Member("demo-1/./data/evil.xml", b"evil\n")]),
        "unlisted-data": bag(ok_payload(), after_tags=[unlisted], oxum_extra=[unlisted]),
        "manifest-dotdot": bag(ok_payload() + [("data/../../evil.xml", evil)]),
        "manifest-absolute": bag(ok_payload(), manifest_extra=f"{ZERO}  /etc/evil.xml\n".encode()),
        "absolute-member": bag(ok_payload() + [("data/abs.xml", Member("/demo-1/data/abs.xml", b"abs\n"))]),
        "duplicate-member": bag(
            [("data/dup.xml", Member("demo-1/data/dup.xml", b"SECOND\n"))], before_tags=[first], oxum_extra=[first]),
        "gnu-long-name": bag(ok_payload() + [(long_name[len("demo-1/"):], Member(long_name, b"long\n"))]),
        "deep-path": bag(ok_payload() + [(deep_name[len("demo-1/"):], Member(deep_name, b"deep\n"))]),
    }


def write(members, path, gnu):
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    with open(path, "wb") as out:
        zstd = subprocess.Popen(["zstd", "-q", "-3", "-c"], stdin=subprocess.PIPE, stdout=out)
        fmt = tarfile.GNU_FORMAT if gnu else tarfile.PAX_FORMAT
        with tarfile.open(fileobj=zstd.stdin, mode="w|", format=fmt) as tar:
            for m in members:
                if isinstance(m, tuple):
                    info = tarfile.TarInfo(m[1])
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o700
                    stream = None
                else:
                    info = tarfile.TarInfo(m.name)
                    info.size = m.size
                    info.mode = 0o600
                    stream = m.reader()
                info.mtime, info.uid, info.gid, info.uname, info.gname = MTIME, 0, 0, "", ""
                tar.addfile(info, stream)
        zstd.stdin.close()
        if zstd.wait() != 0:
            sys.exit(f"zstd failed for {path}")
    os.chmod(path, 0o600)


def main(argv):
    out, huge, wanted = None, 80 * MIB, []
    args = iter(argv)
    for a in args:
        if a == "--huge-bytes":
            huge = int(next(args))
        elif out is None:
            out = a
        else:
            wanted.append(a)
    if out is None:
        sys.exit(__doc__)
    os.umask(0o077)  # archives 0600, folders 0700, as the connector's own
    table = cases(huge)
    for name in wanted or sorted(table):
        if name not in table:
            sys.exit(f"unknown case {name}; known: {', '.join(sorted(table))}")
        write(table[name], os.path.join(out, name, "2026-03", "demo-1.tar.zst"), gnu=name == "gnu-long-name")


if __name__ == "__main__":
    main(sys.argv[1:])
