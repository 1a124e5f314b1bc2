/*
 * lexicon.c: the word lists of src/lexicon/, compiled in as text and loaded
 * into one hash table per engine. A journalist extends a list by editing
 * its file; the file's name says which class its entries get.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Bits of a slot beyond the classes, kept as a token keeps them: some
   longer entry starts with this key; the key is a word that some entry has
   after its first word. */
#define NM_LEX_PREFIX NM_LEX_PREFIX_OF_ENTRY
#define NM_LEX_INNER NM_LEX_INNER_OF_ENTRY

/*
 * Two open-addressing tables. Keys of up to NM_LEXICON_WORD_KEY bytes
 * (nearly every word, most runs) sit in their slots as two 8-byte words,
 * zero past their end: a probe is two compares and no second memory
 * access, and the tokenizer hands its words over in that form
 * (nm__lexicon_short). Longer keys keep their bytes in a pool.
 */
#define NM_LEXICON_WORD_KEY 16

typedef struct nm_lexicon__short {
  uint64_t a, b;   /* key bytes 0..7 and 8..15 (as nm__lexicon_short packs them); a is 0 when empty */
  uint32_t bits;   /* classes, NM_LEX_PREFIX, NM_LEX_INNER */
  uint32_t len;
} nm_lexicon__short;

typedef struct nm_lexicon__long {
  uint32_t hash;   /* the key's hash, bits 32..63 */
  uint32_t bits;
  uint32_t key;    /* offset of the key in the pool, plus one; 0 when empty */
  uint32_t len;
} nm_lexicon__long;

typedef struct nm_lexicon__table {
  void *slots;
  size_t cap, count; /* cap is a power of two */
  unsigned shift;    /* 64 - log2(cap): the hash's top bits index the short table */
} nm_lexicon__table;

struct nm__lexicon {
  nm_lexicon__table shorts, longs;
  size_t max_len; /* the longest key: longer ones need no lookup */
  char *pool;     /* the long keys, back to back */
  size_t pool_len, pool_cap;
};

static const struct {
  const char *file;
  uint32_t cls;
} nm_lexicon__files[] = {
    {"cues.txt", NM_LEX_CUE},
    {"cue_nouns.txt", NM_LEX_CUE_NOUN},
    {"cue_preps.txt", NM_LEX_CUE_PREP},
    {"titles.txt", NM_LEX_TITLE},
    {"anonymous.txt", NM_LEX_ANON_HEAD},
    {"pronouns.txt", NM_LEX_PRONOUN},
    {"countries.txt", NM_LEX_COUNTRY},
    {"org_heads.txt", NM_LEX_ORG_HEAD},
    {"channels.txt", NM_LEX_CHANNEL},
    {"not_names.txt", NM_LEX_NOT_NAME},
    {"hedges.txt", NM_LEX_HEDGE},
    {"loaded.txt", NM_LEX_LOADED},
    {"contested.txt", NM_LEX_CONTESTED},
    {"denials.txt", NM_LEX_DENIAL},
    {"boilerplate.txt", NM_LEX_BOILERPLATE},
    {"state_media.txt", NM_LEX_STATE_MEDIA},
    {"agencies.txt", NM_LEX_AGENCY},
    {"abbreviations.txt", NM_LEX_ABBREV},
    {"groups.txt", NM_LEX_GROUP},
    {"documents.txt", NM_LEX_DOCUMENT},
    {"term_cues.txt", NM_LEX_TERM_CUE},
    {"numbers.txt", NM_LEX_NUMBER},
    {"dates.txt", NM_LEX_DATE},
    {"credits.txt", NM_LEX_CREDIT},
};

/* ---- private ------------------------------------------------------------ */

#define NM_LEXICON_FNV_BASIS 0xcbf29ce484222325ull
#define NM_LEXICON_FNV_PRIME 0x100000001b3ull
#define NM_LEXICON_ONES 0x0101010101010101ull
#define NM_LEXICON_HIGH 0x8080808080808080ull

/* The bytes of a key of up to NM_LEXICON_WORD_KEY bytes as two words:
   byte k in bits 8 * (k % 8) of word k / 8, zero past n. */
static void nm_lexicon__pack(const char *s, size_t n, uint64_t *a, uint64_t *b) {
  uint64_t w[2] = {0, 0};
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(w, s, n);
#else
  for (size_t i = 0; i < n; i++) w[i / 8] |= (uint64_t)(unsigned char)s[i] << (8 * (i % 8));
#endif
  *a = w[0];
  *b = w[1];
}

/* A multiplicative hash of a short key: its top bits are the slot. */
static inline uint64_t nm_lexicon__mix(uint64_t a, uint64_t b) {
  return (a ^ (b * 0xC2B2AE3D27D4EB4Full)) * 0x9E3779B97F4A7C15ull;
}

/* The slot of a short key, or the empty slot where it would go. */
static inline nm_lexicon__short *nm_lexicon__find_short(const nm__lexicon *lex, uint64_t a, uint64_t b,
                                                        size_t n) {
  nm_lexicon__short *slots = lex->shorts.slots;
  size_t mask = lex->shorts.cap - 1;
  for (size_t i = (size_t)(nm_lexicon__mix(a, b) >> lex->shorts.shift);; i = (i + 1) & mask) {
    nm_lexicon__short *s = &slots[i];
    if ((s->a == a && s->b == b && s->len == n) || !s->a) return s;
  }
}

static uint64_t nm_lexicon__hash_long(const char *s, size_t n) {
  uint64_t h = NM_LEXICON_FNV_BASIS; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * NM_LEXICON_FNV_PRIME;
  return h;
}

/* The slot of a long key, or the empty slot where it would go. */
static nm_lexicon__long *nm_lexicon__find_long(const nm__lexicon *lex, const char *key, size_t n, uint64_t h) {
  nm_lexicon__long *slots = lex->longs.slots;
  size_t mask = lex->longs.cap - 1;
  uint32_t tag = (uint32_t)(h >> 32);
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    nm_lexicon__long *s = &slots[i];
    if (!s->key || (s->hash == tag && s->len == n && memcmp(lex->pool + s->key - 1, key, n) == 0)) return s;
  }
}

/* Double a table (or make its first slots), keeping it at most half full. */
static bool nm_lexicon__grow(nm__lexicon *lex, nm_lexicon__table *t, size_t slot_size) {
  nm_lexicon__table old = *t;
  size_t cap = old.cap ? old.cap * 2 : 1024;
  void *slots = calloc(cap, slot_size);
  if (!slots) return false;
  t->slots = slots;
  t->cap = cap;
  t->shift = 64;
  for (size_t c = cap; c > 1; c /= 2) t->shift--;
  /* Slots keep no whole hash: rehash from the keys. */
  for (size_t i = 0; i < old.cap; i++) {
    if (t == &lex->shorts) {
      const nm_lexicon__short *o = (const nm_lexicon__short *)old.slots + i;
      if (o->a) *nm_lexicon__find_short(lex, o->a, o->b, o->len) = *o;
    } else {
      const nm_lexicon__long *o = (const nm_lexicon__long *)old.slots + i;
      if (!o->key) continue;
      const char *k = lex->pool + o->key - 1;
      *nm_lexicon__find_long(lex, k, o->len, nm_lexicon__hash_long(k, o->len)) = *o;
    }
  }
  free(old.slots);
  return true;
}

static bool nm_lexicon__add(nm__lexicon *lex, const char *key, size_t n, uint32_t cls) {
  if (n > lex->max_len) lex->max_len = n;
  if (n <= NM_LEXICON_WORD_KEY) {
    if ((lex->shorts.count + 1) * 2 > lex->shorts.cap && !nm_lexicon__grow(lex, &lex->shorts, sizeof(nm_lexicon__short)))
      return false;
    uint64_t a, b;
    nm_lexicon__pack(key, n, &a, &b);
    nm_lexicon__short *s = nm_lexicon__find_short(lex, a, b, n);
    if (!s->a) {
      s->a = a;
      s->b = b;
      s->len = (uint32_t)n;
      lex->shorts.count++;
    }
    s->bits |= cls;
    return true;
  }
  if ((lex->longs.count + 1) * 2 > lex->longs.cap && !nm_lexicon__grow(lex, &lex->longs, sizeof(nm_lexicon__long)))
    return false;
  uint64_t h = nm_lexicon__hash_long(key, n);
  nm_lexicon__long *s = nm_lexicon__find_long(lex, key, n, h);
  if (!s->key) {
    if (lex->pool_len + n > lex->pool_cap) {
      size_t cap = lex->pool_cap ? lex->pool_cap * 2 : 4096;
      while (cap < lex->pool_len + n) cap *= 2;
      char *pool = realloc(lex->pool, cap);
      if (!pool) return false;
      lex->pool = pool;
      lex->pool_cap = cap;
    }
    memcpy(lex->pool + lex->pool_len, key, n);
    s->key = (uint32_t)lex->pool_len + 1;
    lex->pool_len += n;
    s->len = (uint32_t)n;
    s->hash = (uint32_t)(h >> 32);
    lex->longs.count++;
  }
  s->bits |= cls;
  return true;
}

/* Add an entry, and mark each of its shorter word prefixes and each of
   its words after the first. */
static bool nm_lexicon__add_entry(nm__lexicon *lex, const char *key, size_t n, uint32_t cls) {
  for (size_t i = 0; i < n; i++) {
    if (key[i] != ' ') continue;
    if (!nm_lexicon__add(lex, key, i, NM_LEX_PREFIX)) return false;
    size_t end = i + 1;
    while (end < n && key[end] != ' ') end++;
    if (!nm_lexicon__add(lex, key + i + 1, end - i - 1, NM_LEX_INNER)) return false;
  }
  return nm_lexicon__add(lex, key, n, cls);
}

/* Each byte as nm__lexicon_norm's fast path writes it: ASCII lower case;
   0 for the bytes it leaves to the general path (spaces, controls and
   everything beyond ASCII). */
static const char nm_lexicon__fold[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    '@', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '[', '\\', ']', '^', '_',
    '`', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '{', '|', '}', '~', '\x7f',
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* ---- internal API ------------------------------------------------------- */

size_t nm__lexicon_norm(const char *s, size_t n, char *out, size_t cap) {
  /* Fast path: one plain ASCII word, the common case for tokens. */
  size_t k = 0;
  if (n <= cap) {
    for (; k < n; k++) {
      char c = nm_lexicon__fold[(unsigned char)s[k]];
      if (!c) break;
      out[k] = c;
    }
    if (k == n) return n;
  }
  size_t o = 0;
  bool space = false;
  for (size_t i = 0; i < n && o < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = o > 0;
      continue;
    }
    if (space) {
      out[o++] = ' ';
      space = false;
      if (o >= cap) break;
    }
    /* Curly apostrophes and no-break spaces normalise to their plain forms. */
    if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0x99 || (unsigned char)s[i + 2] == 0x98)) {
      out[o++] = '\'';
      i += 2;
    } else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
      space = o > 0;
      i += 1;
    } else {
      out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
  }
  return o;
}

nm__lexicon *nm__lexicon_new(void) {
  nm__lexicon *lex = calloc(1, sizeof *lex);
  if (!lex || !nm_lexicon__grow(lex, &lex->shorts, sizeof(nm_lexicon__short)) ||
      !nm_lexicon__grow(lex, &lex->longs, sizeof(nm_lexicon__long))) {
    nm__lexicon_delete(lex);
    return NULL;
  }
  const char *p = nm__lexicon_text, *end = nm__lexicon_text + nm__lexicon_text_len;
  uint32_t cls = 0;
  char key[256];
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    if (le - p > 3 && p[0] == '@' && p[1] == '@' && p[2] == ' ') {
      cls = 0;
      for (size_t i = 0; i < sizeof nm_lexicon__files / sizeof *nm_lexicon__files; i++)
        if ((size_t)(le - p - 3) == strlen(nm_lexicon__files[i].file) &&
            memcmp(p + 3, nm_lexicon__files[i].file, (size_t)(le - p - 3)) == 0)
          cls = nm_lexicon__files[i].cls;
    } else if (cls) {
      const char *hash = memchr(p, '#', (size_t)(le - p));
      size_t n = nm__lexicon_norm(p, (size_t)((hash ? hash : le) - p), key, sizeof key);
      if (n && !nm_lexicon__add_entry(lex, key, n, cls)) {
        nm__lexicon_delete(lex);
        return NULL;
      }
    }
    p = le + 1;
  }
  return lex;
}

void nm__lexicon_delete(nm__lexicon *lex) {
  if (!lex) return;
  free(lex->shorts.slots);
  free(lex->longs.slots);
  free(lex->pool);
  free(lex);
}

/* A key's slot bits, 0 when absent. */
static uint32_t nm_lexicon__bits(const nm__lexicon *lex, const char *key, size_t n) {
  if (n > lex->max_len) return 0;
  if (n <= NM_LEXICON_WORD_KEY) {
    uint64_t a, b;
    nm_lexicon__pack(key, n, &a, &b);
    return nm_lexicon__find_short(lex, a, b, n)->bits;
  }
  return nm_lexicon__find_long(lex, key, n, nm_lexicon__hash_long(key, n))->bits;
}

uint32_t nm__lexicon_get(const nm__lexicon *lex, const char *key, size_t n, bool *is_prefix) {
  uint32_t cls = nm_lexicon__bits(lex, key, n);
  if (is_prefix) *is_prefix = (cls & NM_LEX_PREFIX) != 0;
  return cls & ~(NM_LEX_PREFIX | NM_LEX_INNER);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Any byte of x below c (each byte of x under 0x80; c at most 0x80)? */
static bool nm_lexicon__has_below(uint64_t x, unsigned c) {
  return ((x - NM_LEXICON_ONES * c) & ~x & NM_LEXICON_HIGH) != 0;
}

/* ASCII upper case to lower case in each byte of x (each under 0x80). */
static uint64_t nm_lexicon__lower(uint64_t x) {
  uint64_t from_a = x + NM_LEXICON_ONES * (0x80 - 'A'), past_z = x + NM_LEXICON_ONES * (0x80 - 'Z' - 1);
  return x | ((from_a & ~past_z & NM_LEXICON_HIGH) >> 2);
}
#endif

/* nm__lexicon_word for the words its fast path leaves: out of line, so
   that the fast path needs no stack frame. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static uint32_t nm_lexicon__word_slow(const nm__lexicon *lex, const char *word, size_t n) {
  char key[64];
  /* Other plain ASCII words: lower-case in one pass. */
  if (n <= lex->max_len && n <= sizeof key) {
    size_t k = 0;
    for (; k < n; k++) {
      unsigned char c = (unsigned char)word[k];
      if (c >= 0x80 || c <= ' ') break;
      key[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (k == n) return nm_lexicon__bits(lex, key, n);
  }
  size_t len = nm__lexicon_norm(word, n, key, sizeof key);
  return nm_lexicon__bits(lex, key, len);
}

uint32_t nm__lexicon_short(const nm__lexicon *lex, uint64_t a, uint64_t b, size_t n) {
  return nm_lexicon__find_short(lex, a, b, n)->bits;
}

uint32_t nm__lexicon_word(const nm__lexicon *lex, const char *word, size_t n, size_t readable) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  /* The common case, a plain ASCII word of up to 16 bytes with 16 bytes to
     read: lower-case, hash and compare it 8 bytes at a time. */
  if (n && n <= NM_LEXICON_WORD_KEY && readable >= NM_LEXICON_WORD_KEY) {
    uint64_t a, b;
    memcpy(&a, word, 8);
    memcpy(&b, word + 8, 8);
    uint64_t ma = n >= 8 ? ~0ull : (1ull << (8 * n)) - 1, mb = n <= 8 ? 0 : n >= 16 ? ~0ull : (1ull << (8 * (n - 8))) - 1;
    a &= ma;
    b &= mb;
    /* Bytes past the word read as 'a', which passes both tests. */
    uint64_t fa = a | (~ma & NM_LEXICON_ONES * 'a'), fb = b | (~mb & NM_LEXICON_ONES * 'a');
    if (!((fa | fb) & NM_LEXICON_HIGH) && !nm_lexicon__has_below(fa, '!') && !nm_lexicon__has_below(fb, '!')) {
      return nm_lexicon__find_short(lex, nm_lexicon__lower(a), nm_lexicon__lower(b), n)->bits;
    }
  }
#else
  (void)readable;
#endif
  return nm_lexicon__word_slow(lex, word, n);
}

bool nm__lexicon_run_step(const nm__lexicon *lex, const char *text, const nm__token *first, const nm__token *t,
                          char *key, size_t cap, size_t *n, uint32_t *cls, bool *more) {
  size_t len = t->end - t->start;
  /* A word (looked up, under 64 bytes) that no entry has past its first
     word: the run is no entry and starts none. */
  if (t->type == NM_TOK_WORD && len < 64 && !(t->lex & NM_LEX_INNER_OF_ENTRY)) return false;
  /* The key starts with the first word only now that a run needs it. */
  if (!*n) *n = nm__lexicon_norm(text + first->start, first->end - first->start, key, cap);
  if (*n + 1 + len >= cap) return false;
  key[(*n)++] = ' ';
  *n += nm__lexicon_norm(text + t->start, len, key + *n, cap - *n);
  *cls = nm__lexicon_get(lex, key, *n, more);
  return true;
}
