#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, when they are missing; extra
# package names on the command line are added (`make check-units` asks for systemd, `make
# promtool` for prometheus). Safe to run repeatedly: it asks apt only for what dpkg lacks.
set -euo pipefail

packages=(
  pkg-config
  libxml2-dev        # ConnectorXML
  libarchive-dev     # ConnectorArchive
  libsqlite3-dev     # GRDB
  libxml2-utils      # xmllint: tests and benchmarks compare against it
  libarchive-tools   # bsdtar: archive tests and benchmarks
  sqlite3            # benchmarks compare against it
  zstd xz-utils      # tar --zstd / --xz in archive tests
  time               # /usr/bin/time -v for peak memory in benchmarks
)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-deps: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "ensure-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The BagIt validator the archive tests run on extracted bags (`python3 -m bagit --validate`),
# from PyPI: Debian does not package it. Best effort: without it those tests skip and say why,
# so a machine without network access to PyPI still builds and tests.
if command -v python3 >/dev/null && ! python3 -c "import bagit" 2>/dev/null; then
  echo "ensure-deps: installing the PyPI package bagit" >&2
  if ! python3 -m pip --version >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null 2>&1; } \
      || true
  fi
  python3 -m pip install --quiet bagit 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages bagit 2>/dev/null \
    || echo "ensure-deps: could not install bagit; the BagIt validator tests will be skipped" >&2
fi
