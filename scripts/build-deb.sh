#!/usr/bin/env bash
# Builds dist/ppmp-connector_<version>_<arch>.deb from dist/ppmp-connector (the static release
# binary), the man page in dist/man/, deploy/systemd/ and docs/. `make dist` runs it.
# The version is the binary's own (`ppmp-connector --version`, from ConnectorVersion.swift);
# Depends lists the Debian packages of the shared libraries the binary still links.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
bin=dist/ppmp-connector
[ -x "$bin" ] || { echo "build-deb: $bin is missing: run make dist" >&2; exit 1; }
[ -f dist/man/man1/ppmp-connector.1 ] || { echo "build-deb: dist/man/man1/ppmp-connector.1 is missing" >&2; exit 1; }

version="$("$bin" --version)"
arch="$(dpkg --print-architecture)"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

install -D -m 0755 "$bin" "$root/usr/bin/ppmp-connector"
install -D -m 0644 deploy/systemd/ppmp-connector@.service "$root/lib/systemd/system/ppmp-connector@.service"
install -D -m 0644 deploy/systemd/ppmp-connector@.timer "$root/lib/systemd/system/ppmp-connector@.timer"
install -D -m 0644 deploy/systemd/ppmp-connector-watch@.service "$root/lib/systemd/system/ppmp-connector-watch@.service"
install -d -m 0755 "$root/usr/share/man/man1"
for page in dist/man/man1/*.1; do
  gzip -9n <"$page" >"$root/usr/share/man/man1/$(basename "$page").gz"
done
doc="$root/usr/share/doc/ppmp-connector"
install -d -m 0755 "$doc/schemas" "$doc/examples/kubernetes"
install -m 0644 README.md docs/*.md "$doc/"
install -m 0644 docs/schemas/*.xsd "$doc/schemas/"
install -m 0644 deploy/Containerfile "$doc/examples/"
install -m 0644 deploy/kubernetes/*.yaml "$doc/examples/kubernetes/"

# Shared libraries → Debian packages (the Swift runtime is inside the binary).
depends="$(ldd "$bin" | awk '/=> \// { print $3 }' | while read -r lib; do
  dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')"
[ -n "$depends" ] || { echo "build-deb: could not work out the package's dependencies" >&2; exit 1; }

install -d -m 0755 "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: ppmp-connector
Version: $version
Architecture: $arch
Maintainer: ppmp-connector maintainers <ppmp-connector@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends, adduser | passwd
Section: misc
Priority: optional
Homepage: https://example.org/ppmp-connector
Description: batch file exchange between a PPMP appointment book and Healthengine
 Ingests booking and cancellation drops from a spool inbox into the PPMP
 database, publishes availability snapshots and deltas, and rolls everything
 into verifiable archives. Never opens a network socket. One practice folder
 per instance under /srv/ppmp; enable ppmp-connector@<practice>.timer, or
 ppmp-connector-watch@<practice>.service to answer drops as they arrive.
CONTROL

cat >"$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
# Creates the connector's system user and /srv/ppmp, and tells systemd about the units.
# Practices are enabled by the administrator: systemctl enable --now ppmp-connector@<practice>.timer
set -e
if [ "$1" = configure ]; then
  if ! getent passwd ppmp >/dev/null; then
    useradd --system --user-group --home-dir /srv/ppmp --no-create-home --shell /usr/sbin/nologin ppmp
  fi
  if [ ! -d /srv/ppmp ]; then
    install -d -o ppmp -g ppmp -m 0750 /srv/ppmp
  fi
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null || true
  fi
fi
exit 0
POSTINST
cat >"$root/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
# Stops every practice's timer and run before the binary goes away; spools are left as they are.
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop 'ppmp-connector@*.timer' 'ppmp-connector@*.service' 'ppmp-connector-watch@*.service' >/dev/null 2>&1 || true
fi
exit 0
PRERM
cat >"$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
# The ppmp user and /srv/ppmp (patient data) are kept on remove and purge: delete them by hand.
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null || true
fi
exit 0
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

out="dist/ppmp-connector_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "build-deb: $out ($(du -h "$out" | cut -f1))"
