#!/usr/bin/env bash
# End-to-end tests of the annotate filter: formats, stdin, errors, exit
# codes, colour, broken pipes, signals and the pager. Each case prints
# "ok - name", "not ok - name: why" or "skip - name: why".
set -uo pipefail

NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
A=$NM_BUILD/annotate
SAMPLE=$NM_ROOT/tests/sample/harbour-bridge.txt
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2

failures=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; failures=$((failures + 1)); }
skip() { echo "skip - $1: $2"; }
# check NAME WHY COMMAND...: ok when the command succeeds.
check() {
  local name=$1 why=$2
  shift 2
  if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}
# run ARGS...: run annotate; stdout in $T/out, stderr in $T/err, status in $rc.
run() {
  "$A" "$@" >"$T/out" 2>"$T/err"
  rc=$?
}
same() { [ "$1" = "$2" ]; }
# json_check FILE PYTHON-EXPR: parse FILE as one JSON value `v` and test EXPR.
json_check() {
  python3 -c 'import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null
}
jsonl_check() {
  python3 -c 'import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == ""
vs = [json.loads(l) for l in lines[:-1]]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null
}

if [ ! -x "$A" ]; then
  not_ok "annotate-built" "$A is missing (run make first)"
  exit 1
fi
if ! command -v python3 >/dev/null; then
  not_ok "python3" "python3 is needed to check JSON (make setup installs it)"
  exit 1
fi

printf 'The cat sat on the mat.\n' >plain.txt
printf 'The dog slept in the sun.' >second.txt
: >empty.txt
mkdir adir

# ---- help, version, usage errors -----------------------------------------

run --help
check help-exit-0 "status $rc, stderr '$(cat err)'" same "$rc/$(head -1 out)/$(wc -c <err)" "0/Usage: annotate [OPTION]... [FILE].../0"
check help-lists-options "--help does not list every option" \
  grep -q -- '--format=FORMAT.*--color.*--sources.*--only.*--disable.*--rules.*--list-rules.*--fail-on.*--input' \
  <(tr '\n' ' ' <out)

version=$(sed -n 's/^#define NM_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' "$NM_ROOT/src/newsmark.h" | paste -sd.)
run --version
check version "got '$(cat out)' status $rc" same "$rc/$(cat out)" "0/annotate (newsmark) $version"

run --bogus plain.txt
check bad-option "status $rc, stderr '$(cat err)'" same "$rc/$(cat err)/$(wc -c <out)" \
  "2/annotate: unknown option '--bogus'
Usage: annotate [OPTION]... [FILE]...
Try 'annotate --help' for more information./0"
run -q
check bad-short-option "stderr '$(head -1 err)'" same "$rc/$(head -1 err)" "2/annotate: unknown option '-q'"
run --format=xml plain.txt
check bad-format "status $rc, stderr '$(head -1 err)'" same "$rc/$(head -1 err)" \
  "2/annotate: unknown format 'xml' (ansi, json, jsonl, vimgrep, html)"
run --format
check format-needs-value "stderr '$(head -1 err)'" same "$rc/$(head -1 err)" "2/annotate: option '--format' needs a value"
run --color=sometimes plain.txt
check bad-color "stderr '$(head -1 err)'" same "$rc/$(head -1 err)" \
  "2/annotate: unknown --color value 'sometimes' (auto, always, never)"
run --input=pdf plain.txt
check bad-input-type "stderr '$(head -1 err)'" same "$rc/$(head -1 err)" \
  "2/annotate: unknown input type 'pdf' (plain, markdown, html)"
run --disable=no.such.rule plain.txt
check disable-unknown-rule "stderr '$(head -1 err)'" same "$rc/$(head -1 err)" \
  "2/annotate: --disable: no rule has the id 'no.such.rule' (see --list-rules)"
run --rules="$T/missing.lua" plain.txt
check rules-missing-file "status $rc, stderr '$(cat err)'" \
  eval '[ $rc = 2 ] && [ ! -s out ] && grep -Eq "missing\.lua|without Lua rules" err'

# ---- JSON and JSONL ---------------------------------------------------------

run --format=json plain.txt
check json-one-object "not one object with file, length, version" \
  json_check out 'v["newsmark"] == 1 and v["file"] == "plain.txt" and v["length"] == 24 and isinstance(v["quotes"], list)'
check json-one-line "JSON of one file is not one line" same "$(wc -l <out)" 1

run --format=json plain.txt second.txt
check json-several-is-array "not an array of two objects" \
  json_check out '[d["file"] for d in v] == ["plain.txt", "second.txt"] and [d["length"] for d in v] == [24, 25]'

run --format=jsonl plain.txt second.txt empty.txt
check jsonl-one-line-per-file "not three JSON lines" \
  jsonl_check out '[d["file"] for d in vs] == ["plain.txt", "second.txt", "empty.txt"] and vs[2]["length"] == 0'

"$A" --format=json <second.txt >out 2>err
rc=$?
check stdin-json "stdin: status $rc" json_check out 'v["file"] is None and v["length"] == 25'

"$A" --format=jsonl plain.txt - <second.txt >out 2>err
rc=$?
check dash-is-stdin "status $rc" jsonl_check out '[d["file"] for d in vs] == ["plain.txt", None] and vs[1]["length"] == 25'

if [ -r "$SAMPLE" ]; then
  run --format=json "$SAMPLE"
  check json-sample-valid "status $rc, stderr '$(cat err)'" \
    json_check out "v['length'] == $(wc -c <"$SAMPLE") and all(set(q) >= {'kind', 'start', 'end', 'speaker', 'cue', 'via'} for q in v['quotes'])"
else
  not_ok json-sample-valid "the sample $SAMPLE is missing"
fi

# ---- errors: each bad input is named, the others are still done ------------

run --format=jsonl missing.txt plain.txt adir second.txt
check missing-and-directory "status $rc, stderr '$(cat err)'" same "$rc/$(cat err)" \
  "2/annotate: missing.txt: No such file or directory
annotate: adir: Is a directory"
check others-still-processed "stdout has $(wc -l <out) lines" \
  jsonl_check out '[d["file"] for d in vs] == ["plain.txt", "second.txt"]'

if [ "$(id -u)" != 0 ]; then
  cp plain.txt unreadable.txt && chmod 000 unreadable.txt
  run unreadable.txt
  check unreadable "stderr '$(cat err)'" same "$rc/$(cat err)" "2/annotate: unreadable.txt: Permission denied"
else
  skip unreadable "running as root, every file is readable"
fi

head -c 3000 /dev/urandom >random.bin
printf '\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0\76\0\1\0\0\0' >elf.bin
head -c 2000 /dev/zero >>elf.bin
run elf.bin plain.txt
check binary-file "status $rc, stderr '$(cat err)'" same "$rc/$(cat err)/$(cat out)" \
  "2/annotate: elf.bin: binary file (NUL and control bytes), not annotated/==> plain.txt <==
The cat sat on the mat."
run random.bin
check random-bytes-binary "status $rc, stderr '$(cat err)'" same "$rc/$(cat err)" \
  "2/annotate: random.bin: binary file (NUL and control bytes), not annotated"

# A stray NUL inside text is text (SPEC: NUL bytes are tolerated). The
# sentences hold no attribution ("It voted to ..." is one in PolNeAR, and
# the tagger marks it), so the output is the input.
printf 'The council met on a wet evening.\0 The bridge was closed for eight months.\n' >nul.txt
run --only=figure nul.txt
check few-nuls-are-text "status $rc, stderr '$(cat err)'" cmp -s out nul.txt

run empty.txt
check empty-file "status $rc, $(wc -c <out) bytes out" same "$rc/$(wc -c <out)/$(wc -c <err)" "0/0/0"

"$A" plain.txt >/dev/full 2>err
rc=$?
check write-error "status $rc, stderr '$(cat err)'" same "$rc/$(cat err)" "2/annotate: write error: No space left on device"

# ---- the text views ---------------------------------------------------------

# Bytes pass through: invalid UTF-8 and CRLF stay as they were.
printf 'Caf\351 \377\376 au lait.\r\nThe cat sat on the mat.\r\n' >bytes.txt
run --only=figure --color=never bytes.txt
check bytes-pass-through "output differs from input" cmp -s out bytes.txt
printf 'No newline at the end.' >nonl.txt
run --only=figure nonl.txt
check newline-added "got '$(od -c out | head -2)'" same "$(cat out; echo x)" "No newline at the end.
x"

run --color=never "$SAMPLE"
check color-never-no-escapes "ESC found" eval '[ $rc = 0 ] && ! grep -q "$(printf "\033")" out'
"$A" "$SAMPLE" | cat >out
check piped-default-no-escapes "ESC found in piped output" eval '! grep -q "$(printf "\033")" out'
run --color=always "$SAMPLE" "$SAMPLE"
check color-always-escapes "no SGR escapes" grep -q "$(printf '\033')\[1m==> $SAMPLE <==" out
run --color=never plain.txt second.txt
check several-files-headers "got '$(cat out)'" same "$(cat out)" "==> plain.txt <==
The cat sat on the mat.
==> second.txt <==
The dog slept in the sun."

run --sources plain.txt
check sources-empty "got '$(cat out)'" same "$rc/$(cat out)" "0/plain.txt: 0 sources, 0 quotes"

run --format=vimgrep "$SAMPLE"
check vimgrep-line-format "a line is not FILE:LINE:COL: KIND: MESSAGE" \
  eval '[ $rc = 0 ] && ! grep -Ev "^[^:]+:[0-9]+:[0-9]+: [a-z][a-z.-]*: ." out'

run --list-rules
check list-rules "status $rc or a line not 'ID KIND ORIGIN'" \
  eval '[ $rc = 0 ] && ! grep -Ev "^[^ ]+ +[^ ]+ +[^ ]+( \(disabled\))?$" out'

run --fail-on=no-such-kind "$SAMPLE"
check fail-on-no-match "status $rc" same "$rc" 0

# ---- Lua rules: exact positions, --fail-on, --disable, rule errors -----------

cat >house.lua <<'EOF'
return {
  { id = "house.kiev", kind = "house", pattern = [[\bKiev\b]], message = "Write Kyiv" },
  { id = "house.boom", kind = "house", check = function(doc) error("boom") end },
}
EOF
printf 'Line one.\nThe trip to Kiev was long.\r\nCafé Kiev closed.\n' >kiev.txt
run --rules=house.lua --disable=house.boom --only=house --format=vimgrep kiev.txt
check vimgrep-positions "got '$(cat out)' status $rc" same "$rc/$(cat out)" "0/kiev.txt:2:13: house: Write Kyiv [house.kiev]
kiev.txt:3:7: house: Write Kyiv [house.kiev]"
run --rules=house.lua --disable=house.boom --only=house --color=never kiev.txt
check bracket-footnotes "got '$(cat out)'" same "$(cat out)" "Line one.
The trip to Kiev[1] was long.$(printf '\r')
   [1] house (house.kiev): Write Kyiv
Café Kiev[2] closed.
   [2] house (house.kiev): Write Kyiv"
run --rules=house.lua --disable=house.boom --only=house --fail-on=house kiev.txt second.txt
check fail-on-matched "status $rc" same "$rc/$(wc -c <err)" "1/0"
run --rules=house.lua --disable=house.boom --fail-on=house second.txt
check fail-on-not-matched "status $rc" same "$rc" 0
run --rules=house.lua --only=house kiev.txt
check rule-error-named "status $rc, stderr '$(cat err)'" same "$rc/$(cat err)" \
  "2/annotate: kiev.txt: house.lua:3: rule \"house.boom\" failed: house.lua:3: boom"
check rule-error-output-kept "the text was not written" grep -q "Kiev\[1\]" out
run --rules=house.lua --list-rules
check list-rules-user "got '$(tail -2 out)'" same "$(tail -2 out | tr -s ' ')" "house.kiev house house.lua:2
house.boom house house.lua:3"

# ---- html ---------------------------------------------------------------------

run --format=html "$SAMPLE"
check html-page "status $rc, first line '$(head -1 out)'" same "$rc/$(head -1 out)" "0/<!DOCTYPE html>"
run --format=html plain.txt second.txt
check html-one-file "status $rc, stderr '$(head -1 err)'" same "$rc/$(head -1 err)" \
  "2/annotate: --format=html writes one page: give it one file"

# ---- --lines: one document a line, for cluster pipelines ----------------------

printf 'He said “the bridge is closed,” Jones said.\n\nThe cat sat.\r\n' >records.txt
run --lines --format=jsonl records.txt
check lines-jsonl "got $(wc -l <out) lines, status $rc" \
  jsonl_check out '[(d["file"], d["length"]) for d in vs] == [("records.txt:1", 47), ("records.txt:2", 0), ("records.txt:3", 12)]'
run --lines --format=json records.txt
check lines-json-array "not one array of three" json_check out 'len(v) == 3 and v[2]["file"] == "records.txt:3"'
# A long stream in bounded memory: the peak does not grow with the input.
peak() { yes 'He said “the bridge is closed.” The council voted.' | head -n "$1" |
  /usr/bin/time -f %M "$A" --lines --format=jsonl 2>&1 >/dev/null | tail -1; }
if [ "${NM_SAN:-}" = 1 ]; then
  skip lines-bounded-memory "ASan keeps freed memory in quarantine, so peaks grow by design"
elif [ -x /usr/bin/time ]; then
  small=$(peak 1000) big=$(peak 100000)
  check lines-bounded-memory "peak ${small} KB for 1000 lines, ${big} KB for 100000" [ "$big" -lt $((small * 2)) ]
else
  skip lines-bounded-memory "/usr/bin/time is not installed"
fi
yes 'He said “the bridge is closed.” The council voted.' | head -n 5000 | "$A" --lines --format=jsonl 2>err | tail -1 >out
check lines-stdin "got '$(cut -c1-60 out)'" grep -q '^{"newsmark":1,"file":"<stdin>:5000",' out

# ---- windows: a long input analysed a bounded piece at a time -----------------

for i in $(seq 300); do printf 'The trip to Kiev was long.\n\n'; done >kiev300.txt
cat >kiev.lua <<'EOF'
return { { id = "house.kiev", kind = "house", pattern = [[\bKiev\b]], message = "Write Kyiv" } }
EOF
"$A" --rules=kiev.lua --only=house --color=never --window=0 kiev300.txt >whole.txt 2>err
run --rules=kiev.lua --only=house --color=never --window=1K kiev300.txt
check window-ansi-same "windowed ansi differs from whole: $(diff whole.txt out | head -3)" \
  eval 'cmp -s whole.txt out && grep -q "^   \[300\] house (house.kiev): Write Kyiv$" out'
"$A" --rules=kiev.lua --only=house --format=vimgrep --window=0 kiev300.txt >whole.txt 2>err
run --rules=kiev.lua --only=house --format=vimgrep --window=1K kiev300.txt
check window-vimgrep-lines "got '$(tail -1 out)'" eval 'cmp -s whole.txt out && [ "$(tail -1 out)" = "kiev300.txt:599:13: house: Write Kyiv [house.kiev]" ]'
run --rules=kiev.lua --only=house --format=jsonl --window=1K kiev300.txt
check window-jsonl-offsets "window offsets do not lead back to 'Kiev'" python3 -c '
import json, sys
text = open("kiev300.txt", "rb").read()
docs = [json.loads(l) for l in open("out", encoding="utf-8")]
spans = [(d["window"]["offset"] + m["start"], d["window"]["offset"] + m["end"]) for d in docs for m in d["markers"]]
ok = len(docs) > 5 and docs[-1]["window"]["last"] and len(spans) == 300
ok = ok and all(text[s:e] == b"Kiev" for s, e in spans) and sum(d["length"] for d in docs) == len(text)
sys.exit(0 if ok else 1)'
run --window=12X plain.txt
check window-bad-size "stderr '$(head -1 err)'" same "$rc/$(head -1 err)" \
  "2/annotate: bad --window size '12X' (bytes, or with K or M; at most 2048M)"
# A stream far longer than the window runs in the same memory as a short one.
stream_peak() { yes 'He said “the bridge is closed.” The council voted.' | head -c "$1" |
  /usr/bin/time -f %M "$A" --format=jsonl --window=256K 2>&1 >/dev/null | tail -1; }
if [ "${NM_SAN:-}" = 1 ]; then
  skip window-bounded-memory "ASan keeps freed memory in quarantine, so peaks grow by design"
elif [ -x /usr/bin/time ]; then
  small=$(stream_peak 1M) big=$(stream_peak 8M)
  check window-bounded-memory "peak ${small} KB for 1 MB, ${big} KB for 8 MB" [ "$big" -lt $((small * 3 / 2)) ]
else
  skip window-bounded-memory "/usr/bin/time is not installed"
fi

# ---- pipes and signals ------------------------------------------------------

yes 'He said “the bridge is not safe.” The council voted.' | head -c 4000000 >big.txt
"$A" big.txt 2>err | head -1 >out
rc=${PIPESTATUS[0]}
check broken-pipe-quiet "status $rc, stderr '$(cat err)'" same "$rc/$(wc -c <err)/$(wc -l <out)" "0/0/1"
"$A" --format=jsonl big.txt big.txt 2>err | head -c 10 >/dev/null
rc=${PIPESTATUS[0]}
check broken-pipe-jsonl "status $rc, stderr '$(cat err)'" same "$rc/$(wc -c <err)" "0/0"

# Ctrl-C: annotate blocked on a FIFO gets SIGINT and dies of it at once.
mkfifo fifo
python3 - "$A" >out 2>&1 <<'EOF'
import os, signal, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "fifo"], stdout=subprocess.DEVNULL,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
holder = os.open("fifo", os.O_WRONLY)   # annotate is now reading
time.sleep(0.2)
p.send_signal(signal.SIGINT)
try:
    rc = p.wait(timeout=5)
except subprocess.TimeoutExpired:
    p.kill(); rc = "hang"
os.close(holder)
print(rc)
EOF
check sigint-exits "got '$(cat out)'" same "$(cat out)" "-2"

# The pager: less -R in a real terminal (tmux) renders the colours, so the
# screen shows text and no escape codes.
if command -v tmux >/dev/null && command -v less >/dev/null; then
  sock=$T/tmux.sock
  tmux -S "$sock" -f /dev/null new-session -d -x 120 -y 40 \
    "LESS= LESSOPEN= '$A' --color=always '$SAMPLE' '$SAMPLE' | less -R; sleep 5"
  screen=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    sleep 0.3
    screen=$(tmux -S "$sock" capture-pane -p 2>/dev/null)
    case $screen in *"Dunmore council votes"*) break ;; esac
  done
  raw=$(tmux -S "$sock" capture-pane -p -e 2>/dev/null)
  tmux -S "$sock" kill-server 2>/dev/null
  first=$(head -1 "$SAMPLE")
  check less-renders-text "screen: $(echo "$screen" | head -3)" \
    eval 'grep -qF "==> $SAMPLE <==" <<<"$screen" && grep -qF "$first" <<<"$screen" && ! grep -qE "ESC|\^\[|\[0;" <<<"$screen"'
  check less-keeps-colour "no SGR on the screen" grep -q "$(printf '\033')\[1m" <<<"$raw"
else
  skip less-renders-text "tmux or less is not installed"
fi

# ---- on the sample article, once the core finds quotes ----------------------

run --format=json "$SAMPLE"
if json_check out 'len(v["quotes"]) > 0'; then
  run --color=never "$SAMPLE"
  check sample-bracket-quote "no bracketed Okafor quote" \
    grep -qF '[“The bridge is not safe for lorries, and we will not wait for it to fail,”]{— Helen Okafor}' out
  run --sources "$SAMPLE"
  check sample-sources-okafor "no Helen Okafor row" grep -Eq '^ +[1-9][0-9]* +[1-9][0-9]* +Helen Okafor +person +yes' out
  run --format=vimgrep "$SAMPLE"
  check sample-vimgrep-quote "got '$(grep -m1 quote: out)'" \
    grep -qF "$SAMPLE:5:1: quote: “The bridge is not safe for lorries, and we will not wait fo… — Helen Okafor (direct)" out
else
  skip sample-quotes "the library finds no quotes in the sample yet"
fi

[ $failures -eq 0 ]
