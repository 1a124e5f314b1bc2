/*
 * segment.c: tokens and paragraphs (nm__segment), and sentences
 * (nm__split_sentences, which runs after quotes are paired so that a
 * sentence never splits inside quote marks).
 *
 * One linear pass over the bytes. Offsets always point into the original
 * text: nothing is decoded into a copy. Invalid UTF-8 reads as U+FFFD of
 * one byte, so every byte belongs to exactly one token or to whitespace.
 */
#include "internal.h"

#include <string.h>

enum nm_segment__class {
  NM_C_SPACE,
  NM_C_NEWLINE,
  NM_C_LETTER,
  NM_C_DIGIT,
  NM_C_QUOTE, /* a character that may be a quote mark */
  NM_C_PUNCT
};

/* ---- private: characters ------------------------------------------------ */

static uint32_t nm_segment__utf8(const unsigned char *s, uint32_t n, uint32_t *len) {
  unsigned c = s[0];
  uint32_t l, cp;
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  if (c >= 0xC2 && c <= 0xDF) l = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) l = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) l = 4, cp = c & 0x07;
  else goto bad;
  if (l > n) goto bad;
  for (uint32_t i = 1; i < l; i++) {
    if ((s[i] & 0xC0) != 0x80) goto bad;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((l == 3 && cp < 0x800) || (l == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    goto bad;
  *len = l;
  return cp;
bad:
  *len = 1;
  return 0xFFFD;
}

uint32_t nm__decode(const nm_doc *doc, uint32_t pos, uint32_t *len) {
  const unsigned char *s = (const unsigned char *)doc->text + pos;
  /* Markdown and HTML both have character references (&ldquo; &#8220;). */
  if (doc->input != NM_INPUT_PLAIN && s[0] == '&') {
    uint32_t cp = nm__html_entity((const char *)s, doc->len - pos, len);
    if (cp) return cp;
  }
  return nm_segment__utf8(s, doc->len - pos, len);
}

/* Classes of the ASCII characters, the bulk of any text: one load instead
   of the chain of comparisons below (the tokenizer's hottest question). */
#define SP NM_C_SPACE
#define NL NM_C_NEWLINE
#define LE NM_C_LETTER
#define DI NM_C_DIGIT
#define QU NM_C_QUOTE
#define PU NM_C_PUNCT
static const uint8_t nm_segment__ascii_class[128] = {
    SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, NL, SP, SP, NL, SP, SP,
    SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP,
    SP, PU, QU, PU, PU, PU, PU, QU, PU, PU, PU, PU, PU, PU, PU, PU,
    DI, DI, DI, DI, DI, DI, DI, DI, DI, DI, PU, PU, PU, PU, PU, PU,
    PU, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE,
    LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, PU, PU, PU, PU, PU,
    QU, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE,
    LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, PU, PU, PU, PU, PU,
};
#undef SP
#undef NL
#undef LE
#undef DI
#undef QU
#undef PU

/* NM_C_LETTER or NM_C_DIGIT for the ASCII bytes that are, with
   NM_SEGMENT__LOWER for lower-case letters; else 0 (and 0 for every byte
   of a multi-byte character: those take the general path). */
#define NM_SEGMENT__LOWER 0x10
#define NM_SEGMENT__CLASS(w) ((w) & (NM_SEGMENT__LOWER - 1))
#define LE NM_C_LETTER
#define LO (NM_C_LETTER | NM_SEGMENT__LOWER)
#define DI NM_C_DIGIT
static const uint8_t nm_segment__word_byte[256] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    DI, DI, DI, DI, DI, DI, DI, DI, DI, DI, 0,  0,  0,  0,  0,  0,
    0,  LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE,
    LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, LE, 0,  0,  0,  0,  0,
    0,  LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO,
    LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, 0,  0,  0,  0,  0,
};
#undef LE
#undef LO
#undef DI

/*
 * The common word: ASCII letters and digits from pos, ended by an ASCII
 * byte that never joins two parts of a word (a space, a line end, most
 * punctuation; the text's closing NUL too). Its end, with whether it has a
 * lower-case letter in *lower; 0 when the word needs nm_segment__word_end
 * (an apostrophe, hyphen, slash, ampersand, period or comma, or any
 * character beyond ASCII, may join what follows). Plain text only.
 */
static inline uint32_t nm_segment__plain_word_end(const unsigned char *text, uint32_t pos, bool *lower) {
  unsigned seen = 0, c;
  while ((c = nm_segment__word_byte[text[pos]]) != 0) {
    seen |= c;
    pos++;
  }
  unsigned char stop = text[pos];
  if (stop >= 0x80 || stop == '\'' || stop == '-' || stop == '/' || stop == '&' || stop == '.' || stop == ',')
    return 0;
  *lower = (seen & NM_SEGMENT__LOWER) != 0;
  return pos;
}

/* ---- private: words 8 bytes at a time ------------------------------------ */

#define NM_SEGMENT__ONES 0x0101010101010101ull
#define NM_SEGMENT__HIGH 0x8080808080808080ull

/* 8 bytes from p, byte k in bits 8k..8k+7 whatever the machine's order
   (the packing nm__lexicon_short takes). */
static inline uint64_t nm_segment__load8(const unsigned char *p) {
  uint64_t x;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(&x, p, 8);
#else
  x = 0;
  for (int k = 7; k >= 0; k--) x = x << 8 | p[k];
#endif
  return x;
}

/* The high bit of each byte of x in lo..hi (bytes of x under 0x80). */
static inline uint64_t nm_segment__in_range(uint64_t x, unsigned lo, unsigned hi) {
  return (x + NM_SEGMENT__ONES * (0x80 - lo)) & ~(x + NM_SEGMENT__ONES * (0x7F - hi)) & NM_SEGMENT__HIGH;
}

/* The high bit of each byte of x that is an ASCII letter or digit; in
   *letter those of the letters, in *small those of the small letters. */
static inline uint64_t nm_segment__alnum8(uint64_t x, uint64_t *letter, uint64_t *small) {
  uint64_t x7 = x & ~NM_SEGMENT__HIGH, ascii = ~x & NM_SEGMENT__HIGH;
  /* With 0x20 set a capital reads as its small letter, and no other byte
     turns into a letter. */
  *letter = nm_segment__in_range(x7 | NM_SEGMENT__ONES * 0x20, 'a', 'z') & ascii;
  *small = *letter & (x7 << 2); /* bit 0x20 of each byte, moved to its high bit */
  return (*letter | nm_segment__in_range(x7, '0', '9')) & ascii;
}

/* Index of the lowest byte of x with its high bit set (x not 0). */
static inline uint32_t nm_segment__first_byte(uint64_t x) {
#if defined(__GNUC__)
  return (uint32_t)__builtin_ctzll(x) / 8;
#else
  uint32_t k = 0;
  while (!(x & 0x80)) x >>= 8, k++;
  return k;
#endif
}

/* For the end of a word of letters and digits: NM_SEGMENT__JOINER for a
   byte after which the word may go on (an apostrophe, hyphen, slash,
   ampersand, period or comma; nm_segment__word_end decides, and only ever
   joins what a letter or a digit follows), NM_SEGMENT__GOES_ON for a byte
   that is a letter or a digit or may be one (every byte beyond ASCII). */
#define NM_SEGMENT__JOINER 1
#define NM_SEGMENT__GOES_ON 2
#define J NM_SEGMENT__JOINER
#define G NM_SEGMENT__GOES_ON
#define B (NM_SEGMENT__JOINER | NM_SEGMENT__GOES_ON)
static const uint8_t nm_segment__ending[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    0, 0, 0, 0, 0, 0, J, J, 0, 0, 0, 0, J, J, J, J, /* 0x20: & ' , - . / */
    G, G, G, G, G, G, G, G, G, G, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, G, G, G, G, G, G, G, G, G, G, G, G, G, G, G, /* 0x40 */
    G, G, G, G, G, G, G, G, G, G, G, 0, 0, 0, 0, 0, /* 0x50 */
    0, G, G, G, G, G, G, G, G, G, G, G, G, G, G, G, /* 0x60 */
    G, G, G, G, G, G, G, G, G, G, G, 0, 0, 0, 0, 0, /* 0x70 */
    B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, /* 0x80 and up */
    B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
    B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
    B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
    B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
    B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
    B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
    B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
};
#undef J
#undef G
#undef B

/* Does the word of letters and digits ending before end (in plain text,
   end readable, and end + 1 if text[end] is ASCII) need
   nm_segment__word_end to say where it stops? Only a joiner with a letter
   or a digit after it, or a byte beyond ASCII. */
static inline bool nm_segment__may_go_on(const unsigned char *text, uint32_t end) {
  uint8_t e = nm_segment__ending[text[end]];
  return (e & NM_SEGMENT__JOINER) && ((e & NM_SEGMENT__GOES_ON) || (nm_segment__ending[text[end + 1]] & NM_SEGMENT__GOES_ON));
}

/*
 * The token of the common word of plain text, in one go: ASCII letters and
 * digits from pos, fewer than 16 of them, ended where nm_segment__word_end
 * would end them without a look (nm_segment__may_go_on), with 16 bytes
 * readable from pos. The two 8-byte words read to find its end, lower-cased
 * (0x20 added to each letter), are the key the lexicon looks up. Writes the
 * whole token at t; false, with t untouched, when the text at pos is no such
 * word.
 */
static inline bool nm_segment__short_word(const unsigned char *text, uint32_t pos, const nm__lexicon *lex,
                                          bool space, nm__token *t) {
  uint64_t a = nm_segment__load8(text + pos), letter, small;
  uint64_t stops = ~nm_segment__alnum8(a, &letter, &small) & NM_SEGMENT__HIGH;
  if (stops & 0x80) return false; /* not a letter or a digit */
  bool word = (letter & 0x80) != 0;
  uint32_t n, cls = 0;
  uint64_t some_small;
  if (stops) {
    n = nm_segment__first_byte(stops);
    if (nm_segment__may_go_on(text, pos + n)) return false;
    uint64_t mask = (1ull << (8 * n)) - 1;
    if (word) cls = nm__lexicon_short(lex, (a | letter >> 2) & mask, 0, n);
    some_small = small & mask;
  } else {
    uint64_t b = nm_segment__load8(text + pos + 8), letter_b, small_b;
    stops = ~nm_segment__alnum8(b, &letter_b, &small_b) & NM_SEGMENT__HIGH;
    if (!stops) return false; /* 16 or more: the general path */
    n = nm_segment__first_byte(stops);
    if (nm_segment__may_go_on(text, pos + 8 + n)) return false;
    uint64_t mask = (1ull << (8 * n)) - 1;
    if (word) cls = nm__lexicon_short(lex, a | letter >> 2, (b | letter_b >> 2) & mask, n + 8);
    some_small = small | (small_b & mask);
    n += 8;
  }
  uint8_t flags = 0;
  if (word && !(small & 0x80)) flags |= NM_TF_CAP;
  if (word && n > 1 && !some_small) flags |= NM_TF_ALLCAPS;
  *t = (nm__token){.start = pos,
                   .end = pos + n,
                   .lex = cls,
                   .type = word ? NM_TOK_WORD : NM_TOK_NUMBER,
                   .flags = flags,
                   .space = space};
  return true;
}

/* nm_segment__class beyond ASCII. */
static int nm_segment__class_wide(uint32_t cp) {
  if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
      cp == 0x3000 || cp == 0xFEFF)
    return NM_C_SPACE;
  if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) return NM_C_NEWLINE;
  if ((cp >= 0x2018 && cp <= 0x201F) || cp == 0xAB || cp == 0xBB || cp == 0x2039 || cp == 0x203A)
    return NM_C_QUOTE;
  if ((cp >= 0x2010 && cp <= 0x206F) || (cp >= 0xA1 && cp <= 0xBF && cp != 0xAA && cp != 0xB5 && cp != 0xBA) ||
      cp == 0xD7 || cp == 0xF7 || (cp >= 0x20A0 && cp <= 0x20CF) || (cp >= 0x2190 && cp <= 0x2BFF) ||
      (cp >= 0x3001 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) || cp == 0xFFFD)
    return NM_C_PUNCT;
  return NM_C_LETTER;
}

static inline int nm_segment__class(uint32_t cp) {
  return cp < 0x80 ? nm_segment__ascii_class[cp] : nm_segment__class_wide(cp);
}

static bool nm_segment__upper(uint32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z';
  if (cp >= 0xC0 && cp <= 0xDE) return cp != 0xD7;
  if (cp >= 0x100 && cp <= 0x17F) return (cp & 1) == 0;
  if (cp >= 0x391 && cp <= 0x3A9) return true;
  if (cp >= 0x400 && cp <= 0x42F) return true;
  return false;
}

static bool nm_segment__currency(uint32_t cp) {
  return cp == '$' || cp == 0xA3 || cp == 0xA5 || cp == 0x20AC || cp == 0x20A9 || cp == 0x20B9;
}

/* The mark a quote character stands for, before context decides its role. */
static uint8_t nm_segment__mark(uint32_t cp) {
  switch (cp) {
  case 0x201C: case 0x201E: case 0x201F: case 0xAB: return NM_MARK_DOUBLE_OPEN;
  case 0x201D: case 0xBB: return NM_MARK_DOUBLE_CLOSE;
  case '"': return NM_MARK_DOUBLE_AMBIG;
  case 0x2018: case 0x201A: case 0x201B: case 0x2039: return NM_MARK_SINGLE_OPEN;
  case 0x2019: case 0x203A: return NM_MARK_SINGLE_CLOSE;
  case '\'': return NM_MARK_SINGLE_AMBIG;
  default: return NM_MARK_NONE;
  }
}

/* ---- private: the tokenizer --------------------------------------------- */

typedef struct nm_segment__reader {
  const nm_doc *doc;
  const uint8_t *mask;
  uint32_t len;
} nm_segment__reader;

/* The character at pos, its length and class; SKIP bytes read as nothing. */
static inline uint32_t nm_segment__peek(const nm_segment__reader *r, uint32_t pos, uint32_t *len, int *cls) {
  const unsigned char *s = (const unsigned char *)r->doc->text;
  if (s[pos] < 0x80 && (s[pos] != '&' || r->doc->input == NM_INPUT_PLAIN)) {
    *len = 1;
    *cls = nm_segment__class(s[pos]);
    return s[pos];
  }
  uint32_t cp = nm__decode(r->doc, pos, len);
  *cls = nm_segment__class(cp);
  return cp;
}

static bool nm_segment__is_wordish(int cls) { return cls == NM_C_LETTER || cls == NM_C_DIGIT; }

static bool nm_segment__masked(const nm_segment__reader *r, uint32_t pos) {
  return r->mask && pos < r->len && (r->mask[pos] & 3) != NM_MASK_PROSE;
}

/* Class of the character at pos, or NM_C_SPACE past the end or in markup. */
static int nm_segment__class_at(const nm_segment__reader *r, uint32_t pos, uint32_t *cp_out) {
  uint32_t len, cp = 0;
  int cls = NM_C_SPACE;
  if (pos < r->len && !nm_segment__masked(r, pos)) cp = nm_segment__peek(r, pos, &len, &cls);
  if (cp_out) *cp_out = cp;
  return cls;
}

static const char *const nm_segment__elisions[] = {"em", "til", "tis", "twas", "cause", "n", "bout", "nuff", "ol"};

/* Length of an elided word starting after an apostrophe at pos ("’em", "’90s"), or 0. */
static uint32_t nm_segment__elision(const nm_segment__reader *r, uint32_t pos) {
  const char *s = r->doc->text;
  uint32_t end = pos;
  while (end < r->len && end - pos < 8 && nm_segment__is_wordish(nm_segment__class_at(r, end, NULL))) end++;
  uint32_t n = end - pos;
  if (n == 0 || (end < r->len && nm_segment__is_wordish(nm_segment__class_at(r, end, NULL)))) return 0;
  if (n >= 2 && s[pos] >= '0' && s[pos] <= '9' && s[pos + 1] >= '0' && s[pos + 1] <= '9') return n;
  for (size_t i = 0; i < sizeof nm_segment__elisions / sizeof *nm_segment__elisions; i++) {
    size_t el = strlen(nm_segment__elisions[i]);
    if (el == n) {
      bool same = true;
      for (uint32_t k = 0; k < n; k++)
        if ((s[pos + k] | 0x20) != nm_segment__elisions[i][k]) same = false;
      if (same) return n;
    }
  }
  return 0;
}

/*
 * Scan one word-like token from pos: letters and digits, joined by inner
 * apostrophes (Russia’s), hyphens, periods of initials and decimals (U.S,
 * 1.85) and thousands commas (50,000). Returns the end.
 */
static uint32_t nm_segment__word_end(const nm_segment__reader *r, uint32_t pos) {
  uint32_t len, cp;
  int cls, prev_cls = NM_C_LETTER;
  uint32_t seg_len = 0; /* letters since the last inner period */
  const unsigned char *text = (const unsigned char *)r->doc->text;
  while (pos < r->len) {
    /* Fast path: ASCII letters and digits in prose just extend the word.
       The text ends in a NUL, which is no word byte, so the run stops there. */
    if (!r->mask) {
      uint32_t from = pos;
      while (nm_segment__word_byte[text[pos]]) pos++;
      if (pos > from) prev_cls = NM_SEGMENT__CLASS(nm_segment__word_byte[text[pos - 1]]);
      seg_len += pos - from;
      if (pos >= r->len) break;
    } else if (text[pos] < 0x80 && (r->mask[pos] & 3) == NM_MASK_PROSE && nm_segment__word_byte[text[pos]]) {
      prev_cls = NM_SEGMENT__CLASS(nm_segment__word_byte[text[pos]]);
      seg_len++;
      pos++;
      continue;
    }
    /* Most words end at a space or a line end, which never joins a word:
       no need to decode it and look past it. */
    if (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\r' || text[pos] == '\t') break;
    if (nm_segment__masked(r, pos)) break;
    cp = nm_segment__peek(r, pos, &len, &cls);
    if (nm_segment__is_wordish(cls)) {
      prev_cls = cls;
      seg_len++;
      pos += len;
      continue;
    }
    uint32_t next_cp;
    int next = nm_segment__class_at(r, pos + len, &next_cp);
    bool join = false;
    if ((cp == '\'' || cp == 0x2019) && prev_cls == NM_C_LETTER && next == NM_C_LETTER) join = true;
    else if ((cp == '-' || cp == 0x2010 || cp == 0x2011 || cp == '/' || cp == '&') && nm_segment__is_wordish(next))
      join = cp != '/' || prev_cls == NM_C_DIGIT; /* 24/7, but not and/or */
    else if (cp == '.' && prev_cls == NM_C_DIGIT && next == NM_C_DIGIT) join = true;
    else if (cp == '.' && prev_cls == NM_C_LETTER && next == NM_C_LETTER && seg_len <= 2) {
      /* Initials and abbreviations with inner periods: U.S, J.D, a.m, Ph.D */
      uint32_t l2, c2cls;
      int cls2;
      c2cls = nm_segment__peek(r, pos + len, &l2, &cls2);
      (void)c2cls;
      int after = nm_segment__class_at(r, pos + len + l2, NULL);
      join = after == NM_C_PUNCT || after == NM_C_SPACE || after == NM_C_NEWLINE ||
             nm_segment__class_at(r, pos + len + l2, NULL) == NM_C_QUOTE ||
             (after == NM_C_LETTER && seg_len == 2 && r->doc->text[pos - 1] == 'h');
    } else if (cp == ',' && prev_cls == NM_C_DIGIT && next == NM_C_DIGIT) {
      /* 50,000 but not "1, 2": exactly three digits follow */
      const char *s = r->doc->text;
      uint32_t p = pos + 1;
      uint32_t k = 0;
      while (p + k < r->len && s[p + k] >= '0' && s[p + k] <= '9') k++;
      join = k == 3;
    }
    if (!join) break;
    if (cp == '.') seg_len = 0;
    pos += len;
  }
  return pos;
}

/* Whether a line (start..end, no newline) ends like a finished sentence. */
static bool nm_segment__line_finished(const char *s, uint32_t start, uint32_t end) {
  while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r')) end--;
  if (end == start) return true;
  unsigned char c = (unsigned char)s[end - 1];
  if (c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '"' || c == ')') return true;
  /* ” ’ … as the last character */
  if (end - start >= 3 && (unsigned char)s[end - 3] == 0xE2 && (unsigned char)s[end - 2] == 0x80) return true;
  return false;
}

/*
 * Hard-wrapped plain text (lines broken at ~72 columns inside paragraphs,
 * blank lines between paragraphs) reads single newlines as spaces. Other
 * text, like most copied news, has one paragraph a line.
 */
static bool nm_segment__hard_wrapped(const nm_doc *doc) {
  const char *s = doc->text;
  uint32_t lines = 0, unfinished = 0, blank = 0;
  uint32_t start = 0;
  /* The next CR at or after `start`, found once and kept until passed:
     memchr for both line ends, without rescanning for a CR that is not there. */
  const char *cr = NULL;
  bool cr_known = false;
  /* Lines end at LF, CRLF or a lone CR: the three read alike. */
  while (start < doc->len && lines < 4000) {
    const char *lf = memchr(s + start, '\n', doc->len - start);
    if (!cr_known || (cr && cr < s + start)) {
      cr = memchr(s + start, '\r', doc->len - start);
      cr_known = true;
    }
    const char *eol = lf && (!cr || lf < cr) ? lf : cr;
    if (!eol) break;
    uint32_t end = (uint32_t)(eol - s);
    uint32_t next = end + (s[end] == '\r' && end + 1 < doc->len && s[end + 1] == '\n' ? 2 : 1);
    if (end == start) blank++;
    else if (next < doc->len && s[next] != '\n' && s[next] != '\r') {
      lines++;
      if (end - start >= 40 && !nm_segment__line_finished(s, start, end)) unfinished++;
    }
    start = next;
  }
  return blank > 0 && lines >= 3 && unfinished * 2 >= lines;
}

static nm_status nm_segment__close_para(nm_doc *doc, uint32_t start, uint32_t end, uint32_t first_tok,
                                        uint32_t flags) {
  if (first_tok >= doc->tokens.count) return NM_OK; /* nothing visible */
  nm__para *p = nm__vec_push(&doc->paras);
  if (!p) return NM_ERR_NOMEM;
  p->start = start;
  p->end = end;
  p->first_tok = first_tok;
  p->end_tok = (uint32_t)doc->tokens.count;
  p->flags = flags;
  NM_AT(doc->tokens, nm__token, first_tok).flags |= NM_TF_PARA_START;
  return NM_OK;
}

/* Plain text: a headline, subhead or teaser line ends with no sentence punctuation. */
static bool nm_segment__heading_like(const nm_doc *doc, const nm__para *p) {
  uint32_t ntok = p->end_tok - p->first_tok;
  if (ntok > 30) return false;
  const nm__token *t = &NM_AT(doc->tokens, nm__token, p->first_tok);
  uint32_t last = ntok - 1;
  /* The last token may be a closing mark; look at what stands before it. */
  while (last > 0 && t[last].type == NM_TOK_QUOTE) last--;
  if (t[last].type == NM_TOK_PUNCT) {
    char c = doc->text[t[last].start];
    if (c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == ',') return false;
  }
  /* Ends in a closing mark right after sentence punctuation: a quoted sentence. */
  if (last + 1 < ntok && last > 0 && t[last].type == NM_TOK_PUNCT) return false;
  return true;
}

/* ---- internal API ------------------------------------------------------- */

nm_status nm__segment(nm_doc *doc, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  nm_segment__reader r = {doc, doc->mask, doc->len};
  const nm__lexicon *lex = doc->engine->lexicon;
  const char *s = doc->text;
  bool soft_newlines = doc->mask != NULL || nm_segment__hard_wrapped(doc);
  /* Roughly one token per six bytes of news text. */
  if (!nm__vec_reserve(&doc->tokens, doc->len / 6 + 16)) return NM_ERR_NOMEM;

  /* Kept in locals: the token stores (bytes among them) would make the
     compiler read them from the document again after each one. */
  const uint8_t *const mask = doc->mask;
  const uint32_t doc_len = doc->len;
  /* Where fewer than 16 bytes (with the closing NUL) are left to read. */
  const uint32_t fast_end = doc_len >= 15 ? doc_len - 14 : 0;
  uint32_t pos = 0, para_start = NM_NONE, para_tok = 0, para_end = 0, para_flags = 0;
  uint32_t newlines = 0;
  bool space_before = true;
  while (pos < doc_len) {
    if (!mask) {
      /* The space between words, in plain text. */
      if (s[pos] == ' ') {
        pos++;
        space_before = true;
        continue;
      }
      /* Words of ASCII letters and digits, and ASCII punctuation, with
         single spaces between them, inside a paragraph and with no line end
         before them to weigh: the bulk of plain text, taken in a loop of its
         own, straight into tokens (no character decoder, none of the checks
         below). The token
         vector's fields are kept in locals: the tokens' byte stores would
         make the compiler load them again after each one. */
      if (!newlines && para_start != NM_NONE) {
        nm__token *toks = doc->tokens.items;
        size_t count = doc->tokens.count, cap = doc->tokens.cap;
        while (count < cap && pos < fast_end) {
          unsigned char c = (unsigned char)s[pos];
          if (c < 0x80 && nm_segment__ascii_class[c] == NM_C_PUNCT && c != '$') {
            /* Punctuation but a currency sign (which may start a number),
               as the general path takes it: runs of . - ! ? together. */
            uint32_t end = pos + 1;
            if (c == '.' || c == '-' || c == '!' || c == '?')
              while (s[end] == '.' || s[end] == '-' || s[end] == '!' || s[end] == '?') end++; /* the NUL stops it */
            toks[count] = (nm__token){.start = pos, .end = end, .type = NM_TOK_PUNCT, .space = space_before};
          } else if (!nm_segment__short_word((const unsigned char *)s, pos, lex, space_before, &toks[count])) {
            break;
          }
          para_end = pos = toks[count++].end;
          space_before = s[pos] == ' ';
          pos += space_before;
        }
        doc->tokens.count = count;
        if (pos >= doc_len) break;
        if (s[pos] == ' ') continue;
      }
    }
    /* Markup: SKIP bytes are invisible, BREAK bytes end the paragraph. */
    if (mask && (mask[pos] & 3) != NM_MASK_PROSE) {
      if ((mask[pos] & 3) == NM_MASK_BREAK && para_start != NM_NONE) {
        if (nm_segment__close_para(doc, para_start, para_end, para_tok, para_flags) != NM_OK) return NM_ERR_NOMEM;
        para_start = NM_NONE;
      }
      pos++;
      space_before = true;
      continue;
    }
    uint32_t len, cp;
    int cls;
    cp = nm_segment__peek(&r, pos, &len, &cls);
    if (cls == NM_C_SPACE || cls == NM_C_NEWLINE) {
      if (cls == NM_C_NEWLINE) {
        if (cp == '\r' && pos + 1 < doc_len && s[pos + 1] == '\n') len = 2;
        newlines++;
      }
      pos += len;
      space_before = true;
      continue;
    }
    /* A visible character: decide whether the newlines before it broke the paragraph. */
    if (newlines && para_start != NM_NONE && (newlines >= 2 || !soft_newlines)) {
      if (nm_segment__close_para(doc, para_start, para_end, para_tok, para_flags) != NM_OK) return NM_ERR_NOMEM;
      para_start = NM_NONE;
    }
    newlines = 0;
    if (para_start == NM_NONE) {
      para_start = pos;
      para_tok = (uint32_t)doc->tokens.count;
      para_flags = 0;
    }
    if (mask) {
      if (mask[pos] & NM_MASK_HEADING) para_flags |= NM_PF_HEADING;
      if (mask[pos] & NM_MASK_BOILER) para_flags |= NM_PF_MARKUP_BOILER;
    }

    /* The hot path: one token per word, so no generic push (and its memset). */
    if (doc->tokens.count == doc->tokens.cap && !nm__vec_reserve(&doc->tokens, doc->tokens.count + 1))
      return NM_ERR_NOMEM;
    nm__token *t = &NM_AT(doc->tokens, nm__token, doc->tokens.count++);
    *t = (nm__token){0};
    t->start = pos;
    t->space = space_before;
    space_before = false;
    uint32_t end = pos + len;
    int lower = -1; /* whether the word has a lower-case letter, when known */
    if (cls == NM_C_LETTER || cls == NM_C_DIGIT) {
      t->type = cls == NM_C_DIGIT ? NM_TOK_NUMBER : NM_TOK_WORD;
      if (nm_segment__upper(cp)) t->flags |= NM_TF_CAP;
      bool has_lower = false;
      uint32_t plain_end = cp < 0x80 && !mask ? nm_segment__plain_word_end((const unsigned char *)s, pos, &has_lower) : 0;
      if (plain_end) {
        end = plain_end;
        lower = has_lower;
      } else {
        end = nm_segment__word_end(&r, pos);
      }
    } else if (nm_segment__currency(cp) && nm_segment__class_at(&r, pos + len, NULL) == NM_C_DIGIT) {
      end = nm_segment__word_end(&r, pos + len);
      t->type = NM_TOK_NUMBER;
    } else if (cls == NM_C_QUOTE) {
      uint32_t elided;
      t->type = NM_TOK_QUOTE;
      t->mark = nm_segment__mark(cp);
      if (cp == '`' || cp == '\'') {
        /* `` and '' are the typewriter forms of “ and ” (and NYT's style). */
        uint32_t l2, c2;
        int cls2;
        c2 = pos + 1 < doc_len ? nm_segment__peek(&r, pos + 1, &l2, &cls2) : 0;
        if (c2 == cp) {
          end = pos + 2;
          t->mark = cp == '`' ? NM_MARK_DOUBLE_OPEN : NM_MARK_DOUBLE_AMBIG;
        } else if (cp == '`') {
          t->mark = NM_MARK_SINGLE_OPEN;
        }
      }
      if (end == pos + len && (cp == 0x2019 || cp == '\'') && t->space &&
          (elided = nm_segment__elision(&r, pos + len)) > 0) {
        /* ’90s, ’em, rock ’n’ roll: an apostrophe that starts a word */
        end = nm_segment__word_end(&r, pos + len);
        uint32_t l3, c3;
        int cls3;
        if (end < doc_len && (c3 = nm_segment__peek(&r, end, &l3, &cls3)) == cp && end - pos - len == 1 &&
            nm_segment__class_at(&r, end + l3, NULL) != NM_C_LETTER)
          end += l3; /* the closing apostrophe of ’n’ */
        t->type = NM_TOK_WORD;
        t->mark = NM_MARK_NONE;
      }
    } else {
      t->type = NM_TOK_PUNCT;
      /* Keep runs of the same ASCII punctuation together: "...", "--", "?!" */
      if (cp == '.' || cp == '-' || cp == '!' || cp == '?')
        while (end < doc_len && (s[end] == '.' || s[end] == '-' || s[end] == '!' || s[end] == '?') &&
               !nm_segment__masked(&r, end))
          end++;
    }
    t->end = end;
    if (t->type == NM_TOK_WORD && end - pos < 64) {
      t->lex = nm__lexicon_word(lex, s + pos, end - pos, doc_len + 1 - pos);
      bool all = lower <= 0;
      if (lower < 0)
        for (uint32_t k = pos; k < end && all; k++)
          if ((unsigned char)s[k] >= 'a' && (unsigned char)s[k] <= 'z') all = false;
      if (all && end - pos > 1) t->flags |= NM_TF_ALLCAPS;
    }
    para_end = end;
    pos = end;
  }
  if (para_start != NM_NONE &&
      nm_segment__close_para(doc, para_start, para_end, para_tok, para_flags) != NM_OK)
    return NM_ERR_NOMEM;

  /* Line classes: page furniture first, then headings (plain text only). */
  for (size_t i = 0; i < doc->paras.count; i++) {
    nm__para *p = &NM_AT(doc->paras, nm__para, i);
    if (p->flags & NM_PF_MARKUP_BOILER) p->flags |= NM_PF_BOILERPLATE;
    p->flags |= nm__classify_line(doc, p->start, p->end);
    if (!doc->mask && !(p->flags & (NM_PF_BOILERPLATE | NM_PF_CREDIT)) && nm_segment__heading_like(doc, p))
      p->flags |= NM_PF_HEADING;
  }
  return NM_OK;
}

/* ---- sentences ------------------------------------------------------------ */

static bool nm_segment__terminal(const nm_doc *doc, const nm__token *t) {
  if (t->type != NM_TOK_PUNCT) return false;
  char c = doc->text[t->start];
  if (c == '.' || c == '!' || c == '?') return true;
  /* … at the end of a paragraph-final sentence is handled by the paragraph end. */
  return false;
}

/* Does the sentence-to-be starting at token i read as the attribution of the
   quote just closed ("Smith said.", "said the minister.")? */
static bool nm_segment__attribution_follows(const nm_doc *doc, uint32_t i, uint32_t end_tok) {
  const nm__token *t = doc->tokens.items;
  for (uint32_t k = i; k < end_tok && k < i + 8; k++) {
    if (nm_segment__terminal(doc, &t[k]) || t[k].type == NM_TOK_QUOTE) return false;
    if (t[k].lex & NM_LEX_CUE) return true;
  }
  return false;
}

uint32_t nm__tok_at(const nm__token *t, uint32_t n, uint32_t pos) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (t[mid].end <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

nm_status nm__split_sentences(nm_doc *doc) {
  nm__token *t = doc->tokens.items;
  for (size_t pi = 0; pi < doc->paras.count; pi++) {
    const nm__para *p = &NM_AT(doc->paras, nm__para, pi);
    uint32_t start_tok = p->first_tok;
    for (uint32_t i = p->first_tok; i < p->end_tok; i++) {
      /* Only punctuation, or the paragraph's last token, ends a sentence.
         The tokens passed are in the sentence pushed next: they get its
         index on the way. */
      uint32_t si = (uint32_t)doc->sents.count;
      while (t[i].type != NM_TOK_PUNCT && i + 1 < p->end_tok) t[i++].sent = si;
      t[i].sent = si;
      bool end_here = false;
      uint32_t last = i; /* the last token of the sentence, if it ends here */
      if (i + 1 == p->end_tok) {
        end_here = true;
      } else if (nm_segment__terminal(doc, &t[i])) {
        /* Closing marks and brackets after the punctuation belong to this sentence. */
        uint32_t j = i + 1;
        while (j < p->end_tok && (t[j].type == NM_TOK_QUOTE || doc->text[t[j].start] == ')') && !t[j].space &&
               !(t[j].flags & NM_TF_IN_QUOTE && t[j].mark != NM_MARK_DOUBLE_CLOSE &&
                 t[j].mark != NM_MARK_SINGLE_CLOSE && t[j].mark != NM_MARK_DOUBLE_AMBIG &&
                 t[j].mark != NM_MARK_SINGLE_AMBIG))
          j++;
        last = j - 1;
        bool closes_quote = last > i;
        if (j < p->end_tok) {
          const nm__token *next = &t[j];
          bool starts = (next->flags & NM_TF_CAP) || next->type == NM_TOK_QUOTE || next->type == NM_TOK_NUMBER;
          if (starts && (t[i].flags & NM_TF_IN_QUOTE) && !closes_quote) starts = false; /* inside a quote */
          if (starts && closes_quote && nm_segment__attribution_follows(doc, j, p->end_tok)) starts = false;
          if (starts && doc->text[t[i].start] == '.' && t[i].end - t[i].start == 1 && i > p->first_tok &&
              !t[i].space) {
            const nm__token *w = &t[i - 1];
            bool initial = w->type == NM_TOK_WORD && (w->flags & NM_TF_CAP) &&
                           (w->end - w->start == 1 || memchr(doc->text + w->start, '.', w->end - w->start));
            if ((w->lex & NM_LEX_TITLE) && (w->lex & NM_LEX_ABBREV)) starts = false; /* Mr. Dr. Gen. */
            else if ((initial || (w->lex & NM_LEX_ABBREV)) && !(next->lex & NM_LEX_NOT_NAME) &&
                     next->type != NM_TOK_QUOTE)
              starts = false; /* J.D. Vance, U.S. officials, Jan. 5 */
          }
          end_here = starts;
        }
        if (end_here)
          while (i < last) t[++i].sent = si;
      }
      if (!end_here) continue;
      nm__sent *sn = nm__vec_push(&doc->sents);
      if (!sn) return NM_ERR_NOMEM;
      sn->first_tok = start_tok;
      sn->end_tok = i + 1;
      sn->start = t[start_tok].start;
      sn->end = t[i].end;
      sn->para = (uint32_t)pi;
      t[start_tok].flags |= NM_TF_SENT_START;
      start_tok = i + 1;
    }
  }
  return NM_OK;
}
