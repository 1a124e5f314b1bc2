#!/bin/sh
# The Lua side (issue 3): the require("newsmark") API on lua5.4 (newsmark.core)
# and luajit (FFI over libnewsmark.so), the FFI library lookup, `make
# install` of the Lua files, and `annotate --rules` with good and bad rule
# files. One line per case: ok / not ok / skip.
NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
cd "$NM_ROOT" || exit 1

failed=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; failed=1; }
skip() { echo "skip - $1: $2"; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

LUA_TEST_PATH="tests/lua/?.lua;lua/?.lua;lua/?/init.lua"

# A sanitizer build (make test SAN=1) is loaded into lua5.4 and luajit as a
# module, so their processes need the sanitizer runtimes preloaded.
preload=
if [ "${NM_SAN:-}" = 1 ]; then
  preload="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
fi
with_san() { if [ -n "$preload" ]; then env LD_PRELOAD="$preload" "$@"; else "$@"; fi; }

# ---- the API on both runtimes ------------------------------------------------
if ! command -v lua5.4 >/dev/null; then
  not_ok "lua5.4" "lua5.4 is not installed (make setup)"
elif [ ! -f "$NM_BUILD/lua/newsmark/core.so" ]; then
  not_ok "lua5.4" "$NM_BUILD/lua/newsmark/core.so is missing: run make"
else
  with_san timeout 300 env LUA_CPATH="$NM_BUILD/lua/?.so" LUA_PATH="$LUA_TEST_PATH" lua5.4 tests/lua/api.lua || { echo "not ok - lua5.4: tests/lua/api.lua exited $?"; failed=1; }
fi

if ! command -v luajit >/dev/null; then
  not_ok "luajit" "luajit is not installed (make setup)"
elif [ ! -f "$NM_BUILD/libnewsmark.so" ]; then
  not_ok "luajit" "$NM_BUILD/libnewsmark.so is missing: run make"
else
  with_san timeout 300 env NEWSMARK_LIB="$NM_BUILD/libnewsmark.so" LUA_CPATH="" LUA_PATH="$LUA_TEST_PATH" luajit tests/lua/api.lua || { echo "not ok - luajit: tests/lua/api.lua exited $?"; failed=1; }

  # Without NEWSMARK_LIB the FFI backend finds build/libnewsmark.so from its
  # own file's place, as a plugin manager's checkout would have it.
  mkdir -p "$tmp/plugin/lua/newsmark" "$tmp/plugin/build"
  cp lua/newsmark/*.lua "$tmp/plugin/lua/newsmark/"
  cp "$NM_BUILD/libnewsmark.so" "$tmp/plugin/build/"
  got=$(cd / && with_san env -u NEWSMARK_LIB LUA_PATH="$tmp/plugin/lua/?.lua;$tmp/plugin/lua/?/init.lua" luajit -e '
    local nm = require("newsmark")
    io.write(nm.backend, " ", require("newsmark.ffi").library)' 2>&1)
  want="ffi $tmp/plugin/lua/newsmark/../../build/libnewsmark.so"
  [ "$got" = "$want" ] && ok "luajit: finds build/libnewsmark.so next to its checkout" ||
    not_ok "luajit: finds build/libnewsmark.so next to its checkout" "got '$got', want '$want'"
  rm "$tmp/plugin/build/libnewsmark.so"
  got=$(cd / && with_san env NEWSMARK_LIB=/nonexistent/libnewsmark.so LUA_PATH="$tmp/plugin/lua/?.lua;$tmp/plugin/lua/?/init.lua" \
    luajit -e 'local ok, err = pcall(require, "newsmark"); io.write(tostring(ok), " ", err)' 2>&1)
  case $got in
    "false newsmark: cannot load libnewsmark.so; build it with \`make\`, or set NEWSMARK_LIB. Tried: /nonexistent/libnewsmark.so (no such file); $tmp/plugin/lua/newsmark/../../build/libnewsmark.so (no such file);"*)
      ok "luajit: a clear error when libnewsmark.so is nowhere" ;;
    *) not_ok "luajit: a clear error when libnewsmark.so is nowhere" "got '$got'" ;;
  esac
fi

# ---- make install puts the module where lua5.4 finds it ----------------------
if [ -f "$NM_BUILD/lua/newsmark/core.so" ] && command -v lua5.4 >/dev/null; then
  if make -s -C "$NM_ROOT" B="$NM_BUILD" install-lua DESTDIR="$tmp/dest" PREFIX=/usr >"$tmp/install.log" 2>&1; then
    got=$(cd / && with_san env LUA_CPATH="$tmp/dest/usr/lib/lua/5.4/?.so" \
      LUA_PATH="$tmp/dest/usr/share/lua/5.4/?.lua;$tmp/dest/usr/share/lua/5.4/?/init.lua" lua5.4 -e '
      local nm = require("newsmark")
      local rules = assert(nm.load_rules(package.searchpath("newsmark.rules.house_style", package.path)))
      local doc = assert(assert(nm.engine({ rules = rules })):analyse("In Kiev."))
      for _, m in ipairs(doc.markers) do if m.rule == "house.kyiv" then io.write(nm.backend, " ", m.first, "-", m.last) end end' 2>&1)
    [ "$got" = "core 4-7" ] && ok "make install-lua: the installed module and rules work" ||
      not_ok "make install-lua: the installed module and rules work" "got '$got'"
  else
    not_ok "make install-lua" "$(tail -3 "$tmp/install.log" | tr '\n' ' ')"
  fi
fi

# ---- annotate --rules ----------------------------------------------------------
A=$NM_BUILD/annotate
if [ ! -x "$A" ]; then
  not_ok "annotate --rules" "$A is missing: run make"
elif ! "$A" --help 2>&1 | grep -q -- '--rules'; then
  skip "annotate --rules" "this annotate has no --rules option yet"
else
  printf '“We will win,” she said in Kiev. It cost $5 million.\n' >"$tmp/story.txt"

  # A good file: all three sorts of rule reach the output.
  "$A" --rules tests/lua/rules/good.lua --format=jsonl "$tmp/story.txt" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  for want in '"rule":"t.kyiv","start":31,"end":35,"text":"Kiev","message":"House style: Kyiv","severity":"warning"' \
      '"rule":"t.money","start":45,"end":55,"text":"$5 million"' \
      '"rule":"t.said","start":23,"end":27,"text":"said","message":"A cue","severity":"info"'; do
    grep -qF "$want" "$tmp/out" && ok "annotate --rules: marker $want" ||
      not_ok "annotate --rules: marker $want" "not in $(cat "$tmp/out") (stderr: $(cat "$tmp/err"))"
  done
  [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && ok "annotate --rules: exit 0, nothing on stderr" ||
    not_ok "annotate --rules: exit 0, nothing on stderr" "exit $rc, stderr: $(cat "$tmp/err")"

  # --list-rules shows id, kind and origin of every rule, function rules too.
  "$A" --rules tests/lua/rules/good.lua --list-rules >"$tmp/out" 2>&1
  for id in t.kyiv:style:tests/lua/rules/good.lua:3 t.money:figure:tests/lua/rules/good.lua:4 \
      t.said:sourcing:tests/lua/rules/good.lua:10; do
    line=$(echo "$id" | awk -F: '{ print $1 " " $2 " " $3 ":" $4 }')
    awk '{ print $1 " " $2 " " $3 }' "$tmp/out" | grep -qxF "$line" && ok "annotate --list-rules: $line" ||
      not_ok "annotate --list-rules: $line" "not in: $(grep '^t\.' "$tmp/out")"
  done

  # --disable and --only apply to function rules like to any rule.
  "$A" --rules tests/lua/rules/good.lua --disable t.said --format=jsonl "$tmp/story.txt" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 0 ] && ! grep -q '"t.said"' "$tmp/out" && grep -q '"t.kyiv"' "$tmp/out" &&
    ok "annotate --disable a function rule" || not_ok "annotate --disable a function rule" "exit $rc: $(cat "$tmp/err")"
  "$A" --rules tests/lua/rules/good.lua --only sourcing --format=jsonl "$tmp/story.txt" >"$tmp/out" 2>"$tmp/err"
  grep -q '"t.said"' "$tmp/out" && ! grep -q '"t.kyiv"' "$tmp/out" &&
    ok "annotate --only the kind of a function rule" || not_ok "annotate --only the kind of a function rule" "$(cat "$tmp/out" "$tmp/err")"

  # A syntax error: FILE:LINE: message, exit 2, before any output.
  "$A" --rules tests/lua/rules/good.lua --rules tests/lua/rules/syntax.lua "$tmp/story.txt" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  want="annotate: tests/lua/rules/syntax.lua:3: '}' expected near 'kind'"
  [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "$want" ] &&
    ok "annotate: a syntax error exits 2 with FILE:LINE: message and no output" ||
    not_ok "annotate: a syntax error exits 2 with FILE:LINE: message and no output" \
      "exit $rc, stdout $(wc -c <"$tmp/out") bytes, stderr '$(cat "$tmp/err")'"

  "$A" --rules tests/lua/rules/duplicate.lua "$tmp/story.txt" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  want='annotate: tests/lua/rules/duplicate.lua:4: rule "t.same": duplicate id (first at tests/lua/rules/duplicate.lua:2)'
  [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "$want" ] &&
    ok "annotate: a duplicate id exits 2" || not_ok "annotate: a duplicate id exits 2" "exit $rc, stderr '$(cat "$tmp/err")'"

  # A raising rule and a looping rule: named on stderr; the other rules' markers still come out.
  "$A" --rules tests/lua/rules/raise.lua --format=jsonl "$tmp/story.txt" >"$tmp/out" 2>"$tmp/err"
  want="annotate: $tmp/story.txt: tests/lua/rules/raise.lua:2: rule \"t.raise\" failed: tests/lua/rules/raise.lua:3: no speaker list in a table"
  [ "$(cat "$tmp/err")" = "$want" ] && grep -q '"rule":"t.first-byte","start":0,"end":1' "$tmp/out" &&
    ok "annotate: a raising rule is named, the others run" ||
    not_ok "annotate: a raising rule is named, the others run" "stderr '$(cat "$tmp/err")', stdout $(cat "$tmp/out")"

  start=$(date +%s)
  timeout 60 "$A" --rules tests/lua/rules/loop.lua --format=jsonl "$tmp/story.txt" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  took=$(( $(date +%s) - start ))
  want="annotate: $tmp/story.txt: tests/lua/rules/loop.lua:2: rule \"t.loop\" failed: stopped after 100000000 instructions (an endless loop?)"
  [ $rc -ne 124 ] && [ $took -le 10 ] && [ "$(cat "$tmp/err")" = "$want" ] &&
    grep -q '"rule":"t.first-byte"' "$tmp/out" && ok "annotate: an endless rule is stopped in ${took}s and named" ||
    not_ok "annotate: an endless rule is stopped and named" "exit $rc after ${took}s, stderr '$(cat "$tmp/err")'"

  printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab in Kiev\n' >"$tmp/regex.txt"
  timeout 60 "$A" --rules tests/lua/rules/regex.lua --format=jsonl "$tmp/regex.txt" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  want="annotate: $tmp/regex.txt: tests/lua/rules/regex.lua:2: rule \"t.backtrack\": match limit exceeded at byte 0; the rest of the text was not checked with this rule (simplify the pattern)"
  [ $rc -ne 124 ] && [ "$(cat "$tmp/err")" = "$want" ] && grep -q '"rule":"t.kyiv","start":45,"end":49' "$tmp/out" &&
    ok "annotate: a catastrophic regex stops at the match limit, named" ||
    not_ok "annotate: a catastrophic regex stops at the match limit, named" "exit $rc, stderr '$(cat "$tmp/err")'"

  # Many documents through one Lua state: each gets its own function-rule markers, no more.
  for i in 1 2 3; do cp "$tmp/story.txt" "$tmp/s$i.txt"; done
  one=$("$A" --rules tests/lua/rules/good.lua --format=jsonl "$tmp/s1.txt" | grep -o '"rule":"t.said"' | wc -l)
  three=$("$A" --rules tests/lua/rules/good.lua --format=jsonl "$tmp/s1.txt" "$tmp/s2.txt" "$tmp/s3.txt" |
    while read -r line; do echo "$line" | grep -o '"rule":"t.said"' | wc -l; done | tr '\n' ' ')
  [ "$one" -ge 1 ] && [ "$three" = "$one $one $one " ] && ok "annotate: function rules run once per document" ||
    not_ok "annotate: function rules run once per document" "one document: $one t.said markers; three: $three"
fi

exit $failed
