/*
 * train_tagger.c: train the attribution tagger (tagger.c) on PolNeAR.
 *
 *   train_tagger [options] CORPUS_DIR MODEL_OUT
 *     CORPUS_DIR  holds text/<stem>.txt and attributions/<stem>_<annotator>.ann
 *     --folds=DIGITS    train only on documents whose fold is listed (0-3)
 *     --print-fold=K    print the stems of fold K and exit (for held-out scoring)
 *     --epochs=N        passes over the data (default 15)
 *     --bits=N          log2 of the feature rows (default 18)
 *     --margin=M        update unless gold wins by more than M (default 0: off)
 *     --min-count=N     a feature row gets weights only if seen on N tokens or more
 *     --pieces          each piece of a discontinuous gold span is a span of its own
 *     --no-pieces       (the default) a discontinuous span runs from its first start to its last end
 *
 * Each document runs through the library's own stages (segmentation,
 * quotes, rule-based attribution) with a hook in place of the tagger, so the
 * features are exactly those inference computes. Gold spans come from the
 * first annotator's brat file by name (as ../shared/tools/nmscore reads
 * them): T lines Source/Cue/Content, character offsets, a discontinuous
 * span taken from its first start to its last end, or with --pieces piece
 * by piece: the words between the pieces (", he said. ") are then not
 * content, which the model otherwise learns to run on through ("Bond said
 * onstage Tuesday night" as content). Training is an averaged
 * perceptron with a margin (an update also when the gold tag wins
 * by too little, which generalises better than the plain perceptron's
 * update on errors only) and greedy decoding, documents shuffled by a fixed seed, so
 * two runs write the same model.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct train_doc {
  size_t tok_first, tok_count; /* into the token arrays */
} train_doc;

typedef struct train_set {
  /* per token: its features [feat_off[i], feat_off[i+1]), gold tag, paragraph start */
  uint32_t *feats;
  size_t nfeats, capfeats;
  size_t *feat_off;
  uint8_t *gold, *para_start;
  size_t ntok, captok;
  train_doc *docs;
  size_t ndocs, capdocs;
  uint32_t mask;
  /* the document being read: gold spans in bytes */
  uint32_t (*spans)[3]; /* start, end, B tag */
  size_t nspans;
} train_set;

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    fprintf(stderr, "train_tagger: out of memory\n");
    exit(1);
  }
  return q;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = xrealloc(NULL, cap);
  size_t got;
  while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) buf = xrealloc(buf, cap *= 2);
  }
  fclose(f);
  buf = xrealloc(buf, n + 1);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* The fold of a document: FNV-1a of its stem, modulo 4. */
static unsigned fold_of(const char *stem) {
  uint32_t h = 2166136261u;
  for (const char *p = stem; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  return h % 4;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The hook: features and gold tags of every token, while the tokens exist. */
static nm_status hook(nm_doc *doc, void *ud) {
  train_set *ts = ud;
  nm__tagger_ctx *c = nm__tagger_ctx_new(doc);
  if (!c) return NM_ERR_NOMEM;
  const nm__token *t = doc->tokens.items;
  size_t n = doc->tokens.count;
  if (ts->ntok + n + 1 > ts->captok) {
    while (ts->ntok + n + 1 > ts->captok) ts->captok = ts->captok ? ts->captok * 2 : 1 << 16;
    ts->gold = xrealloc(ts->gold, ts->captok);
    ts->para_start = xrealloc(ts->para_start, ts->captok);
    ts->feat_off = xrealloc(ts->feat_off, (ts->captok + 1) * sizeof *ts->feat_off);
  }
  if (ts->ndocs == ts->capdocs) ts->docs = xrealloc(ts->docs, (ts->capdocs = ts->capdocs * 2 + 64) * sizeof *ts->docs);
  ts->docs[ts->ndocs].tok_first = ts->ntok;
  ts->docs[ts->ndocs].tok_count = n;
  ts->ndocs++;
  uint32_t f[NM_TAG_MAX_FEATURES];
  uint32_t para_end = 0;
  for (size_t i = 0; i < n; i++) {
    size_t k = ts->ntok + i;
    ts->feat_off[k] = ts->nfeats;
    if (i >= para_end) {
      para_end = nm__tagger_chunk_end(c, (uint32_t)i);
      if (nm__tagger_ctx_window(c, (uint32_t)i, para_end) != NM_OK) {
        nm__tagger_ctx_free(c);
        return NM_ERR_NOMEM;
      }
    }
    size_t nf = nm__tagger_features(c, (uint32_t)i, f);
    if (ts->nfeats + nf > ts->capfeats) {
      ts->capfeats = ts->capfeats ? ts->capfeats * 2 : 1 << 20;
      ts->feats = xrealloc(ts->feats, ts->capfeats * sizeof *ts->feats);
    }
    for (size_t j = 0; j < nf; j++) ts->feats[ts->nfeats++] = f[j] & ts->mask;
    ts->para_start[k] = (t[i].flags & NM_TF_PARA_START) != 0;
    ts->gold[k] = NM_TAG_O;
  }
  ts->feat_off[ts->ntok + n] = ts->nfeats;
  /* Gold tags: content first, then source and cue over it (the finer spans win). */
  static const uint8_t order[] = {NM_TAG_B_CON, NM_TAG_B_SRC, NM_TAG_B_CUE};
  for (size_t o = 0; o < 3; o++)
    for (size_t s = 0; s < ts->nspans; s++) {
      if (ts->spans[s][2] != order[o]) continue;
      uint32_t a = ts->spans[s][0], b = ts->spans[s][1];
      bool first = true;
      for (size_t i = 0; i < n; i++) {
        bool in = (t[i].start >= a && t[i].start < b) || (t[i].start < a && t[i].end > a);
        if (!in) continue;
        ts->gold[ts->ntok + i] = (uint8_t)(first ? order[o] : order[o] + 1);
        first = false;
      }
    }
  ts->ntok += n;
  nm__tagger_ctx_free(c);
  return NM_OK;
}

static void add_gold(train_set *ts, size_t *cap, const uint32_t *c2b, size_t nchars, unsigned long s, unsigned long e,
                     uint8_t tag) {
  if (s > e || e > nchars) return;
  if (ts->nspans == *cap) ts->spans = xrealloc(ts->spans, (*cap = *cap * 2 + 64) * sizeof *ts->spans);
  ts->spans[ts->nspans][0] = c2b[s];
  ts->spans[ts->nspans][1] = c2b[e];
  ts->spans[ts->nspans][2] = tag;
  ts->nspans++;
}

/* Read one brat file's spans into ts->spans, as byte offsets of text. */
static void read_gold(train_set *ts, const char *ann, const char *text, size_t len, bool split_pieces) {
  /* character offset -> byte offset */
  size_t nchars = 0;
  for (size_t i = 0; i < len; i++) nchars += ((unsigned char)text[i] & 0xC0) != 0x80;
  uint32_t *c2b = xrealloc(NULL, (nchars + 1) * sizeof *c2b);
  size_t c = 0;
  for (size_t i = 0; i < len; i++)
    if (((unsigned char)text[i] & 0xC0) != 0x80) c2b[c++] = (uint32_t)i;
  c2b[nchars] = (uint32_t)len;
  ts->nspans = 0;
  size_t cap = 0;
  const char *p = ann;
  while (*p) {
    const char *eol = strchr(p, '\n');
    if (!eol) eol = p + strlen(p);
    if (*p == 'T') {
      const char *tab = memchr(p, '\t', (size_t)(eol - p));
      uint8_t tag = 0;
      const char *q = tab ? tab + 1 : eol;
      if (tab && !strncmp(q, "Source ", 7)) tag = NM_TAG_B_SRC, q += 7;
      else if (tab && !strncmp(q, "Cue ", 4)) tag = NM_TAG_B_CUE, q += 4;
      else if (tab && !strncmp(q, "Content ", 8)) tag = NM_TAG_B_CON, q += 8;
      if (tag) {
        /* offsets run to the next tab: "a b;c d". Each piece of a
           discontinuous span is a span of its own when split_pieces (the
           words between the pieces, "he said" in “A,” he said, “B”, are not
           content); else the span runs from the first start to the last end. */
        const char *tab2 = memchr(q, '\t', (size_t)(eol - q));
        const char *stop = tab2 ? tab2 : eol;
        const char *r = q;
        unsigned long first = 0, last = 0;
        bool any = false;
        while (r < stop) {
          char *e1, *e2;
          unsigned long a = strtoul(r, &e1, 10);
          if (e1 == r) {
            r++;
            continue;
          }
          unsigned long b = strtoul(e1, &e2, 10);
          if (e2 == e1) break;
          r = e2;
          if (!any) first = a;
          last = b;
          any = true;
          if (split_pieces) add_gold(ts, &cap, c2b, nchars, a, b, tag);
        }
        if (any && !split_pieces) add_gold(ts, &cap, c2b, nchars, first, last, tag);
      }
    }
    p = *eol ? eol + 1 : eol;
  }
  free(c2b);
}

/* ---- the averaged perceptron ---------------------------------------------- */

#ifndef MIN_COUNT_DEFAULT
#define MIN_COUNT_DEFAULT 1
#endif

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;
static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 32);
}

int main(int argc, char **argv) {
  const char *dir = NULL, *out = NULL, *folds = NULL;
  /* Held-out (train on 3 folds, score the 4th; source/cue/content exact F1):
     margin 0 -> 56.6/58.4/34.3 on fold 0 and 57.4/58.7/35.6 on fold 1;
     60 -> 59.1/61.1/35.9 and 60.4/62.8/38.1; 150 -> 59.2/61.5/36.8 and
     60.9/62.8/39.2; 300 -> 58.2/60.8/36.6 on fold 0. The Makefile
     trains with 150. */
  float margin = 0;
  bool split_pieces = false;
  int print_fold = -1, epochs = 15, bits = 18, min_count = MIN_COUNT_DEFAULT;
  for (int i = 1; i < argc; i++) {
    if (!strncmp(argv[i], "--folds=", 8)) folds = argv[i] + 8;
    else if (!strncmp(argv[i], "--print-fold=", 13)) print_fold = atoi(argv[i] + 13);
    else if (!strncmp(argv[i], "--epochs=", 9)) epochs = atoi(argv[i] + 9);
    else if (!strncmp(argv[i], "--bits=", 7)) bits = atoi(argv[i] + 7);
    else if (!strncmp(argv[i], "--margin=", 9)) margin = (float)atof(argv[i] + 9);
    else if (!strncmp(argv[i], "--min-count=", 12)) min_count = atoi(argv[i] + 12);
    else if (!strcmp(argv[i], "--pieces")) split_pieces = true;
    else if (!strcmp(argv[i], "--no-pieces")) split_pieces = false;
    else if (!dir) dir = argv[i];
    else if (!out) out = argv[i];
    else dir = NULL, i = argc;
  }
  if (!dir || (!out && print_fold < 0) || bits < 10 || bits > 24 || epochs < 1) {
    fprintf(stderr, "usage: train_tagger [--folds=0123] [--epochs=N] [--bits=N] CORPUS_DIR MODEL_OUT\n"
                    "       train_tagger --print-fold=K CORPUS_DIR\n");
    return 2;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/attributions", dir);
  DIR *d = opendir(path);
  if (!d) {
    fprintf(stderr, "train_tagger: %s: %s\n", path, strerror(errno));
    return 1;
  }
  char **files = NULL;
  size_t nfiles = 0, capfiles = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l < 5 || strcmp(de->d_name + l - 4, ".ann")) continue;
    if (nfiles == capfiles) files = xrealloc(files, (capfiles = capfiles * 2 + 256) * sizeof *files);
    files[nfiles++] = strdup(de->d_name);
    if (!files[nfiles - 1]) return 1;
  }
  closedir(d);
  qsort(files, nfiles, sizeof *files, cmp_str);

  char err[256];
  nm_engine *engine = nm_engine_new(err, sizeof err);
  if (!engine) {
    fprintf(stderr, "train_tagger: %s\n", err);
    return 1;
  }
  train_set ts = {0};
  ts.mask = (1u << bits) - 1;
  engine->tagger_hook = hook;
  engine->tagger_hook_ud = &ts;
  clock_t t0 = clock();
  char last_stem[1024] = "";
  size_t used = 0;
  for (size_t i = 0; i < nfiles; i++) {
    /* the stem is the name before its last '_'; the first annotator by name wins */
    char stem[1024];
    snprintf(stem, sizeof stem, "%s", files[i]);
    char *us = strrchr(stem, '_');
    if (!us) continue;
    *us = '\0';
    if (!strcmp(stem, last_stem)) continue;
    snprintf(last_stem, sizeof last_stem, "%s", stem);
    unsigned fold = fold_of(stem);
    if (print_fold >= 0) {
      if ((int)fold == print_fold) printf("%s\n", stem);
      continue;
    }
    if (folds && !strchr(folds, (char)('0' + fold))) continue;
    size_t tlen, alen;
    snprintf(path, sizeof path, "%s/text/%s.txt", dir, stem);
    char *text = read_file(path, &tlen);
    snprintf(path, sizeof path, "%s/attributions/%s", dir, files[i]);
    char *ann = read_file(path, &alen);
    if (!text || !ann) {
      fprintf(stderr, "train_tagger: cannot read %s\n", path);
      free(text);
      free(ann);
      continue;
    }
    read_gold(&ts, ann, text, tlen, split_pieces);
    nm_status st;
    nm_doc *doc = nm_doc_new(engine, text, tlen, NM_INPUT_PLAIN, &st, err, sizeof err);
    if (!doc) fprintf(stderr, "train_tagger: %s: %s\n", stem, err);
    nm_doc_delete(doc);
    free(text);
    free(ann);
    used++;
  }
  if (print_fold >= 0) return 0;
  fprintf(stderr, "train_tagger: %zu documents, %zu tokens, %.1f features a token, read in %.1f s\n", used, ts.ntok,
          ts.ntok ? (double)ts.nfeats / (double)ts.ntok : 0.0, (double)(clock() - t0) / CLOCKS_PER_SEC);

  {
    size_t by[NM_TAG_COUNT] = {0};
    for (size_t i = 0; i < ts.ntok; i++) by[ts.gold[i]]++;
    fprintf(stderr, "train_tagger: gold tags O %zu, cue %zu+%zu, source %zu+%zu, content %zu+%zu\n", by[0], by[1],
            by[2], by[3], by[4], by[5], by[6]);
  }
  /* Weights: rows of NM_TAG_SLOTS floats, previous-tag rows first. */
  size_t rows = (size_t)ts.mask + 1, ntrans = (size_t)NM_TAG_PREV2 * NM_TAG_SLOTS;
  size_t nw = ntrans + rows * NM_TAG_SLOTS;
  float *w = calloc(nw, sizeof *w);
  double *acc = calloc(nw, sizeof *acc);
  if (!w || !acc) {
    fprintf(stderr, "train_tagger: out of memory\n");
    return 1;
  }
  float *fw = w + ntrans;
  double *facc = acc + ntrans;
  /* Rare features (mostly word conjunctions seen once or twice) are what
     memorise the training documents: only rows seen on min_count tokens or
     more learn. Their slots are dropped from the feature lists. */
  uint32_t *seen = calloc(rows, sizeof *seen);
  if (!seen) {
    fprintf(stderr, "train_tagger: out of memory\n");
    return 1;
  }
  for (size_t j = 0; j < ts.nfeats; j++) seen[ts.feats[j]]++;
  {
    size_t kept = 0, live = 0;
    for (size_t k = 0; k < ts.ntok; k++) {
      size_t from = ts.feat_off[k];
      ts.feat_off[k] = kept;
      for (size_t j = from; j < ts.feat_off[k + 1]; j++)
        if (seen[ts.feats[j]] >= (uint32_t)min_count) ts.feats[kept++] = ts.feats[j];
    }
    ts.feat_off[ts.ntok] = kept;
    for (size_t r = 0; r < rows; r++) live += seen[r] >= (uint32_t)min_count;
    fprintf(stderr, "train_tagger: %zu of %zu rows seen %d times or more; %.1f features a token kept\n", live, rows,
            min_count, ts.ntok ? (double)kept / (double)ts.ntok : 0.0);
    ts.nfeats = kept;
  }
  free(seen);
  size_t *order = xrealloc(NULL, (ts.ndocs + 1) * sizeof *order);
  for (size_t i = 0; i < ts.ndocs; i++) order[i] = i;
  double step = 1; /* the averaging counter: acc holds sum of step * update */
  for (int ep = 0; ep < epochs; ep++) {
    for (size_t i = ts.ndocs; i > 1; i--) {
      size_t j = rng() % i, tmp = order[i - 1];
      order[i - 1] = order[j];
      order[j] = tmp;
    }
    size_t errors = 0;
    for (size_t di = 0; di < ts.ndocs; di++) {
      const train_doc *td = &ts.docs[order[di]];
      int prev = NM_TAG_O, prev2 = NM_TAG_O;
      for (size_t k = td->tok_first; k < td->tok_first + td->tok_count; k++) {
        if (ts.para_start[k]) prev = prev2 = NM_TAG_O;
        float sc[NM_TAG_SLOTS];
        const float *tr = w + (size_t)(prev2 * NM_TAG_COUNT + prev) * NM_TAG_SLOTS;
        const float *tr1 = w + (size_t)(NM_TAG_COUNT * NM_TAG_COUNT + prev) * NM_TAG_SLOTS;
        for (int s = 0; s < NM_TAG_SLOTS; s++) sc[s] = tr[s] + tr1[s];
        for (size_t j = ts.feat_off[k]; j < ts.feat_off[k + 1]; j++) {
          const float *row = fw + (size_t)ts.feats[j] * NM_TAG_SLOTS;
          for (int s = 0; s < NM_TAG_SLOTS; s++) sc[s] += row[s];
        }
        int best = NM_TAG_O;
        for (int s = 1; s < NM_TAG_COUNT; s++) {
          if (sc[s] > sc[best]) best = s;
        }
        int g = ts.gold[k];
        /* the margin perceptron: update also when gold wins by less than
           `margin`, against the strongest other tag */
        int rival = g == NM_TAG_O ? 1 : NM_TAG_O;
        for (int s = 0; s < NM_TAG_COUNT; s++)
          if (s != g && sc[s] > sc[rival]) rival = s;
        errors += best != g;
        if (best != g || (margin > 0 && sc[g] - sc[rival] <= margin)) {
          int bad = best != g ? best : rival;
          double stp = step;
          size_t r2 = (size_t)(prev2 * NM_TAG_COUNT + prev) * NM_TAG_SLOTS;
          size_t r1 = (size_t)(NM_TAG_COUNT * NM_TAG_COUNT + prev) * NM_TAG_SLOTS;
          w[r2 + g] += 1, acc[r2 + g] += stp, w[r2 + bad] -= 1, acc[r2 + bad] -= stp;
          w[r1 + g] += 1, acc[r1 + g] += stp, w[r1 + bad] -= 1, acc[r1 + bad] -= stp;
          for (size_t j = ts.feat_off[k]; j < ts.feat_off[k + 1]; j++) {
            size_t r = (size_t)ts.feats[j] * NM_TAG_SLOTS;
            fw[r + g] += 1, facc[r + g] += stp;
            fw[r + bad] -= 1, facc[r + bad] -= stp;
          }
        }
        step++;
        prev2 = prev;
        prev = best; /* greedy: train on what decoding will see */
      }
    }
    fprintf(stderr, "train_tagger: epoch %d: %zu token errors (%.2f%%)\n", ep + 1, errors,
            ts.ntok ? 100.0 * (double)errors / (double)ts.ntok : 0.0);
  }
  /* averaged weights: w - acc / step */
  float maxabs = 0;
  for (size_t i = 0; i < nw; i++) {
    w[i] = (float)(w[i] - acc[i] / step);
    if (fabsf(w[i]) > maxabs) maxabs = fabsf(w[i]);
  }
  float scale = maxabs > 0 ? 32000.0f / maxabs : 1.0f;
  /* no slot sums more than ~48 rows, so int32 sums of int16 weights cannot overflow */
  FILE *f = fopen(out, "wb");
  if (!f) {
    fprintf(stderr, "train_tagger: %s: %s\n", out, strerror(errno));
    return 1;
  }
  char header[16] = "NMTAG1";
  uint32_t r32 = (uint32_t)rows;
  memcpy(header + 8, &r32, 4);
  memcpy(header + 12, &scale, 4);
  fwrite(header, 1, sizeof header, f);
  int16_t *q = xrealloc(NULL, nw * sizeof *q);
  for (size_t i = 0; i < nw; i++) {
    float v = w[i] * scale;
    q[i] = (int16_t)(v > 32767 ? 32767 : v < -32767 ? -32767 : lrintf(v));
  }
  fwrite(q, sizeof *q, nw, f);
  if (fclose(f) != 0) {
    fprintf(stderr, "train_tagger: %s: write failed\n", out);
    return 1;
  }
  fprintf(stderr, "train_tagger: wrote %s (%zu rows, scale %.1f) in %.1f s\n", out, rows, (double)scale,
          (double)(clock() - t0) / CLOCKS_PER_SEC);
  free(q);
  free(w);
  free(acc);
  free(order);
  for (size_t i = 0; i < nfiles; i++) free(files[i]);
  free(files);
  free(ts.feats);
  free(ts.feat_off);
  free(ts.gold);
  free(ts.para_start);
  free(ts.docs);
  free(ts.spans);
  nm_engine_delete(engine);
  return 0;
}
