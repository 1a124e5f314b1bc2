/*
 * compare.c: group the quotes of several documents that report the same
 * words, and say how they differ (issue 7; README "Comparing outlets").
 *
 * The method, and why:
 *  - Each quote becomes a list of word tokens: a 64-bit key (the hash of the
 *    case-folded word, with spelling variants mapped to one spelling) and a
 *    32-bit form (the hash of the word as spelt). Curly and straight marks,
 *    case and punctuation vanish here, so they never make a difference; an
 *    ellipsis (… or ...) is a token of its own that matches nothing.
 *  - Candidates come from an inverted index of word 3-grams, never from all
 *    pairs. Quotes of 6 words or more are indexed by their own 3-grams;
 *    quotes of 4 or 5 words by the 3-grams of the quote with three words of
 *    context on each side, in an index of their own, because a one-word
 *    change in four words leaves too few 3-grams of the quote alone. A
 *    3-gram shared by more than NM_COMPARE_POSTING_CAP quotes ("one of the",
 *    or one quote carried by many outlets) pairs each quote with the next
 *    in its list only, which bounds the work and still chains copies.
 *  - A candidate pair is checked with a word alignment (LCS over keys,
 *    bounded to NM_COMPARE_MAX_TOKENS per side) after a cheap bag-of-words
 *    filter. Kept pairs are merged with union-find; only pairs not yet in
 *    one group are aligned at all, so a large group of copies costs one
 *    alignment per member.
 *  - Within a group every member is compared with its neighbour on a tree
 *    rooted at the longest quote, and the word-level differences are
 *    classified: spelling, substitution, omission (an ellipsis), addition,
 *    speaker. Words one quote has before or after where the other begins or
 *    ends are its extent, not a difference: outlets cut quotes differently.
 */
#include "internal.h" /* nm__lexicon_text: src/lexicon/spellings.txt is embedded there */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NM_COMPARE_SHORT_MIN 4    /* fewer words are never grouped (scare quotes) */
#define NM_COMPARE_LONG_MIN 6     /* from here on, the quote's own 3-grams suffice */
#define NM_COMPARE_NAMED_MIN 12   /* shorter quotes need agreeing speakers (nm_compare__verify) */
#define NM_COMPARE_CONTEXT 6      /* context words kept on each side of a short quote */
#define NM_COMPARE_CONTEXT_NEED 6 /* of the 12, how many a short pair must share */
#define NM_COMPARE_POSTING_CAP 32 /* longer posting lists are chained, not paired */
#define NM_COMPARE_MAX_TOKENS 2048 /* alignment bound per side; longer quotes align by their start */
#define NM_COMPARE_EDGE_WORDS 3   /* both ends replaced by at most this many words: a substitution */
#define NM_COMPARE_ELLIPSIS 1u    /* the key of an ellipsis token; word keys are never 0 or 1 */

typedef struct nm_compare__token {
  uint64_t key;  /* canonical word hash; NM_COMPARE_ELLIPSIS for an ellipsis */
  uint32_t form; /* hash of the word as spelt (case-folded) */
  uint32_t off;  /* byte offset from the quote's start */
  uint32_t len;
} nm_compare__token;

typedef struct nm_compare__quote {
  size_t doc;
  long id;
  size_t start, end;
  size_t speaker_start, speaker_end; /* equal: no mention */
  size_t name;                       /* offset in names, SIZE_MAX: none */
  size_t tok, ntok;                  /* tokens[tok .. tok + ntok) */
  size_t ctx;                        /* context[ctx .. + nbefore + nafter) */
  uint32_t nwords;                   /* tokens that are words */
  uint8_t nbefore, nafter;
  bool anonymous, ellipsis;
} nm_compare__quote;

typedef struct nm_compare__diff {
  int kind;
  size_t a, b;
  size_t a_start, a_end, b_start, b_end;
} nm_compare__diff;

typedef struct nm_compare__posting {
  uint64_t hash;
  uint32_t quote;
} nm_compare__posting;

struct nm_compare {
  char **files;
  size_t ndocs, docs_cap;
  bool last_by_quote; /* the last document was started by nm_compare_add_quote */

  nm_compare__quote *quotes;
  size_t nquotes, quotes_cap;
  nm_compare__token *tokens;
  size_t ntokens, tokens_cap;
  uint64_t *context;
  size_t ncontext, context_cap;
  char *names;
  size_t names_len, names_cap;

  uint64_t *spell_from, *spell_to; /* open addressing, spell_cap a power of two */
  size_t spell_cap;

  bool ran;
  size_t *parent_uf;      /* union-find over quotes */
  size_t ngroups;
  size_t *group_start;    /* ngroups + 1 offsets into group_members */
  size_t *group_members;  /* quote numbers */
  long *member_parent;    /* parallel to group_members: member number or -1 */
  long *quote_group;      /* per quote */
  bool *group_variant;
  size_t *group_diff_start; /* ngroups + 1 offsets into diffs */
  nm_compare__diff *diffs;
  size_t ndiffs, diffs_cap;

  uint16_t *lcs; /* alignment scratch */
  size_t lcs_cap;
  bool *matched_a, *matched_b;
  uint32_t *match_a, *match_b; /* matched token pairs, in order */
  size_t nmatch;
};

/* ---- private: growing arrays -------------------------------------------- */

static bool nm_compare__reserve(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return true;
  size_t cap2 = *cap ? *cap : 16;
  while (cap2 < need) {
    if (cap2 > SIZE_MAX / 2 / size) return false;
    cap2 *= 2;
  }
  void *grown = realloc(*p, cap2 * size);
  if (!grown) return false;
  *p = grown;
  *cap = cap2;
  return true;
}

static void nm_compare__error(char *err, size_t errlen, const char *message) {
  if (!err || !errlen) return;
  size_t n = strlen(message);
  if (n >= errlen) n = errlen - 1;
  memcpy(err, message, n);
  err[n] = '\0';
}

/* ---- private: words ------------------------------------------------------ */

/* Decode one UTF-8 character at s[i]; bad bytes decode as U+FFFD, length 1. */
static uint32_t nm_compare__decode(const char *s, size_t n, size_t i, size_t *len) {
  const unsigned char *u = (const unsigned char *)s + i;
  size_t left = n - i;
  *len = 1;
  if (u[0] < 0x80) return u[0];
  size_t need = u[0] >= 0xF0 && u[0] < 0xF5 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC2 && u[0] < 0xE0 ? 2 : 0;
  if (!need || left < need) return 0xFFFD;
  uint32_t cp = u[0] & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < need; k++) {
    if ((u[k] & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (u[k] & 0x3F);
  }
  *len = need;
  return cp;
}

/* Letters and digits of any script; punctuation, marks, spaces and symbols are not. */
static bool nm_compare__is_word(uint32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || cp == 0xFFFD) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false; /* punctuation, quotes, dashes, symbols */
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;
  return true;
}

/* Latin-1 letters U+00C0..U+00FF without their accents, lower case; '_' keeps the letter (æ, ß, þ). */
static const char nm_compare__fold[] = "aaaaaa_ceeeeiiiidnooooo_ouuuuy__aaaaaa_ceeeeiiiidnooooo_ouuuuy_y";

/* Marks that join a word when letters stand on both sides: don't, U.S. */
static bool nm_compare__is_joiner(uint32_t cp) {
  return cp == '\'' || cp == '.' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC;
}

static uint64_t nm_compare__fnv(uint64_t h, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

#define NM_COMPARE_FNV_SEED 0xcbf29ce484222325ull

static uint64_t nm_compare__spelling(const nm_compare *self, uint64_t h) {
  if (!self->spell_cap) return h;
  size_t mask = self->spell_cap - 1;
  for (size_t i = (size_t)(h * 0x9E3779B97F4A7C15ull >> 7) & mask; self->spell_from[i]; i = (i + 1) & mask)
    if (self->spell_from[i] == h) return self->spell_to[i];
  return h;
}

/* Word hashes are never 0 (an empty slot) or 1 (the ellipsis). */
static uint64_t nm_compare__fix(uint64_t h) { return h < 2 ? h + 2 : h; }

/*
 * Call emit for each token of s[from, to): words (case-folded, joined over
 * inner apostrophes and dots) and ellipses (…, or three dots or more).
 * Returns false when emit does.
 */
typedef bool (*nm_compare__emit_fn)(void *ud, uint64_t key, uint32_t form, size_t start, size_t end);

static bool nm_compare__scan(const nm_compare *self, const char *s, size_t from, size_t to,
                             nm_compare__emit_fn emit, void *ud) {
  size_t i = from;
  while (i < to) {
    size_t len;
    uint32_t cp = nm_compare__decode(s, to, i, &len);
    if (cp == 0x2026 || (cp == '.' && i + 2 < to && s[i + 1] == '.' && s[i + 2] == '.')) {
      size_t e = i + len;
      while (e < to && s[e] == '.') e++;
      if (!emit(ud, NM_COMPARE_ELLIPSIS, NM_COMPARE_ELLIPSIS, i, e)) return false;
      i = e;
      continue;
    }
    if (!nm_compare__is_word(cp)) {
      i += len;
      continue;
    }
    size_t start = i, end = i;
    uint64_t h = NM_COMPARE_FNV_SEED;
    while (i < to) {
      cp = nm_compare__decode(s, to, i, &len);
      if (nm_compare__is_word(cp)) {
        unsigned char buf[4];
        memcpy(buf, s + i, len);
        size_t blen = len;
        if (len == 1 && cp >= 'A' && cp <= 'Z') buf[0] = (unsigned char)(cp + 32);
        else if (len == 2 && cp >= 0xC0 && cp <= 0xFF && nm_compare__fold[cp - 0xC0] != '_')
          buf[0] = (unsigned char)nm_compare__fold[cp - 0xC0], blen = 1; /* Calderón, Calderon */
        else if (len == 2 && cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) buf[1] = (unsigned char)(buf[1] + 0x20);
        h = nm_compare__fnv(h, buf, blen);
        i += len;
        end = i;
        continue;
      }
      size_t len2;
      if (nm_compare__is_joiner(cp) && i + len < to &&
          nm_compare__is_word(nm_compare__decode(s, to, i + len, &len2)) &&
          !(cp == '.' && i + 2 < to && s[i + 1] == '.')) {
        i += len;
        continue;
      }
      break;
    }
    h = nm_compare__fix(h);
    if (!emit(ud, nm_compare__spelling(self, h), (uint32_t)(h ^ (h >> 32)), start, end)) return false;
  }
  return true;
}

/* ---- private: spelling variants ----------------------------------------- */

typedef struct nm_compare__one {
  uint64_t key;
  int count;
} nm_compare__one;

static bool nm_compare__emit_one(void *ud, uint64_t key, uint32_t form, size_t start, size_t end) {
  (void)form, (void)start, (void)end;
  nm_compare__one *one = ud;
  one->key = key;
  one->count++;
  return true;
}

static bool nm_compare__spell_put(nm_compare *self, uint64_t from, uint64_t to) {
  size_t mask = self->spell_cap - 1;
  size_t i = (size_t)(from * 0x9E3779B97F4A7C15ull >> 7) & mask;
  while (self->spell_from[i] && self->spell_from[i] != from) i = (i + 1) & mask;
  self->spell_from[i] = from;
  self->spell_to[i] = to;
  return true;
}

/* Each line of spellings.txt lists the spellings of one word; the first is
   the key all of them share. Lines and words are few: a fixed table. */
static bool nm_compare__load_spellings(nm_compare *self) {
  static const char header[] = "@@ spellings.txt\n";
  const char *text = nm__lexicon_text, *end = text + nm__lexicon_text_len;
  const char *p = NULL;
  for (const char *q = text; q < end;) {
    const char *nl = memchr(q, '\n', (size_t)(end - q));
    if ((size_t)(end - q) >= sizeof header - 1 && !memcmp(q, header, sizeof header - 1)) {
      p = q + sizeof header - 1;
      break;
    }
    q = nl ? nl + 1 : end;
  }
  if (!p) return true; /* no list: only exact spellings match */
  size_t words = 0;
  for (const char *q = p; q < end && !(q[0] == '@' && q + 1 < end && q[1] == '@'); q++)
    if (*q == ' ' || *q == '\n') words++;
  self->spell_cap = 64;
  while (self->spell_cap < words * 2) self->spell_cap *= 2;
  self->spell_from = calloc(self->spell_cap, sizeof *self->spell_from);
  self->spell_to = calloc(self->spell_cap, sizeof *self->spell_to);
  if (!self->spell_from || !self->spell_to) return false;
  size_t cap = self->spell_cap;
  self->spell_cap = 0; /* no mapping while the keys themselves are hashed */
  while (p < end && !(p[0] == '@' && p + 1 < end && p[1] == '@')) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    const char *hash = memchr(p, '#', (size_t)(le - p));
    const char *stop = hash ? hash : le;
    uint64_t first = 0;
    for (const char *w = p; w < stop;) {
      while (w < stop && (*w == ' ' || *w == '\t')) w++;
      const char *we = w;
      while (we < stop && *we != ' ' && *we != '\t') we++;
      if (we > w) {
        nm_compare__one one = {0, 0};
        nm_compare__scan(self, w, 0, (size_t)(we - w), nm_compare__emit_one, &one);
        if (one.count == 1) {
          if (!first) first = one.key;
          else {
            self->spell_cap = cap;
            nm_compare__spell_put(self, one.key, first);
            self->spell_cap = 0;
          }
        }
      }
      w = we;
    }
    p = le + 1;
  }
  self->spell_cap = cap;
  return true;
}

/* ---- private: adding quotes ---------------------------------------------- */

typedef struct nm_compare__tok_sink {
  nm_compare *self;
  size_t base; /* the quote's start */
  bool failed;
} nm_compare__tok_sink;

static bool nm_compare__emit_token(void *ud, uint64_t key, uint32_t form, size_t start, size_t end) {
  nm_compare__tok_sink *sink = ud;
  nm_compare *self = sink->self;
  if (!nm_compare__reserve((void **)&self->tokens, &self->tokens_cap, self->ntokens + 1, sizeof *self->tokens)) {
    sink->failed = true;
    return false;
  }
  nm_compare__token *t = &self->tokens[self->ntokens++];
  t->key = key;
  t->form = form;
  t->off = (uint32_t)(start - sink->base);
  t->len = (uint32_t)(end - start);
  return true;
}

typedef struct nm_compare__ctx_sink {
  uint64_t keys[NM_COMPARE_CONTEXT];
  size_t n, seen;
  bool keep_last; /* before the quote: the last words count; after: the first */
} nm_compare__ctx_sink;

static bool nm_compare__emit_ctx(void *ud, uint64_t key, uint32_t form, size_t start, size_t end) {
  (void)form, (void)start, (void)end;
  nm_compare__ctx_sink *c = ud;
  if (key == NM_COMPARE_ELLIPSIS) return true;
  if (!c->keep_last) {
    if (c->n < NM_COMPARE_CONTEXT) c->keys[c->n++] = key;
    return c->n < NM_COMPARE_CONTEXT;
  }
  c->keys[c->seen++ % NM_COMPARE_CONTEXT] = key;
  if (c->n < NM_COMPARE_CONTEXT) c->n++;
  return true;
}

/* The words around a quote, within its line and a few hundred bytes. */
static bool nm_compare__add_context(nm_compare *self, nm_compare__quote *q, const char *text, size_t len) {
  size_t from = q->start > 400 ? q->start - 400 : 0, to = q->end + 400 < len ? q->end + 400 : len;
  for (size_t i = q->start; i > from; i--)
    if (text[i - 1] == '\n') {
      from = i;
      break;
    }
  const char *nl = memchr(text + q->end, '\n', to - q->end);
  if (nl) to = (size_t)(nl - text);
  nm_compare__ctx_sink before = {.keep_last = true}, after = {.keep_last = false};
  nm_compare__scan(self, text, from, q->start, nm_compare__emit_ctx, &before);
  nm_compare__scan(self, text, q->end, to, nm_compare__emit_ctx, &after);
  if (!nm_compare__reserve((void **)&self->context, &self->context_cap, self->ncontext + before.n + after.n,
                           sizeof *self->context))
    return false;
  q->ctx = self->ncontext;
  for (size_t k = 0; k < before.n; k++) /* oldest first */
    self->context[self->ncontext++] = before.keys[(before.seen - before.n + k) % NM_COMPARE_CONTEXT];
  for (size_t k = 0; k < after.n; k++) self->context[self->ncontext++] = after.keys[k];
  q->nbefore = (uint8_t)before.n;
  q->nafter = (uint8_t)after.n;
  return true;
}

static nm_status nm_compare__start_doc(nm_compare *self, const char *file) {
  if (!nm_compare__reserve((void **)&self->files, &self->docs_cap, self->ndocs + 1, sizeof *self->files))
    return NM_ERR_NOMEM;
  char *copy = NULL;
  if (file) {
    size_t n = strlen(file);
    if (!(copy = malloc(n + 1))) return NM_ERR_NOMEM;
    memcpy(copy, file, n + 1);
  }
  self->files[self->ndocs++] = copy;
  return NM_OK;
}

static nm_status nm_compare__add_one(nm_compare *self, size_t doc, const char *text, size_t len, long id,
                                     size_t start, size_t end, const char *speaker, int anonymous,
                                     size_t speaker_start, size_t speaker_end) {
  if (start > end || end > len || speaker_start > speaker_end || speaker_end > len) return NM_ERR_ARGUMENT;
  if (end - start > UINT32_MAX) return NM_ERR_LIMIT;
  if (!nm_compare__reserve((void **)&self->quotes, &self->quotes_cap, self->nquotes + 1, sizeof *self->quotes))
    return NM_ERR_NOMEM;
  if (self->nquotes >= UINT32_MAX) return NM_ERR_LIMIT;
  nm_compare__quote *q = &self->quotes[self->nquotes];
  memset(q, 0, sizeof *q);
  q->doc = doc;
  q->id = id;
  q->start = start;
  q->end = end;
  q->speaker_start = speaker_start;
  q->speaker_end = speaker_end;
  q->anonymous = anonymous != 0;
  q->name = SIZE_MAX;
  size_t mark_tokens = self->ntokens;
  nm_compare__tok_sink sink = {self, start, false};
  q->tok = self->ntokens;
  nm_compare__scan(self, text, start, end, nm_compare__emit_token, &sink);
  if (sink.failed) {
    self->ntokens = mark_tokens;
    return NM_ERR_NOMEM;
  }
  q->ntok = self->ntokens - q->tok;
  for (size_t k = q->tok; k < self->ntokens; k++) {
    if (self->tokens[k].key == NM_COMPARE_ELLIPSIS) q->ellipsis = true;
    else q->nwords++;
  }
  if (q->nwords < NM_COMPARE_SHORT_MIN) { /* never grouped: keep nothing */
    self->ntokens = mark_tokens;
    return NM_OK;
  }
  if (!nm_compare__add_context(self, q, text, len)) {
    self->ntokens = mark_tokens;
    return NM_ERR_NOMEM;
  }
  if (speaker && *speaker) {
    size_t n = strlen(speaker);
    if (!nm_compare__reserve((void **)&self->names, &self->names_cap, self->names_len + n + 1, 1)) {
      self->ntokens = mark_tokens;
      return NM_ERR_NOMEM;
    }
    q->name = self->names_len;
    memcpy(self->names + self->names_len, speaker, n + 1);
    self->names_len += n + 1;
  }
  self->nquotes++;
  return NM_OK;
}

/* ---- private: union-find ------------------------------------------------- */

static size_t nm_compare__find(size_t *parent, size_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/* ---- private: alignment --------------------------------------------------- */

/* Longest common subsequence of two quotes' keys (ellipses match nothing);
   fills match_a/match_b with the matched token indices, in order. */
static bool nm_compare__align(nm_compare *self, const nm_compare__quote *qa, const nm_compare__quote *qb) {
  size_t na = qa->ntok < NM_COMPARE_MAX_TOKENS ? qa->ntok : NM_COMPARE_MAX_TOKENS;
  size_t nb = qb->ntok < NM_COMPARE_MAX_TOKENS ? qb->ntok : NM_COMPARE_MAX_TOKENS;
  const nm_compare__token *a = self->tokens + qa->tok, *b = self->tokens + qb->tok;
  size_t w = nb + 1;
  if (!nm_compare__reserve((void **)&self->lcs, &self->lcs_cap, (na + 1) * w, sizeof *self->lcs)) return false;
  uint16_t *L = self->lcs;
  for (size_t j = 0; j <= nb; j++) L[na * w + j] = 0;
  for (size_t i = na; i-- > 0;) {
    L[i * w + nb] = 0;
    for (size_t j = nb; j-- > 0;) {
      if (a[i].key == b[j].key && a[i].key != NM_COMPARE_ELLIPSIS) L[i * w + j] = (uint16_t)(L[(i + 1) * w + j + 1] + 1);
      else {
        uint16_t down = L[(i + 1) * w + j], right = L[i * w + j + 1];
        L[i * w + j] = down > right ? down : right;
      }
    }
  }
  self->nmatch = 0;
  memset(self->matched_a, 0, qa->ntok * sizeof *self->matched_a);
  memset(self->matched_b, 0, qb->ntok * sizeof *self->matched_b);
  size_t i = 0, j = 0;
  while (i < na && j < nb) {
    if (a[i].key == b[j].key && a[i].key != NM_COMPARE_ELLIPSIS) {
      self->match_a[self->nmatch] = (uint32_t)i;
      self->match_b[self->nmatch++] = (uint32_t)j;
      self->matched_a[i++] = true;
      self->matched_b[j++] = true;
    } else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) {
      i++;
    } else {
      j++;
    }
  }
  return true;
}

/* Does some stretch of q between ellipses, of 6 words or more, appear whole
   and in one piece in the other quote? "The U.S. has made a very dangerous
   choice … which" against the sentence in full. `mine` and `theirs` are the
   matched token indices of q and of the other quote, in order. */
static bool nm_compare__segment_whole(const nm_compare *self, const nm_compare__quote *q, const uint32_t *mine,
                                      const uint32_t *theirs) {
  if (!q->ellipsis) return false;
  const nm_compare__token *t = self->tokens + q->tok;
  size_t m = 0;
  for (size_t k0 = 0; k0 < q->ntok;) {
    size_t k1 = k0;
    while (k1 < q->ntok && t[k1].key != NM_COMPARE_ELLIPSIS) k1++;
    if (k1 - k0 >= NM_COMPARE_LONG_MIN) {
      while (m < self->nmatch && mine[m] < k0) m++;
      size_t n = 0;
      bool together = true;
      for (size_t i = m; i < self->nmatch && mine[i] < k1; i++, n++)
        if (i > m && theirs[i] != theirs[i - 1] + 1) together = false;
      if (together && n == k1 - k0) return true;
    }
    k0 = k1 + 1;
  }
  return false;
}

/* ---- private: speakers and verification ----------------------------------- */

typedef struct nm_compare__keys {
  uint64_t keys[16];
  size_t n;
} nm_compare__keys;

/* An entity the core could only call by a pronoun has no name to compare. */
static bool nm_compare__pronoun(const char *name) {
  static const char *const pronouns[] = {"he", "she", "they", "it", "i", "we", "you", "him", "her", "them"};
  for (size_t i = 0; i < sizeof pronouns / sizeof *pronouns; i++) {
    size_t n = strlen(pronouns[i]);
    bool same = true;
    for (size_t k = 0; k < n && same; k++) same = name[k] && (name[k] | 0x20) == pronouns[i][k];
    if (same && name[n] == '\0') return true;
  }
  return false;
}

/* Words of a speaker that name someone: capitalised, not a title or role
   ("Former", "Secretary", "US"), without a possessive 's. */
typedef struct nm_compare__names {
  const nm_compare *self;
  const char *text;
  nm_compare__keys keys;
} nm_compare__names;

static bool nm_compare__emit_name(void *ud, uint64_t key, uint32_t form, size_t start, size_t end) {
  (void)form;
  static const char *const titles[] = {
      "the", "a", "an", "of", "former", "president", "vice", "secretary", "senator", "sen", "rep", "representative",
      "gov", "governor", "dr", "mr", "mrs", "ms", "us", "u.s", "state", "minister", "foreign", "prime", "spokesman",
      "spokeswoman", "spokesperson", "chairman", "chair", "republican", "democratic", "democrat", "gop", "house",
      "white", "senate", "general", "gen", "candidate", "presidential", "leader", "official", "officials", "director",
      "ceo", "sir", "lord", "judge", "mayor", "ambassador", "envoy", "chief", "press", "campaign", "deputy", "new"};
  nm_compare__names *n = ud;
  const char *w = n->text + start;
  size_t len = end - start;
  bool upper = (w[0] >= 'A' && w[0] <= 'Z') || ((unsigned char)w[0] == 0xC3 && len > 1 && (unsigned char)w[1] < 0x9F);
  if (!upper || key == NM_COMPARE_ELLIPSIS) return true;
  if (len > 2 && (w[len - 1] == 's' || w[len - 1] == 'S') && w[len - 2] == '\'') len -= 2;
  else if (len > 4 && w[len - 1] == 's' && !memcmp(w + len - 4, "\xe2\x80\x99", 3)) len -= 4;
  for (size_t t = 0; t < sizeof titles / sizeof *titles; t++) {
    size_t tl = strlen(titles[t]);
    bool same = tl == len;
    for (size_t k = 0; k < tl && same; k++) same = (w[k] | 0x20) == titles[t][k];
    if (same) return true;
  }
  if (len != end - start) { /* the word without its possessive */
    nm_compare__one one = {0, 0};
    nm_compare__scan(n->self, w, 0, len, nm_compare__emit_one, &one);
    key = one.key;
  }
  if (n->keys.n < 16) n->keys.keys[n->keys.n++] = key;
  return true;
}

/* -1: no name to compare on one side (no speaker, anonymous, a pronoun, a
   role such as "The president"); 1: the names share a name word (Choe, Choe
   Son Hui; Calderon, Calderón); 0: they name different people. */
static int nm_compare__same_speaker(const nm_compare *self, const nm_compare__quote *a, const nm_compare__quote *b) {
  if (a->name == SIZE_MAX || b->name == SIZE_MAX || a->anonymous || b->anonymous) return -1;
  const char *na = self->names + a->name, *nb = self->names + b->name;
  if (nm_compare__pronoun(na) || nm_compare__pronoun(nb)) return -1; /* "he": not a name */
  nm_compare__names ka = {self, na, {{0}, 0}}, kb = {self, nb, {{0}, 0}};
  nm_compare__scan(self, na, 0, strlen(na), nm_compare__emit_name, &ka);
  nm_compare__scan(self, nb, 0, strlen(nb), nm_compare__emit_name, &kb);
  if (!ka.keys.n || !kb.keys.n) return -1;
  for (size_t i = 0; i < ka.keys.n; i++)
    for (size_t j = 0; j < kb.keys.n; j++)
      if (ka.keys.keys[i] == kb.keys.keys[j]) return 1;
  return 0;
}

/* Words two short lists share, each word used once. */
static size_t nm_compare__shared(const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
  bool used[NM_COMPARE_CONTEXT] = {false};
  size_t shared = 0;
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb && j < NM_COMPARE_CONTEXT; j++)
      if (!used[j] && a[i] == b[j]) {
        used[j] = true;
        shared++;
        break;
      }
  return shared;
}

/* Do two quotes stand among largely the same words (a story retold)? Two
   quotes side by side in one sentence share each other, not a context:
   "This has nothing to do with Islam" and "This has everything to do ...". */
static bool nm_compare__context_shared(const nm_compare__quote *a, const nm_compare__quote *b, const uint64_t *context) {
  size_t gap = a->end <= b->start ? b->start - a->end : b->end <= a->start ? a->start - b->end : 0;
  if (a->doc == b->doc && gap < 400) return false;
  const uint64_t *ca = context + a->ctx, *cb = context + b->ctx;
  size_t around = nm_compare__shared(ca, a->nbefore, cb, b->nbefore) +
                  nm_compare__shared(ca + a->nbefore, a->nafter, cb + b->nbefore, b->nafter);
  return around >= NM_COMPARE_CONTEXT_NEED;
}

/* Words two quotes share as bags, from their sorted keys. */
static size_t nm_compare__bag_overlap(const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
  size_t i = 0, j = 0, shared = 0;
  while (i < na && j < nb) {
    if (a[i] == b[j]) shared++, i++, j++;
    else if (a[i] < b[j]) i++;
    else j++;
  }
  return shared;
}

/* Do quotes x and y report the same words? 1 yes; 0 no (cheaply); 2 no, after
   an alignment; -1 out of memory. */
static int nm_compare__verify(nm_compare *self, const uint64_t *sorted, size_t x, size_t y) {
  const nm_compare__quote *a = &self->quotes[x], *b = &self->quotes[y];
  size_t nshort = a->nwords < b->nwords ? a->nwords : b->nwords;
  size_t nlong = a->nwords < b->nwords ? b->nwords : a->nwords;
  size_t overlap = nm_compare__bag_overlap(sorted + a->tok, a->nwords, sorted + b->tok, b->nwords);
  if (nshort < NM_COMPARE_SHORT_MIN) return 0;
  if (nshort < NM_COMPARE_LONG_MIN) {
    if (nlong - nshort > 1 || overlap + 1 < nlong) return 0;
    int same = nm_compare__same_speaker(self, a, b);
    if (same == 0) return 0;
    bool identical = a->nwords == b->nwords && overlap == a->nwords;
    return nm_compare__context_shared(a, b, self->context) || (identical && same == 1);
  }
  size_t need = (nshort * 4 + 4) / 5; /* 80% of the shorter quote */
  bool maybe_segment = (a->ellipsis || b->ellipsis) && overlap >= NM_COMPARE_LONG_MIN;
  if (overlap < need && !maybe_segment) return 0;
  if (nshort < NM_COMPARE_NAMED_MIN) {
    /* "will continue to do so", "going to win this election": a few words
       anyone may say. Under different names they are not one quote; inside
       a much longer quote they are one only under the same name. */
    int same = nm_compare__same_speaker(self, a, b);
    if (same == 0 || (nlong > nshort + 2 && same != 1)) return 0;
    if (same != 1 && !nm_compare__context_shared(a, b, self->context)) return 0; /* no name: the words around */
  }
  if (!nm_compare__align(self, a, b)) return -1;
  if (a->ntok > NM_COMPARE_MAX_TOKENS || b->ntok > NM_COMPARE_MAX_TOKENS) {
    /* Only the starts were aligned: judge them by what was aligned. */
    size_t na = a->ntok < NM_COMPARE_MAX_TOKENS ? a->ntok : NM_COMPARE_MAX_TOKENS;
    size_t nb = b->ntok < NM_COMPARE_MAX_TOKENS ? b->ntok : NM_COMPARE_MAX_TOKENS;
    need = ((na < nb ? na : nb) * 4 + 4) / 5;
  }
  if (self->nmatch >= need) return 1;
  if (nm_compare__segment_whole(self, a, self->match_a, self->match_b) ||
      nm_compare__segment_whole(self, b, self->match_b, self->match_a))
    return 1;
  return 2; /* rejected after an alignment: worth remembering */
}

/* ---- private: differences ------------------------------------------------- */

static bool nm_compare__push_diff(nm_compare *self, int kind, size_t a, size_t a_start, size_t a_end, size_t b,
                                  size_t b_start, size_t b_end) {
  if (!nm_compare__reserve((void **)&self->diffs, &self->diffs_cap, self->ndiffs + 1, sizeof *self->diffs))
    return false;
  self->diffs[self->ndiffs++] = (nm_compare__diff){kind, a, b, a_start, a_end, b_start, b_end};
  return true;
}

/* The byte span of tokens [from, to) of q; empty at `at` when none. */
static void nm_compare__span(const nm_compare *self, const nm_compare__quote *q, size_t from, size_t to, size_t at,
                             size_t *s, size_t *e) {
  const nm_compare__token *t = self->tokens + q->tok;
  if (from >= to) {
    *s = *e = at;
    return;
  }
  *s = q->start + t[from].off;
  *e = q->start + t[to - 1].off + t[to - 1].len;
}

static size_t nm_compare__count_words(const nm_compare__token *t, size_t from, size_t to, bool *ellipsis) {
  size_t n = 0;
  *ellipsis = false;
  for (size_t k = from; k < to; k++) {
    if (t[k].key == NM_COMPARE_ELLIPSIS) *ellipsis = true;
    else n++;
  }
  return n;
}

/* Classify one gap between matched words: a's tokens [a0, a1), b's [b0, b1).
   edge: -1 before the first match, 1 after the last, 0 between. */
static bool nm_compare__gap(nm_compare *self, size_t x, size_t y, size_t a0, size_t a1, size_t b0, size_t b1,
                            int edge) {
  const nm_compare__quote *a = &self->quotes[x], *b = &self->quotes[y];
  const nm_compare__token *ta = self->tokens + a->tok, *tb = self->tokens + b->tok;
  bool ella, ellb;
  size_t wa = nm_compare__count_words(ta, a0, a1, &ella), wb = nm_compare__count_words(tb, b0, b1, &ellb);
  /* Where a side has nothing, its empty span sits at the gap's place. */
  size_t at_a = a0 < a->ntok ? a->start + ta[a0].off : a->end, at_b = b0 < b->ntok ? b->start + tb[b0].off : b->end;
  if (a0 > 0 && a0 == a1) at_a = a->start + ta[a0 - 1].off + ta[a0 - 1].len;
  if (b0 > 0 && b0 == b1) at_b = b->start + tb[b0 - 1].off + tb[b0 - 1].len;
  size_t as, ae, bs, be;
  if (edge) {
    /* Only an ellipsis next to the matched words says the quote left
       something out; other words beyond the other's end are extent. */
    bool a_elides = a1 > a0 && ta[edge < 0 ? a1 - 1 : a0].key == NM_COMPARE_ELLIPSIS;
    bool b_elides = b1 > b0 && tb[edge < 0 ? b1 - 1 : b0].key == NM_COMPARE_ELLIPSIS;
    if (a_elides && !b_elides && wb) {
      size_t e0 = edge < 0 ? a1 - 1 : a0;
      nm_compare__span(self, a, e0, e0 + 1, at_a, &as, &ae);
      size_t f0 = b0, f1 = b1; /* b's words up to its own ellipsis, if any */
      for (size_t k = b0; k < b1; k++)
        if (tb[k].key == NM_COMPARE_ELLIPSIS) {
          if (edge < 0) f0 = k + 1;
          else if (f1 == b1) f1 = k;
        }
      nm_compare__span(self, b, f0, f1, at_b, &bs, &be);
      return nm_compare__push_diff(self, NM_DIFF_OMISSION, x, as, ae, y, bs, be);
    }
    if (b_elides && !a_elides && wa) {
      size_t e0 = edge < 0 ? b1 - 1 : b0;
      nm_compare__span(self, b, e0, e0 + 1, at_b, &bs, &be);
      size_t f0 = a0, f1 = a1;
      for (size_t k = a0; k < a1; k++)
        if (ta[k].key == NM_COMPARE_ELLIPSIS) {
          if (edge < 0) f0 = k + 1;
          else if (f1 == a1) f1 = k;
        }
      nm_compare__span(self, a, f0, f1, at_a, &as, &ae);
      return nm_compare__push_diff(self, NM_DIFF_OMISSION, x, as, ae, y, bs, be);
    }
    if (wa && wb && !ella && !ellb && wa <= NM_COMPARE_EDGE_WORDS && wb <= NM_COMPARE_EDGE_WORDS) {
      nm_compare__span(self, a, a0, a1, at_a, &as, &ae);
      nm_compare__span(self, b, b0, b1, at_b, &bs, &be);
      return nm_compare__push_diff(self, NM_DIFF_SUBSTITUTION, x, as, ae, y, bs, be);
    }
    return true;
  }
  if (!wa && !wb) return true; /* nothing, or an ellipsis facing nothing */
  nm_compare__span(self, a, a0, a1, at_a, &as, &ae);
  nm_compare__span(self, b, b0, b1, at_b, &bs, &be);
  int kind;
  if ((ella && !ellb && wb) || (ellb && !ella && wa)) kind = NM_DIFF_OMISSION;
  else if (ella && ellb) return true; /* both elide here: nothing to compare */
  else if (wa && wb) kind = NM_DIFF_SUBSTITUTION;
  else kind = NM_DIFF_ADDITION;
  return nm_compare__push_diff(self, kind, x, as, ae, y, bs, be);
}

/*
 * Drop islands of one or two matched words with unmatched words on both
 * sides before and after them: a stray "to" or "the" matched far past an
 * ellipsis would otherwise cut one omission into two odd pieces.
 */
static void nm_compare__prune(nm_compare *self, size_t na, size_t nb) {
  bool changed = true;
  while (changed) {
    changed = false;
    size_t n = self->nmatch;
    for (size_t m0 = 0, m1; m0 < n; m0 = m1) {
      for (m1 = m0 + 1; m1 < n && self->match_a[m1] == self->match_a[m1 - 1] + 1 &&
                        self->match_b[m1] == self->match_b[m1 - 1] + 1;
           m1++)
        ;
      if (m1 - m0 > 2 || m1 - m0 == n) continue;
      size_t a0 = m0 ? self->match_a[m0 - 1] + 1 : 0, b0 = m0 ? self->match_b[m0 - 1] + 1 : 0;
      size_t a1 = m1 < n ? self->match_a[m1] : na, b1 = m1 < n ? self->match_b[m1] : nb;
      bool before = self->match_a[m0] > a0 && self->match_b[m0] > b0;
      bool after = a1 > self->match_a[m1 - 1] + 1 && b1 > self->match_b[m1 - 1] + 1;
      if (!before || !after) continue;
      memmove(self->match_a + m0, self->match_a + m1, (n - m1) * sizeof *self->match_a);
      memmove(self->match_b + m0, self->match_b + m1, (n - m1) * sizeof *self->match_b);
      self->nmatch -= m1 - m0;
      changed = true;
      break;
    }
  }
}

/* All differences between quote x (the parent) and quote y. */
static bool nm_compare__diff_pair(nm_compare *self, size_t x, size_t y) {
  const nm_compare__quote *a = &self->quotes[x], *b = &self->quotes[y];
  if (nm_compare__same_speaker(self, a, b) == 0) {
    size_t as = a->speaker_start, ae = a->speaker_end, bs = b->speaker_start, be = b->speaker_end;
    if (as == ae) as = ae = a->start;
    if (bs == be) bs = be = b->start;
    if (!nm_compare__push_diff(self, NM_DIFF_SPEAKER, x, as, ae, y, bs, be)) return false;
  }
  if (!nm_compare__align(self, a, b)) return false;
  nm_compare__prune(self, a->ntok, b->ntok);
  const nm_compare__token *ta = self->tokens + a->tok, *tb = self->tokens + b->tok;
  size_t pa = 0, pb = 0;
  for (size_t m = 0; m <= self->nmatch; m++) {
    size_t ia = m < self->nmatch ? self->match_a[m] : a->ntok;
    size_t ib = m < self->nmatch ? self->match_b[m] : b->ntok;
    int edge = m == 0 ? -1 : m == self->nmatch ? 1 : 0;
    if (self->nmatch == 0) edge = 1;
    if (!nm_compare__gap(self, x, y, pa, ia, pb, ib, edge)) return false;
    if (m == self->nmatch) break;
    if (ta[ia].form != tb[ib].form) {
      size_t as, ae, bs, be;
      nm_compare__span(self, a, ia, ia + 1, 0, &as, &ae);
      nm_compare__span(self, b, ib, ib + 1, 0, &bs, &be);
      if (!nm_compare__push_diff(self, NM_DIFF_SPELLING, x, as, ae, y, bs, be)) return false;
    }
    pa = ia + 1;
    pb = ib + 1;
  }
  return true;
}

/* ---- private: the run ------------------------------------------------------ */

static int nm_compare__posting_cmp(const void *l, const void *r) {
  const nm_compare__posting *a = l, *b = r;
  if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
  return (a->quote > b->quote) - (a->quote < b->quote);
}

static int nm_compare__u64_cmp(const void *l, const void *r) {
  uint64_t a = *(const uint64_t *)l, b = *(const uint64_t *)r;
  return (a > b) - (a < b);
}

static uint64_t nm_compare__mix(uint64_t h, uint64_t k) {
  h ^= k + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

/* The 3-grams a quote is indexed by (see the top of the file). */
static bool nm_compare__shingles(const nm_compare *self, size_t x, nm_compare__posting **post, size_t *n,
                                 size_t *cap) {
  const nm_compare__quote *q = &self->quotes[x];
  const nm_compare__token *t = self->tokens + q->tok;
  uint64_t seq[3 + NM_COMPARE_LONG_MIN + 3];
  bool is_short = q->nwords < NM_COMPARE_LONG_MIN;
  if (is_short) {
    /* Context words, then the quote, then context; an ellipsis breaks the run. */
    size_t k = 0;
    const uint64_t *c = self->context + q->ctx;
    for (size_t i = q->nbefore > 3 ? q->nbefore - 3 : 0; i < q->nbefore; i++) seq[k++] = c[i];
    for (size_t i = 0; i < q->ntok && k < sizeof seq / sizeof *seq; i++) seq[k++] = t[i].key;
    for (size_t i = 0; i < q->nafter && i < 3 && k < sizeof seq / sizeof *seq; i++) seq[k++] = c[q->nbefore + i];
    for (size_t i = 0; i + 3 <= k; i++) {
      if (seq[i] == NM_COMPARE_ELLIPSIS || seq[i + 1] == NM_COMPARE_ELLIPSIS || seq[i + 2] == NM_COMPARE_ELLIPSIS)
        continue;
      if (!nm_compare__reserve((void **)post, cap, *n + 1, sizeof **post)) return false;
      (*post)[(*n)++] = (nm_compare__posting){
          nm_compare__mix(nm_compare__mix(nm_compare__mix(0x5348u, seq[i]), seq[i + 1]), seq[i + 2]), (uint32_t)x};
    }
    return true;
  }
  size_t ntok = q->ntok < NM_COMPARE_MAX_TOKENS ? q->ntok : NM_COMPARE_MAX_TOKENS;
  for (size_t i = 0; i + 3 <= ntok; i++) {
    if (t[i].key == NM_COMPARE_ELLIPSIS || t[i + 1].key == NM_COMPARE_ELLIPSIS || t[i + 2].key == NM_COMPARE_ELLIPSIS)
      continue;
    if (!nm_compare__reserve((void **)post, cap, *n + 1, sizeof **post)) return false;
    (*post)[(*n)++] = (nm_compare__posting){
        nm_compare__mix(nm_compare__mix(nm_compare__mix(0x4c4fu, t[i].key), t[i + 1].key), t[i + 2].key), (uint32_t)x};
  }
  return true;
}

/* A set of pair keys (never 0), open addressing; *cap is 0 or a power of two. */
static size_t nm_compare__set_slot(uint64_t key, size_t cap) {
  key ^= key >> 33; /* splitmix64's finaliser: every key bit reaches the low bits */
  key *= 0xff51afd7ed558ccdull;
  key ^= key >> 33;
  key *= 0xc4ceb9fe1a85ec53ull;
  key ^= key >> 33;
  return (size_t)key & (cap - 1);
}

static bool nm_compare__set_has(const uint64_t *set, size_t cap, uint64_t key) {
  if (!cap) return false;
  for (size_t i = nm_compare__set_slot(key, cap); set[i]; i = (i + 1) & (cap - 1))
    if (set[i] == key) return true;
  return false;
}

static bool nm_compare__set_add(uint64_t **set, size_t *cap, size_t *n, uint64_t key) {
  if ((*n + 1) * 2 > *cap) {
    size_t cap2 = *cap ? *cap * 2 : 1024;
    uint64_t *grown = calloc(cap2, sizeof *grown);
    if (!grown) return false;
    for (size_t i = 0; i < *cap; i++)
      if ((*set)[i]) {
        size_t k = nm_compare__set_slot((*set)[i], cap2);
        while (grown[k]) k = (k + 1) & (cap2 - 1);
        grown[k] = (*set)[i];
      }
    free(*set);
    *set = grown;
    *cap = cap2;
  }
  size_t k = nm_compare__set_slot(key, *cap);
  while ((*set)[k]) k = (k + 1) & (*cap - 1);
  (*set)[k] = key;
  (*n)++;
  return true;
}

static bool nm_compare__overlaps(const nm_compare__quote *a, const nm_compare__quote *b) {
  return a->doc == b->doc && a->start < b->end && b->start < a->end;
}

/* ---- public ------------------------------------------------------------- */

const char *nm_diff_kind_name(int kind) {
  static const char *const names[] = {"spelling", "substitution", "omission", "addition", "speaker"};
  return kind >= 0 && kind < (int)(sizeof names / sizeof *names) ? names[kind] : NULL;
}

nm_compare *nm_compare_new(char *err, size_t errlen) {
  nm_compare *self = calloc(1, sizeof *self);
  if (!self || !nm_compare__load_spellings(self)) {
    nm_compare_delete(self);
    nm_compare__error(err, errlen, "compare: out of memory");
    return NULL;
  }
  return self;
}

void nm_compare_delete(nm_compare *self) {
  if (!self) return;
  for (size_t i = 0; i < self->ndocs; i++) free(self->files[i]);
  free(self->files);
  free(self->quotes);
  free(self->tokens);
  free(self->context);
  free(self->names);
  free(self->spell_from);
  free(self->spell_to);
  free(self->parent_uf);
  free(self->group_start);
  free(self->group_members);
  free(self->member_parent);
  free(self->quote_group);
  free(self->group_variant);
  free(self->group_diff_start);
  free(self->diffs);
  free(self->lcs);
  free(self->matched_a);
  free(self->matched_b);
  free(self->match_a);
  free(self->match_b);
  free(self);
}

nm_status nm_compare_add(nm_compare *self, const nm_doc *doc, const char *file) {
  if (!self || !doc || self->ran) return NM_ERR_ARGUMENT;
  nm_status st = nm_compare__start_doc(self, file);
  if (st != NM_OK) return st;
  self->last_by_quote = false;
  const char *text = nm_doc_text(doc);
  size_t len = nm_doc_length(doc), n = nm_doc_quote_count(doc);
  for (size_t i = 0; i < n; i++) {
    int kind = nm_doc_quote_kind(doc, i);
    if (kind != NM_QUOTE_DIRECT && kind != NM_QUOTE_PARTIAL && kind != NM_QUOTE_HEADING) continue;
    if (nm_doc_quote_boilerplate(doc, i)) continue;
    size_t s, e, ss = 0, se = 0;
    if (!nm_doc_quote_part(doc, i, NM_PART_QUOTE, &s, &e)) continue;
    if (!nm_doc_quote_part(doc, i, NM_PART_SPEAKER, &ss, &se)) ss = se = 0;
    long ent = nm_doc_quote_entity(doc, i);
    const char *name = ent >= 0 ? nm_doc_entity_name(doc, (size_t)ent) : NULL;
    int anonymous = ent >= 0 ? nm_doc_entity_anonymous(doc, (size_t)ent) : 0;
    st = nm_compare__add_one(self, self->ndocs - 1, text, len, (long)i, s, e, name, anonymous, ss, se);
    if (st != NM_OK) return st;
  }
  return NM_OK;
}

nm_status nm_compare_add_quote(nm_compare *self, const char *file, const char *text, size_t len, long quote_id,
                               size_t start, size_t end, const char *speaker, int anonymous, size_t speaker_start,
                               size_t speaker_end) {
  if (!self || !text || self->ran) return NM_ERR_ARGUMENT;
  const char *last = self->ndocs ? self->files[self->ndocs - 1] : NULL;
  bool same = self->ndocs && self->last_by_quote && (last && file ? !strcmp(last, file) : last == file);
  if (!same) {
    nm_status st = nm_compare__start_doc(self, file);
    if (st != NM_OK) return st;
    self->last_by_quote = true;
  }
  return nm_compare__add_one(self, self->ndocs - 1, text, len, quote_id, start, end, speaker, anonymous,
                             speaker_start, speaker_end);
}

nm_status nm_compare_run(nm_compare *self) {
  if (!self || self->ran) return NM_ERR_ARGUMENT;
  size_t nq = self->nquotes;
  nm_status st = NM_ERR_NOMEM;
  uint64_t *sorted = NULL, *pairs = NULL, *edges = NULL;
  nm_compare__posting *post = NULL;
  size_t npost = 0, post_cap = 0, npairs = 0, pairs_cap = 0, nedges = 0, edges_cap = 0;
  size_t *adj_start = NULL, *adj = NULL, *queue = NULL, *size = NULL, *slot = NULL;
  long *parent_of = NULL;

  size_t maxtok = 1;
  for (size_t x = 0; x < nq; x++)
    if (self->quotes[x].ntok > maxtok) maxtok = self->quotes[x].ntok;
  self->matched_a = calloc(maxtok, sizeof *self->matched_a);
  self->matched_b = calloc(maxtok, sizeof *self->matched_b);
  self->match_a = calloc(maxtok, sizeof *self->match_a);
  self->match_b = calloc(maxtok, sizeof *self->match_b);
  self->parent_uf = malloc((nq ? nq : 1) * sizeof *self->parent_uf);
  self->quote_group = malloc((nq ? nq : 1) * sizeof *self->quote_group);
  sorted = malloc((self->ntokens ? self->ntokens : 1) * sizeof *sorted);
  if (!self->matched_a || !self->matched_b || !self->match_a || !self->match_b || !self->parent_uf ||
      !self->quote_group || !sorted)
    goto done;

  /* Each quote's word keys, sorted, for the bag-of-words filter. */
  for (size_t x = 0; x < nq; x++) {
    const nm_compare__quote *q = &self->quotes[x];
    size_t k = q->tok;
    for (size_t i = q->tok; i < q->tok + q->ntok; i++)
      if (self->tokens[i].key != NM_COMPARE_ELLIPSIS) sorted[k++] = self->tokens[i].key;
    qsort(sorted + q->tok, q->nwords, sizeof *sorted, nm_compare__u64_cmp);
  }

  /* The inverted index: (3-gram, quote), sorted; each posting list gives pairs. */
  for (size_t x = 0; x < nq; x++)
    if (!nm_compare__shingles(self, x, &post, &npost, &post_cap)) goto done;
  if (npost) qsort(post, npost, sizeof *post, nm_compare__posting_cmp);

  /* Each posting list's pairs, checked as they come: a pair already in one
     group costs a find, a pair already rejected a set lookup; each kept
     pair joins two groups and is a tree edge. */
  for (size_t x = 0; x < nq; x++) self->parent_uf[x] = x;
  for (size_t i = 0; i < npost;) {
    size_t j = i;
    while (j < npost && post[j].hash == post[i].hash) j++;
    /* A long list ("one of the", or one quote carried by a hundred outlets)
       pairs each quote with the next only: copies still chain into one group. */
    bool chain = j - i > NM_COMPARE_POSTING_CAP;
    if (j - i >= 2) {
      for (size_t u = i; u < j; u++) {
        if (u > i && post[u].quote == post[u - 1].quote) continue;
        for (size_t v = u + 1; v < j && (!chain || v == u + 1); v++) {
          if (post[v].quote == post[v - 1].quote) continue;
          size_t x = post[u].quote, y = post[v].quote;
          size_t rx = nm_compare__find(self->parent_uf, x), ry = nm_compare__find(self->parent_uf, y);
          if (rx == ry || nm_compare__overlaps(&self->quotes[x], &self->quotes[y])) continue;
          uint64_t key = ((uint64_t)x << 32 | y) + 1;
          if (nm_compare__set_has(pairs, pairs_cap, key)) continue;
          int same = nm_compare__verify(self, sorted, x, y);
          if (same < 0) goto done;
          if (same == 2 && !nm_compare__set_add(&pairs, &pairs_cap, &npairs, key)) goto done;
          if (same != 1) continue;
          self->parent_uf[rx < ry ? ry : rx] = rx < ry ? rx : ry;
          if (!nm_compare__reserve((void **)&edges, &edges_cap, nedges + 1, sizeof *edges)) goto done;
          edges[nedges++] = (uint64_t)x << 32 | y;
        }
      }
    }
    i = j;
  }
  free(post);
  post = NULL;
  free(pairs);
  pairs = NULL;

  /* Groups: components of two or more, in order of their first quote. */
  size = calloc(nq ? nq : 1, sizeof *size);
  slot = calloc(nq ? nq : 1, sizeof *slot);
  if (!size || !slot) goto done;
  for (size_t x = 0; x < nq; x++) size[nm_compare__find(self->parent_uf, x)]++;
  self->ngroups = 0;
  size_t nmembers = 0;
  for (size_t x = 0; x < nq; x++) {
    size_t r = nm_compare__find(self->parent_uf, x);
    self->quote_group[x] = -1;
    if (size[r] < 2) continue;
    if (r == x) slot[r] = self->ngroups++;
    self->quote_group[x] = (long)slot[r];
    nmembers++;
  }
  self->group_start = calloc(self->ngroups + 1, sizeof *self->group_start);
  self->group_members = malloc((nmembers ? nmembers : 1) * sizeof *self->group_members);
  self->member_parent = malloc((nmembers ? nmembers : 1) * sizeof *self->member_parent);
  self->group_variant = calloc(self->ngroups ? self->ngroups : 1, sizeof *self->group_variant);
  self->group_diff_start = calloc(self->ngroups + 1, sizeof *self->group_diff_start);
  if (!self->group_start || !self->group_members || !self->member_parent || !self->group_variant ||
      !self->group_diff_start)
    goto done;
  for (size_t x = 0; x < nq; x++)
    if (self->quote_group[x] >= 0) self->group_start[self->quote_group[x] + 1]++;
  for (size_t g = 0; g < self->ngroups; g++) self->group_start[g + 1] += self->group_start[g];
  memset(slot, 0, nq * sizeof *slot);
  for (size_t x = 0; x < nq; x++)
    if (self->quote_group[x] >= 0) {
      size_t g = (size_t)self->quote_group[x];
      self->group_members[self->group_start[g] + slot[g]++] = x;
    }

  /* The edges as adjacency lists, for a tree rooted at each group's longest quote. */
  adj_start = calloc(nq + 1, sizeof *adj_start);
  adj = malloc((nedges ? 2 * nedges : 1) * sizeof *adj);
  queue = malloc((nq ? nq : 1) * sizeof *queue);
  parent_of = malloc((nq ? nq : 1) * sizeof *parent_of);
  if (!adj_start || !adj || !queue || !parent_of) goto done;
  for (size_t e = 0; e < nedges; e++) {
    adj_start[(edges[e] >> 32) + 1]++;
    adj_start[(edges[e] & 0xFFFFFFFFu) + 1]++;
  }
  for (size_t x = 0; x < nq; x++) adj_start[x + 1] += adj_start[x];
  memset(slot, 0, nq * sizeof *slot);
  for (size_t e = 0; e < nedges; e++) {
    size_t x = (size_t)(edges[e] >> 32), y = (size_t)(edges[e] & 0xFFFFFFFFu);
    adj[adj_start[x] + slot[x]++] = y;
    adj[adj_start[y] + slot[y]++] = x;
  }
  for (size_t x = 0; x < nq; x++) parent_of[x] = -2; /* not reached yet */
  self->ndiffs = 0;
  for (size_t g = 0; g < self->ngroups; g++) {
    size_t m0 = self->group_start[g], m1 = self->group_start[g + 1], root = self->group_members[m0];
    for (size_t m = m0; m < m1; m++)
      if (self->quotes[self->group_members[m]].nwords > self->quotes[root].nwords) root = self->group_members[m];
    size_t head = 0, tail = 0;
    queue[tail++] = root;
    parent_of[root] = -1;
    while (head < tail) {
      size_t x = queue[head++];
      for (size_t k = adj_start[x]; k < adj_start[x + 1]; k++)
        if (parent_of[adj[k]] == -2) {
          parent_of[adj[k]] = (long)x;
          queue[tail++] = adj[k];
        }
    }
    for (size_t m = m0; m < m1; m++) size[self->group_members[m]] = m - m0; /* now: member number */
    for (size_t m = m0; m < m1; m++) {
      size_t x = self->group_members[m];
      self->member_parent[m] = -1;
      if (parent_of[x] < 0) continue;
      self->member_parent[m] = (long)size[parent_of[x]];
      if (!nm_compare__diff_pair(self, (size_t)parent_of[x], x)) goto done;
    }
    self->group_diff_start[g + 1] = self->ndiffs;
    self->group_variant[g] = self->group_diff_start[g + 1] > self->group_diff_start[g];
  }
  self->ran = true;
  st = NM_OK;
done:
  free(sorted);
  free(post);
  free(pairs);
  free(edges);
  free(adj_start);
  free(adj);
  free(queue);
  free(parent_of);
  free(size);
  free(slot);
  return st;
}

size_t nm_compare_doc_count(const nm_compare *self) { return self ? self->ndocs : 0; }

const char *nm_compare_doc_file(const nm_compare *self, size_t doc) {
  return self && doc < self->ndocs ? self->files[doc] : NULL;
}

size_t nm_compare_quote_count(const nm_compare *self) { return self ? self->nquotes : 0; }

size_t nm_compare_quote_doc(const nm_compare *self, size_t q) {
  return self && q < self->nquotes ? self->quotes[q].doc : 0;
}

long nm_compare_quote_id(const nm_compare *self, size_t q) {
  return self && q < self->nquotes ? self->quotes[q].id : -1;
}

int nm_compare_quote_span(const nm_compare *self, size_t q, size_t *start, size_t *end) {
  if (!self || q >= self->nquotes) return 0;
  if (start) *start = self->quotes[q].start;
  if (end) *end = self->quotes[q].end;
  return 1;
}

const char *nm_compare_quote_speaker(const nm_compare *self, size_t q) {
  if (!self || q >= self->nquotes || self->quotes[q].name == SIZE_MAX) return NULL;
  return self->names + self->quotes[q].name;
}

size_t nm_compare_group_count(const nm_compare *self) { return self && self->ran ? self->ngroups : 0; }

size_t nm_compare_group_size(const nm_compare *self, size_t g) {
  if (g >= nm_compare_group_count(self)) return 0;
  return self->group_start[g + 1] - self->group_start[g];
}

size_t nm_compare_group_member(const nm_compare *self, size_t g, size_t m) {
  if (m >= nm_compare_group_size(self, g)) return SIZE_MAX;
  return self->group_members[self->group_start[g] + m];
}

long nm_compare_group_parent(const nm_compare *self, size_t g, size_t m) {
  if (m >= nm_compare_group_size(self, g)) return -1;
  return self->member_parent[self->group_start[g] + m];
}

int nm_compare_group_variant(const nm_compare *self, size_t g) {
  return g < nm_compare_group_count(self) && self->group_variant[g];
}

long nm_compare_quote_group(const nm_compare *self, size_t q) {
  if (!self || !self->ran || q >= self->nquotes) return -1;
  return self->quote_group[q];
}

size_t nm_compare_group_diff_count(const nm_compare *self, size_t g) {
  if (g >= nm_compare_group_count(self)) return 0;
  return self->group_diff_start[g + 1] - self->group_diff_start[g];
}

int nm_compare_group_diff(const nm_compare *self, size_t g, size_t k, size_t *a, size_t *a_start, size_t *a_end,
                          size_t *b, size_t *b_start, size_t *b_end) {
  if (k >= nm_compare_group_diff_count(self, g)) return -1;
  const nm_compare__diff *d = &self->diffs[self->group_diff_start[g] + k];
  if (a) *a = d->a;
  if (a_start) *a_start = d->a_start;
  if (a_end) *a_end = d->a_end;
  if (b) *b = d->b;
  if (b_start) *b_start = d->b_start;
  if (b_end) *b_end = d->b_end;
  return d->kind;
}
