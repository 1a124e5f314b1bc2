#!/usr/bin/env bash
# tests/compare/mapreduce.sh FILE...: the archive-scale comparison of
# README "Comparing outlets", run locally with `sort` as the shuffle:
#
#   annotate --format=jsonl FILE...            (pass 0: the articles, as on a cluster)
#   | mr_map.py | sort | mr_reduce.py          (pass 1: signature -> quote; verify per key)
#   | sort -u | mr_reduce.py --merge           (pass 2: pairs -> groups, one reducer)
#
# Prints one JSON group a line. NM_BUILD picks annotate and libnewsmark.so.
set -euo pipefail

NM_ROOT=${NM_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NM_BUILD=${NM_BUILD:-$NM_ROOT/build}
case $NM_BUILD in /*) ;; *) NM_BUILD=$NM_ROOT/$NM_BUILD ;; esac
export NM_BUILD
C=$NM_ROOT/tests/compare
[ $# -gt 0 ] || { echo "usage: mapreduce.sh FILE..." >&2; exit 2; }

# The shuffle sorts bytes, as Hadoop's does, whatever the locale.
export LC_ALL=C
"$NM_BUILD/annotate" --format=jsonl "$@" |
  python3 "$C/mr_map.py" |
  sort -t "$(printf '\t')" -k1,1 -s |
  python3 "$C/mr_reduce.py" |
  sort -u |
  python3 "$C/mr_reduce.py" --merge
