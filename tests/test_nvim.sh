#!/bin/sh
# The Neovim plugin (issues 4 and 7), headless: nvim --headless -u tests/minimal_init.lua
# runs each tests/nvim/*.lua file, which prints one line per case
# (compare.lua: :Newsmark compare on our fixtures; compare_seeds.lua: on the
# five seeds, skipped without ../shared). Also
# :checkhealth with the library missing or stale (in a copy of the plugin),
# and :help newsmark from the vimdoc. One line per case: ok / not ok / skip.
NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
cd "$NM_ROOT" || exit 1

# Neovim is not built with ASan, so it cannot load the sanitized library of
# `make test SAN=1`; the plain `make test` run covers the plugin.
if [ "${NM_SAN:-}" = 1 ]; then
  echo "skip - nvim: Neovim cannot load the ASan-built library (covered by the plain make test run)"
  exit 0
fi

failed=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; failed=1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'rm -rf "$tmp"; exit 130' INT TERM

if ! command -v nvim >/dev/null; then
  not_ok "nvim" "nvim is not installed (make setup)"
  exit 1
fi
lib=$NM_BUILD/libnewsmark.so
if [ ! -f "$lib" ]; then
  not_ok "nvim" "$lib is missing: run make"
  exit 1
fi
export NM_SHARED="${NM_SHARED:-$NM_ROOT/../shared}"

# nvim_run NAME ROOT FILE [VAR=VALUE...]: run ROOT/tests/nvim/FILE in a clean
# headless Neovim with ROOT as the plugin; pass its case lines on. A crash,
# a hang (timeout) or a non-zero exit with no failing case is one failure.
nvim_run() {
  name=$1 root=$2 file=$3
  shift 3
  env NEWSMARK_LIB="$lib" "$@" timeout -k 5 120 nvim --headless -u "$root/tests/minimal_init.lua" \
    -c "luafile $root/tests/nvim/$file" -c "cquit 2" </dev/null >"$tmp/out" 2>"$tmp/err"
  rc=$?
  grep -E '^(ok|not ok|skip) - |^# ' "$tmp/out"
  if grep -q '^not ok - ' "$tmp/out"; then
    failed=1
  elif [ $rc -ne 0 ]; then
    not_ok "$name" "nvim exited with status $rc: $(tr '\n' ' ' <"$tmp/err" | cut -c1-400)"
  elif ! grep -qE '^(ok|skip) - ' "$tmp/out"; then
    not_ok "$name" "no case ran: $(tr '\n' ' ' <"$tmp/err" | cut -c1-400)"
  fi
}

for file in edit.lua rules.lua seeds.lua large.lua compare.lua compare_seeds.lua; do
  nvim_run "nvim ${file%.lua}" "$NM_ROOT" "$file"
done
nvim_run "nvim health" "$NM_ROOT" health.lua NM_HEALTH_EXPECT=pass

# A user's init.lua: require("newsmark").setup() before anything else loaded
# the plugin's code.
got=$(NEWSMARK_LIB="$lib" timeout -k 5 60 nvim --headless -u tests/minimal_init.lua \
  -c 'lua local ok, err = pcall(function() return require("newsmark").setup({ auto_enable = true }) end) io.stdout:write(tostring(ok) .. " " .. tostring(err) .. "\n")' \
  -c "qall!" </dev/null 2>&1)
[ "$got" = "true true" ] && ok "nvim: require('newsmark').setup() works as the first call in init.lua" ||
  not_ok "nvim: require('newsmark').setup() works as the first call in init.lua" "got '$got'"

# `make install` puts the plugin on Neovim's default packpath, and it finds
# the installed library with no NEWSMARK_LIB.
if make -s -C "$NM_ROOT" B="$NM_BUILD" install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1; then
  got=$(cd / && env -u NEWSMARK_LIB timeout -k 5 60 nvim --headless -u NONE -i NONE \
    --cmd "set packpath=$tmp/prefix/share/nvim/site" --cmd "packloadall" \
    -c 'lua local ok, err = pcall(function() local p = require("newsmark.plugin") vim.api.nvim_buf_set_lines(0, 0, -1, false, { "“We will win,” the mayor said." }) vim.cmd("Newsmark enable") return #vim.api.nvim_buf_get_extmarks(0, p.ns, 0, -1, {}) .. " " .. require("newsmark.ffi").library end) io.stdout:write(tostring(ok) .. " " .. tostring(err) .. "\n")' \
    -c "qall!" </dev/null 2>&1)
  case $got in
    "true "[1-9]*" $tmp/prefix/share/nvim/site/pack/newsmark/start/newsmark/lua/newsmark/../../build/libnewsmark.so")
      ok "nvim: the installed plugin loads from the packpath and finds the installed library" ;;
    *) not_ok "nvim: the installed plugin loads from the packpath and finds the installed library" "got '$got'" ;;
  esac
else
  not_ok "nvim: make install" "$(tail -3 "$tmp/install.log" | tr '\n' ' ')"
fi

# A copy of the plugin as a plugin manager would check it out, without a
# build: no library anywhere (NEWSMARK_LIB points nowhere).
copy_plugin() {
  mkdir -p "$1/lua" "$1/tests/nvim"
  cp -R lua/newsmark "$1/lua/"
  cp -R plugin doc "$1/"
  cp tests/minimal_init.lua "$1/tests/"
  cp tests/nvim/harness.lua tests/nvim/health.lua "$1/tests/nvim/"
}
copy_plugin "$tmp/missing"
lib=$tmp/nowhere/libnewsmark.so
nvim_run "nvim health, no library" "$tmp/missing" health.lua NM_HEALTH_EXPECT=missing

# A stale build: the library is older than the sources beside it, and the
# header there carries another version.
copy_plugin "$tmp/stale"
mkdir -p "$tmp/stale/build" "$tmp/stale/src"
cp "$NM_BUILD/libnewsmark.so" "$tmp/stale/build/"
touch -d '2001-01-01' "$tmp/stale/build/libnewsmark.so"
sed -e 's/^#define NM_VERSION_MAJOR .*/#define NM_VERSION_MAJOR 9/' \
  -e 's/^#define NM_VERSION_MINOR .*/#define NM_VERSION_MINOR 9/' \
  -e 's/^#define NM_VERSION_PATCH .*/#define NM_VERSION_PATCH 9/' src/newsmark.h >"$tmp/stale/src/newsmark.h"
cp src/doc.c "$tmp/stale/src/doc.c"
touch -d '2001-01-01' "$tmp/stale/src/newsmark.h"
lib=$tmp/stale/build/libnewsmark.so
nvim_run "nvim health, stale library" "$tmp/stale" health.lua NM_HEALTH_EXPECT=stale

# :help newsmark, after :helptags on the doc folder (in a copy: the tags
# file is generated, and not part of the repo).
copy_plugin "$tmp/help"
got=$(timeout -k 5 60 nvim --headless -u NONE -i NONE --cmd "set rtp^=$tmp/help" \
  -c "helptags $tmp/help/doc" -c "help newsmark" \
  -c 'lua io.stdout:write(vim.fn.expand("%:t") .. " " .. vim.fn.getline(".") .. "\n")' -c "qall!" </dev/null 2>&1)
case $got in
  *"newsmark.txt "*"*newsmark*"*) ok "nvim: :help newsmark opens doc/newsmark.txt" ;;
  *) not_ok "nvim: :help newsmark opens doc/newsmark.txt" "got '$got'" ;;
esac
missing_tags=""
for tag in newsmark-install newsmark-setup newsmark-commands newsmark-highlights newsmark-rules newsmark-health \
  :Newsmark newsmark.setup\(\) '<Plug>(newsmark-next-quote)'; do
  grep -qF "*$tag*" doc/newsmark.txt || missing_tags="$missing_tags $tag"
done
[ -z "$missing_tags" ] && ok "nvim: doc/newsmark.txt has the sections' tags" ||
  not_ok "nvim: doc/newsmark.txt has the sections' tags" "missing:$missing_tags"
tail -n 1 doc/newsmark.txt | grep -q '^ vim:.*ft=help' && ok "nvim: doc/newsmark.txt ends with a help modeline" ||
  not_ok "nvim: doc/newsmark.txt ends with a help modeline" "last line: $(tail -n 1 doc/newsmark.txt)"

exit $failed
