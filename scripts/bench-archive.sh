#!/usr/bin/env bash
# Times `ppmp-connector archive` (bag, hashes, read-back verification, catalog) against
# `bsdtar --zstd -cf` of the same files, alternating, in the same run.
#
#   scripts/bench-archive.sh [REPETITIONS] [BINARY]
#
# BINARY defaults to .build/release/ppmp-connector, else .build/debug/ppmp-connector (say
# which in any figure you quote). FILES_DIR reuses a tree from make-archive-bench-files.py.
set -euo pipefail

reps=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${2:-}
if [ -z "$bin" ]; then
  if [ -x "$root/.build/release/ppmp-connector" ]; then bin=$root/.build/release/ppmp-connector; else bin=$root/.build/debug/ppmp-connector; fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

files=${FILES_DIR:-$work/files}
[ -d "$files" ] || python3 "$root/scripts/make-archive-bench-files.py" "$files"
echo "binary: $bin"
echo "files:  $(find "$files" -type f | wc -l) files, $(du -sb "$files" | cut -f1) bytes"

cd "$work"
"$bin" init --demo --practice-id bench >/dev/null 2>&1
seconds() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }

for i in $(seq 1 "$reps"); do
  # Hard links: archive removes the staged copies, the source tree stays.
  rm -rf spool/state/staging
  cp -al "$files" spool/state/staging
  chmod 700 spool/state/staging
  a=$(seconds "$bin" archive --quiet --as-of "2026-03-$(printf %02d "$i")T18:00")
  b=$(seconds bsdtar --zstd -cf "$work/bsdtar.tar.zst" -C "$files" .)
  last=$(find spool/archive -name "bench-$i.tar.zst")
  echo "rep $i: archive ${a}s ($(stat -c %s "$last") bytes)  bsdtar --zstd ${b}s ($(stat -c %s "$work/bsdtar.tar.zst") bytes)  ratio $(echo "$a / $b" | bc -l | cut -c1-5)"
done
"$bin" audit verify
