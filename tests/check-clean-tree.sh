#!/usr/bin/env bash
# Did the tests change the working tree? `npm test` (tests/run-all.sh) records the tree before the
# tests and compares after, so a developer's own uncommitted edits never fail it, only what the
# tests wrote: a tracked file changed, a new file not git-ignored, an edit changed again.
#
#   tests/check-clean-tree.sh snapshot FILE   record the tree's state in FILE
#   tests/check-clean-tree.sh compare FILE    exit 1, listing the paths, if the tree differs from FILE
#
# Outside a git checkout (an unpacked tarball) both do nothing and succeed.
set -euo pipefail

# One line per changed or untracked path: its status and the hash of its content.
tree_state() {
  git status --porcelain=v1 --untracked-files=all -z | while IFS= read -r -d '' entry; do
    path="${entry:3}"
    if [ -f "$path" ]; then
      printf '%s %s\n' "$entry" "$(git hash-object -- "$path")"
    else
      printf '%s\n' "$entry"
    fi
  done | sort
}

command="${1:-}"
file="${2:-}"
if [ -z "$command" ] || [ -z "$file" ]; then
  echo "usage: $0 snapshot|compare FILE" >&2
  exit 2
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  exit 0
fi
cd "$(git rev-parse --show-toplevel)"
case "$command" in
  snapshot)
    tree_state >"$file"
    ;;
  compare)
    after="$(mktemp)"
    trap 'rm -f "$after"' EXIT
    tree_state >"$after"
    if ! cmp -s "$file" "$after"; then
      echo "The tests changed the working tree (write test output under git-ignored folders):" >&2
      comm -13 "$file" "$after" | sed 's/^/  /' >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 snapshot|compare FILE" >&2
    exit 2
    ;;
esac
