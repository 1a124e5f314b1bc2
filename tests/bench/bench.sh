#!/usr/bin/env bash
# tests/bench/bench.sh: the numbers behind `make bench`.
#
# Runs build/annotate end to end (read, analyse with the built-in rules,
# write) on one core and prints one table: MB/s and the time as the median
# of several runs, and peak memory (max RSS from /usr/bin/time) as a
# multiple of the input for single documents; then the editor's latency
# (Neovim, a 60 KB article) and the time to group 10^5 quotes (--compare). Inputs: the corpus in ../shared when it is
# there, and generated text (the sample article repeated) always, for the
# scaling rows 1 KB, 1 MB and 100 MB. The table also goes to
# tests/bench/RESULTS.md, so a change shows up in review.
#
# NM_BENCH_RUNS (default 5) sets the runs per row; NM_BENCH_BIG_MB (100)
# the size of the largest document; NM_BENCH_TIMEOUT (120) the seconds one
# run may take: a row that runs past it says so instead of hanging (that is
# what a quadratic stage looks like on the 100 MB row).
set -euo pipefail

NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
A=$NM_BUILD/annotate
RUNS=${NM_BENCH_RUNS:-5}
BIG_MB=${NM_BENCH_BIG_MB:-100}
TIMEOUT=${NM_BENCH_TIMEOUT:-120}
CORPUS=$NM_ROOT/../shared/corpus
SAMPLE=$NM_ROOT/tests/sample/harbour-bridge.txt
RESULTS=$NM_ROOT/tests/bench/RESULTS.md

[ -x "$A" ] || { echo "bench: $A is missing; run make first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (Debian package time; make setup)" >&2; exit 2; }
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT

# One core: the figure is per core, whatever else the machine runs.
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

rows=()
# measure NAME BYTES ARGS...: run annotate ARGS RUNS times into /dev/null;
# record the median MB/s and the median peak RSS.
measure() {
  local name=$1 bytes=$2 single=$3
  shift 3
  local secs=() rss=() i t0 t1 rc
  for ((i = 0; i < RUNS; i++)); do
    t0=$(date +%s%N)
    rc=0
    timeout "$TIMEOUT" "${pin[@]}" /usr/bin/time -f %M -o "$T/rss" "$A" "$@" >/dev/null 2>"$T/err" || rc=$?
    t1=$(date +%s%N)
    if [ $rc = 124 ]; then
      row "$name" "$bytes" "$single" 1 timeout 0
      return 0
    fi
    [ $rc = 0 ] || { echo "bench: annotate failed on $name: $(head -3 "$T/err")" >&2; exit 1; }
    secs+=("$(((t1 - t0) / 1000))")
    rss+=("$(tail -1 "$T/rss")")
  done
  local us kb
  us=$(printf '%s\n' "${secs[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  kb=$(printf '%s\n' "${rss[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  row "$name" "$bytes" "$single" "$RUNS" "$us" "$kb"
}

# row NAME BYTES SINGLE RUNS MICROSECONDS|timeout PEAK-KB: one table row.
row() {
  rows+=("$(awk -v n="$1" -v b="$2" -v s="$3" -v r="$4" -v us="$5" -v kb="$6" -v to="$TIMEOUT" 'BEGIN {
    size = b >= 1048576 ? sprintf("%.1f MB", b / 1048576) : sprintf("%.1f KB", b / 1024)
    if (us == "timeout") {
      printf "| %-42s | %9s | %4d | %9s | %9s | %8s | %7s |", n, size, r, "> " to " s", "-", "-", "-"
      exit
    }
    ratio = s ? sprintf("%.1fx", kb * 1024 / b) : "-"
    peak = kb > 0 ? sprintf("%.1f", kb / 1024) : "-"
    printf "| %-42s | %9s | %4d | %9.1f | %9.1f | %8s | %7s |", n, size, r, b / 1048576 / (us / 1e6), us / 1000, peak, ratio
  }')")
  echo "${rows[-1]}" >&2
}

bytes_of() { cat "$@" | wc -c; }

# ---- the corpus ----------------------------------------------------------
if [ -d "$CORPUS/seeds" ]; then
  seeds=("$CORPUS"/seeds/*.txt)
  many=()
  for ((i = 0; i < 200; i++)); do many+=("${seeds[@]}"); done
  measure "seeds x200, json" $(($(bytes_of "${seeds[@]}") * 200)) 0 --format=json "${many[@]}"
fi
if [ -d "$CORPUS/polnear/train/text" ]; then
  polnear=("$CORPUS"/polnear/train/text/*.txt)
  pbytes=$(bytes_of "${polnear[@]}")
  measure "PolNeAR train (${#polnear[@]} files), json" "$pbytes" 0 --format=json "${polnear[@]}"
  measure "PolNeAR train, json, + 50 Lua rules" "$pbytes" 0 --format=json --rules="$NM_ROOT/tests/bench/rules50.lua" \
    "${polnear[@]}"
  measure "PolNeAR train, jsonl" "$pbytes" 0 --format=jsonl "${polnear[@]}"
  measure "PolNeAR train, ansi with colour" "$pbytes" 0 --color=always "${polnear[@]}"
fi
if [ ${#rows[@]} -eq 0 ]; then
  echo "bench: no corpus at $CORPUS; generated text only" >&2
fi

# ---- generated text, for scaling -----------------------------------------
# The project's own sample, repeated: 1 KB, 1 MB and BIG_MB MB documents.
head -c 1024 "$SAMPLE" >"$T/1k.txt"
for ((i = 0; i < 520; i++)); do cat "$SAMPLE"; done >"$T/many.txt" # no pipe: head would SIGPIPE cat
head -c 1048576 "$T/many.txt" >"$T/1m.txt"
for ((i = 0; i < BIG_MB; i++)); do cat "$T/1m.txt"; done >"$T/big.txt"
k1=(); for ((i = 0; i < 1000; i++)); do k1+=("$T/1k.txt"); done
m1=(); for ((i = 0; i < 20; i++)); do m1+=("$T/1m.txt"); done
measure "generated 1 KB x1000, json" $((1024 * 1000)) 0 --format=json "${k1[@]}"
measure "generated 1 MB x20, json" $((1048576 * 20)) 0 --format=json "${m1[@]}"
measure "generated 1 MB, json" 1048576 1 --format=json "$T/1m.txt"
# The same 1 MB as Markdown (every paragraph with bold and a link) and as a
# web page (entities, <p>, a nav and a script): markup.c's tree-sitter pass.
md_of() {
  awk 'BEGIN { RS = "" } { sub(/^[^ ]+/, "**&**"); print $0 " [link](https://example.com/story)\n" }' "$1"
}
html_of() {
  awk 'BEGIN { RS = ""; print "<!DOCTYPE html><html><head><title>x</title><script>var x = 1;</script></head>" \
      "<body><nav><a href=\"/\">Home</a></nav><article>" }
    { gsub(/&/, "\\&amp;"); gsub(/</, "\\&lt;"); gsub(/>/, "\\&gt;"); gsub(/“/, "\\&ldquo;"); gsub(/”/, "\\&rdquo;")
      print "<p>" $0 "</p>" }
    END { print "</article></body></html>" }' "$1"
}
md_of "$T/1m.txt" >"$T/1m.md"
html_of "$T/1m.txt" >"$T/1m.html"
measure "generated 1 MB as Markdown, json" "$(bytes_of "$T/1m.md")" 1 --format=json "$T/1m.md"
measure "generated 1 MB as HTML, json" "$(bytes_of "$T/1m.html")" 1 --format=json "$T/1m.html"
# The same at 10 MB: the memory rows for markup (at 1 MB the process's own
# ~8 MB, the model and the libraries, is most of the peak).
for ((i = 0; i < 10; i++)); do cat "$T/1m.txt"; done >"$T/10m.txt"
md_of "$T/10m.txt" >"$T/10m.md"
html_of "$T/10m.txt" >"$T/10m.html"
RUNS=$((RUNS < 3 ? RUNS : 3)) measure "generated 10 MB as Markdown, json" "$(bytes_of "$T/10m.md")" 1 --format=json "$T/10m.md"
RUNS=$((RUNS < 3 ? RUNS : 3)) measure "generated 10 MB as HTML, json" "$(bytes_of "$T/10m.html")" 1 --format=json "$T/10m.html"
# json is one value, so one document: the memory row. jsonl and ansi stream
# in 4 MB windows: the constant-memory rows.
RUNS=$((RUNS < 3 ? RUNS : 3)) measure "generated ${BIG_MB} MB, json (one document)" $((1048576 * BIG_MB)) 1 --format=json "$T/big.txt"
RUNS=$((RUNS < 3 ? RUNS : 3)) measure "generated ${BIG_MB} MB, jsonl (4 MB windows)" $((1048576 * BIG_MB)) 1 --format=jsonl "$T/big.txt"
RUNS=$((RUNS < 3 ? RUNS : 3)) measure "generated ${BIG_MB} MB, ansi (4 MB windows)" $((1048576 * BIG_MB)) 1 --color=always "$T/big.txt"

# ---- the editor and the comparison ----------------------------------------
# Editor latency: Neovim types into a 60 KB article and re-annotates
# (tests/nvim/bench_latency.lua; its own median over 100 edits).
# MB/s is the article over the median; the time column is that median.
if command -v nvim >/dev/null && [ -f "$NM_BUILD/libnewsmark.so" ]; then
  line=$(cd "$NM_ROOT" && NEWSMARK_LIB=$NM_BUILD/libnewsmark.so timeout "$TIMEOUT" "${pin[@]}" \
    nvim --headless -u tests/minimal_init.lua -c "luafile tests/nvim/bench_latency.lua" 2>&1 | tail -1) || true
  kb=$(printf '%s\n' "$line" | sed -n 's/.* on a \([0-9.]*\) KB article.*/\1/p')
  ms=$(printf '%s\n' "$line" | sed -n 's/.*: median \([0-9.]*\) ms.*/\1/p')
  analyse=$(printf '%s\n' "$line" | sed -n 's/.*(analyse \([0-9.]*\),.*/\1/p')
  if [ -n "$kb" ] && [ -n "$ms" ]; then
    row "editor: edit to marks, nvim (analyse ${analyse:-?} ms)" "$(awk -v k="$kb" 'BEGIN {printf "%d", k * 1024}')" 0 100 \
      "$(awk -v m="$ms" 'BEGIN {printf "%d", m * 1000}')" 0
  else
    echo "bench: editor latency did not run: $line" >&2
  fi
else
  echo "bench: no nvim or no $NM_BUILD/libnewsmark.so: no editor latency row" >&2
fi
# Grouping 10^5 quotes for --compare (tests/compare/bench.sh): one run;
# the time column is the grouping, the peak its process's.
line=$(NM_ROOT=$NM_ROOT NM_BUILD=$NM_BUILD "$NM_ROOT/tests/compare/bench.sh" 2>&1 | tail -1) || true
n=$(printf '%s\n' "$line" | sed -n 's/^compare: \([0-9]*\) quotes.*/\1/p')
secs=$(printf '%s\n' "$line" | sed -n 's/.* run \([0-9.]*\) s.*/\1/p')
mb=$(printf '%s\n' "$line" | sed -n 's/.*peak RSS \([0-9]*\) MB.*/\1/p')
if [ -n "$n" ] && [ -n "$secs" ]; then
  rows+=("$(awk -v n="$n" -v s="$secs" -v mb="${mb:-0}" 'BEGIN {
    printf "| %-42s | %9s | %4d | %9s | %9.1f | %8.1f | %7s |", "compare: group " n " quotes", "-", 1, "-", s * 1000, mb, "-" }')")
  echo "${rows[-1]}" >&2
else
  echo "bench: compare grouping did not run: $line" >&2
fi

# ---- the table -------------------------------------------------------------
# The fixed part of every peak: annotate on one short line.
tiny_peak() {
  printf 'He said \xe2\x80\x9chi.\xe2\x80\x9d\n' >"$T/tiny.txt"
  /usr/bin/time -f %M -o "$T/rss" "$A" --format=json "$T/tiny.txt" >/dev/null 2>&1 &&
    awk '{ printf "%.1f", $1 / 1024 }' "$T/rss"
}
cpu=$(sed -n '/^model name/{s/^model name[[:space:]]*: //p;q}' /proc/cpuinfo 2>/dev/null)
{
  echo "# make bench"
  echo
  echo "annotate $("$A" --version | awk '{print $NF}'), $(date -u +%Y-%m-%d), ${cpu:-unknown CPU}, $(nproc) cores, one core used;"
  echo "end to end (read, analyse with the built-in rules, write to /dev/null); median of $RUNS runs (3 for 10 MB markup and the largest);"
  echo "a run longer than ${TIMEOUT} s is stopped and shown as \"> ${TIMEOUT} s\"."
  echo "Peak RSS is /usr/bin/time's max resident set; the ratio is to the input, for single documents"
  echo "(the process alone, with the tagger's model and the libraries, peaks at $(tiny_peak) MiB on a one-line input)."
  echo "The editor row is Neovim typing into a 60 KB article and re-annotating (tests/nvim/bench_latency.lua),"
  echo "median of 100 edits; the compare row groups 10^5 quotes once (tests/compare/bench.sh)."
  echo
  echo "| input                                      |      size | runs |      MB/s | median ms | peak MiB |  ×input |"
  echo "|--------------------------------------------|-----------|------|-----------|-----------|----------|---------|"
  printf '%s\n' "${rows[@]}"
} >"$T/table.md"
cat "$T/table.md"
# The hand-written notes after the table ("## Where the time goes" on) stay.
notes=$([ -f "$RESULTS" ] && sed -n '/^## Where the time goes/,$p' "$RESULTS" || true)
cp "$T/table.md" "$RESULTS"
[ -z "$notes" ] || printf '\n%s\n' "$notes" >>"$RESULTS"
echo "(written to ${RESULTS#"$NM_ROOT"/})"
