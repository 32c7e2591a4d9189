#!/usr/bin/env bash
# Validates deploy/kubernetes/*.yaml with `kubernetes-validate --strict` (PyPI): every field
# must exist in the Kubernetes schema, so a typo cannot pass silently. Installs the validator
# with pip when it is missing (PPMP_NO_INSTALL=1: exit 3 instead).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

if ! command -v kubernetes-validate >/dev/null; then
  if [ "${PPMP_NO_INSTALL:-}" = 1 ]; then
    echo "check-kubernetes: kubernetes-validate is missing (pip install kubernetes-validate)" >&2
    exit 3
  fi
  echo "check-kubernetes: installing the PyPI package kubernetes-validate" >&2
  python3 -m pip install --quiet kubernetes-validate 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages kubernetes-validate
fi
kubernetes-validate --strict "$here"/deploy/kubernetes/*.yaml
