/*
 * json.c: the document as the JSON object of SPEC.md.
 * Strings from the text are escaped byte by byte; invalid UTF-8 becomes
 * U+FFFD so the output is always valid JSON, while offsets stay the
 * original byte offsets.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for a few strings that came back from nm_json__cstring with
   nothing to escape (kind, rule, message and severity names, the same few
   pointers over and over): their copies need no second look. */
#define NM_JSON_PLAIN_SLOTS 32

typedef struct nm_json__buf {
  char *data;
  size_t len, cap;
  /* len + n < limit is the whole room test: cap, at most one piece past a
     whole one with a sink, 0 once failed (nm_json__set_limit). */
  size_t limit;
  bool failed, sink_failed;
  /* With a sink, the buffer is handed over in pieces and never grows past
     one piece: a document's JSON can be several times its text. */
  int (*sink)(void *ud, const char *data, size_t len);
  void *ud;
  const char *plain[NM_JSON_PLAIN_SLOTS];
  size_t plain_len[NM_JSON_PLAIN_SLOTS];
} nm_json__buf;

#define NM_JSON_PIECE 65536

static void nm_json__set_limit(nm_json__buf *b) {
  b->limit = b->failed ? 0 : b->sink && b->cap > NM_JSON_PIECE + 1 ? NM_JSON_PIECE + 1 : b->cap;
}

/* ---- private ------------------------------------------------------------ */

static void nm_json__flush(nm_json__buf *b) {
  if (!b->failed && b->sink && b->len && b->sink(b->ud, b->data, b->len) != 0) b->failed = b->sink_failed = true;
  b->len = 0;
  nm_json__set_limit(b);
}

/* Make room for n more bytes (and the terminating NUL); false on failure. */
static bool nm_json__grow(nm_json__buf *b, size_t n) {
  if (b->failed) return false;
  if (b->sink && b->len + n > NM_JSON_PIECE) {
    nm_json__flush(b);
    if (b->failed) return false;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    while (b->len + n + 1 > cap) cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data) {
      b->failed = true;
      nm_json__set_limit(b);
      return false;
    }
    b->data = data;
    b->cap = cap;
    nm_json__set_limit(b);
  }
  return true;
}

/* The common case inline: the piece has room (a failed buffer has none:
   its limit is 0, and grow says no). */
static inline bool nm_json__room(nm_json__buf *b, size_t n) {
  if (b->len + n < b->limit) return true;
  return nm_json__grow(b, n);
}

/* The buffer's NUL is written once, at the end (nm_doc_to_json): room
   always keeps a byte for it. */
static inline void nm_json__put(nm_json__buf *b, const char *s, size_t n) {
  if (!nm_json__room(b, n)) return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

static void nm_json__puts(nm_json__buf *b, const char *s) { nm_json__put(b, s, strlen(s)); }

/* A literal: its length is known at compile time, so no strlen. */
#define NM_JSON_LIT(b, lit) nm_json__put((b), (lit), sizeof(lit) - 1)

/* "00" to "99": the digits of a number go two a division. */
static const char nm_json__pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

/* lit, the decimal digits of v, then lit2: the writer's hot path, which
   snprintf made the slowest part of the JSON. The digits are copied as 16
   bytes whatever their number (lit2 then writes over the rest): a copy of
   known length is two moves, one of any length a call. */
static inline void nm_json__num(nm_json__buf *b, const char *lit, size_t litlen, unsigned long long v,
                                const char *lit2, size_t lit2len) {
  char tmp[40];
  char *d = tmp + 24; /* the digits end here, with 16 bytes readable after them */
  memset(d, 0, 16);
  while (v >= 100) {
    d -= 2;
    memcpy(d, nm_json__pairs + (v % 100) * 2, 2);
    v /= 100;
  }
  if (v >= 10) {
    d -= 2;
    memcpy(d, nm_json__pairs + v * 2, 2);
  } else {
    *--d = (char)('0' + v);
  }
  size_t digits = (size_t)(tmp + 24 - d);
  if (!nm_json__room(b, litlen + (digits > 16 ? digits : 16) + lit2len)) return;
  char *o = b->data + b->len;
  memcpy(o, lit, litlen);
  if (digits <= 16) memcpy(o + litlen, d, 16);
  else memcpy(o + litlen, d, digits);
  memcpy(o + litlen + digits, lit2, lit2len);
  b->len += litlen + digits + lit2len;
}
/* NM_JSON_NUM(b, "{\"start\":", 5, ",") writes {"start":5, */
#define NM_JSON_NUM(b, lit, v, lit2) \
  nm_json__num((b), (lit), sizeof(lit) - 1, (unsigned long long)(v), (lit2), sizeof(lit2) - 1)

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t nm_json__utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return len;
}

/* Bytes that JSON takes as they are: printable ASCII but '"' and '\\'. */
static const unsigned char nm_json__plain[256] = {
#define NM_JSON_R8(x) x, x, x, x, x, x, x, x
    NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0),          /* 0x00-0x1F */
    1, 1, 0, 1, 1, 1, 1, 1, NM_JSON_R8(1), NM_JSON_R8(1), NM_JSON_R8(1), /* 0x20-0x3F */
    NM_JSON_R8(1), NM_JSON_R8(1), NM_JSON_R8(1), 1, 1, 1, 1, 0, 1, 1, 1, /* 0x40-0x5F */
    NM_JSON_R8(1), NM_JSON_R8(1), NM_JSON_R8(1), 1, 1, 1, 1, 1, 1, 1, 0, /* 0x60-0x7F */
    NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0),          /* 0x80-0xFF */
    NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0),
    NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0),
    NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0), NM_JSON_R8(0)
#undef NM_JSON_R8
};

#define NM_JSON_ONES 0x0101010101010101ull
#define NM_JSON_HIGH 0x8080808080808080ull

/* Do the 8 bytes of x all go into JSON as they are (nm_json__plain)? */
static inline bool nm_json__plain8(uint64_t x) {
  /* A byte is not plain when its high bit is set, when it is below 0x20,
     when it is 0x7F, or when it is '"' or '\\'; each test sets the high bit
     of its byte (exact once bytes with the high bit set are ruled out). */
  uint64_t del = x ^ NM_JSON_ONES * 0x7F, quote = x ^ NM_JSON_ONES * '"', slash = x ^ NM_JSON_ONES * '\\';
  uint64_t low = (x - NM_JSON_ONES * 0x20) & ~x;
  uint64_t zero = ((del - NM_JSON_ONES) & ~del) | ((quote - NM_JSON_ONES) & ~quote) | ((slash - NM_JSON_ONES) & ~slash);
  return !((x | low | zero) & NM_JSON_HIGH);
}

/* The first byte at or after i of p[0..n) that JSON does not take as it is
   (nm_json__plain), or n. Most bytes of news text need nothing: they go 8
   at a time, and the last 8 bytes are read as one word too (again, in part). */
static inline size_t nm_json__plain_run(const unsigned char *p, size_t i, size_t n) {
  for (uint64_t x; i + 8 <= n && (memcpy(&x, p + i, 8), nm_json__plain8(x));) i += 8;
  if (i + 8 > n && n >= 8) {
    uint64_t x;
    memcpy(&x, p + n - 8, 8);
    if (nm_json__plain8(x)) return n;
  }
  while (i < n && nm_json__plain[p[i]]) i++;
  return i;
}

/* s, which needs no escape, between quote marks. */
static void nm_json__quoted(nm_json__buf *b, const char *s, size_t n) {
  if (!nm_json__room(b, n + 2)) return;
  char *o = b->data + b->len;
  o[0] = '"';
  memcpy(o + 1, s, n);
  o[n + 1] = '"';
  b->len += n + 2;
}

/* Writes s as a JSON string; returns whether it went as it is. */
static bool nm_json__string(nm_json__buf *b, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = nm_json__plain_run(p, 0, n);
  if (i == n) {
    nm_json__quoted(b, s, n); /* nothing to escape, the common case */
    return true;
  }
  NM_JSON_LIT(b, "\"");
  size_t run = 0; /* start of the pending run of bytes copied as they are */
  while (i < n) {
    unsigned c = p[i];
    const char *esc = NULL;
    char tmp[8];
    size_t step = 1;
    if (c == '"') esc = "\\\"";
    else if (c == '\\') esc = "\\\\";
    else if (c == '\n') esc = "\\n";
    else if (c == '\r') esc = "\\r";
    else if (c == '\t') esc = "\\t";
    else if (c < 0x20 || c == 0x7F) {
      snprintf(tmp, sizeof tmp, "\\u%04x", c);
      esc = tmp;
    } else if (c >= 0x80) {
      step = nm_json__utf8_len(p + i, n - i);
      if (step == 0) {
        esc = "\xEF\xBF\xBD"; /* U+FFFD for an invalid byte */
        step = 1;
      }
    }
    if (esc) {
      nm_json__put(b, s + run, i - run);
      nm_json__puts(b, esc);
      run = i + step;
    }
    i = nm_json__plain_run(p, i + step, n);
  }
  nm_json__put(b, s + run, n - run);
  NM_JSON_LIT(b, "\"");
  return run == 0;
}

static void nm_json__cstring(nm_json__buf *b, const char *s) {
  if (!s) {
    NM_JSON_LIT(b, "null");
    return;
  }
  size_t k = (size_t)(((uint64_t)(uintptr_t)s * 0x9E3779B97F4A7C15ull) >> 59); /* 5 bits: 32 slots */
  if (b->plain[k] == s) {
    nm_json__quoted(b, s, b->plain_len[k]);
    return;
  }
  size_t n = strlen(s);
  if (nm_json__string(b, s, n)) {
    b->plain[k] = s;
    b->plain_len[k] = n;
  }
}

/* {"start": S, "end": E, "text": "..."} or null */
static void nm_json__span(nm_json__buf *b, const nm_doc *d, uint32_t s, uint32_t e) {
  if (s == NM_NONE) {
    NM_JSON_LIT(b, "null");
    return;
  }
  NM_JSON_NUM(b, "{\"start\":", s, "");
  NM_JSON_NUM(b, ",\"end\":", e, ",\"text\":");
  nm_json__string(b, d->text + s, e - s);
}

/* ---- public ------------------------------------------------------------- */

static void nm_json__document(const nm_doc *self, const char *file, nm_json__buf *b);

char *nm_doc_to_json(const nm_doc *self, const char *file, size_t *len) {
  if (!self) return NULL;
  nm_json__buf b = {0};
  nm_json__document(self, file, &b);
  if (b.failed) {
    free(b.data);
    return NULL;
  }
  b.data[b.len] = '\0';
  if (len) *len = b.len;
  return b.data;
}

nm_status nm_doc_write_json(const nm_doc *self, const char *file,
                            int (*sink)(void *ud, const char *data, size_t len), void *ud) {
  if (!self || !sink) return NM_ERR_ARGUMENT;
  nm_json__buf b = {0};
  b.sink = sink;
  b.ud = ud;
  nm_json__document(self, file, &b);
  nm_json__flush(&b);
  free(b.data);
  if (b.failed) return b.sink_failed ? NM_ERR_LIMIT : NM_ERR_NOMEM;
  return NM_OK;
}

static void nm_json__document(const nm_doc *self, const char *file, nm_json__buf *bp) {
  nm_json__buf b = *bp;
  NM_JSON_NUM(&b, "{\"newsmark\":", NM_JSON_VERSION, ",\"file\":");
  nm_json__cstring(&b, file);
  NM_JSON_NUM(&b, ",\"length\":", self->len, ",\"quotes\":[");
  for (size_t i = 0; i < self->quotes.count; i++) {
    const nm__quote *q = &NM_AT(self->quotes, nm__quote, i);
    if (i) NM_JSON_LIT(&b, ",");
    NM_JSON_NUM(&b, "{\"id\":", i, "");
    NM_JSON_LIT(&b, ",\"kind\":");
    nm_json__cstring(&b, nm_quote_kind_name(q->kind));
    NM_JSON_NUM(&b, ",\"start\":", q->start, "");
    NM_JSON_NUM(&b, ",\"end\":", q->end, ",\"text\":");
    nm_json__string(&b, self->text + q->start, q->end - q->start);
    NM_JSON_LIT(&b, ",\"speaker\":");
    nm_json__span(&b, self, q->speaker_start, q->speaker_end);
    if (q->speaker_start != NM_NONE) {
      if (q->entity >= 0) NM_JSON_NUM(&b, ",\"entity\":", (unsigned long long)q->entity, "}");
      else NM_JSON_LIT(&b, ",\"entity\":null}");
    }
    NM_JSON_LIT(&b, ",\"cue\":");
    nm_json__span(&b, self, q->cue_start, q->cue_end);
    if (q->cue_start != NM_NONE) NM_JSON_LIT(&b, "}");
    NM_JSON_LIT(&b, ",\"via\":");
    nm_json__span(&b, self, q->via_start, q->via_end);
    if (q->via_start != NM_NONE) NM_JSON_LIT(&b, "}");
    if (q->entity >= 0 && q->speaker_start == NM_NONE)
      NM_JSON_NUM(&b, ",\"entity\":", (unsigned long long)q->entity, "");
    if (q->parent >= 0) NM_JSON_NUM(&b, ",\"parent\":", (unsigned long long)q->parent, "");
    if (q->in_boiler) NM_JSON_LIT(&b, ",\"boilerplate\":true");
    NM_JSON_LIT(&b, "}");
  }
  NM_JSON_LIT(&b, "],\"entities\":[");
  for (size_t i = 0; i < self->entities.count; i++) {
    const nm__entity *e = &NM_AT(self->entities, nm__entity, i);
    if (i) NM_JSON_LIT(&b, ",");
    NM_JSON_NUM(&b, "{\"id\":", i, ",\"name\":");
    nm_json__cstring(&b, e->name);
    NM_JSON_LIT(&b, ",\"type\":");
    nm_json__cstring(&b, nm_entity_type_name(e->type));
    nm_json__puts(&b, e->anonymous ? ",\"anonymous\":true,\"title\":" : ",\"anonymous\":false,\"title\":");
    nm_json__cstring(&b, e->title);
    NM_JSON_LIT(&b, ",\"mentions\":[");
    const uint32_t *m = e->mentions.items;
    for (size_t j = 0; j < e->mentions.count; j++) {
      if (j) NM_JSON_LIT(&b, ",");
      NM_JSON_NUM(&b, "[", m[2 * j], "");
      NM_JSON_NUM(&b, ",", m[2 * j + 1], "]");
    }
    NM_JSON_LIT(&b, "]}");
  }
  NM_JSON_LIT(&b, "],\"markers\":[");
  for (size_t i = 0; i < self->markers.count; i++) {
    const nm__marker *m = &NM_AT(self->markers, nm__marker, i);
    nm_json__puts(&b, i ? ",{\"kind\":" : "{\"kind\":");
    nm_json__cstring(&b, m->kind);
    NM_JSON_LIT(&b, ",\"rule\":");
    nm_json__cstring(&b, m->rule);
    NM_JSON_NUM(&b, ",\"start\":", m->start, "");
    NM_JSON_NUM(&b, ",\"end\":", m->end, ",\"text\":");
    nm_json__string(&b, self->text + m->start, m->end - m->start);
    NM_JSON_LIT(&b, ",\"message\":");
    nm_json__cstring(&b, m->message);
    NM_JSON_LIT(&b, ",\"severity\":");
    nm_json__cstring(&b, nm_severity_name(m->severity));
    NM_JSON_LIT(&b, "}");
  }
  NM_JSON_LIT(&b, "],\"errors\":[");
  for (size_t i = 0; i < self->errors.count; i++) {
    if (i) NM_JSON_LIT(&b, ",");
    nm_json__cstring(&b, NM_AT(self->errors, char *, i));
  }
  NM_JSON_LIT(&b, "]}");
  *bp = b;
}
