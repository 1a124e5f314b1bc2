#!/usr/bin/env python3
"""Markers per 1,000 words, by kind, on a folder of articles (PolNeAR train).

  tests/marker_noise.py [--annotate build/annotate] [--dir DIR] [--limit N]
                        [--sample KIND --n 30 --seed 1]

DIR defaults to ../shared/corpus/polnear/train/text. Words are runs of
non-space characters. The last line is the total, e.g.
  markers 18.2 per 1000 words (target <= 25)
With --sample, prints N random markers of KIND with their context, to be read
and judged by hand. Exits 0 (it measures; it does not judge), 77 when the
corpus is absent.
"""
import argparse, json, os, random, subprocess, sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--annotate', default=os.path.join(os.environ.get('NM_BUILD', os.path.join(ROOT, 'build')), 'annotate'))
    ap.add_argument('--dir', default=os.path.join(ROOT, '..', 'shared', 'corpus', 'polnear', 'train', 'text'))
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--sample', help='kind (or rule id) to sample markers of')
    ap.add_argument('--n', type=int, default=30)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        print(f'marker_noise: {a.dir} is absent', file=sys.stderr)
        sys.exit(77)
    files = sorted(os.path.join(a.dir, f) for f in os.listdir(a.dir) if f.endswith('.txt'))
    if a.limit:
        files = files[: a.limit]
    p = subprocess.run([a.annotate, '--format=jsonl'] + files, capture_output=True)
    if p.returncode not in (0, 1):
        sys.exit(f'marker_noise: {a.annotate} exited {p.returncode}: {p.stderr.decode(errors="replace")[:300]}')
    docs = [json.loads(line) for line in p.stdout.decode('utf-8').splitlines() if line.strip()]
    words = 0
    kinds, rules = Counter(), Counter()
    pool = []
    for path, d in zip(files, docs):
        raw = open(path, 'rb').read()
        words += len(raw.split())
        for m in d.get('markers', []):
            kinds[m['kind']] += 1
            rules[m['rule']] += 1
            if a.sample and a.sample in (m['kind'], m['rule']):
                pool.append((path, raw, m))
    per = lambda n: 1000.0 * n / words if words else 0.0
    print(f'{len(docs)} documents, {words} words')
    for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print(f'  {k:20} {n:7d}  {per(n):6.2f} per 1000 words')
    print('by rule: ' + '  '.join(f'{r} {per(n):.2f}' for r, n in sorted(rules.items(), key=lambda kv: -kv[1])))
    if a.sample:
        random.Random(a.seed).shuffle(pool)
        for path, raw, m in pool[: a.n]:
            s, e = m['start'], m['end']
            ctx = (raw[max(0, s - 70):s].decode('utf-8', 'replace') + '[[' + raw[s:e].decode('utf-8', 'replace')
                   + ']]' + raw[e:e + 70].decode('utf-8', 'replace')).replace('\n', ' / ')
            print(f'--- {os.path.basename(path)[:24]} {m["rule"]}: {ctx}')
    print(f'markers {per(sum(kinds.values())):.1f} per 1000 words (target <= 25)')


if __name__ == '__main__':
    main()
