#!/usr/bin/env bash
# Markdown and HTML input (src/markup.c, queries/*/newsmark-prose.scm): the
# prose the segmenter sees, quote spans at exact offsets in the original
# file, nothing from code, scripts, styles, comments or attributes, HTML
# entities, the grammar ABI check, bad markup, and the seeds rebuilt as
# Markdown and HTML at test time. One line per case: ok / not ok / skip.
set -uo pipefail

NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
A=$NM_BUILD/annotate
M=$NM_ROOT/tests/markup
SEEDS=$NM_ROOT/../shared/corpus/seeds
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT

failures=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; failures=$((failures + 1)); }
skip() { echo "skip - $1: $2"; }
# expect NAME WANT GOT
expect() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected [$2], got [$3]"; fi
}

# ---- build the probes against the static library --------------------------
mkdir -p "$NM_BUILD/tests"
LIBS="$NM_BUILD/libnewsmark.a $(pkg-config --libs libpcre2-8 tree-sitter) -lm"
CFLAGS_T="-std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Wshadow -Wpedantic -I$NM_ROOT/src"
# A sanitized library (make test SAN=1) needs the sanitizers at link time too.
[ "${NM_SAN:-}" = 1 ] && CFLAGS_T="$CFLAGS_T ${NM_SAN_FLAGS:--fsanitize=address,undefined}"
build() { # build NAME EXTRA_FLAGS...
  local name=$1
  shift
  # shellcheck disable=SC2086
  cc $CFLAGS_T "$@" -o "$NM_BUILD/tests/markup_$name" "$M/$name.c" $LIBS 2>"$T/cc.$name"
}
if [ ! -f "$NM_BUILD/libnewsmark.a" ]; then
  not_ok "markup-build" "$NM_BUILD/libnewsmark.a is missing (run make first)"
  exit 1
fi
for prog in probe seeds; do
  if build $prog; then ok "markup-build-$prog"; else not_ok "markup-build-$prog" "$(head -c 400 "$T/cc.$prog")"; fi
done
P=$NM_BUILD/tests/markup_probe

# span FILE START END: the bytes [START, END) of FILE.
span() { tail -c +"$(($2 + 1))" "$1" | head -c "$(($3 - $2))"; }
# has_quote FILE TYPE KIND START END [SPEAKER]: the probe lists that quote.
quotes_of() { "$P" quotes "$2" "$1" 2>&1; }
# no_quote_edge_in FILE TYPE FROM TO: no quote starts or ends inside [FROM, TO).
no_quote_edge_in() {
  quotes_of "$1" "$2" | awk -v a="$3" -v b="$4" '$2 >= a && $2 < b || $3 > a && $3 <= b { bad = 1 } END { exit bad }'
}
# offset FILE TEXT: byte offset of the first TEXT in FILE.
offset() { grep -boF -- "$2" "$1" | head -1 | cut -d: -f1; }

# ---- the prose the segmenter sees --------------------------------------------
# '|' stands for a run of paragraph-breaking bytes, markup to skip is
# dropped, <h>...</h> is heading prose and <b>...</b> page furniture.
expect "markdown-prose" \
  '|<h>Minister says “no deal” on the plan</h>|The minister said the plan was “a very dangerous choice” for the region.|“We will not accept it,” she said.|Use the  form, the editor said.|' \
  "$("$P" prose markdown "$M/quote.md")"
expect "html-prose" \
  '|<h>Minister says &ldquo;no deal&rdquo; on the plan</h>|The minister said the plan was &ldquo;a very dangerous choice&rdquo; for the region.|&#8220;We will not accept it,&#x201D; she said.|&quot;Plain marks&quot;, he added.|<b>&ldquo;Aside quote,&rdquo; they said.</b>|<b>Related: &ldquo;another story&rdquo;</b>|' \
  "$("$P" prose html "$M/quote.html")"
expect "html-unclosed-tags-prose" \
  '|The mayor said &ldquo;we are not done yet&rdquo;, on Monday. |&ldquo;Nobody closes tags,&rdquo; she added. |Item one|Item two &amp more |Broken |' \
  "$("$P" prose html "$M/unclosed.html")"
printf 'Plain “text” here.\n' >"$T/plain.txt"
expect "plain-has-no-mask" 'Plain “text” here. ' "$("$P" prose plain "$T/plain.txt")"

# ---- entities ------------------------------------------------------------------
for c in '&ldquo;x|U+201C 7' '&rdquo;|U+201D 7' '&#8220;|U+201C 7' '&#x201C;|U+201C 8' '&#X201d;|U+201D 8' \
  '&quot;|U+0022 6' '&amp;|U+0026 5' '&nbsp;|U+00A0 6' '&lsquo;|U+2018 7' '&laquo;|U+00AB 7' \
  '&amp more|U+0026 4' '&notin;|U+2209 7' '&notit;|U+00AC 4' '&#147;|U+201C 6' '&#0;|U+FFFD 4' \
  '&#xD800;|U+FFFD 8' '&#99999999999;|U+FFFD 14' '&#8220 x|U+201C 6' '&bogus;|none' '&;|none' \
  '&#;|none' '&#x;|none' 'AT&T|none' '&|none'; do
  in=${c%|*} want=${c#*|}
  expect "entity $in" "$want" "$("$P" entity "$in")"
done

# ---- the grammar ABI check ---------------------------------------------------------
if [ -f "$NM_BUILD/grammars/html/src/tree_sitter/parser.h" ]; then
  if build abi "-I$NM_BUILD/grammars/html/src"; then
    expect "grammar-abi-check" "ok" "$("$NM_BUILD/tests/markup_abi" 2>&1)"
  else
    not_ok "grammar-abi-check" "$(head -c 400 "$T/cc.abi")"
  fi
else
  skip "grammar-abi-check" "no unpacked grammar in $NM_BUILD/grammars"
fi

# ---- quotes at exact offsets --------------------------------------------------------
# They need the quote stage; when it finds nothing in a plain control text,
# these cases skip rather than fail for want of it.
printf '“We will win,” she said.\n' >"$T/ctl.txt"
if [ -z "$(quotes_of "$T/ctl.txt" plain)" ]; then
  skip "markup-quotes" "the quote stage finds no quote in a plain control text yet"
else
  md=$M/quote.md
  q=$(quotes_of "$md" markdown)
  s=$(offset "$md" '“a **very**')
  e=$(( $(offset "$md" '” for the region') + 3 ))
  expect "md-quote-spans-emphasis-and-link-text" '“a **very** dangerous [choice](https://example.com/“not-a-quote” "“title”")”' "$(span "$md" "$s" "$e")"
  expect "md-quote-spans-emphasis-and-link" "1" "$(grep -cE "^(partial|direct) $s $e " <<<"$q")"
  s=$(offset "$md" '“We will')
  expect "md-block-quote" "direct $s $(( $(offset "$md" 'accept it,”') + 13 )) she" "$(grep "^direct $s " <<<"$q")"
  s=$(offset "$md" '“no deal”')
  expect "md-heading-quote" "heading $s $((s + 13)) Minister" "$(grep "^heading " <<<"$q")"
  if no_quote_edge_in "$md" markdown "$(offset "$md" '```text')" "$(offset "$md" 'Use the')"; then ok "md-no-quote-from-code-block"
  else not_ok "md-no-quote-from-code-block" "$q"; fi
  if no_quote_edge_in "$md" markdown "$(offset "$md" '`“inline')" "$(offset "$md" ' form,')"; then ok "md-no-quote-from-code-span"
  else not_ok "md-no-quote-from-code-span" "$q"; fi
  if no_quote_edge_in "$md" markdown "$(offset "$md" '(https:')" "$(offset "$md" '”")')"; then ok "md-no-quote-from-link-url"
  else not_ok "md-no-quote-from-link-url" "$q"; fi

  h=$M/quote.html
  q=$(quotes_of "$h" html)
  s=$(offset "$h" '&ldquo;a <em>')
  e=$(( $(offset "$h" '&rdquo; for the') + 7 ))
  expect "html-quote-spans-inline-elements" "1" "$(grep -cE "^(partial|direct) $s $e " <<<"$q")"
  s=$(offset "$h" '&#8220;We'); e=$(( $(offset "$h" '&#x201D;') + 8 ))
  expect "html-numeric-entities-as-marks" "direct $s $e she" "$(grep "^direct $s " <<<"$q")"
  s=$(offset "$h" '&quot;Plain'); e=$(( $(offset "$h" 'marks&quot;') + 11 ))
  expect "html-quot-entity-as-marks" "direct $s $e he" "$(grep "^direct $s " <<<"$q")"
  s=$(offset "$h" '&ldquo;no deal')
  expect "html-heading-quote" "heading $s $((s + 21)) Minister" "$(grep "^heading $s " <<<"$q")"
  for part in '<head>|</head>' '<!--|-->' '<pre>|</pre>' 'href=|>choice'; do
    a=$(offset "$h" "${part%|*}") b=$(offset "$h" "${part#*|}")
    if no_quote_edge_in "$h" html "$a" "$b"; then ok "html-no-quote-from ${part%|*}"
    else not_ok "html-no-quote-from ${part%|*}" "$q"; fi
  done

  # annotate reads the type from the extension, or from --input on stdin.
  if [ -x "$A" ]; then
    "$A" --format=json "$M/quote.md" >"$T/md.json" 2>"$T/err" &&
      "$A" --format=json --input=markdown <"$M/quote.md" >"$T/md-stdin.json" 2>>"$T/err"
    got=$(python3 -c 'import json,sys
a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
spans=lambda d: [(q["kind"], q["start"], q["end"]) for q in d["quotes"]]
print("same" if spans(a) == spans(b) and len(spans(a)) > 0 else "differ")' "$T/md.json" "$T/md-stdin.json" 2>&1)
    expect "annotate-markdown-by-extension-and-input" "same" "$got"
    want=$(quotes_of "$M/quote.md" markdown | awk '{print $1, $2, $3}')
    got=$(python3 -c 'import json,sys
for q in json.load(open(sys.argv[1]))["quotes"]: print(q["kind"], q["start"], q["end"])' "$T/md.json" 2>&1)
    expect "annotate-markdown-quotes-match-library" "$want" "$got"
  else
    skip "annotate-markdown" "$A is missing"
  fi
fi

# ---- bad markup: a result or a clear error, never a crash or a hang ----------------
python3 - "$T" <<'EOF'
import random, sys
t = sys.argv[1]
para = '<p>She said &ldquo;a <em>very</em> dangerous <a href="https://example.com/x">choice</a>&rdquo; today.</p> '
n = 10 * 1024 * 1024 // len(para)
open(t + "/big.html", "w").write(para * n)
open(t + "/big.count", "w").write(str(n))
# Tens of thousands of unclosed elements: the grammar's slow path.
open(t + "/deep.html", "w").write('<div><p class="x">“Quote <b>bold, he said. &ldquo;x ' * 20000)
random.seed(5)
open(t + "/junk.md", "wb").write(bytes(random.getrandbits(8) for _ in range(1 << 20)))
EOF
if [ -x "$A" ]; then
  start=$(date +%s.%N)
  timeout 300 "$A" --format=json "$T/big.html" >"$T/big.json" 2>"$T/big.err"
  rc=$? end=$(date +%s.%N)
  if [ $rc -eq 0 ]; then
    got=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); print(sum(1 for q in d["quotes"] if q["kind"] in ("partial","direct")))' "$T/big.json")
    expect "html-10mb-single-line" "$(cat "$T/big.count")" "$got"
    echo "# 10 MB single-line HTML: $(python3 -c "print(round(10.0 / ($end - $start), 1))") MB/s through annotate"
  else
    not_ok "html-10mb-single-line" "annotate exited $rc: $(head -c 300 "$T/big.err")"
  fi
  timeout 120 "$A" --format=json "$T/deep.html" >"$T/deep.json" 2>"$T/deep.err"
  rc=$?
  if [ $rc -eq 0 ] || { [ $rc -eq 2 ] && grep -q "deep.html: .*time budget" "$T/deep.err"; }; then ok "html-deeply-nested-unclosed"
  else not_ok "html-deeply-nested-unclosed" "exit $rc: $(head -c 300 "$T/deep.err")"; fi
  timeout 120 "$A" --format=json "$T/junk.md" >"$T/junk.json" 2>"$T/junk.err"
  rc=$?
  if [ $rc -eq 0 ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/junk.json" 2>/dev/null; then ok "markdown-binary-junk"
  elif [ $rc -eq 2 ] && [ -s "$T/junk.err" ]; then ok "markdown-binary-junk"
  else not_ok "markdown-binary-junk" "exit $rc: $(head -c 300 "$T/junk.err")"; fi
  timeout 60 "$A" --format=json "$M/unclosed.html" >"$T/unclosed.json" 2>"$T/unclosed.err"
  rc=$?
  if [ $rc -eq 0 ]; then ok "html-unclosed-tags"; else not_ok "html-unclosed-tags" "exit $rc: $(head -c 300 "$T/unclosed.err")"; fi
else
  skip "bad-markup" "$A is missing"
fi
# The library's own answer for the deep case: an error that says why.
got=$(timeout 120 "$P" prose html "$T/deep.html" | head -c 300)
case $got in
  "error: limit reached: the HTML parser ran out of its time budget"*|"|"*) ok "library-deep-html-result-or-clear-error" ;;
  *) not_ok "library-deep-html-result-or-clear-error" "$got" ;;
esac

# ---- the seeds as Markdown and HTML -------------------------------------------------------
if [ ! -d "$SEEDS" ]; then
  skip "seeds-markup" "../shared/corpus/seeds is absent"
elif [ -z "$(quotes_of "$T/ctl.txt" plain)" ]; then
  skip "seeds-markup" "the quote stage finds no quote yet"
else
  for f in "$SEEDS"/*.txt; do
    out=$("$NM_BUILD/tests/markup_seeds" "$f" 2>&1)
    rc=$?
    base=$(basename "$f" .txt)
    if [ $rc -eq 0 ]; then
      ok "seed $base as markdown and html ($(awk '{print $4}' <<<"$out" | head -1) quotes)"
    else
      not_ok "seed $base as markdown and html" "$(grep -v '^ok' <<<"$out" | head -5 | tr '\n' ';')"
    fi
  done
fi


# ---- Markdown and HTML in pieces ----------------------------------------------------
# markup.c parses a piece at a time (64 KB; Markdown cut only where nothing
# is open, HTML framed by the elements open around the piece). A probe
# built with 1-byte pieces cuts at every place it may: its mask must be the
# whole parse's, byte for byte, on the fixtures, the seeds as Markdown and
# HTML, random mixes of the Markdown blocks that span blank lines, and
# random well-formed pages (nested blocks, inline elements, void tags,
# comments, scripts, lists and paragraphs left unclosed).
if cc $CFLAGS_T -DNM_MARKUP_PIECE_BYTES=1u -I"$NM_BUILD/gen" $(pkg-config --cflags libpcre2-8 tree-sitter) \
  -o "$NM_BUILD/tests/markup_probe_pieces" "$M/probe.c" "$NM_ROOT/src/markup.c" $LIBS 2>"$T/cc.pieces"; then
  ok "markup-build-probe-pieces"
  PP=$NM_BUILD/tests/markup_probe_pieces
  mkdir -p "$T/pieces"
  python3 - "$T/pieces" <<'EOF'
import random, sys
random.seed(6)
pool = ["", "", "", "", "text “q” here", "said “a", "b” she", "```", "~~~", "````", "``` js", "   ```",
        "    code “x”", "- item “x", "  cont", "1. one", "> quote “z", ">", "<div>", "</div>", "<foo>",
        "<foo bar", "<!-- c", "-->", "<script>", "</script>", "<pre>", "</pre>", "<?php", "?>", "<!X", ">",
        "---", "+++", "===", "| a | b |", "|---|---|", "[x]: /u", "**b** [l](u) `c`", "\t tab", "# head “h”",
        "<![CDATA[", "]]>", "  - nested", "*", "<p>x</p>", "- ```", "  ```", "> ```", "Title", "* * *"]
for n in range(60):
    lines = [random.choice(pool) for _ in range(random.randint(3, 60))]
    nl = "\r\n" if n % 5 == 0 else "\n"
    open("%s/mix%02d.md" % (sys.argv[1], n), "w", encoding="utf-8").write(nl.join(lines) + nl)
EOF
  python3 - "$T/pieces" <<'EOF'
import random, sys
random.seed(7)
blocks = ["div", "section", "article", "aside", "nav", "footer", "ul", "blockquote", "table", "h2", "p", "pre"]
inl = ["em", "b", "a href='x>y'", "span class=\"related\"", "code", "i", "strong"]
words = ["text “q” here", " said “a", "b” she ", "&ldquo;x&rdquo; he said.", "&amp; more", "plain words", "\n", " "]
def inline(d):
    out = []
    for _ in range(random.randint(0, 6)):
        r = random.random()
        if r < 0.5 or d > 3: out.append(random.choice(words))
        elif r < 0.75:
            t = random.choice(inl)
            out.append("<%s>%s</%s>" % (t, inline(d + 1), t.split()[0]))
        elif r < 0.85: out.append(random.choice(["<br>", "<img src=\"a>b\">", "<wbr/>", "<!-- c “x” -->"]))
        else: out.append(random.choice(["<script>var a = '<p>“x”';</script>", "<style>p{}</style>"]))
    return "".join(out)
def block(d):
    t = random.choice(blocks)
    if d > 5 or random.random() < 0.3:
        if t == "ul": return "<ul>" + "".join("<li>" + inline(d) + random.choice(["</li>", ""]) for _ in range(3)) + "</ul>"
        if t == "table": return "<table><tr><td>" + inline(d) + "</td><td>" + inline(d) + "</td></tr></table>"
        if t == "p": return "<p>" + inline(d) + random.choice(["</p>", "</p>", ""]) + "\n"
        return "<%s>%s</%s>\n" % (t, inline(d), t)
    if t in ("ul", "table", "p", "h2", "pre"): t = "div"
    return "<%s>%s</%s>\n" % (t, "".join(block(d + 1) for _ in range(random.randint(1, 5))), t)
for n in range(40):
    body = "".join(block(0) for _ in range(random.randint(1, 12)))
    open("%s/page%02d.html" % (sys.argv[1], n), "w", encoding="utf-8").write(
        "<!DOCTYPE html><html><head><title>x</title><script>var x;</script></head><body><main>\n" + body
        + "</main></body></html>\n")
EOF
  [ -d "$SEEDS" ] && for f in "$SEEDS"/*.txt; do "$NM_BUILD/tests/markup_seeds" "$f" "$T/pieces" >/dev/null 2>&1; done
  for type in markdown html; do
    ext=md
    [ $type = html ] && ext=html
    differ=() n=0
    for f in "$M"/*.$ext "$T"/pieces/*.$ext; do
      "$P" mask $type "$f" >"$T/whole.mask" 2>&1
      "$PP" mask $type "$f" >"$T/pieces.mask" 2>&1
      cmp -s "$T/whole.mask" "$T/pieces.mask" || differ+=("$(basename "$f")")
      n=$((n + 1))
    done
    expect "$ext-pieces-same-mask ($n files)" "" "${differ[*]}"
  done
else
  not_ok "markup-build-probe-pieces" "$(head -c 400 "$T/cc.pieces")"
fi
# What the pieces fixture must give: nothing from its code, comments,
# scripts and declarations, the quotes around them at their offsets.
md=$M/pieces.md
q=$(quotes_of "$md" markdown)
s=$(offset "$md" '“After the HTML')
expect "md-pieces-quote-after-html-block" "direct $s $(( $(offset "$md" 'HTML block,”') + 14 )) she" "$(grep "^direct $s " <<<"$q")"
for part in 'code “with|- ```' 'a fence in a list|foo “x”' '<!-- a comment|“After' 'var b|</script>' \
  'code “d”|a declaration' 'a declaration|<pre>' 'y “z”|</pre>' 'code “in a fence|    indented' \
  'indented code “a”|- a loose'; do
  a=$(offset "$md" "${part%|*}") b=$(offset "$md" "${part#*|}")
  if no_quote_edge_in "$md" markdown "$a" "$b"; then ok "md-pieces-no-quote-from ${part%|*}"
  else not_ok "md-pieces-no-quote-from ${part%|*}" "$q"; fi
done

# Peak memory: the trees are released piece by piece, so a big document
# stays under 10x its size (the process's own ~8 MB included).
if [ "${NM_SAN:-}" = 1 ]; then
  skip "markup-peak-memory" "ASan's shadow memory makes the figure meaningless"
elif [ ! -x /usr/bin/time ] || [ ! -x "$A" ]; then
  skip "markup-peak-memory" "needs /usr/bin/time and $A"
else
  SAMPLE=$NM_ROOT/tests/sample/harbour-bridge.txt
  for ((i = 0; i < 520; i++)); do cat "$SAMPLE"; done >"$T/1m.txt"
  for ((i = 0; i < 8; i++)); do cat "$T/1m.txt"; done >"$T/8m.txt"
  awk 'BEGIN { RS = "" } { sub(/^[^ ]+/, "**&**"); print $0 " [link](https://example.com/story)\n" }' "$T/8m.txt" >"$T/8m.md"
  awk 'BEGIN { RS = ""; print "<!DOCTYPE html><html><head><title>x</title></head><body><article>" }
    { gsub(/&/, "\\&amp;"); gsub(/</, "\\&lt;"); gsub(/“/, "\\&ldquo;"); gsub(/”/, "\\&rdquo;"); print "<p>" $0 "</p>" }
    END { print "</article></body></html>" }' "$T/8m.txt" >"$T/8m.html"
  for f in 8m.md 8m.html; do
    size=$(wc -c <"$T/$f")
    timeout 300 /usr/bin/time -f %M -o "$T/rss" "$A" --format=json "$T/$f" >/dev/null 2>"$T/err"
    rc=$? kb=$(tail -1 "$T/rss")
    if [ $rc -ne 0 ]; then not_ok "markup-peak-memory $f" "status $rc: $(head -c 300 "$T/err")"
    elif [ $((kb * 1024)) -le $((10 * size)) ]; then ok "markup-peak-memory $f"
    else not_ok "markup-peak-memory $f" "peak $((kb / 1024)) MB for $((size / 1024)) KB, over 10x"; fi
    echo "# $f: $size bytes, peak $kb KB"
  done
fi

[ $failures -eq 0 ]
