#!/usr/bin/env bash
# Writes dist/man/man1/ppmp-connector.1 from the CLI's own help, with swift-argument-parser's
# generate-manual plugin: it builds the package's executables and asks ppmp-connector for its
# command tree. The help texts do not depend on the build configuration, so it uses the debug
# build in $SCRATCH (default .build, what `make build` and `make test` keep up to date) rather
# than a second release build. The date is the last commit's, so the page is stable.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
scratch="${SCRATCH:-.build}"
date="$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"

${SWIFT:-swift} package --scratch-path "$scratch" plugin generate-manual --configuration debug --date "$date" >&2
page="$(find "$scratch/plugins" -path '*GenerateManual*' -name ppmp-connector.1 -newer Package.swift -print -quit 2>/dev/null || true)"
[ -n "$page" ] || page="$(find "$scratch/plugins" -path '*GenerateManual*' -name ppmp-connector.1 -print -quit)"
[ -n "$page" ] || { echo "generate-man: the plugin wrote no ppmp-connector.1 under $scratch/plugins" >&2; exit 1; }
install -D -m 0644 "$page" dist/man/man1/ppmp-connector.1
echo "generate-man: dist/man/man1/ppmp-connector.1 ($(wc -l <dist/man/man1/ppmp-connector.1) lines)"
