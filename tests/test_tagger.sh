#!/usr/bin/env bash
# The learned attribution tagger (src/tagger.c): the model is built in,
# finds open-class cues and their sources and content in hand-written
# sentences (tests/tagger/), --no-tagger gives the rules' output, training
# is deterministic, and the PolNeAR and seed figures meet the targets of
# issue 2. Cases that need the model skip when the build had no corpus;
# corpus cases skip when ../shared is absent.
set -uo pipefail

NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
A=$NM_BUILD/annotate
SHARED=$NM_ROOT/../shared
POLNEAR=$SHARED/corpus/polnear/train
NMSCORE=$SHARED/tools/nmscore
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT

failures=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; failures=$((failures + 1)); }
skip() { echo "skip - $1: $2"; }

# quotes FILE [ARGS...]: one line per quote: kind start-end speaker-span cue-span
quotes() {
  local file=$1
  shift
  "$A" "$@" --format=json "$file" | python3 -c '
import json, sys
for q in json.load(sys.stdin)["quotes"]:
    sp = q.get("speaker") or {}
    cue = q.get("cue") or {}
    print(q["kind"], "%d-%d" % (q["start"], q["end"]),
          "speaker=%s" % ("%d-%d" % (sp["start"], sp["end"]) if sp else "-"),
          "cue=%s" % ("%d-%d" % (cue["start"], cue["end"]) if cue else "-"))'
}

have_model=0
if [ -s "$NM_BUILD/tagger.model" ]; then have_model=1; fi
no_model="this build has no tagger model (built without the PolNeAR corpus): the tagger is off"

# ---- the model is built in --------------------------------------------------
if [ $have_model = 1 ]; then
  out=$(quotes "$NM_ROOT/tests/tagger/open-cues.txt")
  off=$(quotes "$NM_ROOT/tests/tagger/open-cues.txt" --no-tagger)
  if [ -n "$out" ] && [ "$out" != "$off" ]; then ok "model loads and changes the analysis"
  else not_ok "model loads and changes the analysis" "same quotes with and without the tagger: [$out]"; fi
else
  skip "model loads and changes the analysis" "$no_model"
fi

# ---- exact spans on hand-written sentences ---------------------------------
# "The lighthouse keeper believes that the lamp failed twice." The rules
# know no "lighthouse keeper"; the model finds the open-class source, the
# cue and the "that" clause.
expect_quote() {
  local name=$1 want=$2
  if [ $have_model = 0 ]; then skip "$name" "$no_model"; return; fi
  if grep -qxF "$want" <<<"$out"; then ok "$name"
  else not_ok "$name" "want [$want], got [$(tr '\n' '|' <<<"$out")]"; fi
}
expect_quote "believes: long noun-phrase source, that-clause content" "indirect 31-57 speaker=0-21 cue=22-30"
# The model is retrained whenever the rules change (their output is among its
# features), and where a noun phrase starts is what moves most between two
# trainings: the speaker must be "The bakery owner" or its head "owner",
# the cue and the content exactly these.
if [ $have_model = 0 ]; then skip "believes: content without that" "$no_model"
elif grep -qxE "indirect 86-119 speaker=(60|71)-76 cue=77-85" <<<"$out"; then ok "believes: content without that"
else not_ok "believes: content without that" "want [indirect 86-119 speaker=60-76 or 71-76 cue=77-85], got [$(tr '\n' '|' <<<"$out")]"; fi

# ---- speakers only the model found get an entity ----------------------------
# The rules know no "lighthouse keeper", so no entity existed for the
# model's speaker: the view said "(no speaker)" beside a marked speaker.
if [ $have_model = 0 ]; then skip "tagger speaker: entity" "$no_model"
else
  ents=$("$A" --format=json "$NM_ROOT/tests/tagger/open-cues.txt" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for q in d["quotes"]:
    sp = q.get("speaker") or {}
    if sp.get("entity") is not None:
        print("%d-%d" % (q["start"], q["end"]), d["entities"][sp["entity"]]["name"])')
  if grep -qxF "31-57 lighthouse keeper" <<<"$ents"; then ok "tagger speaker: entity"
  else not_ok "tagger speaker: entity" "want [31-57 lighthouse keeper], got [$(tr '\n' '|' <<<"$ents")]"; fi
  view=$("$A" --color=never "$NM_ROOT/tests/tagger/open-cues.txt")
  if grep -qF "[that the lamp failed twice]{— lighthouse keeper}" <<<"$view"; then ok "tagger speaker: named in the view"
  else not_ok "tagger speaker: named in the view" "got [$view]"; fi
fi

# ---- the off switch -----------------------------------------------------------
# With --no-tagger these sentences have no quote: the rules find none.
off=$(quotes "$NM_ROOT/tests/tagger/open-cues.txt" --no-tagger)
if [ -z "$off" ]; then ok "--no-tagger: rules alone find nothing here"
else not_ok "--no-tagger: rules alone find nothing here" "got [$(tr '\n' '|' <<<"$off")]"; fi
# The tagger keeps the rules' quote-mark detection: every quote-mark quote
# the rules find in the sample article is still there with the tagger on.
sample=$NM_ROOT/tests/sample/harbour-bridge.txt
marked() { grep -E '^(direct|partial|heading|term) ' | cut -d' ' -f2 | sort; }
a=$(quotes "$sample" --no-tagger | marked)
b=$(quotes "$sample" | marked)
lost=$(comm -23 <(echo "$a") <(echo "$b"))
if [ -n "$a" ] && [ -z "$lost" ]; then ok "the rules' quote-mark quotes survive the tagger"
else not_ok "the rules' quote-mark quotes survive the tagger" "lost: $(tr '\n' ' ' <<<"$lost")"; fi

# ---- robustness: the tagger stays linear on dense reported speech -----------
python3 -c 'import sys; sys.stdout.write("Critics argue that the plan fails, the lighthouse keeper believes. " * 4000)' >"$T/dense.txt"
start=$(date +%s%N)
if timeout 20 "$A" --format=json "$T/dense.txt" >"$T/dense.json" 2>"$T/dense.err"; then
  ms=$((($(date +%s%N) - start) / 1000000))
  limit=3000
  [ "${NM_SAN:-}" = 1 ] && limit=20000
  if [ $ms -le $limit ]; then ok "dense reported speech (270 KB) in ${ms} ms"
  else not_ok "dense reported speech (270 KB)" "${ms} ms, over ${limit} ms"; fi
else
  not_ok "dense reported speech (270 KB)" "annotate failed: $(head -c 200 "$T/dense.err")"
fi

# ---- the same tags on every processor ------------------------------------------
# The decoder has an AVX2 path (chosen at run time), an SSE2 path and plain
# C. This machine takes the first; build annotate with the others and
# compare what they write on the seeds and the first PolNeAR articles.
portable() { # portable NAME FLAGS...: $T/annotate-NAME with src/tagger.c built with FLAGS
  local name=$1
  shift
  # shellcheck disable=SC2046,SC2086  # flag lists
  ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g -fPIC -fvisibility=hidden ${NM_SAN_FLAGS:-} "$@" \
    -I"$NM_ROOT/src" -I"$NM_BUILD/gen" -c "$NM_ROOT/src/tagger.c" -o "$T/tagger-$name.o" 2>"$T/cc-$name.err" &&
    ${CC:-cc} ${NM_SAN_FLAGS:-} -o "$T/annotate-$name" "$NM_BUILD"/obj/{annotate,annotate_lua,lua_newsmark,gen_lua_modules,compare_render}.o \
      "$T/tagger-$name.o" "$NM_BUILD/libnewsmark.a" $(pkg-config --libs libpcre2-8 tree-sitter lua5.4) -lm 2>>"$T/cc-$name.err"
}
if [ $have_model = 0 ]; then
  skip "SSE2 and plain C decoders match" "$no_model"
elif [ "$(uname -m)" != x86_64 ]; then
  skip "SSE2 and plain C decoders match" "not x86-64: the plain C path is the one every test runs"
elif [ ! -d "$POLNEAR/text" ]; then
  skip "SSE2 and plain C decoders match" "no $POLNEAR"
else
  mapfile -t some < <(find "$POLNEAR/text" -name '*.txt' | sort | head -n 60)
  "$A" --format=jsonl "$SHARED"/corpus/seeds/*.txt "${some[@]}" >"$T/avx2.jsonl" 2>&1
  for variant in "sse2 -DNM_TAGGER_NO_AVX2" "plain -DNM_TAGGER_NO_AVX2 -U__SSE2__"; do
    set -- $variant
    name=$1
    shift
    if ! portable "$name" "$@"; then
      not_ok "$name decoder matches" "build failed: $(head -c 300 "$T/cc-$name.err")"
    elif "$T/annotate-$name" --format=jsonl "$SHARED"/corpus/seeds/*.txt "${some[@]}" >"$T/$name.jsonl" 2>&1 &&
      cmp -s "$T/avx2.jsonl" "$T/$name.jsonl"; then
      ok "$name decoder matches the default on the seeds and 60 PolNeAR articles"
    else
      not_ok "$name decoder matches" "output differs: $(diff "$T/avx2.jsonl" "$T/$name.jsonl" | head -c 300)"
    fi
  done
fi

# ---- deterministic training ---------------------------------------------------
if [ $have_model = 0 ]; then
  skip "training is deterministic" "$no_model"
elif [ ! -d "$POLNEAR/attributions" ]; then
  skip "training is deterministic" "no $POLNEAR"
elif "$NM_BUILD/train_tagger" "$POLNEAR" "$T/one.model" 2>"$T/train.err" &&
  "$NM_BUILD/train_tagger" "$POLNEAR" "$T/two.model" 2>>"$T/train.err" && cmp -s "$T/one.model" "$T/two.model"; then
  ok "training is deterministic"
else
  not_ok "training is deterministic" "two trainings wrote different models ($(tail -n 1 "$T/train.err"))"
fi

# ---- the targets of issue 2 -------------------------------------------------
if [ ! -x "$NMSCORE" ] || [ ! -d "$POLNEAR/attributions" ]; then
  skip "PolNeAR targets" "no ../shared (corpus and nmscore): cannot score"
  skip "seed targets" "no ../shared (corpus and nmscore): cannot score"
elif [ $have_model = 0 ]; then
  skip "PolNeAR targets" "$no_model"
  skip "seed targets" "$no_model"
else
  "$NMSCORE" polnear "$POLNEAR" --annotate "$A" >"$T/polnear.txt" 2>&1
  if python3 - "$T/polnear.txt" 2>"$T/why.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
f1 = {k: float(v) for k, v in re.findall(r"^(Source|Cue|Content)\s+exact P [\d.]+ R [\d.]+ F1 ([\d.]+)", text, re.M)}
m = re.search(r"quoted attributions \d+: found ([\d.]+)\s+source overlap ([\d.]+)", text)
want = {"Source": 0.60, "Cue": 0.65, "Content": 0.45}
bad = [f"{k} exact F1 {f1.get(k, 0):.3f} < {v}" for k, v in want.items() if f1.get(k, 0) < v]
if not m or float(m.group(1)) < 0.95: bad.append("quoted found < 0.95")
if not m or float(m.group(2)) < 0.85: bad.append("quoted source overlap < 0.85")
print("; ".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
  then ok "PolNeAR targets: $(tail -n 1 "$T/polnear.txt")"
  else not_ok "PolNeAR targets" "$(cat "$T/why.txt") ($(tail -n 1 "$T/polnear.txt"))"; fi
  "$NMSCORE" seeds --annotate "$A" >"$T/seeds.txt" 2>&1
  if python3 - "$T/seeds.txt" <<'PY'
import re, sys
line = open(sys.argv[1]).read().strip().splitlines()[-1]
got = dict((k, float(v)) for k, v in re.findall(r"(quote F1|speaker|reported|markers) ([\d.]+)", line))
want = {"quote F1": 0.98, "speaker": 0.95, "reported": 0.80, "markers": 0.95}
sys.exit(0 if all(got.get(k, 0) >= v for k, v in want.items()) else 1)
PY
  then ok "seed targets: $(tail -n 1 "$T/seeds.txt")"
  else not_ok "seed targets" "$(tail -n 1 "$T/seeds.txt")"; fi
fi

[ $failures = 0 ]
