#!/usr/bin/env bash
# Runs every Fuzz target of the module for a short time each.
set -euo pipefail
t="${1:-20s}"
cd "$(dirname "$0")/.."
grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
  pkg="./$(dirname "${f#./}")"
  for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | cut -d' ' -f2); do
    echo "fuzz $pkg $fn ($t)"
    go test "$pkg" -run XXX -fuzz "^${fn}\$" -fuzztime "$t"
  done
done
