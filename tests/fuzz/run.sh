#!/usr/bin/env bash
# tests/fuzz/run.sh: what `make fuzz` runs once it has built
# $NM_BUILD/libnewsmark.a with clang and -fsanitize=fuzzer-no-link,address,undefined.
#
# Links every tests/fuzz/fuzz_*.c into a libFuzzer target, seeds each one's
# corpus (in $NM_BUILD/fuzz/corpus/TARGET, kept between runs) from the
# hand-written seeds in tests/fuzz/corpus/TARGET and from the text fixtures
# under tests/, then runs every target for FUZZ_SECONDS (default 60),
# FUZZ_JOBS at a time (default: the number of cores). Prints one line per
# target and exits non-zero when any target found a crash, a leak, a hang
# or a failed check; the input that did it is saved under
# $NM_BUILD/fuzz/artifacts/. Copy it into tests/fuzz/regressions/TARGET/
# and test_hard.sh replays it from then on.
#
# FUZZ_TARGETS="plain rules" picks targets; FUZZ_ARGS adds libFuzzer flags.
set -uo pipefail

NM_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NM_BUILD=${NM_BUILD:-build-fuzz}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
FUZZ_CC=${FUZZ_CC:-clang}
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
F=$NM_BUILD/fuzz
trap 'echo "fuzz: interrupted" >&2; kill $(jobs -p) 2>/dev/null; exit 130' INT TERM

die() { echo "fuzz: $*" >&2; exit 2; }
[ -f "$NM_BUILD/libnewsmark.a" ] || die "$NM_BUILD/libnewsmark.a is missing: run 'make fuzz', which builds it"
command -v "$FUZZ_CC" >/dev/null || die "$FUZZ_CC not found (make setup installs clang and libclang-rt-14-dev)"
libs=$(pkg-config --libs libpcre2-8 tree-sitter) || die "pkg-config cannot find libpcre2-8 or tree-sitter"

targets=${FUZZ_TARGETS:-$(cd "$NM_ROOT/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
mkdir -p "$F/artifacts" "$F/logs" || exit 2

# ---- build ------------------------------------------------------------------
for t in $targets; do
  src=$NM_ROOT/tests/fuzz/fuzz_$t.c
  [ -f "$src" ] || die "no target '$t' ($src)"
  if [ ! "$F/fuzz_$t" -nt "$src" ] || [ "$NM_ROOT/tests/fuzz/fuzz.h" -nt "$F/fuzz_$t" ] ||
    [ "$NM_BUILD/libnewsmark.a" -nt "$F/fuzz_$t" ]; then
    # shellcheck disable=SC2086 # the flag lists are meant to split
    "$FUZZ_CC" -std=c11 -g -O1 $SAN -I"$NM_ROOT/src" "$src" "$NM_BUILD/libnewsmark.a" $libs \
      -o "$F/fuzz_$t" || die "cannot build fuzz_$t (is libclang-rt-14-dev installed?)"
  fi
done

# ---- seed corpora -------------------------------------------------------------
# Fixtures are cut into pieces of at most 4 KB (whole lines), the size the
# fuzzer works with; rule seeds pair each pattern of the test rule files
# with a piece of the sample article.
seed_split() { # seed_split DIR FILE...
  local dir=$1 f
  shift
  for f in "$@"; do
    [ -s "$f" ] && split -C 4000 -d -a 3 "$f" "$dir/$(basename "$f")."
  done
}
for t in $targets; do
  c=$F/corpus/$t
  mkdir -p "$c"
  [ -d "$NM_ROOT/tests/fuzz/corpus/$t" ] && cp "$NM_ROOT/tests/fuzz/corpus/$t"/* "$c"/ 2>/dev/null
  case $t in
    plain | json)
      seed_split "$c" "$NM_ROOT"/tests/sample/*.txt "$NM_ROOT"/tests/nvim/fixture.txt ;;
    markdown) seed_split "$c" "$NM_ROOT"/tests/markup/*.md ;;
    html) seed_split "$c" "$NM_ROOT"/tests/markup/*.html ;;
    rules)
      n=0
      head -c 1500 "$NM_ROOT/tests/sample/harbour-bridge.txt" >"$F/sample.piece"
      cat "$NM_ROOT"/tests/lua/rules/*.lua "$NM_ROOT"/tests/bench/rules50.lua 2>/dev/null |
        sed -n 's/.*pattern = \[\[\(.*\)\]\].*/\1/p; s/.*pattern = "\([^"]*\)".*/\1/p' |
        while IFS= read -r pat; do
          n=$((n + 1))
          { printf '\000seed.%d\nstyle\nseed\n%s\000' "$n" "$pat"; cat "$F/sample.piece"; } >"$c/pattern.$n"
        done ;;
  esac
done

# ---- run ------------------------------------------------------------------------
dict=$NM_ROOT/tests/fuzz/news.dict
run_one() {
  local t=$1 log=$F/logs/$1.log
  rm -f "$F/artifacts/$t-"*
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: memory blow-up.
  # shellcheck disable=SC2086
  "$F/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$F/artifacts/$t-" -dict="$dict" ${FUZZ_ARGS:-} \
    "$F/corpus/$t" >"$log" 2>&1
  local rc=$? runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    echo "fuzz_$t: ok, ${runs:-?} runs in ${FUZZ_SECONDS}s, ${cov:-cov: ?}, corpus $(ls "$F/corpus/$t" | wc -l)"
  else
    echo "fuzz_$t: FAILED (status $rc); input: $(ls "$F/artifacts/$t-"* 2>/dev/null | head -1); log: $log"
    # The reason, and the frames in our code (not libFuzzer's own).
    grep -E 'ERROR|fuzz check failed|SUMMARY|#[0-9]+ 0x.* in (nm_|LLVMFuzzerTestOneInput)' "$log" | head -20 |
      sed 's/ (BuildId: [0-9a-f]*)//; s/^/  /'
  fi
  return $rc
}

status=0
running=0
for t in $targets; do
  run_one "$t" >"$F/logs/$t.result" &
  running=$((running + 1))
  if [ "$running" -ge "$FUZZ_JOBS" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
for t in $targets; do cat "$F/logs/$t.result"; done
exit $status
