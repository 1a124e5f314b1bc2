#!/bin/sh
# The Neovim plugin on a real screen: tmux runs nvim on an article, we type
# :Newsmark enable, and capture-pane must show the speaker's virtual text.
# One line per case: ok / not ok / skip.
NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
cd "$NM_ROOT" || exit 1

# Neovim is not built with ASan, so it cannot load the sanitized library of
# `make test SAN=1`; the plain `make test` run covers the plugin.
if [ "${NM_SAN:-}" = 1 ]; then
  echo "skip - screen: Neovim cannot load the ASan-built library (covered by the plain make test run)"
  exit 0
fi

failed=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; failed=1; }
skip() { echo "skip - $1: $2"; }

for tool in tmux nvim; do
  if ! command -v $tool >/dev/null; then
    not_ok "screen" "$tool is not installed (make setup)"
    exit 1
  fi
done
if [ ! -f "$NM_BUILD/libnewsmark.so" ]; then
  not_ok "screen" "$NM_BUILD/libnewsmark.so is missing: run make"
  exit 1
fi

# A tmux server of our own, so no user's session is touched.
sock="nm-screen-$$-0"
cases=0
tmp=$(mktemp -d) || exit 1
cleanup() { tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# screen_case NAME FILE WANT: open FILE, enable newsmark, wait up to 10 s
# for WANT to appear on the screen.
screen_case() {
  name=$1 file=$2 want=$3
  # A fresh server per case: reusing a socket races the old server's exit
  # ("server exited unexpectedly").
  tmux -L "$sock" kill-server 2>/dev/null
  cases=$((cases + 1))
  sock="nm-screen-$$-$cases"
  if ! TERM=xterm-256color tmux -L "$sock" -f /dev/null new-session -d -x 140 -y 50 \
    "env NEWSMARK_LIB='$NM_BUILD/libnewsmark.so' nvim -i NONE -u '$NM_ROOT/tests/minimal_init.lua' '$file'" 2>"$tmp/err"; then
    not_ok "$name" "tmux could not start: $(cat "$tmp/err")"
    return
  fi
  # Wait for nvim to draw the file before typing.
  i=0
  while [ $i -lt 50 ]; do
    tmux -L "$sock" capture-pane -p >"$tmp/screen" 2>/dev/null
    grep -q '[^~ ]' "$tmp/screen" && break
    sleep 0.1; i=$((i + 1))
  done
  tmux -L "$sock" send-keys ':Newsmark enable' Enter
  i=0
  while [ $i -lt 100 ]; do
    tmux -L "$sock" capture-pane -p >"$tmp/screen" 2>/dev/null
    if grep -qF -- "$want" "$tmp/screen"; then
      ok "$name"
      return
    fi
    sleep 0.1; i=$((i + 1))
  done
  not_ok "$name" "'$want' not on screen after 10 s; screen: $(grep -v '^~ *$' "$tmp/screen" | tr -s ' \n' ' ' | cut -c1-600)"
}

screen_case "screen: the fixture shows '— Jane Doe' after its quote" \
  "$NM_ROOT/tests/nvim/fixture.txt" "“It is not over,” said Jane Doe. “We will appeal.” — Jane Doe"

seed=$NM_ROOT/../shared/corpus/seeds/000_fcc97c8298ce44a5.txt
if [ -f "$seed" ]; then
  screen_case "screen: seed 000 shows '— Choe Son Hui (North Korean Foreign Minister)'" \
    "$seed" "— Choe Son Hui (North Korean Foreign Minister)"
else
  skip "screen: seed 000" "$seed is absent (the shared corpus is not checked out beside the repo)"
fi
exit $failed
