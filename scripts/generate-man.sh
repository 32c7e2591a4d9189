#!/usr/bin/env bash
# Writes dist/man/man1/ppmp-connector.1 from the CLI's own help, with swift-argument-parser's
# generate-manual plugin (it builds the package in release mode in $SCRATCH, default
# .build-release, and asks the binary for its command tree). The date is the last commit's, so
# the page does not change from one build to the next.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
scratch="${SCRATCH:-.build-release}"
date="$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"

${SWIFT:-swift} package --scratch-path "$scratch" plugin generate-manual --date "$date" >&2
page="$(find "$scratch/plugins" -path '*GenerateManual*' -name ppmp-connector.1 -newer Package.swift -print -quit 2>/dev/null || true)"
[ -n "$page" ] || page="$(find "$scratch/plugins" -path '*GenerateManual*' -name ppmp-connector.1 -print -quit)"
[ -n "$page" ] || { echo "generate-man: the plugin wrote no ppmp-connector.1 under $scratch/plugins" >&2; exit 1; }
install -D -m 0644 "$page" dist/man/man1/ppmp-connector.1
echo "generate-man: dist/man/man1/ppmp-connector.1 ($(wc -l <dist/man/man1/ppmp-connector.1) lines)"
