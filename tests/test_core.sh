#!/usr/bin/env bash
# Tests of the core analysis: unit cases on hand-written news sentences
# (tests/core/unit.c, exact spans, kinds and names), then the golden test on
# the seed articles in ../shared (tests/core/seeds.py), skipped when ../shared
# is absent. Each case prints "ok - name", "not ok - name: why" or
# "skip - name: why".
set -uo pipefail

NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
SHARED=${NM_SHARED:-$NM_ROOT/../shared} # NM_SHARED: the corpus folder, elsewhere
failed=0

# ---- unit cases -----------------------------------------------------------
LIB=$NM_BUILD/libnewsmark.a
UNIT=$NM_BUILD/tests/core_unit
if [ ! -f "$LIB" ]; then
  echo "not ok - core unit: $LIB is missing (run make first)"
  failed=1
else
  # Rebuild when the test or the library is newer than the program.
  if [ ! -x "$UNIT" ] || [ "$NM_ROOT/tests/core/unit.c" -nt "$UNIT" ] || [ "$LIB" -nt "$UNIT" ] ||
     [ "$NM_ROOT/src/internal.h" -nt "$UNIT" ]; then
    mkdir -p "$NM_BUILD/tests"
    san=  # a SAN=1 library needs the sanitizer runtimes at link time
    [ "${NM_SAN:-}" = 1 ] && san="-fsanitize=address,undefined -fno-omit-frame-pointer"
    # shellcheck disable=SC2046  # pkg-config output is a list of flags
    if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Wpedantic -O1 -g $san \
        -I"$NM_ROOT/src" -o "$UNIT.tmp" "$NM_ROOT/tests/core/unit.c" "$LIB" \
        $(pkg-config --libs libpcre2-8 tree-sitter) -lm 2>"$NM_BUILD/tests/core_unit.log"; then
      echo "not ok - core unit: tests/core/unit.c does not compile: $(head -c 600 "$NM_BUILD/tests/core_unit.log")"
      exit 1
    fi
    mv "$UNIT.tmp" "$UNIT"
  fi
  "$UNIT" || failed=1

  # Linear time: odd input (no sentence end, marks everywhere) must not make
  # the analysis grow faster than the text. 400 KB takes milliseconds when
  # the work is linear; the limit leaves a margin of hundreds of times, so
  # only super-linear work can trip it.
  long_limit=${NM_CORE_TIME_LIMIT:-3}
  for pattern in 'he said ' 'Ana Ruiz said ' 'he said the “x” was ' 'Ruiz, the minister, told ' \
      '“a ' '"a ' "'a " '“a\n\n' 'U.S. Gen. ' 'word '; do
    text=$(printf '%b' "$pattern")
    name="linear time: 400 KB of '$pattern'"
    if out=$(timeout --kill-after=2 "$long_limit" "$UNIT" --long "$text" 400000 2>&1); then
      echo "ok - $name"
    else
      rc=$?
      if [ $rc -ge 124 ]; then why="not done within ${long_limit}s"; else why="exited $rc: $out"; fi
      echo "not ok - $name: $why"
      failed=1
    fi
  done
fi

# ---- seed goldens ------------------------------------------------------------
if [ ! -d "$SHARED/corpus/seeds" ]; then
  echo "skip - seed goldens: $SHARED/corpus/seeds is absent (the corpus lives outside the repo)"
elif [ ! -x "$NM_BUILD/annotate" ]; then
  echo "not ok - seed goldens: $NM_BUILD/annotate is missing (run make first)"
  failed=1
elif ! command -v python3 >/dev/null; then
  echo "not ok - seed goldens: python3 is needed to read the JSON (make setup installs it)"
  failed=1
else
  nmscore=$SHARED/tools/nmscore
  if [ ! -f "$nmscore" ]; then
    echo "skip - nmscore seeds floors: $nmscore is absent"
    nmscore=
  fi
  python3 "$NM_ROOT/tests/core/seeds.py" "$NM_BUILD/annotate" "$SHARED/corpus/seeds" $nmscore || failed=1
fi

exit $failed
