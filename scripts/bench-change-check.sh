#!/bin/sh
# The PPMP change check's cost per run with many tracked bookings (docs/benchmarks.md).
#
#   scripts/bench-change-check.sh [BIN_DIR] [TRACKED] [OTHER]
#
# Builds a demo practice, publishes once, adds TRACKED appointments carrying HE_MSG_ID tokens
# (bookings the connector placed) and OTHER plain appointments, loses the connector state so the
# next run rebuilds the journal from the tokens and starts tracking them all, then runs RUNS (5)
# steady-state runs and prints the `events` step's own time (ms=, measured inside the process)
# of each, and the whole run's wall time.
set -eu
BIN=${1:-.build-release/release}
TRACKED=${2:-10000}
OTHER=${3:-0}
BIN=$(cd "$BIN" && pwd)
WORK=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "work: $WORK" || trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
AS_OF=2026-03-02T07:00
"$BIN/ppmp-connector" init --demo --practice-id bench --as-of $AS_OF >/dev/null
rm -f spool/inbox/*
"$BIN/ppmp-connector" run --as-of $AS_OF --quiet || true
sqlite3 ppmp-demo.sqlite <<SQL
CREATE TEMP TABLE s AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM staff;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $TRACKED + $OTHER)
INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, status, comments, created_at, updated_at)
SELECT (SELECT id FROM s WHERE k = i % (SELECT COUNT(*) FROM s)), 2,
       date('2026-03-02', '+' || (i % 30) || ' days'), printf('%02d:%02d', 8 + (i / 4) % 10, (i % 4) * 15), 15, 'booked',
       CASE WHEN i <= $TRACKED THEN 'HE_MSG_ID:bench-' || i ELSE 'walk-in' END, '2026-03-01 00:00:00', '2026-03-01 00:00:00'
FROM n;
SQL
rm -f spool/state/connector.sqlite
"$BIN/ppmp-connector" run --as-of $AS_OF 2>&1 | grep 'step=events' || true
for i in $(seq 1 "${RUNS:-5}"); do
  start=$(date +%s%N)
  "$BIN/ppmp-connector" run --as-of $AS_OF 2>&1 | grep -o 'step=events.*' | tr '\n' ' '
  end=$(date +%s%N)
  echo "run_ms=$(( (end - start) / 1000000 ))"
done
