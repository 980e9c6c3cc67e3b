#!/usr/bin/env bash
# `npm test`: typecheck, lint (ESLint, Prettier --check, knip), unit + integration (vitest, real sockets),
# then e2e (Playwright, real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

chromium="${CHROMIUM_PATH:-}"
if [ -z "$chromium" ] && [ -x /usr/bin/chromium ]; then chromium=/usr/bin/chromium; fi
if [ -z "$chromium" ] && ! ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium-* >/dev/null 2>&1; then
  echo "npm test needs Chromium for the browser tests and found none." >&2
  echo "Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH=/path/to/chromium." >&2
  exit 1
fi

# What the working tree looks like before the tests, to check at the end that they left it so.
tree_before="$(mktemp)"
trap 'rm -f "$tree_before"' EXIT
bash tests/check-clean-tree.sh snapshot "$tree_before"

echo "== typecheck"
npx tsc --noEmit -p .
echo "== lint (eslint, prettier --check, knip)"
npm run -s lint
echo "== unit + integration (vitest)"
npx vitest run
echo "== e2e (Playwright, Chromium)"
npx playwright test
echo "== working tree left as it was"
bash tests/check-clean-tree.sh compare "$tree_before"
