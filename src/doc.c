/*
 * doc.c: the engine and document objects, their accessors, and the small
 * containers every stage uses. Drives the stages in order (internal.h).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- private ------------------------------------------------------------ */

void nm__errorf(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

void nm__vec_init(nm__vec *v, size_t item_size) {
  v->items = NULL;
  v->count = v->cap = 0;
  v->size = item_size;
}

bool nm__vec_reserve(nm__vec *v, size_t n) {
  if (n <= v->cap) return true;
  size_t cap = v->cap ? v->cap : 16;
  while (cap < n) {
    if (cap > SIZE_MAX / 2 / v->size) return false;
    cap *= 2;
  }
  void *items = realloc(v->items, cap * v->size);
  if (!items) return false;
  v->items = items;
  v->cap = cap;
  return true;
}

void *nm__vec_push(nm__vec *v) {
  if (!nm__vec_reserve(v, v->count + 1)) return NULL;
  char *slot = (char *)v->items + v->count * v->size;
  memset(slot, 0, v->size);
  v->count++;
  return slot;
}

void nm__vec_free(nm__vec *v) {
  free(v->items);
  v->items = NULL;
  v->count = v->cap = 0;
}

int nm__span_ref_cmp(const void *a, const void *b) {
  const nm__span_ref *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end < y->end ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

size_t nm__span_ref_lower(const nm__span_ref *r, size_t n, uint32_t start) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (r[mid].start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

int32_t nm__span_ref_find(const nm__span_ref *r, size_t n, uint32_t start, uint32_t end) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (r[mid].start < start || (r[mid].start == start && r[mid].end < end)) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && r[lo].start == start && r[lo].end == end ? (int32_t)r[lo].id : -1;
}

struct nm__arena_block {
  struct nm__arena_block *next;
  size_t used, cap;
  /* Aligned for any object the arena hands out. */
  _Alignas(max_align_t) char data[];
};

void *nm__arena_alloc(nm__arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  struct nm__arena_block *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > 4096 ? n : 4096;
    b = malloc(sizeof *b + cap);
    if (!b) return NULL;
    b->cap = cap;
    b->used = 0;
    b->next = a->head;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  return p;
}

char *nm__arena_strndup(nm__arena *a, const char *s, size_t n) {
  char *p = nm__arena_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void nm__arena_free(nm__arena *a) {
  struct nm__arena_block *b = a->head;
  while (b) {
    struct nm__arena_block *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
}

void nm__doc_error(nm_doc *doc, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char *copy = nm__arena_strndup(&doc->arena, buf, strlen(buf));
  char **slot = copy ? nm__vec_push(&doc->errors) : NULL;
  if (slot) *slot = copy;
}

nm_status nm__doc_push_marker(nm_doc *doc, uint32_t start, uint32_t end, const char *kind,
                              const char *rule, const char *message, int severity) {
  nm__marker *m = nm__vec_push(&doc->markers);
  if (!m) return NM_ERR_NOMEM;
  m->start = start;
  m->end = end;
  m->kind = kind;
  m->rule = rule;
  m->message = message ? message : "";
  m->severity = severity;
  return NM_OK;
}

static int nm_doc__marker_cmp(const void *a, const void *b) {
  const nm__marker *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end < y->end ? -1 : 1;
  return strcmp(x->rule, y->rule);
}

/* A quote's sort key and where it stood: 16 bytes, not a whole quote, so
   sorting many quotes does not copy them all (peak memory on dense text). */
typedef struct nm_doc__key {
  uint32_t start, end, old; /* old: index before sorting */
  uint8_t kind;
} nm_doc__key;

static int nm_doc__key_cmp(const void *a, const void *b) {
  const nm_doc__key *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end > y->end ? -1 : 1; /* outer first */
  if (x->kind != y->kind) return (int)x->kind - (int)y->kind;
  return x->old < y->old ? -1 : 1;
}

/* Sort quotes by start and fix the parent and chain links the sort moved. */
static nm_status nm_doc__sort_quotes(nm_doc *doc) {
  size_t n = doc->quotes.count;
  if (n < 2) return NM_OK;
  nm__quote *q = doc->quotes.items;
  nm_doc__key *key = malloc(n * sizeof *key);
  uint32_t *where = malloc(n * sizeof *where);
  if (!key || !where) {
    free(key);
    free(where);
    return NM_ERR_NOMEM;
  }
  for (size_t i = 0; i < n; i++) key[i] = (nm_doc__key){q[i].start, q[i].end, (uint32_t)i, q[i].kind};
  qsort(key, n, sizeof *key, nm_doc__key_cmp);
  for (size_t i = 0; i < n; i++) where[key[i].old] = (uint32_t)i;
  /* Move each quote to its place along the permutation's cycles, one
     spare quote at a time; key[i].old = i marks a place as filled. */
  for (size_t i = 0; i < n; i++) {
    if (key[i].old == i) continue;
    nm__quote spare = q[i];
    size_t j = i;
    while (key[j].old != i) {
      size_t from = key[j].old;
      q[j] = q[from];
      key[j].old = (uint32_t)j;
      j = from;
    }
    q[j] = spare;
    key[j].old = (uint32_t)j;
  }
  for (size_t i = 0; i < n; i++) {
    if (q[i].parent >= 0) q[i].parent = (int32_t)where[q[i].parent];
    if (q[i].chain_prev >= 0) q[i].chain_prev = (int32_t)where[q[i].chain_prev];
  }
  free(key);
  free(where);
  return NM_OK;
}

/* ---- public ------------------------------------------------------------- */

const char *nm_version(void) {
#define NM__STR2(x) #x
#define NM__STR(x) NM__STR2(x)
  return NM__STR(NM_VERSION_MAJOR) "." NM__STR(NM_VERSION_MINOR) "." NM__STR(NM_VERSION_PATCH);
}

int nm_version_number(void) {
  return NM_VERSION_MAJOR * 10000 + NM_VERSION_MINOR * 100 + NM_VERSION_PATCH;
}

const char *nm_quote_kind_name(int kind) {
  static const char *const names[] = {"direct", "partial", "mixed", "indirect", "heading", "term"};
  return kind >= 0 && kind < 6 ? names[kind] : NULL;
}

const char *nm_entity_type_name(int type) {
  static const char *const names[] = {"person", "organization", "country", "group", "document", "unknown"};
  return type >= 0 && type < 6 ? names[type] : NULL;
}

const char *nm_severity_name(int severity) {
  return severity == NM_SEVERITY_INFO ? "info" : severity == NM_SEVERITY_WARNING ? "warning" : NULL;
}

const char *nm_status_name(int status) {
  static const char *const names[] = {"ok", "out of memory", "bad argument", "bad rule",
                                      "limit reached", "markup error", "grammar ABI mismatch"};
  return status >= 0 && status < 7 ? names[status] : NULL;
}

int nm_input_from_name(const char *name) {
  if (!name) return -1;
  if (!strcmp(name, "plain") || !strcmp(name, "text") || !strcmp(name, "txt")) return NM_INPUT_PLAIN;
  if (!strcmp(name, "markdown") || !strcmp(name, "md")) return NM_INPUT_MARKDOWN;
  if (!strcmp(name, "html") || !strcmp(name, "htm")) return NM_INPUT_HTML;
  return -1;
}

nm_engine *nm_engine_new(char *err, size_t errlen) {
  nm_engine *e = calloc(1, sizeof *e);
  if (!e) {
    nm__errorf(err, errlen, "out of memory");
    return NULL;
  }
  nm__vec_init(&e->rules, sizeof(nm__rule *));
  nm__vec_init(&e->only_kinds, sizeof(char *));
  e->lexicon = nm__lexicon_new();
  if (!e->lexicon) {
    nm__errorf(err, errlen, "out of memory while loading the lexicons");
    nm_engine_delete(e);
    return NULL;
  }
  nm_status markup_status;
  e->markup = nm__markup_new(&markup_status, err, errlen);
  if (!e->markup) {
    nm_engine_delete(e);
    return NULL;
  }
  nm__tagger_init(&e->tagger, nm__tagger_model, (size_t)(nm__tagger_model_end - nm__tagger_model));
  if (nm__rules_builtin(e, err, errlen) != NM_OK) {
    nm_engine_delete(e);
    return NULL;
  }
  return e;
}

void nm_engine_delete(nm_engine *self) {
  if (!self) return;
  nm__rules_free(self);
  nm__lexicon_delete(self->lexicon);
  nm__markup_delete(self->markup);
  nm__vec_free(&self->rules);
  nm__vec_free(&self->only_kinds);
  nm__arena_free(&self->arena);
  free(self);
}

nm_status nm_engine_set_tagger(nm_engine *self, int on) {
  if (!self) return NM_ERR_ARGUMENT;
  self->tagger_off = !on;
  return NM_OK;
}

int nm_engine_has_tagger(const nm_engine *self) { return self && self->tagger.weights != NULL; }

nm_status nm_engine_compile(nm_engine *self, char *err, size_t errlen) {
  if (!self) return NM_ERR_ARGUMENT;
  if (self->compiled) return NM_OK;
  nm_status st = nm__rules_compile(self, err, errlen);
  if (st == NM_OK) self->compiled = true;
  return st;
}

/* nm_doc_new, on a copy of text or, when `owned` is set, on that buffer
   itself (text == owned), which the document then frees: on failure too. */
static nm_doc *nm_doc__new(nm_engine *engine, const char *text, size_t len, int input, char *owned,
                           nm_status *status, char *err, size_t errlen) {
  nm_status st_local;
  if (!status) status = &st_local;
  if (!engine || (!text && len)) {
    *status = NM_ERR_ARGUMENT;
    nm__errorf(err, errlen, "nm_doc_new: no engine or no text");
    free(owned);
    return NULL;
  }
  if (input < NM_INPUT_PLAIN || input > NM_INPUT_HTML) {
    *status = NM_ERR_ARGUMENT;
    nm__errorf(err, errlen, "nm_doc_new: unknown input format %d", input);
    free(owned);
    return NULL;
  }
  if (len > NM_MAX_DOC) {
    *status = NM_ERR_LIMIT;
    nm__errorf(err, errlen, "document of %zu bytes is over the limit of %u bytes", len, NM_MAX_DOC);
    free(owned);
    return NULL;
  }
  if (!engine->compiled && (*status = nm_engine_compile(engine, err, errlen)) != NM_OK) {
    free(owned);
    return NULL;
  }

  nm_doc *d = calloc(1, sizeof *d);
  char *copy = owned ? owned : malloc(len + 1);
  if (!d || !copy) {
    free(d);
    free(copy);
    *status = NM_ERR_NOMEM;
    nm__errorf(err, errlen, "out of memory");
    return NULL;
  }
  if (len && !owned) memcpy(copy, text, len);
  copy[len] = '\0';
  d->engine = engine;
  d->text = copy;
  d->len = (uint32_t)len;
  d->input = input;
  nm__vec_init(&d->tokens, sizeof(nm__token));
  nm__vec_init(&d->sents, sizeof(nm__sent));
  nm__vec_init(&d->paras, sizeof(nm__para));
  nm__vec_init(&d->quotes, sizeof(nm__quote));
  nm__vec_init(&d->entities, sizeof(nm__entity));
  nm__vec_init(&d->markers, sizeof(nm__marker));
  nm__vec_init(&d->errors, sizeof(char *));

  nm_status st = nm__markup_scan(d, err, errlen);
  if (st == NM_OK) st = nm__segment(d, err, errlen);
  if (st == NM_OK) st = nm__find_quotes(d, err, errlen);
  if (st == NM_OK) st = nm__attribute(d, err, errlen);
  if (st == NM_OK) st = nm__tag(d, err, errlen);
  if (st == NM_OK) nm__attr_verb_groups(d);
  if (st == NM_OK) st = nm_doc__sort_quotes(d);
  if (st == NM_OK) st = nm__attr_late_entities(d);
  if (st == NM_OK) st = nm__find_markers(d, err, errlen);
  if (st == NM_OK && d->markers.count > 1)
    qsort(d->markers.items, d->markers.count, sizeof(nm__marker), nm_doc__marker_cmp);
  if (st != NM_OK) {
    if (st == NM_ERR_NOMEM) nm__errorf(err, errlen, "out of memory");
    nm_doc_delete(d);
    *status = st;
    return NULL;
  }
  /* Tokens serve the analysis only, and they are its largest part (about
     five times the text): free them before the caller renders, so peak
     memory stays a small multiple of the input. */
  nm__vec_free(&d->tokens);
  *status = NM_OK;
  return d;
}

nm_doc *nm_doc_new(nm_engine *engine, const char *text, size_t len, int input, nm_status *status,
                   char *err, size_t errlen) {
  return nm_doc__new(engine, text, len, input, NULL, status, err, errlen);
}

nm_doc *nm__doc_new_owned(nm_engine *engine, char *text, size_t len, int input, nm_status *status, char *err,
                          size_t errlen) {
  return nm_doc__new(engine, text, len, input, text, status, err, errlen);
}

void nm_doc_delete(nm_doc *self) {
  if (!self) return;
  for (size_t i = 0; i < self->entities.count; i++)
    nm__vec_free(&NM_AT(self->entities, nm__entity, i).mentions);
  nm__vec_free(&self->tokens);
  nm__vec_free(&self->sents);
  nm__vec_free(&self->paras);
  nm__vec_free(&self->quotes);
  nm__vec_free(&self->entities);
  nm__vec_free(&self->markers);
  nm__vec_free(&self->errors);
  nm__arena_free(&self->arena);
  free(self->mask);
  free(self->text);
  free(self);
}

const char *nm_doc_text(const nm_doc *self) { return self ? self->text : NULL; }
size_t nm_doc_length(const nm_doc *self) { return self ? self->len : 0; }

size_t nm_doc_quote_count(const nm_doc *self) { return self ? self->quotes.count : 0; }

static const nm__quote *nm_doc__quote(const nm_doc *self, size_t i) {
  return self && i < self->quotes.count ? &NM_AT(self->quotes, nm__quote, i) : NULL;
}

int nm_doc_quote_kind(const nm_doc *self, size_t i) {
  const nm__quote *q = nm_doc__quote(self, i);
  return q ? q->kind : -1;
}

int nm_doc_quote_part(const nm_doc *self, size_t i, int part, size_t *start, size_t *end) {
  const nm__quote *q = nm_doc__quote(self, i);
  if (!q) return 0;
  uint32_t s, e;
  switch (part) {
  case NM_PART_QUOTE: s = q->start; e = q->end; break;
  case NM_PART_SPEAKER: s = q->speaker_start; e = q->speaker_end; break;
  case NM_PART_CUE: s = q->cue_start; e = q->cue_end; break;
  case NM_PART_VIA: s = q->via_start; e = q->via_end; break;
  default: return 0;
  }
  if (s == NM_NONE) return 0;
  if (start) *start = s;
  if (end) *end = e;
  return 1;
}

long nm_doc_quote_entity(const nm_doc *self, size_t i) {
  const nm__quote *q = nm_doc__quote(self, i);
  return q ? q->entity : -1;
}

long nm_doc_quote_parent(const nm_doc *self, size_t i) {
  const nm__quote *q = nm_doc__quote(self, i);
  return q ? q->parent : -1;
}

int nm_doc_quote_boilerplate(const nm_doc *self, size_t i) {
  const nm__quote *q = nm_doc__quote(self, i);
  return q ? q->in_boiler : 0;
}

size_t nm_doc_entity_count(const nm_doc *self) { return self ? self->entities.count : 0; }

static const nm__entity *nm_doc__entity(const nm_doc *self, size_t i) {
  return self && i < self->entities.count ? &NM_AT(self->entities, nm__entity, i) : NULL;
}

const char *nm_doc_entity_name(const nm_doc *self, size_t i) {
  const nm__entity *e = nm_doc__entity(self, i);
  return e ? e->name : NULL;
}

const char *nm_doc_entity_title(const nm_doc *self, size_t i) {
  const nm__entity *e = nm_doc__entity(self, i);
  return e ? e->title : NULL;
}

int nm_doc_entity_type(const nm_doc *self, size_t i) {
  const nm__entity *e = nm_doc__entity(self, i);
  return e ? e->type : -1;
}

int nm_doc_entity_anonymous(const nm_doc *self, size_t i) {
  const nm__entity *e = nm_doc__entity(self, i);
  return e ? e->anonymous : 0;
}

size_t nm_doc_entity_mention_count(const nm_doc *self, size_t i) {
  const nm__entity *e = nm_doc__entity(self, i);
  return e ? e->mentions.count : 0;
}

int nm_doc_entity_mention(const nm_doc *self, size_t i, size_t j, size_t *start, size_t *end) {
  const nm__entity *e = nm_doc__entity(self, i);
  if (!e || j >= e->mentions.count) return 0;
  const uint32_t *m = (const uint32_t *)e->mentions.items + 2 * j;
  if (start) *start = m[0];
  if (end) *end = m[1];
  return 1;
}

size_t nm_doc_marker_count(const nm_doc *self) { return self ? self->markers.count : 0; }

static const nm__marker *nm_doc__marker(const nm_doc *self, size_t i) {
  return self && i < self->markers.count ? &NM_AT(self->markers, nm__marker, i) : NULL;
}

int nm_doc_marker_span(const nm_doc *self, size_t i, size_t *start, size_t *end) {
  const nm__marker *m = nm_doc__marker(self, i);
  if (!m) return 0;
  if (start) *start = m->start;
  if (end) *end = m->end;
  return 1;
}

const char *nm_doc_marker_kind(const nm_doc *self, size_t i) {
  const nm__marker *m = nm_doc__marker(self, i);
  return m ? m->kind : NULL;
}

const char *nm_doc_marker_rule(const nm_doc *self, size_t i) {
  const nm__marker *m = nm_doc__marker(self, i);
  return m ? m->rule : NULL;
}

const char *nm_doc_marker_message(const nm_doc *self, size_t i) {
  const nm__marker *m = nm_doc__marker(self, i);
  return m ? m->message : NULL;
}

int nm_doc_marker_severity(const nm_doc *self, size_t i) {
  const nm__marker *m = nm_doc__marker(self, i);
  return m ? m->severity : -1;
}

nm_status nm_doc_add_marker(nm_doc *self, const char *kind, const char *rule, size_t start,
                            size_t end, const char *message, int severity) {
  if (!self || !kind || !rule || start > end || end > self->len) return NM_ERR_ARGUMENT;
  if (severity != NM_SEVERITY_INFO && severity != NM_SEVERITY_WARNING) return NM_ERR_ARGUMENT;
  char *k = nm__arena_strndup(&self->arena, kind, strlen(kind));
  char *r = nm__arena_strndup(&self->arena, rule, strlen(rule));
  char *msg = message ? nm__arena_strndup(&self->arena, message, strlen(message)) : NULL;
  if (!k || !r || (message && !msg)) return NM_ERR_NOMEM;
  nm__marker m = {(uint32_t)start, (uint32_t)end, k, r, msg ? msg : "", severity};
  /* Keep the order: find the insertion point from the end. */
  if (!nm__vec_reserve(&self->markers, self->markers.count + 1)) return NM_ERR_NOMEM;
  nm__marker *arr = self->markers.items;
  size_t i = self->markers.count;
  while (i > 0 && nm_doc__marker_cmp(&arr[i - 1], &m) > 0) {
    arr[i] = arr[i - 1];
    i--;
  }
  arr[i] = m;
  self->markers.count++;
  return NM_OK;
}

size_t nm_doc_error_count(const nm_doc *self) { return self ? self->errors.count : 0; }

const char *nm_doc_error(const nm_doc *self, size_t i) {
  return self && i < self->errors.count ? NM_AT(self->errors, char *, i) : NULL;
}

void nm_free(void *p) { free(p); }
