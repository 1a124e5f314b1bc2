#!/usr/bin/env python3
"""Reduce steps of the quote comparison at archive scale (README: "Comparing outlets").

  mr_reduce.py          pass 1 reduce: stdin is mr_map.py's output sorted by
                        key (the shuffle). For each key, libnewsmark's
                        nm_compare verifies which of its quotes report the
                        same words; each kept pair is one line:
                        FILE<TAB>QUOTE<TAB>FILE<TAB>QUOTE<TAB>PAIR-JSON.
                        A key held by more than 64 quotes ("one of the")
                        says nothing and is skipped, as in compare.c.
  mr_reduce.py --merge  pass 2 reduce (one reducer): the pairs, joined into
                        groups (union-find), one JSON object a line:
                        {"members": [...], "variant": bool, "differences": [...]}.

The comparison itself is the library's, called through ctypes:
libnewsmark.so is found through $NM_LIB, else $NM_BUILD/libnewsmark.so,
else next to this script (ship it with the job: Hadoop's -files).
"""
import ctypes
import json
import os
import sys

POSTING_CAP = 64


def load_library():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("NM_LIB")]
    if os.environ.get("NM_BUILD"):
        candidates.append(os.path.join(os.environ["NM_BUILD"], "libnewsmark.so"))
    candidates += [os.path.join(here, "libnewsmark.so"), "libnewsmark.so"]
    for path in candidates:
        if not path:
            continue
        try:
            lib = ctypes.CDLL(path)
            break
        except OSError:
            continue
    else:
        sys.stderr.write("mr_reduce: cannot load libnewsmark.so (set NM_LIB)\n")
        sys.exit(2)
    sz, p = ctypes.c_size_t, ctypes.c_void_p
    psz = ctypes.POINTER(sz)
    sigs = {
        "nm_compare_new": (p, [ctypes.c_char_p, sz]),
        "nm_compare_delete": (None, [p]),
        "nm_compare_add_quote": (ctypes.c_int, [p, ctypes.c_char_p, ctypes.c_char_p, sz, ctypes.c_long, sz, sz,
                                                ctypes.c_char_p, ctypes.c_int, sz, sz]),
        "nm_compare_run": (ctypes.c_int, [p]),
        "nm_compare_group_count": (sz, [p]),
        "nm_compare_group_size": (sz, [p, sz]),
        "nm_compare_group_member": (sz, [p, sz, sz]),
        "nm_compare_group_parent": (ctypes.c_long, [p, sz, sz]),
        "nm_compare_group_diff_count": (sz, [p, sz]),
        "nm_compare_group_diff": (ctypes.c_int, [p, sz, sz, psz, psz, psz, psz, psz, psz]),
        "nm_compare_quote_id": (ctypes.c_long, [p, sz]),
        "nm_diff_kind_name": (ctypes.c_char_p, [ctypes.c_int]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib


def verify(lib, records, out):
    """Compare the quotes under one key; write each kept pair."""
    err = ctypes.create_string_buffer(256)
    cmp = lib.nm_compare_new(err, len(err))
    if not cmp:
        sys.stderr.write("mr_reduce: %s\n" % err.value.decode())
        sys.exit(2)
    try:
        for i, r in enumerate(records):
            ctx = r["ctx"].encode()
            start = r["at"]
            end = start + r.get("len", r["end"] - r["start"])
            speaker = r["speaker"].encode() if r.get("speaker") else None
            # Each record its own document: quotes of one file never overlap here.
            name = ("%s#%d" % (r["file"], r["quote"])).encode()
            if lib.nm_compare_add_quote(cmp, name, ctx, len(ctx), i, start, end, speaker,
                                        1 if r.get("anonymous") else 0, 0, 0) != 0:
                sys.stderr.write("mr_reduce: a record's span does not fit its text: %s#%s\n"
                                 % (r["file"], r["quote"]))
                continue
        if lib.nm_compare_run(cmp) != 0:
            sys.stderr.write("mr_reduce: out of memory\n")
            sys.exit(2)
        a, b = ctypes.c_size_t(), ctypes.c_size_t()
        spans = [ctypes.c_size_t() for _ in range(4)]
        for g in range(lib.nm_compare_group_count(cmp)):
            kinds = {}
            for k in range(lib.nm_compare_group_diff_count(cmp, g)):
                kind = lib.nm_compare_group_diff(cmp, g, k, ctypes.byref(a), ctypes.byref(spans[0]),
                                                 ctypes.byref(spans[1]), ctypes.byref(b), ctypes.byref(spans[2]),
                                                 ctypes.byref(spans[3]))
                kinds.setdefault((a.value, b.value), []).append(lib.nm_diff_kind_name(kind).decode())
            for m in range(lib.nm_compare_group_size(cmp, g)):
                parent = lib.nm_compare_group_parent(cmp, g, m)
                if parent < 0:
                    continue
                qa = lib.nm_compare_group_member(cmp, g, parent)
                qb = lib.nm_compare_group_member(cmp, g, m)
                ra = records[lib.nm_compare_quote_id(cmp, qa)]
                rb = records[lib.nm_compare_quote_id(cmp, qb)]
                x, y = sorted([ra, rb], key=lambda r: (r["file"], r["quote"]))
                pair = {"a": {k: x[k] for k in ("file", "quote", "start", "end")},
                        "b": {k: y[k] for k in ("file", "quote", "start", "end")},
                        "differences": sorted(kinds.get((qa, qb), []))}
                out.write("%s\t%d\t%s\t%d\t%s\n" % (x["file"], x["quote"], y["file"], y["quote"],
                                                    json.dumps(pair, ensure_ascii=False, sort_keys=True)))
    finally:
        lib.nm_compare_delete(cmp)


def reduce_pairs(lib):
    out = sys.stdout
    key, records, seen = None, [], set()

    def flush():
        if 2 <= len(records) <= POSTING_CAP:
            verify(lib, records, out)

    for line in sys.stdin:
        k, _, rec = line.rstrip("\n").partition("\t")
        if k != key:
            flush()
            key, records, seen = k, [], set()
        r = json.loads(rec)
        ident = (r["file"], r["quote"])
        if ident not in seen and len(records) <= POSTING_CAP:
            seen.add(ident)
            records.append(r)
    flush()


def merge():
    parent, pairs, members = {}, [], {}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for line in sys.stdin:
        pair = json.loads(line.rstrip("\n").split("\t", 4)[4])
        ids = []
        for side in ("a", "b"):
            ident = (pair[side]["file"], pair[side]["quote"])
            members[ident] = pair[side]
            parent.setdefault(ident, ident)
            ids.append(ident)
        ra, rb = find(ids[0]), find(ids[1])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
        pairs.append((ids[0], pair["differences"]))
    groups = {}
    for ident in sorted(members):
        groups.setdefault(find(ident), []).append(members[ident])
    kinds = {}
    for ident, diffs in pairs:
        kinds.setdefault(find(ident), set()).update(diffs)
    for root in sorted(groups):
        print(json.dumps({"members": groups[root], "variant": bool(kinds.get(root)),
                          "differences": sorted(kinds.get(root, []))}, ensure_ascii=False, sort_keys=True))


def main():
    if sys.argv[1:] == ["--merge"]:
        merge()
    elif not sys.argv[1:]:
        reduce_pairs(load_library())
    else:
        sys.stderr.write("usage: mr_reduce.py [--merge]\n")
        sys.exit(2)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
