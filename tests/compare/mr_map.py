#!/usr/bin/env python3
"""Map step of the quote comparison at archive scale (README: "Comparing outlets").

Reads `annotate --format=jsonl` objects on stdin, one a line, and writes one
line per (signature, quote):  KEY <TAB> RECORD-JSON.  A signature is a hashed
3-gram of normalised words (case-folded, curly marks made straight,
punctuation dropped), the same shingles compare.c indexes in memory; quotes
that report largely the same words share some. Quotes of 4 or 5 words are
keyed with three words of context on each side (their mixed quote's words),
in a key space of their own. Fewer than 4 words: not emitted.

A pure stdin-to-stdout filter: a Hadoop Streaming mapper or an RDD.pipe
command as it is. Standard library only.
"""
import hashlib
import json
import re
import sys

KINDS = {"direct", "partial", "heading"}
TOKEN = re.compile(r"\u2026|\.{3,}|[^\W_]+(?:['\u2019\u2018.][^\W_]+)*")
ELLIPSIS = re.compile(r"\u2026|\.{3,}")


def words(text):
    """Normalised words; an ellipsis becomes None, which no shingle crosses."""
    out = []
    for m in TOKEN.finditer(text):
        tok = m.group(0)
        out.append(None if ELLIPSIS.fullmatch(tok) else re.sub(r"['\u2019\u2018.]", "", tok.lower()))
    return out


def shingles(seq, space):
    for i in range(len(seq) - 2):
        gram = seq[i:i + 3]
        if None in gram:
            continue
        yield space + hashlib.blake2b(" ".join(gram).encode(), digest_size=8).hexdigest()


_article = {"name": None, "bytes": None}


def article(name):
    """The article's bytes when its file is readable here (a local run, a
    shared filesystem); else None. One document at a time is kept."""
    if _article["name"] != name:
        try:
            with open(name, "rb") as f:
                data = f.read()
        except (OSError, TypeError):
            data = None
        _article.update(name=name, bytes=data)
    return _article["bytes"]


def context(doc, q, quotes):
    """(text, offset of the quote in it, quote length), all in UTF-8 bytes of
    the text: the quote's line, 400 bytes either side at most, from the
    article; else from the quote's mixed parent; else the quote alone. The
    library wants the words around a 4- or 5-word quote to group it."""
    data = article(doc.get("file"))
    offset = (doc.get("window") or {}).get("offset", 0)
    start, end = q["start"] + offset, q["end"] + offset
    if data is not None and end <= len(data) and data[start:end].decode(errors="replace") == q["text"]:
        cs = max(0, start - 400)
        nl = data.rfind(b"\n", cs, start)
        cs = nl + 1 if nl >= 0 else cs
        ce = min(len(data), end + 400)
        nl = data.find(b"\n", end, ce)
        ce = nl if nl >= 0 else ce
        before = data[cs:start].decode(errors="replace")
        text = before + q["text"] + data[end:ce].decode(errors="replace")
        return text, len(before.encode()), len(q["text"].encode())
    parent = quotes.get(q.get("parent")) if q.get("parent") is not None else None
    if parent and parent["start"] <= q["start"] and q["end"] <= parent["end"]:
        return parent["text"], q["start"] - parent["start"], len(q["text"].encode())
    return q["text"], 0, len(q["text"].encode())


def emit(doc, out):
    quotes = {q["id"]: q for q in doc.get("quotes", [])}
    entities = doc.get("entities", [])
    for q in doc.get("quotes", []):
        if q["kind"] not in KINDS or q.get("boilerplate"):
            continue
        w = words(q["text"])
        nwords = sum(1 for x in w if x is not None)
        if nwords < 4:
            continue
        ctx, at, qlen = context(doc, q, quotes)
        speaker = q.get("speaker") or {}
        ent = entities[speaker["entity"]] if speaker.get("entity") is not None else None
        record = {
            "file": doc.get("file"), "quote": q["id"], "start": q["start"], "end": q["end"],
            "speaker": ent["name"] if ent else None, "anonymous": bool(ent and ent.get("anonymous")),
            "ctx": ctx, "at": at, "len": qlen,
        }
        if nwords >= 6:
            keys = set(shingles(w, "L"))
        else:
            raw = ctx.encode()
            before = [x for x in words(raw[:at].decode(errors="replace")) if x is not None][-3:]
            after = [x for x in words(raw[at + qlen:].decode(errors="replace")) if x is not None][:3]
            keys = set(shingles(before + w + after, "S"))
        line = json.dumps(record, ensure_ascii=False, sort_keys=True)
        for key in sorted(keys):
            out.write(key + "\t" + line + "\n")


def main():
    out = sys.stdout
    for n, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if not line:
            continue
        try:
            doc = json.loads(line)
        except ValueError as e:
            sys.stderr.write("mr_map: line %d: not JSON (%s)\n" % (n, e))
            continue
        emit(doc, out)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
