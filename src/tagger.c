/*
 * tagger.c: a small learned attribution tagger, run after the rules.
 *
 * PolNeAR-style attributions have open-class cues ("believes", "figures",
 * "reserved his most eloquent passion for"), pronoun and long noun-phrase
 * sources, and content that takes in the "that"/"to" before a reported
 * clause. Rules stall on those; an averaged perceptron over hashed token
 * features learns them. Each token gets one of seven tags (O, B/I-CUE,
 * B/I-SRC, B/I-CON), decoded greedily left to right within a paragraph,
 * with the two previous tags as features.
 *
 * The model is trained by src/train_tagger.c on the PolNeAR training split
 * and embedded in the library as a build artifact (never committed); a
 * build without the corpus embeds an empty model and the tagger is off.
 *
 * Model file ("NMTAG1" format, little-endian):
 *   char magic[8] = "NMTAG1\0\0"; uint32 rows (a power of two); float scale
 *   (the int16 weights are the averaged perceptron's times scale);
 *   int16 trans[NM_TAG_PREV2 * NM_TAG_SLOTS];   previous-two-tags weights
 *   int16 weights[rows * NM_TAG_SLOTS];          one 16-byte row per feature
 * A feature's row is its hash masked by rows - 1; slot k is tag k's weight.
 *
 * Spans become quotes: each content span is a quote, given the nearest cue
 * span in its paragraph and the source nearest that cue. Quotes found by
 * quote marks stay (their detection is strong); the model supplies cue and
 * speaker where the rules had none, replaces the rules' reported-speech
 * (mixed and indirect) quotes, and adds the ones the rules missed.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* AVX2 code is compiled for one function (target attribute) and used only
   when the processor has it, so the build still runs on any x86-64.
   -DNM_TAGGER_NO_AVX2 leaves it out (tests/test_tagger.sh builds so, to
   check that the SSE2 and plain C paths give the same output). */
#if defined(__x86_64__) && defined(__GNUC__) && (defined(__clang__) || __GNUC__ >= 5) && !defined(NM_TAGGER_NO_AVX2)
#define NM_TAGGER__AVX2 1
#include <immintrin.h>
#endif

#define NM_TAGGER__MAGIC "NMTAG1\0\0"
#define NM_TAGGER__HEADER 16u

/* The most tokens between two content pieces that are joined (measured on
   held-out documents: 0 -> 31.8, 3 -> 32.7, 5 -> 33.0 content F1). */
#define NM_TAGGER__JOIN 5u
/* Confidence floors for new quotes, in trained-weight units (held-out
   documents, plain perceptron: no floor -> content 33.7 cue 60.2; 30/40 ->
   content 34.2 cue 58.4). The margin perceptron (train_tagger --margin)
   leads by far more: there they rarely bite (0/0 to 60/100 within 0.1
   point on held-out documents). */
#define NM_TAGGER__SURE 30.0f
#define NM_TAGGER__SURER 40.0f
/* Feature windows: at most this many tokens tagged at a time, read with
   this many more either side (features look 3 tokens away, and the
   distance to a cue word saturates at 20), so a chunked paragraph gets
   the same features as a whole one. */
#define NM_TAGGER__CHUNK 4096u
/* A decoded token, one byte: its tag, and its tag's lead over the runner-up
   in steps of 16 trained-weight units (at most 496: a margin-trained model
   leads by hundreds). */
#define NM_TAGGER__TAG(x) ((x) & 7)
#define NM_TAGGER__LEAD_STEP 16
#define NM_TAGGER__LEAD(x) (((x) >> 3) * NM_TAGGER__LEAD_STEP)
/* How far (bytes) from a cue to look for the direct quote it introduces. */
#define NM_TAGGER__NEAR 1000u
#define NM_TAGGER__MARGIN 24u

/* ---- private: the model -------------------------------------------------- */

bool nm__tagger_init(nm__tagger *tg, const unsigned char *data, size_t len) {
  memset(tg, 0, sizeof *tg);
  if (!data || len < NM_TAGGER__HEADER || memcmp(data, NM_TAGGER__MAGIC, 8) != 0) return false;
  uint32_t rows;
  memcpy(&rows, data + 8, 4);
  if (rows == 0 || (rows & (rows - 1)) != 0) return false;
  size_t need = NM_TAGGER__HEADER + (size_t)NM_TAG_PREV2 * NM_TAG_SLOTS * 2 + (size_t)rows * NM_TAG_SLOTS * 2;
  if (len < need) return false;
  float scale;
  memcpy(&scale, data + 12, 4);
  if (!(scale > 0)) return false;
  /* The embedded bytes are 16-aligned (tagger_model.S), so the int16 views are aligned. */
  tg->trans = (const int16_t *)(const void *)(data + NM_TAGGER__HEADER);
  tg->weights = tg->trans + NM_TAG_PREV2 * NM_TAG_SLOTS;
  tg->scale = scale;
  tg->mask = rows - 1;
  return true;
}

/* ---- private: features --------------------------------------------------- */

/* FNV-1a, seeded by a feature template id. */
static uint32_t nm_tagger__hash(uint32_t seed, const char *s, size_t n) {
  uint32_t h = 2166136261u ^ (seed * 16777619u);
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 16777619u;
  }
  return h;
}

/* Combine a template id with one or two hashed values: two multiplies
   and a fold of the high bits into the low ones, which index the table
   (this runs 31 times a token, so it is kept short). */
static inline uint32_t nm_tagger__mix(uint32_t tmpl, uint32_t a, uint32_t b) {
  uint32_t h = (a ^ (tmpl * 0x9E3779B9u)) * 0x85EBCA6Bu;
  h = (h ^ b ^ (h >> 15)) * 0xC2B2AE35u;
  return h ^ (h >> 16);
}

/* Lexicon classes the tagger reads, one feature each. */
#define NM_TAGGER__CLASSES                                                                                  \
  (NM_LEX_CUE | NM_LEX_CUE_NOUN | NM_LEX_TITLE | NM_LEX_ANON_HEAD | NM_LEX_PRONOUN | NM_LEX_COUNTRY |          \
   NM_LEX_ORG_HEAD | NM_LEX_CHANNEL | NM_LEX_GROUP | NM_LEX_DOCUMENT | NM_LEX_CUE_PREP | NM_LEX_HEDGE |         \
   NM_LEX_DENIAL | NM_LEX_TERM_CUE | NM_LEX_PREFIX_OF_ENTRY)

/* A cue candidate: the lexicon says reporting verb, cue noun or "according". */
static bool nm_tagger__cue_like(const nm__token *t) {
  return t->type == NM_TOK_WORD && (t->lex & (NM_LEX_CUE | NM_LEX_CUE_PREP | NM_LEX_CUE_NOUN)) != 0;
}

static uint32_t nm_tagger__bucket(uint32_t d) {
  /* a table, not a chain of compares: this runs several times a token */
  static const uint8_t bucket[20] = {0, 1, 2, 3, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6};
  return d < 20 ? bucket[d] : 7;
}

/* A character's shape symbol: X x d for upper, lower and digit, u for
   any byte of a non-ASCII character, else the byte itself. ASCII's are a
   table, read directly by the word-hash loop. */
#define NM_TAGGER__SYM(c) ((c) >= 'A' && (c) <= 'Z' ? 'X' : (c) >= 'a' && (c) <= 'z' ? 'x' : (c) >= '0' && (c) <= '9' ? 'd' : (c))
#define NM_TAGGER__SYM4(c) NM_TAGGER__SYM(c), NM_TAGGER__SYM(c + 1), NM_TAGGER__SYM(c + 2), NM_TAGGER__SYM(c + 3)
#define NM_TAGGER__SYM16(c) NM_TAGGER__SYM4(c), NM_TAGGER__SYM4(c + 4), NM_TAGGER__SYM4(c + 8), NM_TAGGER__SYM4(c + 12)
static const unsigned char nm_tagger__ascii_sym[128] = {
    NM_TAGGER__SYM16(0),  NM_TAGGER__SYM16(16), NM_TAGGER__SYM16(32), NM_TAGGER__SYM16(48),
    NM_TAGGER__SYM16(64), NM_TAGGER__SYM16(80), NM_TAGGER__SYM16(96), NM_TAGGER__SYM16(112)};
#undef NM_TAGGER__SYM
/* A byte lower-cased, or 0 when it is no visible ASCII character (0x21-0x7f). */
#define NM_TAGGER__SYM(c) ((c) >= 'A' && (c) <= 'Z' ? (c) | 0x20 : (c) > 0x20 && (c) < 0x80 ? (c) : 0)
static const unsigned char nm_tagger__ascii_lower[256] = {
    NM_TAGGER__SYM16(0),   NM_TAGGER__SYM16(16),  NM_TAGGER__SYM16(32),  NM_TAGGER__SYM16(48),
    NM_TAGGER__SYM16(64),  NM_TAGGER__SYM16(80),  NM_TAGGER__SYM16(96),  NM_TAGGER__SYM16(112),
    NM_TAGGER__SYM16(128), NM_TAGGER__SYM16(144), NM_TAGGER__SYM16(160), NM_TAGGER__SYM16(176),
    NM_TAGGER__SYM16(192), NM_TAGGER__SYM16(208), NM_TAGGER__SYM16(224), NM_TAGGER__SYM16(240)};
#undef NM_TAGGER__SYM16
#undef NM_TAGGER__SYM4
#undef NM_TAGGER__SYM

static char nm_tagger__shape_sym(unsigned char c) { return c < 0x80 ? (char)nm_tagger__ascii_sym[c] : 'u'; }

/* The word's shape: X x d, runs collapsed, at most 4 symbols. */
static uint32_t nm_tagger__shape(const char *s, size_t n) {
  char out[4];
  size_t k = 0;
  for (size_t i = 0; i < n && k < 4; i++) {
    unsigned char c = (unsigned char)s[i];
    char sym = nm_tagger__shape_sym(c);
    if (k == 0 || out[k - 1] != sym) out[k++] = sym;
  }
  return nm_tagger__hash(3, out, k);
}

/* Per-token hashes computed once: word, suffixes, shape. */
typedef struct nm_tagger__word {
  uint32_t word, suf3, suf2, shape;
} nm_tagger__word;

/*
 * A Markdown or HTML token's characters as plain UTF-8 into buf (at most
 * cap bytes): markup bytes inside the token are left out and character
 * references decoded, so a word hashes the same in every input format
 * ("Pyongyang&rsquo;s" as "Pyongyang’s").
 */
static size_t nm_tagger__plain(const nm_doc *doc, const nm__token *t, char *buf, size_t cap) {
  size_t k = 0;
  for (uint32_t pos = t->start; pos < t->end && k + 4 <= cap;) {
    uint32_t len;
    if ((doc->mask[pos] & 3) != NM_MASK_PROSE) {
      pos++;
      continue;
    }
    uint32_t cp = nm__decode(doc, pos, &len);
    pos += len ? len : 1;
    if (cp < 0x80) buf[k++] = (char)cp;
    else if (cp < 0x800) buf[k++] = (char)(0xC0 | cp >> 6), buf[k++] = (char)(0x80 | (cp & 0x3F));
    else if (cp < 0x10000)
      buf[k++] = (char)(0xE0 | cp >> 12), buf[k++] = (char)(0x80 | ((cp >> 6) & 0x3F)), buf[k++] = (char)(0x80 | (cp & 0x3F));
    else
      buf[k++] = (char)(0xF0 | cp >> 18), buf[k++] = (char)(0x80 | ((cp >> 12) & 0x3F)),
      buf[k++] = (char)(0x80 | ((cp >> 6) & 0x3F)), buf[k++] = (char)(0x80 | (cp & 0x3F));
  }
  return k;
}

static void nm_tagger__word_hashes(const nm_doc *doc, const nm__token *t, nm_tagger__word *w) {
  char buf[32], key[32];
  const char *raw = doc->text + t->start;
  size_t n = t->end - t->start;
  if (doc->input == NM_INPUT_PLAIN || !doc->mask) n = n < sizeof buf ? n : sizeof buf;
  else n = nm_tagger__plain(doc, t, buf, sizeof buf), raw = buf;
  /* One pass for the common case, a plain ASCII word: lower-case it
     (as nm__lexicon_norm would), hash it and take its shape. */
  /* The shape's symbols are hashed as they come (nm_tagger__shape's
     hash); symbols and lower case come from tables. */
  uint32_t h = 2166136261u ^ (1 * 16777619u), hs = 2166136261u ^ (3 * 16777619u);
  unsigned prev = 0; /* the last shape symbol: none yet */
  size_t k = 0, ns = 0;
  for (; k < n; k++) {
    unsigned c = (unsigned char)raw[k], low = nm_tagger__ascii_lower[c];
    if (!low) break; /* not a visible ASCII character */
    unsigned sym = nm_tagger__ascii_sym[c];
    if (sym != prev && ns < 4) hs = (hs ^ sym) * 16777619u, ns++, prev = sym;
    key[k] = (char)low;
    h = (h ^ low) * 16777619u;
  }
  bool ascii = k == n;
  if (!ascii) {
    k = nm__lexicon_norm(raw, n, key, sizeof key);
    h = nm_tagger__hash(1, key, k);
  }
  if (t->type == NM_TOK_NUMBER) {
    w->word = nm_tagger__hash(1, "<num>", 5);
    w->suf3 = w->suf2 = 0;
  } else {
    w->word = h;
    /* nm_tagger__hash of the last 3 and 2 bytes, written out for the
       common case (GCC made one loop of the calls on 3 and on k bytes) */
    const unsigned char *e = (const unsigned char *)key + k;
#define NM_TAGGER__FNV(h, c) (((h) ^ (c)) * 16777619u)
    if (k >= 3) {
      w->suf3 = NM_TAGGER__FNV(NM_TAGGER__FNV(NM_TAGGER__FNV(2166136261u ^ (4 * 16777619u), e[-3]), e[-2]), e[-1]);
      w->suf2 = NM_TAGGER__FNV(NM_TAGGER__FNV(2166136261u ^ (5 * 16777619u), e[-2]), e[-1]);
    } else {
      w->suf3 = nm_tagger__hash(4, key, k);
      w->suf2 = k >= 2 ? nm_tagger__hash(5, key + k - 2, 2) : nm_tagger__hash(5, key, k);
    }
#undef NM_TAGGER__FNV
  }
  if (t->type == NM_TOK_QUOTE) w->shape = nm_tagger__hash(6, "q", 1) + t->mark;
  else w->shape = ascii ? hs : nm_tagger__shape(raw, n);
}

/*
 * Tokens are hashed a block at a time, template by template: the same
 * steps for every token of the block, which the compiler turns into vector
 * code (eight tokens an instruction with AVX2). Token by token, gathering
 * each token's inputs from the token array, the rules' tags and its
 * neighbours cost more than the mixing itself. A window is mostly one
 * paragraph of ~40 tokens, so blocks are short: a window's last block
 * hashes tokens past its end for nothing.
 */
#define NM_TAGGER__BLOCK 16
/* The decoder hashes the next block before it sums this one's rows, and
   asks for the rows this many tokens ahead (PolNeAR train on a loaded
   machine, CPU ms, min of 41 runs: not at all 238, 2 tokens ahead 203, 4
   191-199, 8 195). */
#define NM_TAGGER__AHEAD 4
/* Window columns hold this many values before and after the window's
   tokens: features look 3 tokens away. */
#define NM_TAGGER__PAD 4
/* Templates hashed a block at a time: 2-12 and 14-32, in this order (1,
   the bias, is the same row for every token; 13, one feature for each
   lexicon class the token has, is not one per token). */
#define NM_TAGGER__NHASH 30
#define NM_TAGGER__HCOL(tmpl) ((tmpl) < 13 ? (tmpl) - 2 : (tmpl) - 3)

/* The window's columns, one value a token (nm__tagger_ctx.col). */
enum {
  NM_TAGGER__C_WORD,    /* nm_tagger__word_hashes */
  NM_TAGGER__C_SUF3,
  NM_TAGGER__C_SUF2,
  NM_TAGGER__C_SHAPE,
  NM_TAGGER__C_CLASSES, /* the token's lexicon classes among NM_TAGGER__CLASSES */
  NM_TAGGER__C_RULE,    /* the rules' tag, nm__tagger_ctx.rule */
  NM_TAGGER__C_CUE,     /* nm__tagger_ctx.cue */
  NM_TAGGER__C_WHERE,   /* its place in its sentence, bucketed: tokens before + tokens after * 8,
                           + 64 when the sentence holds a quote mark, + 128 in a heading */
  NM_TAGGER__C_FLAGS,   /* the token flags the features read */
  NM_TAGGER__C_TYPE,
  NM_TAGGER__C_MARK,
  NM_TAGGER__C_INQ,     /* inside a quote: 0 or 1 */
  NM_TAGGER__C_COUNT
};

/*
 * Per-document context the features read: word hashes, the rules' tags,
 * the distance to the nearest cue candidate left and right.
 */
struct nm__tagger_ctx {
  const nm_doc *doc;
  const nm__token *t;
  uint32_t ntok;
  uint8_t *rule;       /* per token: NM_TAGGER__R* (whole document, one byte a token) */
  uint8_t *sent_quote; /* per sentence: holds a quote mark */
  /* per token (whole document): the bucketed distance to the nearest cue
     candidate in its sentence, left * 8 + right (see nm__tagger_ctx_new) */
  uint8_t *cue;
  /* The window being tagged, tokens [lo, hi): a paragraph, or a chunk of
     NM_TAGGER__CHUNK tokens of a longer one, and NM_TAGGER__MARGIN tokens
     either side. Its columns are reused window after window, so the
     tagger's memory does not grow with the text. */
  uint32_t lo, hi, cap;
  /* Column k holds token i's value at col[k][i - lo], kept from one window
     to the next where they overlap, and NM_TAGGER__PAD values either side:
     before the document's first token and after its last, what a token
     reads of a neighbour past its edge (NM_TAGGER__BLOCK more after the
     last, for the tokens a block hashes for nothing). */
  uint32_t *col[NM_TAGGER__C_COUNT];
  uint32_t *cols; /* the columns' memory */
  uint32_t edge[NM_TAGGER__C_COUNT]; /* the values past the edge */
  uint32_t none;      /* the word hash of "no token here" */
  bool avx2; /* the processor has AVX2 (nm_tagger__hash_block, nm_tagger__decode_block) */
};

enum {
  NM_TAGGER__R_NONE = 0,
  NM_TAGGER__R_CUE,
  NM_TAGGER__R_SRC,
  NM_TAGGER__R_DIRECT,   /* content of a quote-mark quote */
  NM_TAGGER__R_REPORTED, /* content of a mixed or indirect quote */
  NM_TAGGER__R_START = 8 /* bit: the span starts here */
};

static void nm_tagger__mark(nm__tagger_ctx *c, uint32_t s, uint32_t e, uint8_t tag) {
  if (s == NM_NONE) return;
  uint32_t a = nm__tok_at(c->t, c->ntok, s);
  for (uint32_t i = a; i < c->ntok && c->t[i].start < e; i++) {
    uint8_t old = c->rule[i] & 7;
    /* cue and source win over content: they are the finer spans */
    if (old == NM_TAGGER__R_NONE || (old >= NM_TAGGER__R_DIRECT && tag < NM_TAGGER__R_DIRECT) ||
        (old == NM_TAGGER__R_DIRECT && tag == NM_TAGGER__R_REPORTED))
      c->rule[i] = (uint8_t)(tag | (i == a ? NM_TAGGER__R_START : 0));
  }
}

void nm__tagger_ctx_free(nm__tagger_ctx *c) {
  if (!c) return;
  free(c->cols);
  free(c->rule);
  free(c->cue);
  free(c->sent_quote);
  free(c);
}

nm__tagger_ctx *nm__tagger_ctx_new(const nm_doc *doc) {
  nm__tagger_ctx *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->doc = doc;
#ifdef NM_TAGGER__AVX2
  c->avx2 = __builtin_cpu_supports("avx2");
#endif
  c->none = nm_tagger__hash(2, "<none>", 6);
  /* No token before the first or after the last: the neighbour features'
     stand-ins (no word, no classes, marks 9, quote state 2, rule 99). */
  c->edge[NM_TAGGER__C_WORD] = c->edge[NM_TAGGER__C_SUF3] = c->edge[NM_TAGGER__C_SUF2] = c->edge[NM_TAGGER__C_SHAPE] = c->none;
  c->edge[NM_TAGGER__C_MARK] = 9;
  c->edge[NM_TAGGER__C_INQ] = 2;
  c->edge[NM_TAGGER__C_RULE] = 99;
  c->t = doc->tokens.items;
  c->ntok = (uint32_t)doc->tokens.count;
  c->rule = calloc(c->ntok ? c->ntok : 1, 1);
  c->sent_quote = calloc(doc->sents.count ? doc->sents.count : 1, 1);
  c->cue = malloc(c->ntok ? c->ntok : 1);
  if (!c->rule || !c->sent_quote || !c->cue) {
    nm__tagger_ctx_free(c);
    return NULL;
  }
  const nm__token *t = c->t;
  /* Distances to the nearest cue candidate in the sentence, bucketed,
     once for the whole document. A window used to take them over its own
     tokens only, but that reads the same: a window reaches
     NM_TAGGER__MARGIN tokens past the ones it tags, and a cue farther
     away than that is in the last bucket either way. */
  memset(c->cue, 7 * 8 + 7, c->ntok); /* no cue either side */
  const nm__sent *sn = doc->sents.items;
  for (size_t k = 0; k < doc->sents.count; k++) {
    /* "no cue yet" is a cue 20 tokens off: the last bucket */
    int64_t a = sn[k].first_tok, b = sn[k].end_tok, last = a - 20;
    for (int64_t i = a; i < b; i++) {
      c->cue[i] = (uint8_t)(nm_tagger__bucket((uint32_t)(i - last)) * 8);
      if (nm_tagger__cue_like(&t[i])) last = i;
    }
    last = b - 1 + 20;
    for (int64_t i = b; i-- > a;) {
      c->cue[i] = (uint8_t)(c->cue[i] + nm_tagger__bucket((uint32_t)(last - i)));
      if (nm_tagger__cue_like(&t[i])) last = i;
    }
  }
  for (uint32_t i = 0; i < c->ntok; i++)
    if (t[i].type == NM_TOK_QUOTE && t[i].sent < doc->sents.count) c->sent_quote[t[i].sent] = 1;
  const nm__quote *q = doc->quotes.items;
  for (size_t k = 0; k < doc->quotes.count; k++) {
    if (q[k].kind == NM_QUOTE_TERM) continue;
    bool reported = q[k].kind == NM_QUOTE_MIXED || q[k].kind == NM_QUOTE_INDIRECT;
    nm_tagger__mark(c, q[k].start, q[k].end, reported ? NM_TAGGER__R_REPORTED : NM_TAGGER__R_DIRECT);
    nm_tagger__mark(c, q[k].speaker_start, q[k].speaker_end, NM_TAGGER__R_SRC);
    nm_tagger__mark(c, q[k].cue_start, q[k].cue_end, NM_TAGGER__R_CUE);
  }
  return c;
}

uint32_t nm__tagger_chunk_end(const nm__tagger_ctx *c, uint32_t first) {
  uint32_t end = first + 1;
  while (end < c->ntok && end - first < NM_TAGGER__CHUNK && !(c->t[end].flags & NM_TF_PARA_START)) end++;
  return end;
}

nm_status nm__tagger_ctx_window(nm__tagger_ctx *c, uint32_t first, uint32_t end) {
  const nm__token *t = c->t;
  uint32_t old_lo = c->lo, old_hi = c->hi;
  c->lo = first > NM_TAGGER__MARGIN ? first - NM_TAGGER__MARGIN : 0;
  c->hi = end + NM_TAGGER__MARGIN < c->ntok ? end + NM_TAGGER__MARGIN : c->ntok;
  uint32_t n = c->hi - c->lo;
  uint32_t kept = 0;
  if (n > c->cap) {
    /* new columns; their values past the edges come first */
    uint32_t cap = n * 2 > 256 ? n * 2 : 256;
    size_t stride = (size_t)cap + 2 * NM_TAGGER__PAD + NM_TAGGER__BLOCK;
    uint32_t *cols = malloc(NM_TAGGER__C_COUNT * stride * sizeof *cols);
    if (!cols) return NM_ERR_NOMEM;
    free(c->cols);
    c->cols = cols;
    c->cap = cap;
    for (size_t k = 0; k < NM_TAGGER__C_COUNT; k++) {
      c->col[k] = cols + k * stride + NM_TAGGER__PAD;
      for (int j = -NM_TAGGER__PAD; j < 0; j++) c->col[k][j] = c->edge[k];
    }
  } else if (old_lo <= c->lo && c->lo < old_hi) {
    /* Windows follow one another, so the margins overlap: the values
       already taken for [lo, old_hi) move to the front instead of being
       taken again (with short paragraphs, most of a window is margin). */
    kept = (old_hi < c->hi ? old_hi : c->hi) - c->lo;
    for (size_t k = 0; k < NM_TAGGER__C_COUNT; k++) memmove(c->col[k], c->col[k] + (c->lo - old_lo), kept * sizeof **c->col);
  }
  uint32_t *const *col = c->col;
  /* the token's sentence, and its quote mark and heading bits of where */
  const nm__sent *s = NULL;
  uint32_t sent = 0, sent_bits = 0;
  for (uint32_t i = c->lo + kept; i < c->hi; i++) {
    uint32_t j = i - c->lo;
    nm_tagger__word w;
    nm_tagger__word_hashes(c->doc, &t[i], &w);
    col[NM_TAGGER__C_WORD][j] = w.word;
    col[NM_TAGGER__C_SUF3][j] = w.suf3;
    col[NM_TAGGER__C_SUF2][j] = w.suf2;
    col[NM_TAGGER__C_SHAPE][j] = w.shape;
    col[NM_TAGGER__C_CLASSES][j] = t[i].type == NM_TOK_WORD ? t[i].lex & NM_TAGGER__CLASSES : 0;
    col[NM_TAGGER__C_RULE][j] = c->rule[i];
    col[NM_TAGGER__C_CUE][j] = c->cue[i];
    if (!s || t[i].sent != sent) {
      sent = t[i].sent;
      s = &NM_AT(c->doc->sents, nm__sent, sent);
      uint32_t heading = (NM_AT(c->doc->paras, nm__para, s->para).flags & NM_PF_HEADING) != 0;
      sent_bits = (uint32_t)c->sent_quote[sent] << 6 | heading << 7;
    }
    col[NM_TAGGER__C_WHERE][j] = nm_tagger__bucket(i - s->first_tok) | nm_tagger__bucket(s->end_tok - i - 1) << 3 | sent_bits;
    col[NM_TAGGER__C_FLAGS][j] = t[i].flags & (NM_TF_CAP | NM_TF_SENT_START | NM_TF_PARA_START | NM_TF_ALLCAPS | NM_TF_IN_QUOTE);
    col[NM_TAGGER__C_TYPE][j] = t[i].type;
    col[NM_TAGGER__C_MARK][j] = t[i].mark;
    col[NM_TAGGER__C_INQ][j] = (t[i].flags & NM_TF_IN_QUOTE) != 0;
  }
  /* After the window: when it ends the document, the values past its
     edge (which the tokens a block hashes for nothing read too); else
     nothing reads them, as the margin is longer than a block. */
  if (c->hi == c->ntok)
    for (size_t k = 0; k < NM_TAGGER__C_COUNT; k++)
      for (uint32_t j = n; j < n + NM_TAGGER__PAD + NM_TAGGER__BLOCK; j++) col[k][j] = c->edge[k];
  return NM_OK;
}

/*
 * Templates 2-12 and 14-32 of the window's tokens j0 ... j0 +
 * NM_TAGGER__BLOCK - 1 (window indices; the ones past the window's end
 * are hashed for nothing), each hash masked by mask and
 * shifted left by shift, into out[NM_TAGGER__HCOL(template)][token].
 * Every lane reads its neighbours unconditionally and then chooses, so
 * that the loop has no branches and vectorises.
 */
#if defined(__GNUC__)
#define NM_TAGGER__INLINE __attribute__((always_inline)) inline
#else
#define NM_TAGGER__INLINE inline
#endif
static NM_TAGGER__INLINE void nm_tagger__hash_block_of(const nm__tagger_ctx *c, uint32_t j0, uint32_t mask, uint32_t shift,
                                                      uint32_t (*restrict out)[NM_TAGGER__BLOCK]) {
  uint32_t *const *col = c->col;
  const uint32_t *word = col[NM_TAGGER__C_WORD] + j0, *suf3 = col[NM_TAGGER__C_SUF3] + j0,
                 *suf2 = col[NM_TAGGER__C_SUF2] + j0, *shape = col[NM_TAGGER__C_SHAPE] + j0,
                 *classes = col[NM_TAGGER__C_CLASSES] + j0, *rules = col[NM_TAGGER__C_RULE] + j0,
                 *cues = col[NM_TAGGER__C_CUE] + j0, *wheres = col[NM_TAGGER__C_WHERE] + j0,
                 *flags = col[NM_TAGGER__C_FLAGS] + j0, *type = col[NM_TAGGER__C_TYPE] + j0,
                 *mark = col[NM_TAGGER__C_MARK] + j0, *inqs = col[NM_TAGGER__C_INQ] + j0;
  const uint32_t none = c->none;
  const uint32_t coarse = NM_LEX_CUE | NM_LEX_PRONOUN | NM_LEX_TITLE | NM_LEX_CUE_NOUN | NM_LEX_CUE_PREP;
  for (int k = 0; k < NM_TAGGER__BLOCK; k++) {
    /* Sentences are runs of tokens, so a neighbour d tokens away is in the
       sentence when the sentence has d tokens on that side (the buckets of
       0-3 tokens are 0-3). Neighbours in other sentences are read as "none";
       the ones past the document's edge read the columns' padding. */
    uint32_t where = wheres[k], pos = where & 7, left = where >> 3 & 7;
    uint32_t w = word[k], wm1 = word[k - 1], wm2 = word[k - 2], wm3 = word[k - 3];
    uint32_t wp1 = word[k + 1], wp2 = word[k + 2], wp3 = word[k + 3];
    wm1 = pos >= 1 ? wm1 : none, wm2 = pos >= 2 ? wm2 : none, wm3 = pos >= 3 ? wm3 : none;
    wp1 = left >= 1 ? wp1 : none, wp2 = left >= 2 ? wp2 : none, wp3 = left >= 3 ? wp3 : none;
    uint32_t rule = rules[k], cue = cues[k], inq = inqs[k];
#define NM_TAGGER__H(tmpl, x, y) (out[NM_TAGGER__HCOL(tmpl)][k] = (nm_tagger__mix(tmpl, x, y) & mask) << shift)
    NM_TAGGER__H(2, w, 0);
    NM_TAGGER__H(3, wm1, 0);
    NM_TAGGER__H(4, wp1, 0);
    NM_TAGGER__H(5, wm2, 0);
    NM_TAGGER__H(6, wp2, 0);
    NM_TAGGER__H(7, wm1, w);
    NM_TAGGER__H(8, w, wp1);
    NM_TAGGER__H(9, suf3[k], 0);
    NM_TAGGER__H(10, suf2[k], 0);
    NM_TAGGER__H(11, shape[k], 0);
    NM_TAGGER__H(12, shape[k - 1] ^ (shape[k] * 31u), shape[k + 1]);
    /* template 13, the classes, is the caller's */
    NM_TAGGER__H(14, classes[k - 1] & coarse, classes[k + 1] & coarse);
    /* quote marks and flags */
    NM_TAGGER__H(15, flags[k], type[k]);
    NM_TAGGER__H(16, mark[k - 1], mark[k + 1]);
    NM_TAGGER__H(17, inqs[k - 1] * 4 + inqs[k + 1], inq);
    /* the rules' output here and next door */
    NM_TAGGER__H(18, rule, 0);
    NM_TAGGER__H(19, rules[k - 1], rule);
    NM_TAGGER__H(20, rule, rules[k + 1]);
    NM_TAGGER__H(21, rule & 7, w);
    /* where in the sentence, and how far the nearest cue candidate is */
    NM_TAGGER__H(22, pos, left);
    NM_TAGGER__H(23, cue >> 3, cue & 7);
    NM_TAGGER__H(24, cue >> 3, w);
    NM_TAGGER__H(25, cue & 7, w);
    NM_TAGGER__H(26, where >> 6 & 1, where >> 7);
    /* wider context, and the word with its quote state */
    NM_TAGGER__H(27, wm1, wp1);
    NM_TAGGER__H(28, w, inq);
    NM_TAGGER__H(29, suf3[k - 1], suf3[k + 1]);
    NM_TAGGER__H(30, rule & 7, cue);
    NM_TAGGER__H(31, wm3, 0);
    NM_TAGGER__H(32, wp3, 0);
#undef NM_TAGGER__H
  }
}

static void nm_tagger__hash_block_any(const nm__tagger_ctx *c, uint32_t j0, uint32_t mask, uint32_t shift,
                                      uint32_t (*restrict out)[NM_TAGGER__BLOCK]) {
  nm_tagger__hash_block_of(c, j0, mask, shift, out);
}

#ifdef NM_TAGGER__AVX2
/* the same code, compiled for AVX2 */
__attribute__((target("avx2"))) static void nm_tagger__hash_block_avx2(const nm__tagger_ctx *c, uint32_t j0, uint32_t mask,
                                                                      uint32_t shift,
                                                                      uint32_t (*restrict out)[NM_TAGGER__BLOCK]) {
  nm_tagger__hash_block_of(c, j0, mask, shift, out);
}
#endif

static void nm_tagger__hash_block(const nm__tagger_ctx *c, uint32_t j0, uint32_t mask, uint32_t shift,
                                  uint32_t (*restrict out)[NM_TAGGER__BLOCK]) {
#ifdef NM_TAGGER__AVX2
  if (c->avx2) {
    nm_tagger__hash_block_avx2(c, j0, mask, shift, out);
    return;
  }
#endif
  nm_tagger__hash_block_any(c, j0, mask, shift, out);
}

/* The trainer's way, one token at a time: a whole block hashed for its
   first token (a fraction of a second of a training). */
size_t nm__tagger_features(const nm__tagger_ctx *c, uint32_t i, uint32_t *f) {
  uint32_t h[NM_TAGGER__NHASH][NM_TAGGER__BLOCK];
  uint32_t j = i - c->lo;
  nm_tagger__hash_block(c, j, ~0u, 0, h);
  size_t n = 0;
  f[n++] = nm_tagger__mix(1, 0, 0); /* bias */
  for (int t = 2; t <= 12; t++) f[n++] = h[NM_TAGGER__HCOL(t)][0];
  for (uint32_t m = c->col[NM_TAGGER__C_CLASSES][j]; m; m &= m - 1) f[n++] = nm_tagger__mix(13, m & (0u - m), 0); /* each class bit */
  for (int t = 14; t <= 32; t++) f[n++] = h[NM_TAGGER__HCOL(t)][0];
  return n;
}

/* ---- private: decoding ----------------------------------------------------- */

#ifdef __SSE2__
/* Ask for the rows of token k of a block: the 4 MB table is read at
   random, and the decoder sums a token's rows while the rows of the
   tokens NM_TAGGER__AHEAD after it are on their way. (Inlined: GCC finds
   a function that only asks for memory free of effects, and drops its
   calls.) */
static NM_TAGGER__INLINE void nm_tagger__fetch(const nm__tagger *tg, uint32_t (*off)[NM_TAGGER__BLOCK], uint32_t k) {
  /* Templates with few values (flags, buckets, the rules' tags) have
     their rows in cache: the ones of words are the ones to ask for (24
     instructions a token fewer than all 30, as fast: min of 41 runs 199
     ms, all 201, only the 9 pairs 210). */
  static const uint8_t cold[] = {NM_TAGGER__HCOL(2),  NM_TAGGER__HCOL(3),  NM_TAGGER__HCOL(4),  NM_TAGGER__HCOL(5),
                                 NM_TAGGER__HCOL(6),  NM_TAGGER__HCOL(7),  NM_TAGGER__HCOL(8),  NM_TAGGER__HCOL(9),
                                 NM_TAGGER__HCOL(10), NM_TAGGER__HCOL(12), NM_TAGGER__HCOL(21), NM_TAGGER__HCOL(24),
                                 NM_TAGGER__HCOL(25), NM_TAGGER__HCOL(27), NM_TAGGER__HCOL(28), NM_TAGGER__HCOL(29),
                                 NM_TAGGER__HCOL(31), NM_TAGGER__HCOL(32)};
#pragma GCC unroll 32
  for (size_t t = 0; t < sizeof cold; t++) _mm_prefetch((const char *)(const void *)(tg->weights + off[cold[t]][k]), _MM_HINT_T0);
}
#endif

/* The row offset (in int16) of template 13 for one lexicon class bit. */
static uint32_t nm_tagger__class_row(const nm__tagger *tg, uint32_t bit) {
  return (nm_tagger__mix(13, bit, 0) & tg->mask) * NM_TAG_SLOTS;
}

/* The decoder's state from one block to the next. */
typedef struct nm_tagger__decoder {
  /* The rows every token adds, by its two previous tags (prev2 *
     NM_TAG_COUNT + prev): theirs, and the bias feature's (template 1). */
  int32_t pre[NM_TAG_COUNT * NM_TAG_COUNT][NM_TAG_SLOTS];
  float lead_unit; /* a trained-weight unit in steps of NM_TAGGER__LEAD_STEP */
  int prev, prev2; /* the tags of the last two tokens */
} nm_tagger__decoder;

/* A decoded token's byte: its tag and its lead over the runner-up
   (NM_TAGGER__TAG, NM_TAGGER__LEAD); the decoder moves on. */
static uint8_t nm_tagger__decoded(nm_tagger__decoder *d, int tag, int32_t margin) {
  float lead = (float)margin * d->lead_unit + 0.5f;
  d->prev2 = d->prev;
  d->prev = tag;
  return (uint8_t)(tag | (lead >= 31 ? 31 : (int)lead) << 3);
}

/*
 * Decode tokens j0 ... j0 + nb - 1 (window indices; their row offsets from
 * nm_tagger__hash_block in off) into tags: the sum of each one's rows and
 * its previous-tag rows, the best tag (the first of equals) and its lead.
 * The rows NM_TAGGER__AHEAD tokens ahead are asked for: in off, or in the
 * next block's offsets, `next` (NULL when none). The rows are int16 and
 * the sums int32 (no slot sums more than ~48 rows, see train_tagger.c).
 * With SSE2 (every x86-64) two rows at a time are interleaved and
 * multiplied by ones in pairs (pmaddwd), which widens and adds them in one
 * step: a quarter of the instructions of eight scalar adds a row, and the
 * same sums.
 */
static void nm_tagger__decode_block_any(const nm__tagger *tg, const nm__tagger_ctx *c, nm_tagger__decoder *d,
                                        uint32_t (*off)[NM_TAGGER__BLOCK], uint32_t (*next)[NM_TAGGER__BLOCK],
                                        uint32_t j0, uint32_t nb, uint8_t *tags) {
  const int16_t *w = tg->weights;
  const uint32_t *classes = c->col[NM_TAGGER__C_CLASSES] + j0;
  for (uint32_t k = 0; k < nb; k++) {
    int32_t score[NM_TAG_SLOTS];
    const int32_t *pre = d->pre[d->prev2 * NM_TAG_COUNT + d->prev];
#ifdef __SSE2__
    if (k + NM_TAGGER__AHEAD < nb) nm_tagger__fetch(tg, off, k + NM_TAGGER__AHEAD);
    else if (next) nm_tagger__fetch(tg, next, k + NM_TAGGER__AHEAD - NM_TAGGER__BLOCK);
    const __m128i ones = _mm_set1_epi16(1);
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)pre);
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(pre + 4));
#define NM_TAGGER__ADD_ROWS(p, q)                                            \
  do {                                                                       \
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p));         \
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(q));         \
    lo = _mm_add_epi32(lo, _mm_madd_epi16(_mm_unpacklo_epi16(a, b), ones));  \
    hi = _mm_add_epi32(hi, _mm_madd_epi16(_mm_unpackhi_epi16(a, b), ones));  \
  } while (0)
    for (int t = 0; t < NM_TAGGER__NHASH; t += 2) NM_TAGGER__ADD_ROWS(w + off[t][k], w + off[t + 1][k]);
    static const int16_t zero[NM_TAG_SLOTS];
    for (uint32_t m = classes[k]; m; m &= m - 1) NM_TAGGER__ADD_ROWS(w + nm_tagger__class_row(tg, m & (0u - m)), zero);
#undef NM_TAGGER__ADD_ROWS
    _mm_storeu_si128((__m128i *)(void *)score, lo);
    _mm_storeu_si128((__m128i *)(void *)(score + 4), hi);
#else
    (void)next;
    for (int s = 0; s < NM_TAG_SLOTS; s++) score[s] = pre[s];
    for (int t = 0; t < NM_TAGGER__NHASH; t++)
      for (int s = 0; s < NM_TAG_SLOTS; s++) score[s] += w[off[t][k] + s];
    for (uint32_t m = classes[k]; m; m &= m - 1) {
      const int16_t *row = w + nm_tagger__class_row(tg, m & (0u - m));
      for (int s = 0; s < NM_TAG_SLOTS; s++) score[s] += row[s];
    }
#endif
    /* The best tag and how far it beats the runner-up, in one pass of
       maxima and minima that compile to conditional moves: which tag wins
       is hard to predict. */
    int tag = NM_TAG_O;
    int32_t top = score[0], second = INT32_MIN;
    for (int s = 1; s < NM_TAG_COUNT; s++) {
      int32_t v = score[s];
      int32_t beaten = v < top ? v : top;
      second = second > beaten ? second : beaten;
      tag = v > top ? s : tag;
      top = v > top ? v : top;
    }
    tags[k] = nm_tagger__decoded(d, tag, top - second);
  }
}

#ifdef NM_TAGGER__AVX2
/* nm_tagger__decode_block with AVX2: each int16 row widened and added in
   two instructions; then the maximum over the tags (the padding slot
   out), the first tag that has it, and the maximum over the other tags. */
__attribute__((target("avx2"))) static void nm_tagger__decode_block_avx2(const nm__tagger *tg, const nm__tagger_ctx *c,
                                                                        nm_tagger__decoder *d,
                                                                        uint32_t (*off)[NM_TAGGER__BLOCK],
                                                                        uint32_t (*next)[NM_TAGGER__BLOCK], uint32_t j0,
                                                                        uint32_t nb, uint8_t *tags) {
#define NM_TAGGER__ROW(p) _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p)))
#define NM_TAGGER__HMAX(x)                                                               \
  (x = _mm256_max_epi32(x, _mm256_permute2x128_si256(x, x, 1)),                          \
   x = _mm256_max_epi32(x, _mm256_shuffle_epi32(x, _MM_SHUFFLE(1, 0, 3, 2))),            \
   x = _mm256_max_epi32(x, _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1))))
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), lowest = _mm256_set1_epi32(INT32_MIN);
  const __m256i padding = _mm256_cmpgt_epi32(lane, _mm256_set1_epi32(NM_TAG_COUNT - 1));
  const int16_t *w = tg->weights;
  const uint32_t *classes = c->col[NM_TAGGER__C_CLASSES] + j0;
  for (uint32_t k = 0; k < nb; k++) {
    if (k + NM_TAGGER__AHEAD < nb) nm_tagger__fetch(tg, off, k + NM_TAGGER__AHEAD);
    else if (next) nm_tagger__fetch(tg, next, k + NM_TAGGER__AHEAD - NM_TAGGER__BLOCK);
    __m256i s0 = NM_TAGGER__ROW(w + off[0][k]), s1 = NM_TAGGER__ROW(w + off[1][k]);
#pragma GCC unroll 16
    for (int t = 2; t < NM_TAGGER__NHASH; t += 2) {
      s0 = _mm256_add_epi32(s0, NM_TAGGER__ROW(w + off[t][k]));
      s1 = _mm256_add_epi32(s1, NM_TAGGER__ROW(w + off[t + 1][k]));
    }
    for (uint32_t m = classes[k]; m; m &= m - 1) s0 = _mm256_add_epi32(s0, NM_TAGGER__ROW(w + nm_tagger__class_row(tg, m & (0u - m))));
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)d->pre[d->prev2 * NM_TAG_COUNT + d->prev]);
    v = _mm256_blendv_epi8(_mm256_add_epi32(v, _mm256_add_epi32(s0, s1)), lowest, padding);
    __m256i top = v;
    NM_TAGGER__HMAX(top);
    int tag = __builtin_ctz((unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(v, top))));
    __m256i rest = _mm256_blendv_epi8(v, lowest, _mm256_cmpeq_epi32(lane, _mm256_set1_epi32(tag)));
    NM_TAGGER__HMAX(rest);
    tags[k] = nm_tagger__decoded(d, tag, _mm256_cvtsi256_si32(top) - _mm256_cvtsi256_si32(rest));
  }
#undef NM_TAGGER__HMAX
#undef NM_TAGGER__ROW
}
#endif

/* A span of one kind, in tokens [first, end). */
typedef struct nm_tagger__span {
  uint32_t first, end;
  uint8_t kind; /* NM_TAG_B_CUE, NM_TAG_B_SRC, NM_TAG_B_CON */
  uint32_t para;
} nm_tagger__span;

/* Gap in tokens between two spans (0 when they touch or overlap). */
static uint32_t nm_tagger__gap(const nm_tagger__span *a, const nm_tagger__span *b) {
  if (a->end <= b->first) return b->first - a->end;
  if (b->end <= a->first) return a->first - b->end;
  return 0;
}

/* The span of `kind` nearest `to` in its paragraph, within `limit` tokens.
   Spans are in text order and do not overlap, so both walks stop early. */
static const nm_tagger__span *nm_tagger__nearest(const nm_tagger__span *sp, size_t n, size_t at, uint8_t kind,
                                                 const nm_tagger__span *to, uint32_t limit) {
  const nm_tagger__span *best = NULL;
  uint32_t best_gap = limit + 1;
  for (size_t k = at; k-- > 0 && sp[k].para == to->para;) {
    uint32_t g = nm_tagger__gap(&sp[k], to);
    if (g >= best_gap) break;
    if (sp[k].kind == kind) best = &sp[k], best_gap = g;
  }
  for (size_t k = at; k < n && sp[k].para == to->para; k++) {
    uint32_t g = nm_tagger__gap(&sp[k], to);
    if (g >= best_gap) break;
    if (sp[k].kind == kind) best = &sp[k], best_gap = g;
  }
  return best;
}

typedef struct nm_tagger__merge_ctx {
  nm_doc *doc;
  const nm__token *t;
  const uint8_t *tags; /* per token: NM_TAGGER__TAG and NM_TAGGER__LEAD (nm__tagger_decode) */
  nm__span_ref *marked; /* quote-mark quotes (not terms), by start */
  size_t nmarked;
  nm__span_ref *speakers; /* speaker mentions with an entity: id is the entity */
  size_t nspeakers;
  size_t old_first, nold, old_at; /* the rules' reported quotes: doc quotes [old_first, +nold), by start */
  nm__span_ref *terms, *vias; /* token ranges of term quotes and of channels ("told state news agency KCNA"), by start */
  size_t nterms, nvias;
  uint8_t *old_used; /* per old quote: a model quote took its place */
  const uint8_t *sent_quote; /* per sentence: holds a quote mark (the features' own flags) */
} nm_tagger__merge_ctx;

/* Does any range overlap tokens [a, b)? Ranges are sorted by start and
   barely overlap one another, so the one before a and those after it tell. */
static bool nm_tagger__in_ranges(const nm__span_ref *r, size_t n, uint32_t a, uint32_t b) {
  size_t k = nm__span_ref_lower(r, n, a + 1);
  if (k > 0 && r[k - 1].end > a) return true;
  return k < n && r[k].start < b;
}

/* Is token k punctuation that a content span does not take at its edges? */
static bool nm_tagger__edge_punct(const nm__token *t) { return t->type == NM_TOK_PUNCT; }

/* Words (not punctuation, not marks) in tokens [a, b), counted up to
   `enough`: the callers only ask "none", "two or more" and the like, and a
   content span can be most of a long paragraph. */
static uint32_t nm_tagger__words(const nm__token *t, uint32_t a, uint32_t b, uint32_t enough) {
  uint32_t n = 0;
  for (uint32_t k = a; k < b && n < enough; k++) n += t[k].type == NM_TOK_WORD || t[k].type == NM_TOK_NUMBER;
  return n;
}

/* Give a quote the model's cue and source where the rules found none. */
static void nm_tagger__fill(nm_tagger__merge_ctx *m, nm__quote *q, uint32_t cs, uint32_t ce, uint32_t ss, uint32_t se) {
  if (q->cue_start == NM_NONE && cs != NM_NONE) q->cue_start = cs, q->cue_end = ce;
  if (q->speaker_start == NM_NONE && ss != NM_NONE) {
    q->speaker_start = ss, q->speaker_end = se;
    q->entity = nm__span_ref_find(m->speakers, m->nspeakers, ss, se);
  }
}

/* One content span with its cue and source: a new quote, or news for a marked one. */
static nm_status nm_tagger__content(nm_tagger__merge_ctx *m, const nm_tagger__span *con, const nm_tagger__span *cue,
                                    const nm_tagger__span *src) {
  nm_doc *doc = m->doc;
  const nm__token *t = m->t;
  uint32_t a = con->first, b = con->end;
  while (a < b && (nm_tagger__edge_punct(&t[a]) || nm_tagger__in_ranges(m->vias, m->nvias, a, a + 1))) a++;
  while (b > a && nm_tagger__edge_punct(&t[b - 1])) b--;
  if (a == b) return NM_OK;
  if (nm_tagger__in_ranges(m->terms, m->nterms, a, b)) return NM_OK; /* a title or so-called word: the rules' call */
  uint32_t start = t[a].start, end = t[b - 1].end;
  uint32_t cs = cue ? t[cue->first].start : NM_NONE, ce = cue ? t[cue->end - 1].end : NM_NONE;
  uint32_t ss = src ? t[src->first].start : NM_NONE, se = src ? t[src->end - 1].end : NM_NONE;
  /* an article right before the model's source belongs to it ("the retired neurosurgeon") */
  if (src && src->first > 0 && (src->first - 1 < a || src->first - 1 >= b) && t[src->first - 1].sent == t[src->first].sent &&
      nm__attr_article(doc, src->first - 1))
    ss = t[src->first - 1].start;
  /* A cue the model found without a source: the rules' noun phrase just
     before it, when there is one ("The lighthouse keeper believes ..."). */
  if (cue && !src) {
    const nm__sent *s = &NM_AT(doc->sents, nm__sent, t[cue->first].sent);
    uint32_t f0, f1;
    if (cue->first > s->first_tok && nm__attr_np_left(doc, cue->first - 1, s->first_tok, &f0, &f1) && (f1 <= a || f0 >= b))
      ss = t[f0].start, se = t[f1 - 1].end;
  }

  /* A marked quote holding the span, or held by it with nothing but
     punctuation around: the marked quote is the content. */
  size_t lo = nm__span_ref_lower(m->marked, m->nmarked, start);
  size_t hi = nm__span_ref_lower(m->marked, m->nmarked, start + 1);
  for (size_t k = hi; k-- > 0 && k + 8 >= hi;) {
    const nm__span_ref *r = &m->marked[k];
    if (r->start <= start && r->end >= end) {
      nm_tagger__fill(m, &NM_AT(doc->quotes, nm__quote, r->id), cs, ce, ss, se);
      return NM_OK;
    }
  }
  for (size_t k = lo; k < m->nmarked && m->marked[k].start < end; k++) {
    const nm__span_ref *r = &m->marked[k];
    nm__quote *q = &NM_AT(doc->quotes, nm__quote, r->id);
    /* a quote with nothing before it and a word or two after ("“free them
       all” until midnight"); the quotes after one with words before it
       have words before them too */
    if (nm_tagger__words(t, a, q->first_tok, 1) > 0) break;
    if (r->end <= end && nm_tagger__words(t, q->end_tok, b, 3) <= 2) {
      nm_tagger__fill(m, q, cs, ce, ss, se);
      return NM_OK;
    }
  }
  /* Reported speech needs a cue and two words or more; and a quoted label
     the rules would not call reported speech ("condemned the plan as a
     “criminal act”") stays a partial quote. Short unquoted objects are
     mostly kept (below): PolNeAR counts them, and dropping them all cost
     2 points of content F1 (0.8 with the margin model). */
  bool mixed = lo < m->nmarked && m->marked[lo].start < end;
  if (!cue || nm_tagger__words(t, a, b, 2) < 2) return NM_OK;
  /* Content that stops on "the", "of" or "and" is a piece of a span the
     model lost track of ("voted to close the bridge"), not reported speech. */
  if (nm__attr_dangling(doc, b - 1)) return NM_OK;
  /* "who asked not to be named": a condition of the interview, not what was said */
  if (nm__attr_asks_anonymity(doc, a)) return NM_OK;
  /* A cue gives one content: one that already introduces a direct quote
     outside the span ("“...” Ruiz said so in a televised address") has
     none left to give. */
  for (size_t k = nm__span_ref_lower(m->marked, m->nmarked, cs > NM_TAGGER__NEAR ? cs - NM_TAGGER__NEAR : 0);
       k < m->nmarked && m->marked[k].start < ce + NM_TAGGER__NEAR; k++) {
    const nm__quote *q = &NM_AT(doc->quotes, nm__quote, m->marked[k].id);
    if (q->kind == NM_QUOTE_DIRECT && q->cue_start == cs && (q->end <= start || q->start >= end)) return NM_OK;
  }
  /* A short object that is no clause ("demanded an apology", "rejected
     the report") is reported speech only with a source, and not beside
     quoted words, which are then what the sentence reports (held-out
     documents: each of these costs under 0.2 points of F1, and they keep
     the rules' reading of the hand-written unit sentences). */
  if (nm_tagger__words(t, a, b, 4) < 4 && !nm__attr_reports_content(doc, cue->first, cue->end, a, b, mixed)) {
    if (ss == NM_NONE) return NM_OK;
    if (m->sent_quote[t[a].sent]) return NM_OK;
  }
  /* New quotes only where the model is sure: the mean lead of its content
     tags over the runner-up at least NM_TAGGER__SURE, and, below
     NM_TAGGER__SURER, content the rules would also call reported speech. */
  float sure = 0;
  for (uint32_t k = con->first; k < con->end; k++) sure += (float)NM_TAGGER__LEAD(m->tags[k]);
  sure /= (float)(con->end - con->first);
  if (sure < NM_TAGGER__SURE) return NM_OK;
  if (sure < NM_TAGGER__SURER && !nm__attr_reports_content(doc, cue->first, cue->end, a, b, mixed)) return NM_OK;
  if (mixed && !nm__attr_reports_content(doc, cue->first, cue->end, a, b, true)) return NM_OK;

  nm__quote *nw = nm__vec_push(&doc->quotes);
  if (!nw) return NM_ERR_NOMEM;
  nw->start = start;
  nw->end = end;
  nw->first_tok = a;
  nw->end_tok = b;
  nw->speaker_start = ss, nw->speaker_end = se;
  nw->cue_start = cs, nw->cue_end = ce;
  nw->via_start = nw->via_end = NM_NONE;
  nw->entity = ss != NM_NONE ? nm__span_ref_find(m->speakers, m->nspeakers, ss, se) : -1;
  nw->parent = -1;
  nw->chain_prev = -1;
  nw->closed = 1;
  nw->kind = mixed ? NM_QUOTE_MIXED : NM_QUOTE_INDIRECT;
  uint32_t pflags = NM_AT(doc->paras, nm__para, con->para).flags;
  nw->in_boiler = (pflags & (NM_PF_BOILERPLATE | NM_PF_CREDIT)) != 0;
  /* a rules' reported quote over the same words lends its speaker, or its entity */
#define NM_TAGGER__OLD(j) (&NM_AT(doc->quotes, nm__quote, m->old_first + (j)))
  while (m->old_at < m->nold && NM_TAGGER__OLD(m->old_at)->end <= start && NM_TAGGER__OLD(m->old_at)->start < start)
    m->old_at++;
  bool lent = false;
  for (size_t j = m->old_at; j < m->nold && NM_TAGGER__OLD(j)->start < end; j++) {
    const nm__quote *o = NM_TAGGER__OLD(j);
    if (o->end <= start) continue;
    m->old_used[j] = 1;
    if (lent || o->speaker_start == NM_NONE) continue;
    lent = true;
    if (nw->speaker_start == NM_NONE) {
      nw->speaker_start = o->speaker_start, nw->speaker_end = o->speaker_end, nw->entity = o->entity;
    } else if (nw->entity < 0 && o->speaker_start < nw->speaker_end && nw->speaker_start < o->speaker_end) {
      nw->entity = o->entity;
    }
    if (nw->speaker_start == o->speaker_start && nw->via_start == NM_NONE)
      nw->via_start = o->via_start, nw->via_end = o->via_end;
  }
  /* quoted fragments inside become its partial quotes */
  int32_t ni = (int32_t)doc->quotes.count - 1;
  for (size_t k = lo; mixed && k < m->nmarked && m->marked[k].start < end; k++) {
    nm__quote *q = &NM_AT(doc->quotes, nm__quote, m->marked[k].id);
    if (q->end > end || q->kind == NM_QUOTE_HEADING || q->parent >= 0) continue;
    if (q->speaker_start != NM_NONE && q->speaker_start != nw->speaker_start) continue;
    q->parent = ni;
    q->kind = NM_QUOTE_PARTIAL;
    if (q->speaker_start == NM_NONE) {
      q->speaker_start = nw->speaker_start, q->speaker_end = nw->speaker_end;
      q->cue_start = nw->cue_start, q->cue_end = nw->cue_end, q->entity = nw->entity;
    }
  }
  return NM_OK;
}

static int nm_tagger__quote_start_cmp(const void *a, const void *b) {
  const nm__quote *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

/* Turn the tags into quotes and merge them with the rules' quotes. */
static nm_status nm_tagger__merge(nm_doc *doc, const uint8_t *tags, const uint8_t *sent_quote) {
  const nm__token *t = doc->tokens.items;
  uint32_t ntok = (uint32_t)doc->tokens.count;
  nm_status st = NM_OK;
  nm__vec spans;
  nm__vec_init(&spans, sizeof(nm_tagger__span));
  nm_tagger__merge_ctx m = {.doc = doc, .t = t, .tags = tags, .sent_quote = sent_quote};
  /* The rules' reported-speech quotes give way to the model's (quotes.c's
     marked quotes come first, attribution.c appends these): a model quote
     over one takes its place (and may keep its speaker), and the ones no
     model quote covers stay. They stay in place until the end, sorted by
     start, so nothing is copied. */
  size_t nq = doc->quotes.count, nfirst = 0;
  nm__quote *q = doc->quotes.items;
  while (nfirst < nq && q[nfirst].kind != NM_QUOTE_MIXED && q[nfirst].kind != NM_QUOTE_INDIRECT) nfirst++;
  bool ordered = true;
  for (size_t k = nfirst; k < nq; k++)
    if (q[k].kind != NM_QUOTE_MIXED && q[k].kind != NM_QUOTE_INDIRECT) ordered = false;
  if (!ordered) nfirst = nq; /* not the layout expected: keep everything */
  m.old_first = nfirst;
  m.nold = nq - nfirst;
  m.marked = malloc((nfirst ? nfirst : 1) * sizeof *m.marked);
  m.speakers = malloc((nq ? nq : 1) * sizeof *m.speakers);
  m.old_used = calloc(m.nold ? m.nold : 1, 1);
  m.terms = malloc((nfirst ? nfirst : 1) * sizeof *m.terms);
  size_t nvia = 0;
  for (size_t k = 0; k < nq; k++) nvia += q[k].via_start != NM_NONE;
  m.vias = malloc((nvia ? nvia : 1) * sizeof *m.vias);
  if (!m.marked || !m.speakers || !m.old_used || !m.terms || !m.vias) goto nomem;
  for (size_t k = 0; k < nq; k++)
    if (q[k].speaker_start != NM_NONE && q[k].entity >= 0)
      m.speakers[m.nspeakers++] = (nm__span_ref){q[k].speaker_start, q[k].speaker_end, (uint32_t)q[k].entity};
  qsort(m.speakers, m.nspeakers, sizeof *m.speakers, nm__span_ref_cmp);
  for (size_t k = 0; k < nfirst; k++)
    if (q[k].parent >= (int32_t)nfirst) q[k].parent = -1; /* relinked below */
  if (m.nold) qsort(q + nfirst, m.nold, sizeof *q, nm_tagger__quote_start_cmp);
  for (size_t k = 0; k < nq; k++) {
    if (q[k].via_start == NM_NONE) continue;
    uint32_t a = nm__tok_at(t, ntok, q[k].via_start), b = a;
    while (b < ntok && t[b].start < q[k].via_end) b++;
    m.vias[m.nvias++] = (nm__span_ref){a, b, 0};
  }
  qsort(m.vias, m.nvias, sizeof *m.vias, nm__span_ref_cmp);
  for (size_t k = 0; k < nfirst; k++) {
    if (q[k].kind == NM_QUOTE_TERM) {
      m.terms[m.nterms++] = (nm__span_ref){q[k].first_tok, q[k].end_tok, 0};
      continue;
    }
    m.marked[m.nmarked++] = (nm__span_ref){q[k].start, q[k].end, (uint32_t)k};
  }
  qsort(m.terms, m.nterms, sizeof *m.terms, nm__span_ref_cmp);
  qsort(m.marked, m.nmarked, sizeof *m.marked, nm__span_ref_cmp);

  /* Paragraph by paragraph (cues, sources and contents pair up inside
     one): the span buffer holds one paragraph's spans at a time. */
  for (uint32_t p0 = 0; p0 < ntok && st == NM_OK;) {
    uint32_t p1 = p0 + 1;
    while (p1 < ntok && !(t[p1].flags & NM_TF_PARA_START)) p1++;
    spans.count = 0;
    for (uint32_t i = p0; i < p1; i++) {
      uint8_t tag = NM_TAGGER__TAG(tags[i]);
      if (tag == NM_TAG_O) continue;
      uint8_t b = (uint8_t)(tag == NM_TAG_I_CUE || tag == NM_TAG_I_SRC || tag == NM_TAG_I_CON ? tag - 1 : tag);
      uint32_t j = i + 1;
      uint32_t para = NM_AT(doc->sents, nm__sent, t[i].sent).para;
      while (j < p1 && NM_TAGGER__TAG(tags[j]) == b + 1 && !(t[j].flags & NM_TF_PARA_START)) j++;
      nm_tagger__span *sp = nm__vec_push(&spans);
      if (!sp) goto nomem;
      sp->first = i;
      sp->end = j;
      sp->kind = b;
      sp->para = para;
      i = j - 1;
    }
    nm_tagger__span *sp = spans.items;
    size_t ns = spans.count;
    /* Greedy decoding now and then breaks a long content span in two (a
       restarted B-CON, or a token or two left out): join pieces in one
       sentence with at most NM_TAGGER__JOIN tokens between them. */
    for (size_t k = 0; k < ns; k++) {
      if (sp[k].kind != NM_TAG_B_CON) continue;
      size_t j = k + 1;
      while (j < ns && sp[j].kind == NM_TAG_O) j++;
      if (j < ns && sp[j].kind == NM_TAG_B_CON && sp[j].first - sp[k].end <= NM_TAGGER__JOIN &&
          t[sp[j].first].sent == t[sp[k].end - 1].sent) {
        sp[j].first = sp[k].first;
        sp[k].kind = NM_TAG_O;
      }
    }
    for (size_t k = 0; k < ns && st == NM_OK; k++) {
      if (sp[k].kind != NM_TAG_B_CON) continue;
      const nm_tagger__span *cue = nm_tagger__nearest(sp, ns, k, NM_TAG_B_CUE, &sp[k], 40);
      const nm_tagger__span *src = nm_tagger__nearest(sp, ns, k, NM_TAG_B_SRC, cue ? cue : &sp[k], 30);
      st = nm_tagger__content(&m, &sp[k], cue, src);
    }
    p0 = p1;
  }
  /* The rules' reported quotes that no model quote overlaps stay, with
     their quoted fragments; the others go, and indices close up. */
  if (st == NM_OK && m.nold) {
    size_t n = doc->quotes.count;
    int32_t *remap = malloc(n * sizeof *remap);
    if (!remap) goto nomem;
    nm__quote *all = doc->quotes.items;
    for (size_t j = 0; j < m.nold; j++) {
      nm__quote *back = &all[nfirst + j];
      if (m.old_used[j] || back->kind != NM_QUOTE_MIXED) continue;
      for (size_t k = nm__span_ref_lower(m.marked, m.nmarked, back->start); k < m.nmarked && m.marked[k].start < back->end;
           k++) {
        nm__quote *fr = &all[m.marked[k].id];
        if (fr->end <= back->end && fr->parent < 0 && fr->kind != NM_QUOTE_HEADING && fr->speaker_start == back->speaker_start)
          fr->parent = (int32_t)(nfirst + j);
      }
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
      bool gone = i >= nfirst && i < nfirst + m.nold && m.old_used[i - nfirst];
      remap[i] = gone ? -1 : (int32_t)kept;
      if (!gone) all[kept++] = all[i];
    }
    for (size_t i = 0; i < kept; i++)
      if (all[i].parent >= 0) all[i].parent = remap[all[i].parent];
    doc->quotes.count = kept;
    free(remap);
  }
  /* Give back the room the old quotes held while the new ones came in:
     the sort that follows copies the whole vector. */
  if (st == NM_OK && doc->quotes.count && doc->quotes.cap > doc->quotes.count + doc->quotes.count / 8) {
    void *fit = realloc(doc->quotes.items, doc->quotes.count * sizeof(nm__quote));
    if (fit) {
      doc->quotes.items = fit;
      doc->quotes.cap = doc->quotes.count;
    }
  }
  goto done;
nomem:
  st = NM_ERR_NOMEM;
done:
  free(m.marked);
  free(m.speakers);
  free(m.terms);
  free(m.vias);
  free(m.old_used);
  nm__vec_free(&spans);
  return st;
}

/* ---- internal API -------------------------------------------------------- */

/* The best tag is unconstrained: an I-X after another tag starts a span
   (a hard B-before-I rule made greedy training unlearnable: one missed B
   made a whole content span unreachable). */
nm_status nm__tagger_decode(const nm__tagger *tg, nm__tagger_ctx *c, uint8_t *tags) {
  nm_tagger__decoder d;
  const int16_t *bias = tg->weights + (size_t)(nm_tagger__mix(1, 0, 0) & tg->mask) * NM_TAG_SLOTS;
  for (int p = 0; p < NM_TAG_COUNT * NM_TAG_COUNT; p++) {
    const int16_t *tr = tg->trans + p * NM_TAG_SLOTS;
    const int16_t *tr1 = tg->trans + (NM_TAG_COUNT * NM_TAG_COUNT + p % NM_TAG_COUNT) * NM_TAG_SLOTS;
    for (int s = 0; s < NM_TAG_SLOTS; s++) d.pre[p][s] = tr[s] + tr1[s] + bias[s];
  }
  d.lead_unit = 1.0f / (tg->scale * NM_TAGGER__LEAD_STEP);
  uint32_t off[2][NM_TAGGER__NHASH][NM_TAGGER__BLOCK];
  for (uint32_t i = 0; i < c->ntok;) {
    uint32_t end = nm__tagger_chunk_end(c, i);
    nm_status st = nm__tagger_ctx_window(c, i, end);
    if (st != NM_OK) return st;
    /* a window is a paragraph or a chunk of one: only its first token can start one */
    if (i == 0 || (c->t[i].flags & NM_TF_PARA_START)) d.prev = d.prev2 = NM_TAG_O;
    nm_tagger__hash_block(c, i - c->lo, tg->mask, 3, off[0]); /* NM_TAG_SLOTS int16 a row */
#ifdef __SSE2__
    for (uint32_t k = 0; k < NM_TAGGER__AHEAD && i + k < end; k++) nm_tagger__fetch(tg, off[0], k);
#endif
    for (int b = 0; i < end; b ^= 1) {
      uint32_t j0 = i - c->lo, nb = end - i < NM_TAGGER__BLOCK ? end - i : NM_TAGGER__BLOCK;
      uint32_t(*next)[NM_TAGGER__BLOCK] = i + nb < end ? off[b ^ 1] : NULL;
      if (next) nm_tagger__hash_block(c, j0 + nb, tg->mask, 3, next);
#ifdef NM_TAGGER__AVX2
      if (c->avx2) nm_tagger__decode_block_avx2(tg, c, &d, off[b], next, j0, nb, tags + i);
      else
#endif
        nm_tagger__decode_block_any(tg, c, &d, off[b], next, j0, nb, tags + i);
      i += nb;
    }
  }
  return NM_OK;
}

nm_status nm__tag(nm_doc *doc, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  nm_engine *e = doc->engine;
  if (e->tagger_hook) return e->tagger_hook(doc, e->tagger_hook_ud);
  if (e->tagger_off || !e->tagger.weights || doc->tokens.count == 0) return NM_OK;
  nm__tagger_ctx *c = nm__tagger_ctx_new(doc);
  uint8_t *tags = malloc(doc->tokens.count);
  if (!c || !tags) {
    nm__tagger_ctx_free(c);
    free(tags);
    return NM_ERR_NOMEM;
  }
  nm_status st = nm__tagger_decode(&e->tagger, c, tags);
  if (st == NM_OK) st = nm_tagger__merge(doc, tags, c->sent_quote);
  nm__tagger_ctx_free(c);
  free(tags);
  return st;
}
