#!/usr/bin/env bash
# Verifies the shipped systemd units with `systemd-analyze verify` and fails on any output line:
# systemd-analyze reports many problems (unknown keys, bad values) as messages while still
# exiting 0, so its silence is the check.
#
# The units are verified as installed: in a scratch root holding /usr/bin/ppmp-connector (a
# stub unless DIST_BINARY names the real one), the units, an instance of each template, and the
# host's systemd units (sysinit.target and friends). With MAN_DIR naming a folder that holds
# man1/ppmp-connector.1, the units' Documentation=man: link is checked too.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
units="$here/deploy/systemd"

if ! command -v systemd-analyze >/dev/null; then
  echo "check-units: systemd-analyze is missing (Debian package systemd)" >&2
  exit 3
fi
host_units=""
for d in /usr/lib/systemd/system /lib/systemd/system; do
  if [ -e "$d/sysinit.target" ]; then host_units="$d"; break; fi
done
[ -n "$host_units" ] || { echo "check-units: no systemd unit folder with sysinit.target on this machine" >&2; exit 3; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/bin" "$root/usr/lib/systemd" "$root/etc/systemd/system"
cp -a "$host_units" "$root/usr/lib/systemd/system"
if [ -n "${DIST_BINARY:-}" ]; then
  install -m 0755 "$DIST_BINARY" "$root/usr/bin/ppmp-connector"
else
  printf '#!/bin/sh\n' >"$root/usr/bin/ppmp-connector"
  chmod 0755 "$root/usr/bin/ppmp-connector"
fi
cp "$units"/ppmp-connector@.service "$units"/ppmp-connector@.timer "$units"/ppmp-connector-watch@.service \
  "$root/usr/lib/systemd/system/"
ln -s ppmp-connector@.service "$root/usr/lib/systemd/system/ppmp-connector@riverside.service"
ln -s ppmp-connector@.timer "$root/usr/lib/systemd/system/ppmp-connector@riverside.timer"
ln -s ppmp-connector-watch@.service "$root/usr/lib/systemd/system/ppmp-connector-watch@riverside.service"

man=(--man=no)
if [ -n "${MAN_DIR:-}" ] && [ -f "$MAN_DIR/man1/ppmp-connector.1" ] && command -v man >/dev/null; then
  man=(--man=yes)
  export MANPATH="$MAN_DIR:"
fi

out="$(cd "$root/usr/lib/systemd/system" &&
  systemd-analyze verify "${man[@]}" --root="$root" ppmp-connector@riverside.service ppmp-connector@riverside.timer \
    ppmp-connector-watch@riverside.service 2>&1)" || true
if [ -n "$out" ]; then
  echo "check-units: systemd-analyze verify reported:" >&2
  echo "$out" >&2
  exit 1
fi
echo "check-units: systemd-analyze verify ${man[*]}: ppmp-connector@.service, ppmp-connector@.timer and ppmp-connector-watch@.service verify with no output"
