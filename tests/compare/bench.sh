#!/usr/bin/env bash
# tests/compare/bench.sh: the comparison's row of `make bench`: the time to
# group 10^5 quotes on one core (tests/compare/bench.c), from PolNeAR train
# when ../shared is there, else from made-up sentences. NM_COMPARE_QUOTES
# changes the count.
set -euo pipefail
NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
[ -f "$NM_BUILD/libnewsmark.a" ] || { echo "compare bench: $NM_BUILD/libnewsmark.a is missing; run make first" >&2; exit 2; }
mkdir -p "$NM_BUILD/tests"
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Wshadow -Wpedantic -I"$NM_ROOT/src" \
  -o "$NM_BUILD/tests/compare_bench" "$NM_ROOT/tests/compare/bench.c" "$NM_BUILD/libnewsmark.a" \
  $(pkg-config --libs libpcre2-8 tree-sitter) -lm
TEXT=$NM_ROOT/../shared/corpus/polnear/train/text
args=(-n "${NM_COMPARE_QUOTES:-100000}")
[ -d "$TEXT" ] && args+=("$TEXT")
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" "$NM_BUILD/tests/compare_bench" "${args[@]}"
