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
  # the analysis grow faster than the text. Each pattern is analysed at 200
  # KB and at 800 KB: linear work takes about 4 times as long at four times
  # the size, quadratic 16; more than 8 fails (under 0.05 s at 800 KB is
  # too short to time and passes). The time limit only stops a hang.
  long_limit=${NM_CORE_TIME_LIMIT:-60}
  for pattern in 'he said ' 'Ana Ruiz said ' 'he said the “x” was ' 'Ruiz, the minister, told ' \
      '“a ' '"a ' "'a " '“a\n\n' 'U.S. Gen. ' 'word '; do
    text=$(printf '%b' "$pattern")
    name="linear time: '$pattern' at 200 KB and 800 KB"
    secs=()
    why=
    for size in 200000 800000; do
      if out=$(timeout --kill-after=2 "$long_limit" "$UNIT" --long "$text" $size 2>&1); then
        secs+=("$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' <<<"$out")")
      else
        rc=$?
        if [ $rc -ge 124 ]; then why="$size bytes not done within ${long_limit}s"; else why="exited $rc: $out"; fi
        break
      fi
    done
    if [ -z "$why" ] && ! awk -v a="${secs[0]}" -v b="${secs[1]}" 'BEGIN { exit !(b < 0.05 || b <= 8 * a) }'; then
      why="200 KB in ${secs[0]} s, 800 KB in ${secs[1]} s: more than 8 times as long"
    fi
    if [ -z "$why" ]; then
      echo "ok - $name (${secs[0]} s, ${secs[1]} s)"
    else
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
