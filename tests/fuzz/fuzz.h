/*
 * fuzz.h: what every fuzz target checks after the library has answered.
 *
 * A crash is not the only failure worth finding: a span past the end of the
 * text, markers out of order, or JSON a parser rejects would each break a
 * front end. These checks turn such answers into a crash the fuzzer (or the
 * replay driver, replay.c) reports with the input that caused it.
 * Included by exactly one .c file per program; everything here is static.
 */
#ifndef NM_FUZZ_H
#define NM_FUZZ_H

#include "newsmark.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stop with a message naming what broke: the fuzzer keeps the input. */
#define NM_FUZZ_REQUIRE(cond, ...)                                        \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "fuzz check failed (%s:%d): ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                                       \
      fputc('\n', stderr);                                                \
      abort();                                                            \
    }                                                                     \
  } while (0)

/* ---- the document -------------------------------------------------------- */

static inline void nm_fuzz__check_span(const char *what, size_t i, size_t start, size_t end, size_t len) {
  NM_FUZZ_REQUIRE(start <= end && end <= len, "%s %zu: span [%zu, %zu) outside the text of %zu bytes", what, i,
                  start, end, len);
}

/* Every accessor, with the promises newsmark.h makes about its answer. */
static inline void nm_fuzz_check_doc(const nm_doc *doc, size_t len) {
  NM_FUZZ_REQUIRE(nm_doc_length(doc) == len, "length %zu, input %zu", nm_doc_length(doc), len);
  NM_FUZZ_REQUIRE(nm_doc_text(doc) && nm_doc_text(doc)[len] == '\0', "text copy not NUL-terminated");
  size_t nquotes = nm_doc_quote_count(doc), nentities = nm_doc_entity_count(doc);
  size_t prev_start = 0;
  for (size_t i = 0; i < nquotes; i++) {
    size_t s, e;
    int kind = nm_doc_quote_kind(doc, i);
    NM_FUZZ_REQUIRE(nm_quote_kind_name(kind), "quote %zu: unknown kind %d", i, kind);
    NM_FUZZ_REQUIRE(nm_doc_quote_part(doc, i, NM_PART_QUOTE, &s, &e), "quote %zu has no span", i);
    nm_fuzz__check_span("quote", i, s, e, len);
    NM_FUZZ_REQUIRE(s >= prev_start, "quote %zu starts at %zu, before quote %zu at %zu", i, s, i - 1, prev_start);
    prev_start = s;
    for (int part = NM_PART_SPEAKER; part <= NM_PART_VIA; part++)
      if (nm_doc_quote_part(doc, i, part, &s, &e)) nm_fuzz__check_span("quote part", i, s, e, len);
    long ent = nm_doc_quote_entity(doc, i);
    NM_FUZZ_REQUIRE(ent >= -1 && ent < (long)nentities, "quote %zu: entity %ld of %zu", i, ent, nentities);
    long parent = nm_doc_quote_parent(doc, i);
    NM_FUZZ_REQUIRE(parent >= -1 && parent < (long)nquotes, "quote %zu: parent %ld of %zu", i, parent, nquotes);
    if (parent >= 0)
      NM_FUZZ_REQUIRE(nm_doc_quote_kind(doc, (size_t)parent) == NM_QUOTE_MIXED, "quote %zu: parent %ld not mixed",
                      i, parent);
  }
  NM_FUZZ_REQUIRE(!nm_doc_quote_part(doc, nquotes, NM_PART_QUOTE, &(size_t){0}, &(size_t){0}),
                  "a quote past the count has a span");
  for (size_t i = 0; i < nentities; i++) {
    NM_FUZZ_REQUIRE(nm_doc_entity_name(doc, i), "entity %zu has no name", i);
    NM_FUZZ_REQUIRE(nm_entity_type_name(nm_doc_entity_type(doc, i)), "entity %zu: unknown type", i);
    for (size_t j = 0; j < nm_doc_entity_mention_count(doc, i); j++) {
      size_t s, e;
      NM_FUZZ_REQUIRE(nm_doc_entity_mention(doc, i, j, &s, &e), "entity %zu: mention %zu missing", i, j);
      nm_fuzz__check_span("mention", j, s, e, len);
    }
  }
  prev_start = 0;
  for (size_t i = 0; i < nm_doc_marker_count(doc); i++) {
    size_t s, e;
    NM_FUZZ_REQUIRE(nm_doc_marker_span(doc, i, &s, &e), "marker %zu has no span", i);
    nm_fuzz__check_span("marker", i, s, e, len);
    NM_FUZZ_REQUIRE(s >= prev_start, "marker %zu starts at %zu, before the one before it at %zu", i, s, prev_start);
    prev_start = s;
    NM_FUZZ_REQUIRE(nm_doc_marker_kind(doc, i) && nm_doc_marker_rule(doc, i) && nm_doc_marker_message(doc, i),
                    "marker %zu: a NULL string", i);
    NM_FUZZ_REQUIRE(nm_severity_name(nm_doc_marker_severity(doc, i)), "marker %zu: unknown severity", i);
  }
  for (size_t i = 0; i < nm_doc_error_count(doc); i++)
    NM_FUZZ_REQUIRE(nm_doc_error(doc, i) && strchr(nm_doc_error(doc, i), '\n') == NULL,
                    "error %zu is NULL or not one line", i);
}

/* ---- JSON: a strict validator (RFC 8259, UTF-8 only) --------------------- */

typedef struct nm_fuzz__json {
  const unsigned char *p, *end;
  int depth;
  bool top_key_is_length; /* the value being read is the top object's "length" */
  long long length;       /* that value, -1 until seen */
} nm_fuzz__json;

/* Length of one valid UTF-8 character at p, or 0. */
static inline size_t nm_fuzz__utf8(const unsigned char *p, const unsigned char *end) {
  size_t n = (size_t)(end - p), len;
  uint32_t cp;
  if (p[0] < 0x80) return 1;
  if (p[0] >= 0xC2 && p[0] <= 0xDF) len = 2, cp = p[0] & 0x1Fu;
  else if (p[0] >= 0xE0 && p[0] <= 0xEF) len = 3, cp = p[0] & 0x0Fu;
  else if (p[0] >= 0xF0 && p[0] <= 0xF4) len = 4, cp = p[0] & 0x07u;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3Fu);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return len;
}

static inline bool nm_fuzz__json_value(nm_fuzz__json *j);

static inline bool nm_fuzz__json_string(nm_fuzz__json *j, const char **key, size_t *keylen) {
  if (j->p >= j->end || *j->p != '"') return false;
  const unsigned char *start = ++j->p;
  while (j->p < j->end && *j->p != '"') {
    if (*j->p < 0x20) return false;
    if (*j->p == '\\') {
      if (++j->p >= j->end) return false;
      if (*j->p == 'u') {
        for (int k = 1; k <= 4; k++)
          if (j->p + k >= j->end || !strchr("0123456789abcdefABCDEF", j->p[k]) || !j->p[k]) return false;
        j->p += 5;
      } else if (*j->p && strchr("\"\\/bfnrt", *j->p)) {
        j->p++;
      } else {
        return false;
      }
      continue;
    }
    size_t n = nm_fuzz__utf8(j->p, j->end);
    if (!n) return false;
    j->p += n;
  }
  if (j->p >= j->end) return false;
  if (key) *key = (const char *)start, *keylen = (size_t)(j->p - start);
  j->p++;
  return true;
}

static inline void nm_fuzz__json_space(nm_fuzz__json *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static inline bool nm_fuzz__json_number(nm_fuzz__json *j) {
  const unsigned char *start = j->p;
  bool want = j->top_key_is_length;
  j->top_key_is_length = false;
  if (j->p < j->end && *j->p == '-') j->p++;
  if (j->p >= j->end || *j->p < '0' || *j->p > '9') return false;
  if (*j->p == '0') j->p++;
  else
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
  bool integer = true;
  if (j->p < j->end && *j->p == '.') {
    integer = false;
    if (++j->p >= j->end || *j->p < '0' || *j->p > '9') return false;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    integer = false;
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') return false;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
  }
  if (want && integer && *start != '-') {
    long long v = 0;
    for (const unsigned char *q = start; q < j->p; q++) v = v * 10 + (*q - '0');
    j->length = v;
  }
  return true;
}

static inline bool nm_fuzz__json_literal(nm_fuzz__json *j, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0) return false;
  j->p += n;
  return true;
}

static inline bool nm_fuzz__json_value(nm_fuzz__json *j) {
  nm_fuzz__json_space(j);
  if (j->p >= j->end) return false;
  if (++j->depth > 64) return false;
  bool ok;
  unsigned char c = *j->p;
  if (c == '{' || c == '[') {
    bool object = c == '{';
    j->p++;
    nm_fuzz__json_space(j);
    ok = true;
    if (j->p < j->end && *j->p == (object ? '}' : ']')) {
      j->p++;
    } else {
      for (;;) {
        j->top_key_is_length = false;
        if (object) {
          const char *key;
          size_t keylen;
          nm_fuzz__json_space(j);
          if (!nm_fuzz__json_string(j, &key, &keylen)) return false;
          nm_fuzz__json_space(j);
          if (j->p >= j->end || *j->p != ':') return false;
          j->p++;
          j->top_key_is_length = j->depth == 1 && keylen == 6 && memcmp(key, "length", 6) == 0;
        }
        if (!nm_fuzz__json_value(j)) return false;
        nm_fuzz__json_space(j);
        if (j->p < j->end && *j->p == ',') {
          j->p++;
          continue;
        }
        if (j->p < j->end && *j->p == (object ? '}' : ']')) {
          j->p++;
          break;
        }
        return false;
      }
    }
  } else if (c == '"') {
    ok = nm_fuzz__json_string(j, NULL, NULL);
  } else if (c == 't') {
    ok = nm_fuzz__json_literal(j, "true");
  } else if (c == 'f') {
    ok = nm_fuzz__json_literal(j, "false");
  } else if (c == 'n') {
    ok = nm_fuzz__json_literal(j, "null");
  } else {
    ok = nm_fuzz__json_number(j);
  }
  j->top_key_is_length = false;
  j->depth--;
  return ok;
}

/*
 * The document as JSON: one valid object, on one line, whose "length" is
 * the input's byte count (the promise that nothing was lost).
 */
static inline void nm_fuzz_check_json(const nm_doc *doc, const char *file, size_t len) {
  size_t jlen = 0;
  char *json = nm_doc_to_json(doc, file, &jlen);
  if (!json) return; /* out of memory is an answer, not a defect */
  NM_FUZZ_REQUIRE(strlen(json) == jlen, "JSON length %zu, buffer holds %zu before its NUL", jlen, strlen(json));
  NM_FUZZ_REQUIRE(memchr(json, '\n', jlen) == NULL, "JSON spans more than one line");
  nm_fuzz__json j = {(const unsigned char *)json, (const unsigned char *)json + jlen, 0, false, -1};
  bool ok = json[0] == '{' && nm_fuzz__json_value(&j);
  size_t at = (size_t)(j.p - (const unsigned char *)json);
  NM_FUZZ_REQUIRE(ok && j.p == j.end, "invalid JSON near byte %zu of %zu: %.60s", at, jlen,
                  json + (at > 20 ? at - 20 : 0));
  NM_FUZZ_REQUIRE(j.length == (long long)len, "JSON length %lld, input %zu", j.length, len);
  nm_free(json);
}

/* ---- one analysis --------------------------------------------------------- */

/* The engine with the built-in rules, made once: a compiled engine is immutable. */
static inline nm_engine *nm_fuzz_engine(void) {
  static nm_engine *engine;
  if (!engine) {
    char err[256];
    engine = nm_engine_new(err, sizeof err);
    NM_FUZZ_REQUIRE(engine, "nm_engine_new: %s", err);
    NM_FUZZ_REQUIRE(nm_engine_compile(engine, err, sizeof err) == NM_OK, "nm_engine_compile: %s", err);
  }
  return engine;
}

/*
 * Analyse the input as `input`, then check the answer and its JSON. A
 * refusal must say why: the status is one a caller can act on and the
 * message is not empty.
 */
static inline void nm_fuzz_analyse(nm_engine *engine, const uint8_t *data, size_t size, int input) {
  char err[256] = "";
  nm_status status = NM_OK;
  nm_doc *doc = nm_doc_new(engine, (const char *)data, size, input, &status, err, sizeof err);
  if (!doc) {
    NM_FUZZ_REQUIRE(status != NM_OK && status != NM_ERR_ARGUMENT && err[0],
                    "nm_doc_new failed with status %s and message '%s'", nm_status_name(status), err);
    return;
  }
  nm_fuzz_check_doc(doc, size);
  nm_fuzz_check_json(doc, "fuzz.txt", size);
  nm_doc_delete(doc);
}

#endif /* NM_FUZZ_H */
