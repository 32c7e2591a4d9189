#!/usr/bin/env bash
# Checks what `make dist` produced: the binary links no Swift runtime library, and a lone copy
# of it in an empty folder runs --version, init --demo, run and validate with an empty
# environment (no PATH, no LD_LIBRARY_PATH: nothing can lead it to the toolchain or to a
# resource folder); the .deb lists the binary, both units and the man page.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$here/dist/ppmp-connector"

if ldd "$bin" | grep -i 'libswift\|libFoundation\|libdispatch\|libBlocksRuntime'; then
  echo "check-dist: the binary still links the Swift runtime (above)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/"
cd "$work"
env -i ./ppmp-connector --version
env -i ./ppmp-connector init --demo >/dev/null
s=0; env -i ./ppmp-connector run --quiet || s=$?
[ "$s" -eq 0 ] || [ "$s" -eq 1 ] || { echo "check-dist: run exited $s" >&2; exit 1; }
env -i ./ppmp-connector validate spool/outbox/snapshot-*.xml
echo "check-dist: a lone copy ran init --demo, run (exit $s) and validate under env -i"

deb="$(ls "$here"/dist/ppmp-connector_*.deb)"
listing="$(dpkg-deb -c "$deb")"
for path in ./usr/bin/ppmp-connector ./lib/systemd/system/ppmp-connector@.service \
  ./lib/systemd/system/ppmp-connector@.timer ./usr/share/man/man1/ppmp-connector.1.gz; do
  grep -q " $path\$" <<<"$listing" || { echo "check-dist: $deb lacks $path" >&2; exit 1; }
done
echo "check-dist: $(basename "$deb") holds the binary, both units and the man page"
