#!/usr/bin/env bash
# `make install` into a temporary DESTDIR, then build and run small C
# programs against that tree through newsmark.pc (shared and static), run
# the installed annotate, and check that `make uninstall` removes it all.
set -uo pipefail

NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT
D=$T/root
PREFIX=/usr/local

failures=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; failures=$((failures + 1)); }
check() {
  local name=$1 why=$2
  shift 2
  if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}

version=$(sed -n 's/^#define NM_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' "$NM_ROOT/src/newsmark.h" | paste -sd.)
soname=libnewsmark.so.${version%.*}

if ! make -s -C "$NM_ROOT" B="$NM_BUILD" SAN="${NM_SAN:-}" install DESTDIR="$D" PREFIX="$PREFIX" >"$T/log" 2>&1; then
  not_ok make-install "$(grep -v warning "$T/log" | tail -3)"
  exit 1
fi
ok make-install

missing=""
for f in lib/libnewsmark.a "lib/libnewsmark.so.$version" "lib/$soname" lib/libnewsmark.so \
  include/newsmark.h lib/pkgconfig/newsmark.pc bin/annotate share/man/man1/annotate.1; do
  [ -e "$D$PREFIX/$f" ] || missing="$missing $f"
done
check installed-files "missing:$missing" [ -z "$missing" ]
links="$(readlink "$D$PREFIX/lib/libnewsmark.so") $(readlink "$D$PREFIX/lib/$soname")"
check soname-links "links: $links" [ "$links" = "$soname libnewsmark.so.$version" ]
check soname-in-library "SONAME of the installed library is not $soname" \
  grep -q "Library soname: \[$soname\]" <(readelf -d "$D$PREFIX/lib/libnewsmark.so.$version")

# Find the .pc in the staged tree; the sysroot maps its /usr/local paths there.
export PKG_CONFIG_PATH=$D$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_SYSROOT_DIR=$D
check pc-version "pkg-config says '$(pkg-config --modversion newsmark 2>&1)'" \
  [ "$(pkg-config --modversion newsmark 2>&1)" = "$version" ]

cat >"$T/hello.c" <<'EOF'
#include <newsmark.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  static const char text[] = "\xe2\x80\x9cWe will not wait,\xe2\x80\x9d said Mayor Helen Okafor.";
  char err[256];
  nm_engine *engine = nm_engine_new(err, sizeof err);
  if (!engine) { fprintf(stderr, "engine: %s\n", err); return 1; }
  nm_doc *doc = nm_doc_new(engine, text, strlen(text), NM_INPUT_PLAIN, NULL, err, sizeof err);
  if (!doc) { fprintf(stderr, "doc: %s\n", err); return 1; }
  size_t start = 0, end = 0;
  int has = nm_doc_quote_count(doc) > 0 && nm_doc_quote_part(doc, 0, NM_PART_QUOTE, &start, &end);
  printf("newsmark %s (%d), header %d.%d.%d, %zu quote(s), first [%zu,%zu)\n", nm_version(),
         nm_version_number(), NM_VERSION_MAJOR, NM_VERSION_MINOR, NM_VERSION_PATCH,
         nm_doc_quote_count(doc), has ? start : 0, has ? end : 0);
  nm_doc_delete(doc);
  nm_engine_delete(engine);
  return 0;
}
EOF
read -r -a flags <<<"$(pkg-config --cflags --libs newsmark)"
# Under `make test SAN=1` the library is sanitized, so the program must be too.
read -r -a san <<<"${NM_SAN_FLAGS:-}"
if cc -std=c11 -Wall -Wextra -Werror "${san[@]}" -o "$T/hello" "$T/hello.c" "${flags[@]}" 2>"$T/cc.err"; then
  ok compile-with-pkg-config
  expected="newsmark $version ($(echo "$version" | awk -F. '{print $1 * 10000 + $2 * 100 + $3}')), header $version, 1 quote(s), first [0,23)"
  got=$(LD_LIBRARY_PATH=$D$PREFIX/lib "$T/hello" 2>&1)
  check run-shared "got '$got'" [ "$got" = "$expected" ]
  check uses-staged-library "ldd: $(LD_LIBRARY_PATH=$D$PREFIX/lib ldd "$T/hello" | grep newsmark)" \
    grep -q "$soname => $D$PREFIX/lib/$soname" <(LD_LIBRARY_PATH=$D$PREFIX/lib ldd "$T/hello")
  # Static: the archive plus what Requires.private brings (PCRE2, tree-sitter).
  read -r -a static_libs <<<"$(pkg-config --static --libs newsmark | sed 's/-lnewsmark//')"
  if cc -std=c11 "${san[@]}" -o "$T/hello-static" "$T/hello.c" $(pkg-config --cflags newsmark) \
    "$D$PREFIX/lib/libnewsmark.a" "${static_libs[@]}" 2>"$T/cc.err"; then
    got=$("$T/hello-static" 2>&1)
    check run-static "got '$got'" [ "$got" = "$expected" ]
  else
    not_ok run-static "does not link: $(head -3 "$T/cc.err")"
  fi
else
  not_ok compile-with-pkg-config "$(head -5 "$T/cc.err")"
fi

got=$("$D$PREFIX/bin/annotate" --version 2>&1)
check installed-annotate "got '$got'" [ "$got" = "annotate (newsmark) $version" ]
if command -v groff >/dev/null; then
  check man-page-clean "groff: $(groff -man -ww -z "$D$PREFIX/share/man/man1/annotate.1" 2>&1 | head -2)" \
    [ -z "$(groff -man -ww -z "$D$PREFIX/share/man/man1/annotate.1" 2>&1)" ]
else
  echo "skip - man-page-clean: groff is not installed"
fi

if make -s -C "$NM_ROOT" B="$NM_BUILD" SAN="${NM_SAN:-}" uninstall DESTDIR="$D" PREFIX="$PREFIX" >"$T/log" 2>&1; then
  left=$(cd "$D" && find . \( -type f -o -type l \) | sort | tr '\n' ' ')
  check make-uninstall "left behind: $left" [ -z "$left" ]
else
  not_ok make-uninstall "$(tail -3 "$T/log")"
fi

[ $failures -eq 0 ]
