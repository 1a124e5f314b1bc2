#!/bin/sh
# :Newsmark compare in headless Neovim (issue 7): tests/nvim/compare.lua on
# our fixtures (tests/compare/outlet_*.txt), tests/nvim/compare_seeds.lua on
# the five seeds (skipped without ../shared). One line per case:
# ok / not ok / skip; lines starting with # are measurements.
NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
cd "$NM_ROOT" || exit 1

# Neovim cannot load the ASan-built library of `make test SAN=1`.
if [ "${NM_SAN:-}" = 1 ]; then
  echo "skip - nvim compare: Neovim cannot load the ASan-built library (covered by the plain make test run)"
  exit 0
fi

failed=0
not_ok() { echo "not ok - $1: $2"; failed=1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'rm -rf "$tmp"; exit 130' INT TERM

if ! command -v nvim >/dev/null; then
  not_ok "nvim compare" "nvim is not installed (make setup)"
  exit 1
fi
lib=$NM_BUILD/libnewsmark.so
if [ ! -f "$lib" ]; then
  not_ok "nvim compare" "$lib is missing: run make"
  exit 1
fi
export NM_SHARED="${NM_SHARED:-$NM_ROOT/../shared}"

# A crash, a hang (timeout) or a non-zero exit with no failing case is one
# failure; so is a file where no case ran.
for file in compare.lua compare_seeds.lua; do
  env NEWSMARK_LIB="$lib" timeout -k 5 120 nvim --headless -u "$NM_ROOT/tests/minimal_init.lua" \
    -c "luafile $NM_ROOT/tests/nvim/$file" -c "cquit 2" </dev/null >"$tmp/out" 2>"$tmp/err"
  rc=$?
  grep -E '^(ok|not ok|skip) - |^# ' "$tmp/out"
  if grep -q '^not ok - ' "$tmp/out"; then
    failed=1
  elif [ $rc -ne 0 ]; then
    not_ok "nvim ${file%.lua}" "nvim exited with status $rc: $(tr '\n' ' ' <"$tmp/err" | cut -c1-400)"
  elif ! grep -qE '^(ok|skip) - ' "$tmp/out"; then
    not_ok "nvim ${file%.lua}" "no case ran: $(tr '\n' ' ' <"$tmp/err" | cut -c1-400)"
  fi
done

exit $failed
