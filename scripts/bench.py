#!/usr/bin/env python3
"""The ppmp-connector benchmark (docs/benchmarks.md). Run through `make bench` / `make bench-quick`.

Generates every workload with `ppmp-fixtures` (fixed seeds; cached under bench-out/cache/ so a
second run skips generation), then measures, in the same run and on the same files, our release
binary against the stock tool that bounds each path. Every figure is the median of several runs
(after one untimed warm-up) with min and max, wall time and peak RSS from `/usr/bin/time -f
'%e %M'` (wall is also taken with a monotonic clock around the child, for millisecond
resolution). Writes the table into docs/benchmarks.md between marker comments and prints it.
Standard library only.
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START = "2026-03-02"  # a Monday; every practice starts here and every command runs as of it
AS_OF = START + "T07:00"
PRACTICE_ID = "bench"

# What 1× means per path, and how many timed runs. 4× is the size docs/benchmarks.md states the target
# for (export/diff 500 practitioners × 90 days, ingest 10,000 bookings against 200,000 patients,
# archive 5,000 files / ~200 MB); the `run` cycle's 1× is the spec's typical practice.
MODES = {
  "full": dict(runs=5, runs_big=3, scales=(1, 4, 16), export_practitioners=125, ingest_bookings=2_500,
               ingest_patients=50_000, ingest_practitioners=32, book_practitioners=500, archive_files=1_250, archive_file_kb=40,
               run_practitioners=20, run_patients=5_000,
               watch_events=500, watch_big_events=500, watch_busy_events=100, watch_idle_seconds=60,
               watch_rss_drops=(100, 10_000)),
  # Quick mode: the same paths at a fraction of the size, three runs, so it ends within a minute.
  "quick": dict(runs=3, runs_big=3, scales=(1, 4), export_practitioners=16, ingest_bookings=500,
                ingest_patients=10_000, ingest_practitioners=8, book_practitioners=32, archive_files=200, archive_file_kb=40,
                run_practitioners=20, run_patients=5_000,
                watch_events=60, watch_big_events=20, watch_busy_events=20, watch_idle_seconds=20,
                watch_rss_drops=(100, 1_000)),
}


def log(message):
  print(message, file=sys.stderr, flush=True)


def sh(cmd, ok=(0,), **kw):
  """Runs an untimed setup command; output is kept out of the report."""
  result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
  if result.returncode not in ok:
    sys.exit("bench: %s exited %d\n%s%s" % (" ".join(cmd), result.returncode, result.stdout, result.stderr))
  return result.stdout


class Bench:
  def __init__(self, bin_dir, mode):
    self.mode = mode
    self.m = MODES[mode]
    self.connector = os.path.join(bin_dir, "ppmp-connector")
    self.fixtures = os.path.join(bin_dir, "ppmp-fixtures")
    self.out = os.path.join(ROOT, "bench-out")
    self.cache = os.path.join(self.out, "cache")
    self.scratch = os.path.join(self.out, "scratch")
    self.check_cache()
    self.rows = []
    self.runs = self.m["runs"]
    self.notes = []

  # MARK: measuring

  def timed(self, cmd, cwd, ok):
    timefile = os.path.join(self.out, "time.txt")
    began = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", timefile] + cmd, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - began
    if result.returncode not in ok:
      sys.exit("bench: %s exited %d\n%s" % (" ".join(cmd), result.returncode, result.stderr[-2000:]))
    with open(timefile) as f:
      fields = f.read().split()
    # /usr/bin/time prints "Command exited with non-zero status N" first when N != 0.
    # CPU (user + system) is reported beside wall: on a shared machine it is the steadier figure.
    return wall, int(fields[-3]), float(fields[-2]) + float(fields[-1])

  def measure(self, cmd, setup=None, cwd=None, ok=(0,)):
    """Warm-up, then `runs` timed runs, each after an untimed `setup()`; medians and ranges."""
    return self.interleaved([(cmd, setup, ok)], cwd)[0]

  def measure_pair(self, ours_cmd, stock_cmd, setup=None, cwd=None, ok=(0,)):
    """As `measure`, for both tools with their runs interleaved (ours, stock, ours, …), so a
    burst of load on a shared machine falls on both rather than on whichever ran then. `setup`
    runs before each of ours; `ok` is our command's accepted exit statuses."""
    return self.interleaved([(ours_cmd, setup, ok), (stock_cmd, None, (0,))], cwd)

  def interleaved(self, commands, cwd):
    """One warm-up round, then `runs` timed rounds, each running every (cmd, setup, ok) in turn;
    per command the median wall time with its range, median peak RSS (MB) and median CPU."""
    series = [([], [], []) for _ in commands]
    for i in range(self.runs + 1):
      for (cmd, setup, ok), (walls, rss, cpus) in zip(commands, series):
        if setup:
          setup()
        wall, kb, cpu = self.timed(cmd, cwd or self.out, ok)
        if i > 0:
          walls.append(wall)
          rss.append(kb)
          cpus.append(cpu)
    return [dict(med=statistics.median(w), lo=min(w), hi=max(w), rss=statistics.median(r) / 1024,
                 cpu=statistics.median(c)) for w, r, c in series]

  def row(self, path, scale, size, ours, stock=None, stock_name="", target=None, rate=None):
    """target: (kind, bound) with kind 'ratio' (ours/stock ≤ bound), 'wall' (seconds) or 'rate' (≥)."""
    ratio = ours["med"] / stock["med"] if stock else None
    met = None
    if target:
      kind, bound = target
      value = {"ratio": ratio, "wall": ours["med"], "rate": rate}[kind]
      met = value <= bound if kind != "rate" else value >= bound
    self.rows.append(dict(path=path, scale=scale, size=size, ours=ours, stock=stock, stock_name=stock_name,
                          ratio=ratio, target=target, met=met, rate=rate))
    log("  %-14s %3s× %-34s ours %.3f s %5.0f MB%s" % (
      path, scale, size, ours["med"], ours["rss"],
      "  %s %.3f s %5.0f MB  ratio %.2f" % (stock_name, stock["med"], stock["rss"], ratio) if stock else ""))

  def check_cache(self):
    """Cached workloads are only as good as the generator that wrote them: a change to its
    sources (the fixtures tool, the generators, the availability rules drops aim with) empties
    the cache. Keyed on sources, not the binary, so rebuilding for a fix elsewhere keeps it."""
    import glob
    import hashlib
    digest = hashlib.sha256()
    sources = sorted(glob.glob(os.path.join(ROOT, "Sources", "ppmp-fixtures", "*.swift"))
                     + glob.glob(os.path.join(ROOT, "Sources", "ConnectorCore", "Store", "*Fixture*.swift"))
                     + glob.glob(os.path.join(ROOT, "Sources", "ConnectorCore", "Availability", "*.swift"))
                    # The practice fixtures carry the connector's PPMP indexes from the bundled schema.
                    + [os.path.join(ROOT, "Sources", "ConnectorCore", "Resources", "ppmp", "schema.sql")])
    for path in sources:
      with open(path, "rb") as f:
        digest.update(os.path.relpath(path, ROOT).encode() + b"\0" + f.read())
    stamp = digest.hexdigest()
    stamp_file = os.path.join(self.cache, "generator.sha256")
    if not os.path.exists(stamp_file) or open(stamp_file).read() != stamp:
      shutil.rmtree(self.cache, ignore_errors=True)
      os.makedirs(self.cache)
      with open(stamp_file, "w") as f:
        f.write(stamp)

  def scales(self):
    """The scales of this mode; the 16× size gets fewer runs so `make bench` stays near 15 minutes."""
    for s in self.m["scales"]:
      self.runs = self.m["runs_big"] if s >= 16 else self.m["runs"]
      yield s

  # MARK: workloads (cached: the same seed and size always give the same files)

  def practice(self, practitioners, days, patients, seed):
    path = os.path.join(self.cache, "practice-%d-%d-%d-%d.sqlite" % (practitioners, days, patients, seed))
    if not os.path.exists(path):
      log("  generating %s" % os.path.basename(path))
      sh([self.fixtures, "practice", "--out", path, "--practitioners", str(practitioners), "--days", str(days),
          "--patients", str(patients), "--booked", "0.5", "--seed", str(seed), "--start", START])
    return path

  def copy_db(self, source, target):
    """Copies a database together with its WAL (the connector switches PPMP files to WAL mode),
    so the copy holds every committed row even when a reader left the WAL unmerged."""
    for suffix in ("-wal", "-shm"):
      if os.path.exists(target + suffix):
        os.remove(target + suffix)
    shutil.copyfile(source, target)
    if os.path.exists(source + "-wal"):
      shutil.copyfile(source + "-wal", target + "-wal")

  def spool(self, folder, database, horizon, extra=""):
    """A fresh connector folder: connector.toml (absolute paths) and an empty spool tree."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    config = os.path.join(folder, "connector.toml")
    with open(config, "w") as f:
      f.write('practice_id = "%s"\ndatabase = "%s"\nspool = "%s"\nhorizon_days = %d\nsettle_seconds = 0\n%s' % (
        PRACTICE_ID, database, os.path.join(folder, "spool"), horizon, extra))
    sh([self.connector, "init", "--config", config, "--quiet"], cwd=folder)
    return config

  def snapshot(self, database, horizon, name):
    """Our own full snapshot of `database` as of AS_OF (untimed; an input for diff and drops)."""
    path = os.path.join(self.cache, name)
    if not os.path.exists(path):
      folder = os.path.join(self.scratch, "snapshot")
      config = self.spool(folder, database, horizon)
      sh([self.connector, "export", "--config", config, "--full", "--as-of", AS_OF, "--quiet"], cwd=folder)
      shutil.move(os.path.join(folder, "spool", "state", "published.xml"), path)
    return path

  def drops(self, database, horizon, bookings, cancellations, per_drop, seed):
    folder = os.path.join(self.cache, "drops-%s-%d-%d-%d-%d" % (
      os.path.basename(database).replace(".sqlite", ""), bookings, cancellations, per_drop, seed))
    if os.path.isdir(folder):
      return folder
    log("  generating %s" % os.path.basename(folder))
    partial = folder + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    # Aimed at the free slots as of the same instant every command runs at, inside the horizon the
    # connector publishes, under the practice id the connector checks.
    sh([self.fixtures, "drops", "--database", database, "--out", partial, "--bookings", str(bookings),
        "--cancellations", str(cancellations), "--invalid", "0", "--seed", str(seed), "--per-drop", str(per_drop),
        "--as-of", AS_OF, "--practice-id", PRACTICE_ID, "--horizon-days", str(horizon)])
    os.rename(partial, folder)
    return folder

  def archive_payload(self, files, kb, seed):
    """`files` receipts and drops of about `kb` KiB each: XML lines drawn from a seeded pool
    larger than zstd's window, so compression sees realistic, not trivially repeated, text."""
    folder = os.path.join(self.cache, "archive-%d-%d-%d" % (files, kb, seed))
    if os.path.isdir(folder):
      return folder
    log("  generating %s" % os.path.basename(folder))
    import random
    rnd = random.Random(seed)
    pool = []
    for i in range(200_000):
      pool.append('  <confirmInsert heMsgId="he-%016x" bookingId="%d" pmsAppointmentId="%d" pmsPatientId="%d" '
                  'patientMatch="%s"/>\n' % (rnd.getrandbits(64), rnd.randrange(10**7), rnd.randrange(10**7),
                                             rnd.randrange(10**6), rnd.choice(("matched", "created-no-match"))))
    partial = folder + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    lines = kb * 1024 // len(pool[0])
    for n in range(files):
      kind = "outbox" if n % 2 else "inbox"
      os.makedirs(os.path.join(partial, kind), exist_ok=True)
      first = rnd.randrange(len(pool) - lines)
      with open(os.path.join(partial, kind, "he-%06d.xml" % n), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<receipt drop="he-%06d.xml">\n' % n)
        f.writelines(pool[first:first + lines])
        f.write("</receipt>\n")
    os.rename(partial, folder)
    return folder

  # MARK: the paths

  def bench_export_and_diff(self):
    log("export + diff")
    for s in self.scales():
      n = self.m["export_practitioners"] * s
      db = self.practice(n, 90, 1_000, 11)
      folder = os.path.join(self.scratch, "export")
      config = os.path.join(folder, "connector.toml")
      end = (datetime.date.fromisoformat(START) + datetime.timedelta(days=90)).isoformat()
      # The rows the export reads (PPMPDatabase.loadBook), selected to /dev/null.
      query = (
        "SELECT key, value FROM settings;"
        "SELECT id, title, first_name, last_name, active, online_booking, slot_duration, columns, roster_anchor FROM staff ORDER BY id;"
        "SELECT id, staff_id, diary, weekday, start_time, end_time, interval_minutes FROM diary_times ORDER BY staff_id, id;"
        "SELECT id, staff_id, block_date, start_time, end_time, reason FROM diary_blocks WHERE block_date >= '%s' AND block_date < '%s' ORDER BY id;"
        "SELECT holiday_date FROM holidays WHERE holiday_date >= '%s' AND holiday_date < '%s';"
        "SELECT id, code, name, length_minutes, staff_id, online FROM appointment_types ORDER BY code;"
        "SELECT id, staff_id, column_no, appt_date, start_time, duration_minutes FROM appointments "
        "WHERE appt_date >= '%s' AND appt_date < '%s' AND status <> 'cancelled';") % ((START, end) * 3)
      ours, stock = self.measure_pair(
        [self.connector, "export", "--config", config, "--full", "--as-of", AS_OF, "--quiet"],
        ["sqlite3", "-readonly", db, query], setup=lambda: self.spool(folder, db, 90), cwd=self.scratch)
      self.row("export", s, "%d practitioners × 90 days" % n, ours, stock, "sqlite3", ("ratio", 1.5) if s == 4 and self.mode == "full" else None)

      # Diff, typical: the same practice a minute later, when a handful of bookings changed (20
      # appointments cancelled, spread over practitioners and days by a fixed scramble of ids).
      # Worst: every tenth appointment cancelled, so nearly every practitioner-day changes and
      # the delta is almost a full snapshot.
      old = self.snapshot(db, 90, "snapshot-%d-a.xml" % n)
      typical = self.changed_snapshot(db, "snapshot-%d-c.xml" % n,
                                      "UPDATE appointments SET status = 'cancelled' WHERE id IN (SELECT id FROM appointments"
                                      " WHERE status <> 'cancelled' AND appt_date >= '%s' AND appt_date < '%s'"
                                      " ORDER BY (id * 7919) %% 10007, id LIMIT 20)" % (START, end))
      worst = self.changed_snapshot(db, "snapshot-%d-b.xml" % n,
                                    "UPDATE appointments SET status = 'cancelled' WHERE id % 10 = 0")
      for label, new in (("diff (typical)", typical), ("diff (worst)", worst)):
        delta = os.path.join(self.scratch, "delta.xml")
        ours, stock = self.measure_pair(
          [self.connector, "diff", old, new, "-o", delta, "--quiet"], ["xmllint", "--stream", "--noout", old, new],
          setup=lambda: os.path.exists(delta) and os.remove(delta), ok=(1,))
        mb = (os.path.getsize(old) + os.path.getsize(new)) / 1e6
        self.row(label, s, "2 snapshots, %d pract., %.0f MB" % (n, mb), ours, stock, "xmllint --stream",
                 ("ratio", 1.5) if s == 4 and self.mode == "full" else None)

  def changed_snapshot(self, database, name, update):
    """Our snapshot of a copy of `database` after `update` (cached, an input for diff)."""
    path = os.path.join(self.cache, name)
    if not os.path.exists(path):
      changed = os.path.join(self.scratch, "changed.sqlite")
      self.copy_db(database, changed)
      sh(["sqlite3", changed, update])
      os.replace(self.snapshot(changed, 90, name.replace(".xml", ".partial.xml")), path)
      os.remove(changed)
    return path

  def bench_ingest(self):
    log("ingest")
    for s in self.scales():
      bookings, patients = self.m["ingest_bookings"] * s, self.m["ingest_patients"] * s
      practitioners = self.m["ingest_practitioners"] * s
      target = {4: 10_000, 16: 8_000}.get(s) if self.mode == "full" else None
      self.ingest_row("ingest", s, practitioners, 30, bookings, patients, target)
    # The same drop size against a large appointment book (the export benchmark's 500 × 90,
    # half booked): the per-booking slot check reads a busier day.
    s = 4 if self.mode == "full" else 1
    self.ingest_row("ingest (big book)", s, self.m["book_practitioners"], 90, self.m["ingest_bookings"] * s,
                    self.m["ingest_patients"] * s, 10_000 if self.mode == "full" else None)

  def ingest_row(self, path, s, practitioners, days, bookings, patients, target):
    db = self.practice(practitioners, days, patients, 21)
    # One drop of every booking (no cancellations, none invalid): the whole set in one parse and
    # one transaction batch, as issue 7 asks.
    drops = self.drops(db, days, bookings, 0, bookings, 22)
    folder = os.path.join(self.scratch, "ingest")
    config = os.path.join(folder, "connector.toml")
    work_db = os.path.join(folder, "ppmp.sqlite")

    def setup():
      # A connector that has seen this practice before: its patient key index exists (built
      # untimed by `review reindex`, as the first ingest on a new spool would build it).
      self.spool(folder, work_db, days)
      self.copy_db(db, work_db)
      sh([self.connector, "review", "reindex", "--config", config, "--as-of", AS_OF, "--quiet"], cwd=folder)
      for name in sorted(os.listdir(drops)):
        shutil.copy2(os.path.join(drops, name), os.path.join(folder, "spool", "inbox", name))
      # The copies above (and the rows before this one) leave hundreds of MB of dirty pages: the
      # timed run's first sync of the database would write them out too. A practice's database
      # has no such backlog.
      os.sync()
    ours = self.measure([self.connector, "ingest", "--config", config, "--as-of", AS_OF, "--quiet"],
                        setup=setup, cwd=folder, ok=(0, 1))
    confirmed = sum(open(os.path.join(folder, "spool", "outbox", f)).read().count("<confirmInsert")
                    for f in os.listdir(os.path.join(folder, "spool", "outbox")) if f.startswith("receipt-"))
    rate = bookings / ours["med"]
    self.row(path, s, "%d bookings (%d confirmed), %dk patients, %d × %d book" % (
               bookings, confirmed, patients // 1000, practitioners, days),
             ours, target=("rate", target) if target else None, rate=rate)

  def bench_archive(self):
    log("archive")
    for s in self.scales():
      files = self.m["archive_files"] * s
      payload = self.archive_payload(files, self.m["archive_file_kb"], 31)
      mb = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(payload) for f in fs) / 1e6
      folder = os.path.join(self.scratch, "archive")
      config = os.path.join(folder, "connector.toml")
      db = self.practice(20, 30, 5_000, 41)

      def setup():
        self.spool(folder, db, 30)
        staging = os.path.join(folder, "spool", "state", "staging")
        shutil.rmtree(staging)
        # Hard links: restaging costs nothing and the archiver removes only its links.
        sh(["cp", "-al", payload, staging])
        # The archiver refuses a staging area other users can read (it holds patient data).
        sh(["chmod", "-R", "go-rwx", staging])
      tarball = os.path.join(self.scratch, "stock.tar.zst")
      ours, stock = self.measure_pair(
        [self.connector, "archive", "--config", config, "--as-of", AS_OF, "--quiet"],
        ["bsdtar", "--zstd", "-cf", tarball, "-C", payload, "."], setup=setup, cwd=folder)
      self.row("archive", s, "%d files, %.0f MB" % (files, mb), ours, stock, "bsdtar --zstd",
               ("ratio", 1.25) if s == 4 and self.mode == "full" else None)

  def bench_run(self):
    log("run")
    for s in self.scales():
      practitioners = self.m["run_practitioners"] * s
      db = self.practice(practitioners, 30, self.m["run_patients"] * s, 51)
      drops = self.drops(db, 30, 40, 4, 10, 52)
      # A typical minute: the previous run already published a snapshot, so this one ingests a
      # few drops and writes a delta; primed once and copied before each timed run.
      primed = os.path.join(self.scratch, "run-primed")
      config = self.spool(primed, os.path.join(primed, "ppmp.sqlite"), 30)
      self.copy_db(db, os.path.join(primed, "ppmp.sqlite"))
      sh([self.connector, "run", "--config", config, "--as-of", AS_OF, "--quiet"], cwd=primed, ok=(0, 1))
      # Earlier minutes booked too, so the patient key index exists: build it untimed, as the
      # first booking on a new spool did.
      sh([self.connector, "review", "reindex", "--config", config, "--as-of", AS_OF, "--quiet"], cwd=primed)
      folder = os.path.join(self.scratch, "run")

      def setup():
        shutil.rmtree(folder, ignore_errors=True)
        sh(["cp", "-a", primed, folder])
        with open(os.path.join(folder, "connector.toml"), "w") as f:
          f.write(open(config).read().replace(primed, folder))
        for name in sorted(os.listdir(drops)):
          shutil.copy2(os.path.join(drops, name), os.path.join(folder, "spool", "inbox", name))
      ours = self.measure([self.connector, "run", "--config", os.path.join(folder, "connector.toml"),
                           "--as-of", START + "T07:05", "--quiet"], setup=setup, cwd=folder, ok=(0, 1))
      self.row("run", s, "%d pract. × 30 days, %d drops" % (practitioners, len(os.listdir(drops))), ours,
               target=("wall", 0.2) if s == 1 else None)

  # MARK: watch (latency, idle cost, memory)

  def start_watch(self, folder, config, extra=()):
    """Starts `watch` on a spool and waits for its start cycle's snapshot."""
    proc = subprocess.Popen([self.connector, "watch", "--config", config, "--quiet"] + list(extra), cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    outbox = os.path.join(folder, "spool", "outbox")
    deadline = time.monotonic() + 600
    while not any(n.startswith("snapshot-") for n in os.listdir(outbox)):
      if proc.poll() is not None or time.monotonic() > deadline:
        sys.exit("bench: watch did not publish its first snapshot (exit %s)" % proc.poll())
      time.sleep(0.01)
    return proc

  @staticmethod
  def stop_watch(proc):
    proc.terminate()
    if proc.wait(timeout=120) != 0:
      sys.exit("bench: watch exited %d on SIGTERM" % proc.returncode)

  @staticmethod
  def wait_for(path, started, timeout):
    """Seconds from `started` until `path` (or any of a list of paths) exists (polled every
    0.5 ms), or None after `timeout`."""
    paths = path if isinstance(path, list) else [path]
    while not any(os.path.exists(p) for p in paths):
      if time.monotonic() - started > timeout:
        return None
      time.sleep(0.0005)
    return time.monotonic() - started

  @staticmethod
  def next_deltas(outbox, seq):
    """The names the next delta may have: a refresh of a rejected drop's stale day, written just
    after that drop's receipt, can take the next number or two of the shared sequence."""
    return [os.path.join(outbox, "delta-%s-%d.xml" % (PRACTICE_ID, n)) for n in (seq, seq + 1, seq + 2)]

  @staticmethod
  def next_sequence(outbox):
    # Snapshots, deltas and the documents answering requests share one sequence: a rejected
    # drop's refresh of its stale day takes the number the next delta would otherwise have.
    seqs = [int(re.search(r"-(\d+)\.xml$", n).group(1)) for n in os.listdir(outbox)
            if n.startswith(("snapshot-", "delta-", "refresh-", "events-", "liveness-")) and re.search(r"-(\d+)\.xml$", n)]
    return max(seqs) + 1

  @staticmethod
  def rename_in(source, inbox, name):
    """Copies a drop under an in-flight name, then renames it into the inbox: the transfer job's
    way. Returns the monotonic time of the rename."""
    tmp = os.path.join(inbox, "." + name + ".tmp")
    shutil.copyfile(source, tmp)
    os.rename(tmp, os.path.join(inbox, name))
    return time.monotonic()

  @staticmethod
  def percentiles(samples):
    ordered = sorted(samples)
    def at(q):
      return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]
    return at(0.5), at(0.99)

  def watch_row(self, what, workload, samples, target_ms, missed=0):
    if not samples:
      self.watch_rows.append((what, workload, 0, None, None, target_ms, False, missed))
      return
    p50, p99 = self.percentiles(samples)
    self.watch_rows.append((what, workload, len(samples), p50 * 1000, p99 * 1000, target_ms, p99 * 1000 <= target_ms, missed))
    # Printed as measured: the whole watch path takes a while, and a row is worth having early.
    log("  %s, %s: %d events, p50 %.1f ms, p99 %.1f ms (target %d ms)%s" % (
      what, workload, len(samples), p50 * 1000, p99 * 1000, target_ms, ", %d missed" % missed if missed else ""))

  def bench_watch(self):
    log("watch")
    self.watch_rows = []
    self.watch_other = []
    poll_ms = 1000
    events = self.m["watch_events"]
    for practitioners, days, n, typical in ((20, 30, events, True), (500, 90, self.m["watch_big_events"], False)):
      db = self.practice(practitioners, days, self.m["run_patients"] * (1 if typical else 5), 61)
      drops = self.drops(db, days if days <= 90 else 90, n, 0, 1, 62)
      folder = os.path.join(self.scratch, "watch-%d" % practitioners)
      config = self.spool(folder, os.path.join(folder, "ppmp.sqlite"), days, "poll_interval_ms = %d\n" % poll_ms)
      self.copy_db(db, os.path.join(folder, "ppmp.sqlite"))
      proc = self.start_watch(folder, config, ["--as-of", AS_OF])
      inbox, outbox = os.path.join(folder, "spool", "inbox"), os.path.join(folder, "spool", "outbox")
      receipts, deltas, missed, rejected = [], [], 0, 0
      for name in sorted(os.listdir(drops)):
        seq = self.next_sequence(outbox)
        started = self.rename_in(os.path.join(drops, name), inbox, name)
        r = self.wait_for(os.path.join(outbox, "receipt-" + name), started, 60)
        if r is None:
          sys.exit("bench: no receipt for %s within 60 s" % name)
        receipts.append(r)
        with open(os.path.join(outbox, "receipt-" + name), "rb") as f:
          booked = b"<confirmInsert" in f.read()
        if not booked:
          # Rejected (the slot was taken meanwhile): the book did not change, so no delta is due.
          rejected += 1
        elif typical:
          d = self.wait_for(self.next_deltas(outbox, seq), started, 10)
          if d is None:
            missed += 1
          else:
            deltas.append(d)
        else:
          # The next drop waits for this drop's cycle (its delta) to end, as a quiet practice's would.
          self.wait_for(self.next_deltas(outbox, seq), started, 60)
      workload = "%d pract. × %d days" % (practitioners, days)
      if rejected:
        log("  %d of %d drops were rejected (no delta due after them)" % (rejected, len(receipts)))
      self.watch_row("drop renamed into inbox/ → receipt", workload, receipts, 100 if typical else 250)
      if not typical:
        # Drops that land while an export runs: drop A, then 50 ms after A's receipt (A's export
        # is running) drop B, whose receipt is timed; then the delta covering both ends the pair.
        # The export yields to B (it is put off by at most one poll interval).
        busy = []
        pairs = self.drops(db, days, 2 * self.m["watch_busy_events"], 0, 1, 63)
        names = sorted(os.listdir(pairs))
        for a, b in zip(names[0::2], names[1::2]):
          seq = self.next_sequence(outbox)
          started = self.rename_in(os.path.join(pairs, a), inbox, "busy-" + a)
          if self.wait_for(os.path.join(outbox, "receipt-busy-" + a), started, 60) is None:
            sys.exit("bench: no receipt for busy-%s within 60 s" % a)
          time.sleep(0.05)
          started = self.rename_in(os.path.join(pairs, b), inbox, "busy-" + b)
          r = self.wait_for(os.path.join(outbox, "receipt-busy-" + b), started, 60)
          if r is None:
            sys.exit("bench: no receipt for busy-%s within 60 s" % b)
          busy.append(r)
          self.wait_for(self.next_deltas(outbox, seq), started, 60)
          time.sleep(0.2)
        self.watch_row("drop → receipt, drop landing during an export", workload, busy, 250)
      if typical:
        self.watch_row("drop → delta removing its slot", workload, deltas, 250, missed)
        # Another program frees a booked slot in PPMP: the delta follows within a poll interval.
        import sqlite3
        conn = sqlite3.connect(os.path.join(folder, "ppmp.sqlite"), timeout=30)
        ids = [r[0] for r in conn.execute(
          "SELECT id FROM appointments WHERE status = 'booked' AND appt_date > ? AND appt_date < date(?, '+%d days') "
          "AND comments NOT LIKE '%%HE_MSG_ID%%' ORDER BY appt_date, start_time, id" % (days - 1), (START, START))]
        changes, missed = [], 0
        for appointment in ids[:n]:
          seq = self.next_sequence(outbox)
          conn.execute("UPDATE appointments SET status = 'cancelled' WHERE id = ?", (appointment,))
          conn.commit()
          started = time.monotonic()
          d = self.wait_for(self.next_deltas(outbox, seq), started, poll_ms / 1000 + 10)
          if d is None:
            missed += 1
          else:
            changes.append(d)
        conn.close()
        self.watch_row("PPMP change by another process → delta", workload, changes, poll_ms + 250, missed)
      self.stop_watch(proc)

    self.bench_watch_steady(poll_ms)

  def bench_watch_steady(self, poll_ms=1000):
    """Idle CPU and memory growth of a long-running watch (no latencies)."""
    # Idle: the real clock (a new minute makes an export), an empty inbox, nothing changing.
    db = self.practice(20, 30, self.m["run_patients"], 61)
    folder = os.path.join(self.scratch, "watch-idle")
    config = self.spool(folder, os.path.join(folder, "ppmp.sqlite"), 30, "poll_interval_ms = %d\n" % poll_ms)
    self.copy_db(db, os.path.join(folder, "ppmp.sqlite"))
    proc = self.start_watch(folder, config)
    time.sleep(2)
    tick = os.sysconf("SC_CLK_TCK")
    def cpu():
      fields = open("/proc/%d/stat" % proc.pid).read().rsplit(")", 1)[1].split()
      return (int(fields[11]) + int(fields[12])) / tick
    seconds = self.m["watch_idle_seconds"]
    before, wall = cpu(), time.monotonic()
    time.sleep(seconds)
    used, wall = cpu() - before, time.monotonic() - wall
    self.stop_watch(proc)
    percent = 100 * used / wall
    self.watch_other.append(("idle CPU over %d s (poll %d ms, real clock)" % (seconds, poll_ms),
                             "%.2f %% of one core (%.2f s CPU)" % (percent, used), "≤ 0.5 %", percent <= 0.5))

    # Memory: RSS after the first and the last count of drops, fed in bursts as a busy day would.
    first, last = self.m["watch_rss_drops"]
    # 10,000 one-booking drops need as many free slots: a 100-practitioner practice has ~5× the
    # typical one's (20 × 30 has about 4,200).
    db = self.practice(100, 30, self.m["run_patients"], 63)
    drops = self.drops(db, 30, last, 0, 1, 64)
    folder = os.path.join(self.scratch, "watch-rss")
    config = self.spool(folder, os.path.join(folder, "ppmp.sqlite"), 30, "poll_interval_ms = %d\n" % poll_ms)
    self.copy_db(db, os.path.join(folder, "ppmp.sqlite"))
    proc = self.start_watch(folder, config, ["--as-of", AS_OF])
    inbox, work = os.path.join(folder, "spool", "inbox"), os.path.join(folder, "spool", "work")
    def rss():
      return int(re.search(r"VmRSS:\s+(\d+)", open("/proc/%d/status" % proc.pid).read()).group(1)) / 1024
    def drained():
      while os.listdir(inbox) or os.listdir(work):
        time.sleep(0.01)
    names = sorted(os.listdir(drops))
    marks = {}
    for i in range(0, len(names), 50):
      for name in names[i:i + 50]:
        self.rename_in(os.path.join(drops, name), inbox, name)
      drained()
      done = min(i + 50, len(names))
      if done in (first, len(names)):
        time.sleep(1.5)
        marks[done] = rss()
    self.stop_watch(proc)
    a, b = marks.get(first), marks.get(len(names))
    if a and b:
      self.watch_other.append(("RSS after %d and after %d drops" % (first, len(names)), "%.1f MB → %.1f MB (%+.1f %%)" % (
        a, b, 100 * (b - a) / a), "within 10 %", abs(b - a) / a <= 0.10))

  def watch_table(self):
    lines = ["| watch path | workload | events | p50 ms | p99 ms | target (p99) | met |", "|---|---|---|---|---|---|---|"]
    for what, workload, n, p50, p99, target, met, missed in self.watch_rows:
      note = " (%d without a delta in time)" % missed if missed else ""
      lines.append("| %s | %s | %d%s | %s | %s | ≤ %d ms | %s |" % (
        what, workload, n, note, "%.1f" % p50 if p50 is not None else "—", "%.1f" % p99 if p99 is not None else "—", target,
        "yes" if met else "**no**"))
    lines += ["", "| watch measure | figure | target | met |", "|---|---|---|---|"]
    for what, figure, target, met in self.watch_other:
      lines.append("| %s | %s | %s | %s |" % (what, figure, target, "yes" if met else "**no**"))
    return "\n".join(lines) + "\n"

  # MARK: report

  def machine(self):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
      for line in f:
        if line.startswith("model name"):
          cpu = line.split(":", 1)[1].strip()
          break
    with open("/proc/meminfo") as f:
      mem = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1)) / 1024 / 1024
    osname = platform.platform()
    if os.path.exists("/etc/os-release"):
      with open("/etc/os-release") as f:
        osname = re.search(r'PRETTY_NAME="([^"]*)"', f.read()).group(1) + ", kernel " + platform.release()
    swift = sh(["swift", "--version"]).splitlines()[0] if shutil.which("swift") else "unknown"
    xmllint = subprocess.run(["xmllint", "--version"], capture_output=True, text=True).stderr.split()
    versions = "sqlite3 %s; xmllint %s; %s" % (
      sh(["sqlite3", "--version"]).split()[0], xmllint[4] if len(xmllint) > 4 else "?",
      sh(["bsdtar", "--version"]).split(" - ")[0])
    return "%d × %s, %.1f GiB RAM, %s; %s; %s. Binary: %s" % (
      os.cpu_count(), cpu, mem, osname, swift, versions, self.linkage())

  def linkage(self):
    """How the measured binary carries the Swift runtime: `make bench` measures the build the
    package ships (runtime linked in); a dynamically linked one starts measurably slower."""
    libraries = subprocess.run(["ldd", self.connector], capture_output=True, text=True).stdout
    if "libswiftCore" in libraries:
      return "release, Swift runtime loaded from the toolchain (not the shipped build)"
    return "release, Swift runtime linked in (as shipped in dist/ and the .deb)"

  def table(self):
    def fig(m):
      return "%.3f (%.3f–%.3f)" % (m["med"], m["lo"], m["hi"])
    lines = [
      "| path | scale | workload | ours: wall s, median (min–max) | ours: CPU s | ours: peak RSS MB | stock tool | stock: wall s | stock: CPU s | stock: peak RSS MB | ratio (wall) | target | met |",
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in self.rows:
      target, met = "", ""
      if r["target"]:
        kind, bound = r["target"]
        target = {"ratio": "≤ %.2f×" % bound, "wall": "< %d ms" % (bound * 1000), "rate": "≥ %d/s" % bound}[kind]
        met = "yes" if r["met"] else "**no**"
      ratio = "%.2f×" % r["ratio"] if r["ratio"] else ("%.0f bookings/s" % r["rate"] if r["rate"] else "—")
      stock = r["stock"]
      lines.append("| %s | %d× | %s | %s | %.2f | %.0f | %s | %s | %s | %s | %s | %s | %s |" % (
        r["path"], r["scale"], r["size"], fig(r["ours"]), r["ours"]["cpu"], r["ours"]["rss"], r["stock_name"] or "—",
        fig(stock) if stock else "—", "%.2f" % stock["cpu"] if stock else "—", "%.0f" % stock["rss"] if stock else "—",
        ratio, target, met))
    growth = ["", "| path | 1× → %d×: wall | peak RSS | stock wall |" % self.m["scales"][-1], "|---|---|---|---|"]
    for path in ("export", "diff (typical)", "diff (worst)", "ingest", "ingest (big book)", "archive", "run"):
      rs = [r for r in self.rows if r["path"] == path]
      if len(rs) >= 2:
        a, b = rs[0], rs[-1]
        growth.append("| %s | ×%.1f | ×%.2f | %s |" % (
          path, b["ours"]["med"] / a["ours"]["med"], b["ours"]["rss"] / a["ours"]["rss"],
          "×%.1f" % (b["stock"]["med"] / a["stock"]["med"]) if a["stock"] else "—"))
    header = [
      "Mode `%s`, %d timed runs per figure (%d at 16×) after one untimed warm-up, %s." % (
        self.mode, self.m["runs"], self.m["runs_big"], datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
      "",
      "Machine: %s." % self.machine(),
      "",
    ] + ["%s" % n for n in self.notes] + [""]
    return "\n".join(header + lines + growth) + "\n"

  def write(self, text):
    doc = os.path.join(ROOT, "docs", "benchmarks.md")
    begin, end = "<!-- bench-%s:begin -->" % self.mode, "<!-- bench-%s:end -->" % self.mode
    content = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n\n"
    block = "%s\n%s%s" % (begin, text, end)
    if begin in content and end in content:
      content = content[:content.index(begin)] + block + content[content.index(end) + len(end):]
    else:
      content = content.rstrip("\n") + "\n\n" + block + "\n"
    with open(doc, "w") as f:
      f.write(content)


def main():
  parser = argparse.ArgumentParser(description="ppmp-connector benchmarks (docs/benchmarks.md)")
  parser.add_argument("--bin", default=os.path.join(ROOT, ".build-release", "release"))
  parser.add_argument("--quick", action="store_true", help="small sizes, three runs: under a minute")
  parser.add_argument("--only", action="append", choices=("export", "ingest", "archive", "run", "watch"),
                      help="run only these paths (export includes diff); repeatable")
  parser.add_argument("--no-write", action="store_true", help="print the table, leave docs/benchmarks.md alone")
  args = parser.parse_args()
  bench = Bench(os.path.abspath(args.bin), "quick" if args.quick else "full")
  paths = args.only or ["export", "ingest", "archive", "run", "watch"]
  for path in ("export", "ingest", "archive", "run", "watch"):
    if path in paths:
      {"export": bench.bench_export_and_diff, "ingest": bench.bench_ingest, "archive": bench.bench_archive,
       "run": bench.bench_run, "watch": bench.bench_watch}[path]()
  shutil.rmtree(bench.scratch, ignore_errors=True)
  text = bench.table()
  if "watch" in paths:
    text += "\n" + bench.watch_table()
  if not args.no_write and not args.only:
    bench.write(text)
  print(text)


if __name__ == "__main__":
  main()
