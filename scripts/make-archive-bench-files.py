#!/usr/bin/env python3
"""Writes a staging tree of exchange-like XML for timing `ppmp-connector archive`.

    scripts/make-archive-bench-files.py OUT_DIR [--files 5000] [--megabytes 200] [--seed 1]

OUT_DIR gets inbox/ (drops), outbox/ (receipts, deltas, a few snapshots) in the
proportions a busy practice produces, reproducibly from the seed. The XML is shaped
like the real files (same elements and attribute kinds) so it compresses like them;
names and phones are synthetic. See scripts/bench-archive.sh for the timing itself.
"""
import argparse
import os
import random

NS = "urn:ppmp-connector:exchange:1"


def drop(rng, n, bookings):
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<drop xmlns="{NS}" practiceId="bench">\n']
    for i in range(bookings):
        day = 1 + rng.randrange(28)
        hour = 8 + rng.randrange(9)
        minute = 15 * rng.randrange(4)
        lines.append(
            f'  <booking heMsgId="he-{n}-{i}" bookingId="{n * 1000 + i}" pmsResourceId="{rng.randrange(40)}" '
            f'pmsAppointmentTypeId="STD" pmsAppointmentTime="2026-03-{day:02d}T{hour:02d}:{minute:02d}" '
            f'pmsAppointmentLength="{rng.choice((900, 1800, 2700))}" bookedTime="2026-03-01T0{rng.randrange(10)}:00:00Z">\n'
            f'    <patient firstName="Given{rng.randrange(5000)}" lastName="Family{rng.randrange(20000)}" '
            f'dateOfBirth="19{rng.randrange(40, 99)}-0{1 + rng.randrange(9)}-1{rng.randrange(10)}" '
            f'mobile="04{rng.randrange(10**8):08d}" email="p{rng.randrange(10**6)}@example.invalid"/>\n'
            f'    <reason>Follow-up visit {rng.randrange(1000)}</reason>\n  </booking>\n')
    lines.append("</drop>\n")
    return "".join(lines)


def receipt(rng, n, messages):
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<receipt xmlns="{NS}" practiceId="bench" drop="drop-{n}.xml">\n']
    for i in range(messages):
        if rng.random() < 0.9:
            lines.append(f'  <confirmInsert heMsgId="he-{n}-{i}" pmsAppointmentId="{rng.randrange(10**7)}"/>\n')
        else:
            lines.append(f'  <reject heMsgId="he-{n}-{i}" code="slotTaken">the slot was booked in the meantime</reject>\n')
    lines.append("</receipt>\n")
    return "".join(lines)


def availability(rng, root, n, days, resources):
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}" practiceId="bench" sequence="{n}">\n']
    for d in range(days):
        lines.append(f'  <day date="2026-03-{1 + d % 28:02d}">\n')
        for r in range(resources):
            slots = "".join(
                f'<slot start="{8 + s // 4:02d}:{15 * (s % 4):02d}" length="900"/>'
                for s in range(36) if rng.random() < 0.5)
            lines.append(f'    <resource id="{r}">{slots}</resource>\n')
        lines.append("  </day>\n")
    lines.append(f"</{root}>\n")
    return "".join(lines)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--files", type=int, default=5000)
    p.add_argument("--megabytes", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    for sub in ("inbox", "outbox"):
        os.makedirs(os.path.join(a.out, sub), mode=0o700, exist_ok=True)
    # Per 100 files: 45 drops, 45 receipts, 9 deltas, 1 snapshot; sizes scaled to the target.
    budget = a.megabytes * 1024 * 1024 / a.files  # mean bytes per file
    scale = budget / 35_500
    total = 0
    for n in range(a.files):
        kind = n % 100
        if kind < 45:
            name, text = f"inbox/drop-{n}.xml", drop(rng, n, max(1, int(20 * scale)))
        elif kind < 90:
            name, text = f"outbox/receipt-drop-{n}.xml", receipt(rng, n, max(1, int(20 * scale)))
        elif kind < 99:
            name, text = f"outbox/delta-bench-{n}.xml", availability(rng, "delta", n, max(1, int(3 * scale)), 40)
        else:
            name, text = f"outbox/snapshot-bench-{n}.xml", availability(rng, "snapshot", n, max(1, int(90 * scale)), 40)
        data = text.encode()
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(data)
        total += len(data)
    print(f"{a.files} files, {total} bytes in {a.out}")


if __name__ == "__main__":
    main()
