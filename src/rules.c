/*
 * rules.c: the rule table. Built-in and user rules live in one list, in
 * order: the built-ins first (markers.c's table), then user rules as added.
 * Pattern rules compile with PCRE2 when they are added (so a bad pattern is
 * reported at once, with its offset) and are JIT-compiled once by
 * nm__rules_compile. After that the engine is read-only: everything a
 * match writes (pcre2_match_data) belongs to the caller, per document, so
 * one engine can serve many threads.
 *
 * All patterns compile in UTF mode with PCRE2_MATCH_INVALID_UTF, so
 * invalid UTF-8 in an article is just a character that matches nothing
 * special, never an error.
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

/*
 * User patterns may be written by anyone, so they run under limits. The
 * match limit bounds the backtracking work of one pcre2_match call (also
 * under the JIT); the depth limit bounds the interpreter's backtracking
 * depth where the JIT is unavailable.
 */
#define NM_RULES_MATCH_LIMIT 1000000u
#define NM_RULES_DEPTH_LIMIT 1000u

typedef struct nm_rules__state {
  pcre2_match_context *user_context; /* limits for user rules; read-only once compiled */
  uint32_t max_pairs;                /* capture pairs needed by the biggest pattern */
} nm_rules__state;

/* ---- private ------------------------------------------------------------ */

static const char nm_rules__compile_first[] =
    "the engine is already compiled: add rules and options before nm_engine_compile";

static nm_rules__state *nm_rules__state_of(nm_engine *e) {
  if (!e->rules_state) e->rules_state = calloc(1, sizeof(nm_rules__state));
  return e->rules_state;
}

static const nm__rule *nm_rules__find(const nm_engine *e, const char *id) {
  for (size_t i = 0; i < e->rules.count; i++)
    if (strcmp(nm__rule_at(e, i)->id, id) == 0) return nm__rule_at(e, i);
  return NULL;
}

static pcre2_code *nm_rules__pcre(const char *id, const char *pattern, size_t len, uint32_t options, char *err,
                                  size_t errlen) {
  int code;
  PCRE2_SIZE offset;
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | options, &code,
                                 &offset, NULL);
  if (!re) {
    PCRE2_UCHAR msg[256];
    if (pcre2_get_error_message(code, msg, sizeof msg) < 0) strcpy((char *)msg, "unknown error");
    if (code == PCRE2_ERROR_NOMEMORY) nm__errorf(err, errlen, "rule %s: out of memory", id);
    else nm__errorf(err, errlen, "rule %s: pattern error at offset %zu: %s", id, (size_t)offset, (char *)msg);
  }
  return re;
}

static bool nm_rules__kind_selected(const nm_engine *e, const char *kind) {
  if (e->only_kinds.count == 0) return true;
  for (size_t i = 0; i < e->only_kinds.count; i++)
    if (strcmp(NM_AT(e->only_kinds, char *, i), kind) == 0) return true;
  return false;
}

/* Append a rule; takes ownership of `code` (freed here on failure). */
static nm_status nm_rules__push(nm_engine *e, const nm__rule *r, char *err, size_t errlen) {
  nm__rule *copy = nm__arena_alloc(&e->arena, sizeof *copy);
  nm__rule **slot = copy ? nm__vec_push(&e->rules) : NULL;
  if (!slot) {
    pcre2_code_free(r->code);
    nm__errorf(err, errlen, "rule %s: out of memory", r->id);
    return NM_ERR_NOMEM;
  }
  *copy = *r;
  *slot = copy;
  return NM_OK;
}

static char *nm_rules__dup(nm_engine *e, const char *s) {
  return s ? nm__arena_strndup(&e->arena, s, strlen(s)) : NULL;
}

/* The checks every user rule passes before its pattern is compiled. */
static nm_status nm_rules__check_user(nm_engine *self, const char *id, const char *kind, int severity,
                                      int inside, char *err, size_t errlen) {
  if (!self || !id || !*id || !kind || !*kind) {
    nm__errorf(err, errlen, "a rule needs an engine, an id and a kind");
    return NM_ERR_ARGUMENT;
  }
  if (self->compiled) {
    nm__errorf(err, errlen, "rule %s: %s", id, nm_rules__compile_first);
    return NM_ERR_ARGUMENT;
  }
  if (severity != NM_SEVERITY_INFO && severity != NM_SEVERITY_WARNING) {
    nm__errorf(err, errlen, "rule %s: severity must be info or warning", id);
    return NM_ERR_RULE;
  }
  if (inside != NM_INSIDE_ANY && inside != NM_INSIDE_PROSE && inside != NM_INSIDE_QUOTE) {
    nm__errorf(err, errlen, "rule %s: inside must be any, prose or quote", id);
    return NM_ERR_RULE;
  }
  if (nm_rules__find(self, id)) {
    nm__errorf(err, errlen, "rule %s: another rule already has this id", id);
    return NM_ERR_RULE;
  }
  return NM_OK;
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not valid. */
static size_t nm_rules__utf8_len(const unsigned char *s, size_t n) {
  if (s[0] < 0x80) return 1;
  size_t len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
  if (len == 0 || len > n) return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  uint32_t cp = len == 2 ? (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu)
                : len == 3 ? (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu)
                           : (s[0] & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return len;
}

static int nm_rules__longer_first(const void *a, const void *b) {
  size_t x = strlen(*(const char *const *)a), y = strlen(*(const char *const *)b);
  return x < y ? 1 : x > y ? -1 : 0;
}

/* ---- internal API ------------------------------------------------------- */

nm_status nm__rules_builtin(nm_engine *engine, char *err, size_t errlen) {
  if (!nm_rules__state_of(engine)) {
    nm__errorf(err, errlen, "out of memory");
    return NM_ERR_NOMEM;
  }
  for (size_t k = 0; k < NM_R__COUNT; k++) {
    const nm__builtin *b = &nm__builtins[k];
    nm__rule r = {b->id, b->kind, b->message, "built-in", b->severity, NM_INSIDE_ANY, true, false, true, NULL};
    /* Built-in patterns only ever run anchored at a token: anchoring them at
       compile time, not per match, keeps them on the JIT. */
    if (b->pattern &&
        !(r.code = nm_rules__pcre(b->id, b->pattern, strlen(b->pattern), PCRE2_ANCHORED, err, errlen)))
      return NM_ERR_RULE;
    nm_status st = nm_rules__push(engine, &r, err, errlen);
    if (st != NM_OK) return st;
  }
  return NM_OK;
}

nm_status nm__rules_compile(nm_engine *engine, char *err, size_t errlen) {
  nm_rules__state *st = nm_rules__state_of(engine);
  if (!st) {
    nm__errorf(err, errlen, "out of memory");
    return NM_ERR_NOMEM;
  }
  if (!st->user_context) {
    st->user_context = pcre2_match_context_create(NULL);
    if (!st->user_context) {
      nm__errorf(err, errlen, "out of memory");
      return NM_ERR_NOMEM;
    }
  }
  pcre2_set_match_limit(st->user_context, engine->match_limit ? engine->match_limit : NM_RULES_MATCH_LIMIT);
  pcre2_set_depth_limit(st->user_context, engine->depth_limit ? engine->depth_limit : NM_RULES_DEPTH_LIMIT);
  st->max_pairs = 1;
  for (size_t i = 0; i < engine->rules.count; i++) {
    nm__rule *r = NM_AT(engine->rules, nm__rule *, i);
    r->active = r->enabled && nm_rules__kind_selected(engine, r->kind);
    if (!r->code) continue;
    /* Without the JIT (an unsupported CPU) the interpreter still works, only slower. */
    pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
    uint32_t groups = 0;
    pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups + 1 > st->max_pairs) st->max_pairs = groups + 1;
  }
  return NM_OK;
}

void nm__rules_free(nm_engine *engine) {
  for (size_t i = 0; i < engine->rules.count; i++) pcre2_code_free(NM_AT(engine->rules, nm__rule *, i)->code);
  nm_rules__state *st = engine->rules_state;
  if (st) pcre2_match_context_free(st->user_context);
  free(st);
  engine->rules_state = NULL;
}

pcre2_match_data *nm__rules_match_data(const nm_engine *e) {
  const nm_rules__state *st = e->rules_state;
  return pcre2_match_data_create(st && st->max_pairs ? st->max_pairs : 1, NULL);
}

/* A rule from a rule file has "FILE:LINE" as its origin; its errors lead with it,
   like every other error about that file, so an editor can jump to the rule. */
static bool nm_rules__from_file(const nm__rule *r) {
  return !r->builtin && r->origin && strchr(r->origin, ':') != NULL;
}

nm_status nm__rule_scan(nm_doc *doc, const nm__rule *r, pcre2_match_data *md, uint32_t from, uint32_t to,
                        nm__match_fn on_match, void *ud) {
  const nm_rules__state *st = doc->engine->rules_state;
  pcre2_match_context *context = r->builtin ? NULL : st->user_context;
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
  const unsigned char *text = (const unsigned char *)doc->text;
  uint32_t off = from;
  while (off <= to) {
    int rc = pcre2_match(r->code, text, to, off, 0, md, context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
          rc == PCRE2_ERROR_JIT_STACKLIMIT) {
        if (nm_rules__from_file(r))
          nm__doc_error(doc, "%s: rule \"%s\": match limit exceeded at byte %u; the rest of the text was not "
                             "checked with this rule (simplify the pattern)", r->origin, r->id, off);
        else
          nm__doc_error(doc, "rule %s: match limit exceeded at byte %u; the rest of the text was not checked "
                             "with this rule (simplify the pattern)", r->id, off);
      } else {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(rc, msg, sizeof msg) < 0) strcpy((char *)msg, "unknown error");
        if (nm_rules__from_file(r))
          nm__doc_error(doc, "%s: rule \"%s\": matching failed at byte %u: %s", r->origin, r->id, off, (char *)msg);
        else
          nm__doc_error(doc, "rule %s: matching failed at byte %u: %s", r->id, off, (char *)msg);
      }
      break;
    }
    uint32_t s = (uint32_t)ov[0], e = (uint32_t)ov[1];
    if (e > s) {
      nm_status status = on_match(ud, r, s, e, md);
      if (status != NM_OK) return status;
      off = e;
    } else {
      /* An empty match marks nothing: step over one character and go on. */
      off = (e > off ? e : off) + 1;
      while (off < to && (text[off] & 0xC0) == 0x80) off++;
    }
  }
  return NM_OK;
}

/*
 * Built-in patterns are compiled anchored, so they run on the JIT (which
 * does not take PCRE2_ANCHORED at match time). The window after `at` keeps
 * each call bounded even where the interpreter has to run (no JIT on this
 * CPU): it would otherwise look over the rest of the subject. Built-in
 * patterns are short phrases that fit well inside it.
 */
#define NM_RULES_ANCHORED_WINDOW 512u

uint32_t nm__rule_match_at(const nm_doc *doc, const nm__rule *r, pcre2_match_data *md, uint32_t at) {
  uint32_t end = doc->len - at > NM_RULES_ANCHORED_WINDOW ? at + NM_RULES_ANCHORED_WINDOW : doc->len;
  int rc = pcre2_match(r->code, (PCRE2_SPTR)doc->text, end, at, 0, md, NULL);
  if (rc < 0) return NM_NONE;
  return (uint32_t)pcre2_get_ovector_pointer(md)[1];
}

/* ---- public ------------------------------------------------------------- */

nm_status nm_engine_add_pattern(nm_engine *self, const char *id, const char *kind, const char *pattern,
                                size_t pattern_len, const char *message, int severity, int inside,
                                const char *origin, char *err, size_t errlen) {
  nm_status st = nm_rules__check_user(self, id, kind, severity, inside, err, errlen);
  if (st != NM_OK) return st;
  if (!pattern) {
    nm__errorf(err, errlen, "rule %s: no pattern", id);
    return NM_ERR_RULE;
  }
  nm__rule r = {nm_rules__dup(self, id), nm_rules__dup(self, kind), nm_rules__dup(self, message),
                nm_rules__dup(self, origin), severity, inside, true, false, false, NULL};
  if (!r.id || !r.kind || (message && !r.message) || (origin && !r.origin)) {
    nm__errorf(err, errlen, "rule %s: out of memory", id);
    return NM_ERR_NOMEM;
  }
  if (!r.message) r.message = "";
  if (!r.origin) r.origin = "user";
  r.code = nm_rules__pcre(id, pattern, pattern_len, 0, err, errlen);
  if (!r.code) return NM_ERR_RULE;
  return nm_rules__push(self, &r, err, errlen);
}

nm_status nm_engine_add_words(nm_engine *self, const char *id, const char *kind, const char *const *words,
                              size_t nwords, const char *message, int severity, int inside,
                              const char *origin, char *err, size_t errlen) {
  nm_status st = nm_rules__check_user(self, id, kind, severity, inside, err, errlen);
  if (st != NM_OK) return st;
  if (!words || nwords == 0) {
    nm__errorf(err, errlen, "rule %s: the word list is empty", id);
    return NM_ERR_RULE;
  }
  /* Check every word, and size the pattern: each byte may need a backslash. */
  size_t size = 64;
  for (size_t i = 0; i < nwords; i++) {
    const char *w = words[i];
    size_t n = w ? strlen(w) : 0, k = 0;
    while (k < n && (w[k] == ' ' || w[k] == '\t')) k++;
    if (k == n) {
      nm__errorf(err, errlen, "rule %s: word %zu is empty", id, i + 1);
      return NM_ERR_RULE;
    }
    for (k = 0; k < n;) {
      size_t l = nm_rules__utf8_len((const unsigned char *)w + k, n - k);
      if (!l) {
        nm__errorf(err, errlen, "rule %s: word %zu is not valid UTF-8", id, i + 1);
        return NM_ERR_RULE;
      }
      k += l;
    }
    if (n > (SIZE_MAX - size) / 4) {
      nm__errorf(err, errlen, "rule %s: the word list is too long", id);
      return NM_ERR_RULE;
    }
    size += 4 * n + 1;
  }
  /* Longer words first, so "New York" wins over "New" at the same place. */
  const char **sorted = malloc(nwords * sizeof *sorted);
  char *pat = malloc(size);
  if (!sorted || !pat) {
    free(sorted);
    free(pat);
    nm__errorf(err, errlen, "rule %s: out of memory", id);
    return NM_ERR_NOMEM;
  }
  memcpy(sorted, words, nwords * sizeof *sorted);
  qsort(sorted, nwords, sizeof *sorted, nm_rules__longer_first);
  /* A word boundary in any script: no letter, digit or underscore just outside. */
  static const char open[] = "(?<![\\p{L}\\p{N}_])(?:", close[] = ")(?![\\p{L}\\p{N}_])";
  size_t o = 0;
  memcpy(pat, open, sizeof open - 1);
  o += sizeof open - 1;
  for (size_t i = 0; i < nwords; i++) {
    const char *w = sorted[i];
    size_t n = strlen(w), a = 0;
    while (n > 0 && (w[n - 1] == ' ' || w[n - 1] == '\t')) n--;
    while (a < n && (w[a] == ' ' || w[a] == '\t')) a++;
    if (i) pat[o++] = '|';
    for (size_t k = a; k < n; k++) {
      unsigned char c = (unsigned char)w[k];
      if (c == ' ' || c == '\t') {
        /* The words of an entry may be split by any run of spaces or a line break. */
        while (k + 1 < n && (w[k + 1] == ' ' || w[k + 1] == '\t')) k++;
        memcpy(pat + o, "\\s+", 3);
        o += 3;
      } else {
        /* Every ASCII non-alphanumeric is literal after a backslash in PCRE2. */
        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
          pat[o++] = '\\';
        pat[o++] = (char)c;
      }
    }
  }
  memcpy(pat + o, close, sizeof close - 1);
  o += sizeof close - 1;
  free(sorted);
  st = nm_engine_add_pattern(self, id, kind, pat, o, message, severity, inside, origin, err, errlen);
  free(pat);
  return st;
}

nm_status nm_engine_only_kind(nm_engine *self, const char *kind) {
  if (!self || !kind || !*kind || self->compiled) return NM_ERR_ARGUMENT;
  char *copy = nm_rules__dup(self, kind);
  char **slot = copy ? nm__vec_push(&self->only_kinds) : NULL;
  if (!slot) return NM_ERR_NOMEM;
  *slot = copy;
  return NM_OK;
}

nm_status nm_engine_disable_rule(nm_engine *self, const char *id) {
  if (!self || !id || self->compiled) return NM_ERR_ARGUMENT;
  nm__rule *r = (nm__rule *)nm_rules__find(self, id);
  if (!r) return NM_ERR_ARGUMENT;
  r->enabled = false;
  return NM_OK;
}

nm_status nm_engine_set_limits(nm_engine *self, uint32_t match_limit, uint32_t depth_limit) {
  if (!self || self->compiled) return NM_ERR_ARGUMENT;
  if (match_limit) self->match_limit = match_limit;
  if (depth_limit) self->depth_limit = depth_limit;
  return NM_OK;
}

size_t nm_engine_rule_count(const nm_engine *self) { return self ? self->rules.count : 0; }

const char *nm_engine_rule_id(const nm_engine *self, size_t i) {
  return self && i < self->rules.count ? nm__rule_at(self, i)->id : NULL;
}

const char *nm_engine_rule_kind(const nm_engine *self, size_t i) {
  return self && i < self->rules.count ? nm__rule_at(self, i)->kind : NULL;
}

const char *nm_engine_rule_origin(const nm_engine *self, size_t i) {
  return self && i < self->rules.count ? nm__rule_at(self, i)->origin : NULL;
}

int nm_engine_rule_enabled(const nm_engine *self, size_t i) {
  if (!self || i >= self->rules.count) return 0;
  const nm__rule *r = nm__rule_at(self, i);
  return r->enabled && nm_rules__kind_selected(self, r->kind);
}
