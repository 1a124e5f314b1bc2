#!/usr/bin/env bash
# annotate --format=html in a real browser: headless Chromium loads the page
# and dumps its DOM; the quote elements, the speakers' hover notes, the
# sources panel and the marker list must all be there and agree with
# annotate --format=json on the same input. Plain, Markdown and HTML input.
# Set NM_SCREENSHOT=FILE.png to keep a screenshot of the Markdown page.
set -uo pipefail

NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
A=$NM_BUILD/annotate
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT

failures=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; failures=$((failures + 1)); }
skip() { echo "skip - $1: $2"; }

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  skip "browser" "no chromium on this machine (make setup installs it)"
  exit 0
fi
if [ ! -x "$A" ]; then
  not_ok "browser" "$A is missing (run make first)"
  exit 1
fi

# chrome ARGS...: one headless run with a throwaway profile.
chrome() {
  local profile
  profile=$(mktemp -d "$T/profile.XXXX")
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$profile" "$@" 2>"$T/chrome.err"
}

# check.py DOM JSON INPUT NAME: compare the rendered DOM with the JSON.
cat >"$T/check.py" <<'EOF'
import html.parser, json, sys
dom_path, json_path, src_path, name = sys.argv[1:5]
doc = json.load(open(json_path, encoding="utf-8"))
src = open(src_path, "rb").read()

class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.quotes, self.sources, self.markers = [], {}, [], 0
        self.article_text, self.in_article, self.panel = [], 0, False
        self.source_names, self.in_source_name = [], False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "").split()
        self.stack.append((tag, cls))
        if tag == "article": self.in_article += 1
        if "nm-q" in cls and self.in_article:
            q = int(a["data-quote"])
            self.quotes.setdefault(q, []).append(a.get("title", ""))
        if "nm-sources-panel" in cls: self.panel = True
        if tag == "tr" and "nm-source" in cls and "nm-source-none" not in cls: self.sources.append(a)
        if "nm-source-name" in cls: self.in_source_name = True; self.source_names.append("")
        if tag == "li" and any(t == "ol" and "nm-markers" in c for t, c in self.stack[:-1]): self.markers += 1
    def handle_endtag(self, tag):
        while self.stack:
            t, cls = self.stack.pop()
            if t == "article": self.in_article -= 1
            if "nm-source-name" in cls: self.in_source_name = False
            if t == tag: break
    def handle_data(self, data):
        if self.in_article: self.article_text.append(data)
        if self.in_source_name: self.source_names[-1] += data

d = Dom()
d.feed(open(dom_path, encoding="utf-8").read())
def report(case, good, why=""):
    print(("ok - " if good else "not ok - ") + f"{name}-{case}" + ("" if good else ": " + why))

quotes = doc["quotes"]
missing = [i for i in range(len(quotes)) if i not in d.quotes]
report("quote-elements", len(quotes) > 0 and not missing,
       f"{len(quotes)} quotes in JSON, missing in the DOM: {missing[:10]}")
bad_notes = []
for i, q in enumerate(quotes):
    for title in d.quotes.get(i, []):
        if not title.startswith(q["kind"] + " quote"): bad_notes.append((i, title[:60]))
        sp = q.get("speaker")
        if q["kind"] != "term" and sp:
            if "speaker: " + src[sp["start"]:sp["end"]].decode("utf-8", "replace") not in title:
                bad_notes.append((i, title[:80]))
        if q.get("cue") and "cue: " not in title: bad_notes.append((i, "no cue: " + title[:60]))
report("speaker-notes", not bad_notes, f"{bad_notes[:3]}")
names = [e["name"] for e in doc["entities"]]
report("sources-panel", d.panel and [s.strip() for s in d.source_names] == names,
       f"panel={d.panel} DOM sources {d.source_names[:5]} vs JSON {names[:5]}")
report("marker-list", d.markers == len(doc["markers"]), f"{d.markers} in the DOM, {len(doc['markers'])} in JSON")
text = "".join(d.article_text)
leaks = [s for s in ("**", "](http", "```", "<em>", "&ldquo;", "<p>", "&#8220;") if s in text]
report("prose-only", not leaks, f"markup shown as text: {leaks}")
EOF

check_page() { # check_page NAME INPUT-FILE [ANNOTATE-ARGS...]
  local name=$1 input=$2
  shift 2
  if ! "$A" --format=html "$@" "$input" >"$T/$name.html" 2>"$T/$name.err"; then
    not_ok "$name-render" "annotate --format=html failed: $(head -c 300 "$T/$name.err")"
    return
  fi
  "$A" --format=json "$@" "$input" >"$T/$name.json" 2>/dev/null
  if ! chrome --dump-dom "file://$T/$name.html" >"$T/$name.dom" || [ ! -s "$T/$name.dom" ]; then
    not_ok "$name-dump-dom" "chromium failed: $(tail -c 300 "$T/chrome.err")"
    return
  fi
  ok "$name-dump-dom"
  python3 "$T/check.py" "$T/$name.dom" "$T/$name.json" "$input" "$name"
}

check_page plain "$NM_ROOT/tests/sample/harbour-bridge.txt"
check_page markdown "$NM_ROOT/tests/markup/quote.md"
check_page html "$NM_ROOT/tests/markup/quote.html"

# One screenshot: it must be a real PNG of the requested size.
shot=${NM_SCREENSHOT:-$T/shot.png}
if chrome --screenshot="$shot" --window-size=1200,900 --hide-scrollbars "file://$T/markdown.html" >/dev/null &&
  [ "$(head -c 8 "$shot" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; then
  size=$(python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", b[16:24]))' "$shot")
  if [ "$size" = "1200x900" ]; then ok "screenshot"; else not_ok "screenshot" "size $size"; fi
else
  not_ok "screenshot" "no PNG: $(tail -c 300 "$T/chrome.err")"
fi

# The check itself can fail: a page without its sources panel must not pass.
sed 's/nm-sources-panel/nm-gone/' "$T/markdown.html" >"$T/broken.html"
chrome --dump-dom "file://$T/broken.html" >"$T/broken.dom"
python3 "$T/check.py" "$T/broken.dom" "$T/markdown.json" "$NM_ROOT/tests/markup/quote.md" broken >"$T/broken.out" 2>&1
if grep -q '^not ok - broken-sources-panel' "$T/broken.out"; then ok "browser-check-can-fail"
else not_ok "browser-check-can-fail" "a page without the sources panel passed"; fi

[ $failures -eq 0 ]
