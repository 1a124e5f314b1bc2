#!/usr/bin/env bash
# Fact-checking markers and the rule engine: C programs in tests/markers/
# built against $NM_BUILD/libnewsmark.a, then the seed articles' marker
# recall (skipped when ../shared is absent).
set -uo pipefail

NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
OUT=$NM_BUILD/tests
CC=${CC:-cc}
failures=0

if [ ! -f "$NM_BUILD/libnewsmark.a" ]; then
  echo "not ok - markers-built: $NM_BUILD/libnewsmark.a is missing (run make first)"
  exit 1
fi
mkdir -p "$OUT" || exit 2
# shellcheck disable=SC2046
libs=$(pkg-config --libs libpcre2-8 tree-sitter)
# A sanitizer build (make test SAN=1) needs the test programs built the same way.
san=
[ "${NM_SAN:-}" = 1 ] && san="-fsanitize=address,undefined -fno-omit-frame-pointer"

for src in "$NM_ROOT"/tests/markers/test_*.c; do
  name=$(basename "$src" .c)
  if ! $CC -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Wpedantic -O1 -g $san \
      -I"$NM_ROOT/src" -I"$NM_ROOT/tests/markers" "$src" "$NM_BUILD/libnewsmark.a" $libs -lm -lpthread \
      -o "$OUT/markers_$name" 2>"$OUT/markers_$name.log"; then
    echo "not ok - $name-compiles: $(head -c 600 "$OUT/markers_$name.log" | tr '\n' ' ')"
    failures=$((failures + 1))
    continue
  fi
  if ! (cd "$NM_ROOT" && "$OUT/markers_$name"); then
    failures=$((failures + 1))
  fi
done

# The seeds: every gold marker must be overlapped by a marker of its kind.
seeds=$NM_ROOT/../shared/corpus/seeds
if [ ! -d "$seeds" ] || [ ! -x "$NM_ROOT/../shared/tools/nmscore" ]; then
  echo "skip - seeds-marker-recall: ../shared/corpus/seeds is absent"
elif ! command -v python3 >/dev/null; then
  echo "skip - seeds-marker-recall: python3 is missing"
else
  line=$("$NM_ROOT/../shared/tools/nmscore" seeds --annotate "$NM_BUILD/annotate" 2>&1 | tail -1)
  recall=$(printf '%s\n' "$line" | sed -n 's/.*markers \([0-9.]*\).*/\1/p')
  if [ -n "$recall" ] && awk -v r="$recall" 'BEGIN { exit !(r >= 0.95) }'; then
    echo "ok - seeds-marker-recall"
  else
    echo "not ok - seeds-marker-recall: want >= 0.95, got: $line"
    failures=$((failures + 1))
  fi
fi

[ "$failures" -eq 0 ]
