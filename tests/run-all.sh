#!/usr/bin/env bash
# Runs every test: typecheck, unit + integration (vitest, real sockets), then e2e when present.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
echo "== typecheck"
npx tsc --noEmit -p .
echo "== unit + integration (vitest)"
npx vitest run
