/*
 * fuzz_rules.c: user rules as a rule file's author might write them, then
 * an analysis with them.
 *
 * The input is   FLAGS ID '\n' KIND '\n' MESSAGE '\n' PATTERN '\0' TEXT
 * FLAGS (one byte) picks the API (pattern or word list, whose words are
 * PATTERN's lines), severity, where the rule may match, and whether to
 * filter by kind or disable the rule. A rule the engine refuses must come
 * back as NM_ERR_RULE (or ARGUMENT) with a one-line message; an accepted rule
 * then runs over TEXT (or over its own pattern when TEXT is empty) under a small
 * match limit, and the answer gets every check of fuzz.h.
 */
#include "fuzz.h"

/* The next field: up to `stop`, or the rest. Moves *p past the stop byte. */
static const char *nm_fuzz_rules__field(const uint8_t **p, const uint8_t *end, uint8_t stop, size_t *n) {
  const uint8_t *start = *p, *hit = memchr(start, stop, (size_t)(end - start));
  *n = (size_t)((hit ? hit : end) - start);
  *p = hit ? hit + 1 : end;
  return (const char *)start;
}

/* A NUL-terminated copy (ids, kinds and messages are C strings). */
static char *nm_fuzz_rules__cstr(const char *s, size_t n) {
  char *c = malloc(n + 1);
  NM_FUZZ_REQUIRE(c, "out of memory");
  memcpy(c, s, n);
  c[n] = '\0';
  return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  unsigned flags = data[0];
  const uint8_t *p = data + 1, *end = data + size;
  /* One field at a time: each call sets the length the copy then reads. */
  size_t id_n, kind_n, msg_n, pat_n;
  const char *id_s = nm_fuzz_rules__field(&p, end, '\n', &id_n);
  const char *kind_s = nm_fuzz_rules__field(&p, end, '\n', &kind_n);
  const char *msg_s = nm_fuzz_rules__field(&p, end, '\n', &msg_n);
  const char *pattern = nm_fuzz_rules__field(&p, end, '\0', &pat_n);
  char *id = nm_fuzz_rules__cstr(id_s, id_n);
  char *kind = nm_fuzz_rules__cstr(kind_s, kind_n);
  char *message = nm_fuzz_rules__cstr(msg_s, msg_n);
  const uint8_t *text = p;
  size_t text_n = (size_t)(end - p);

  char err[256] = "";
  nm_engine *engine = nm_engine_new(err, sizeof err);
  NM_FUZZ_REQUIRE(engine, "nm_engine_new: %s", err);
  size_t builtin = nm_engine_rule_count(engine);
  nm_engine_set_limits(engine, 20000, 200);
  int severity = (int)(flags >> 1 & 3u) - 1; /* -1 and 2 are out of range */
  int inside = (int)(flags >> 3 & 3u);       /* 3 is out of range */
  nm_status st;
  if (flags & 1u) {
    /* A word list: the pattern's lines, each NUL-terminated. */
    char *copy = nm_fuzz_rules__cstr(pattern, pat_n);
    const char *words[64];
    size_t nwords = 0;
    for (char *w = copy; nwords < 64;) {
      words[nwords++] = w;
      char *nl = strchr(w, '\n');
      if (!nl) break;
      *nl = '\0';
      w = nl + 1;
    }
    st = nm_engine_add_words(engine, id, kind, words, nwords, message, severity, inside, "fuzz.lua:1", err,
                             sizeof err);
    free(copy);
  } else {
    st = nm_engine_add_pattern(engine, id, kind, pattern, pat_n, message, severity, inside, "fuzz.lua:1", err,
                               sizeof err);
  }
  if (st != NM_OK) {
    NM_FUZZ_REQUIRE(st == NM_ERR_RULE || st == NM_ERR_ARGUMENT, "add rule: status %s", nm_status_name(st));
    NM_FUZZ_REQUIRE(err[0] && !strchr(err, '\n'), "add rule: no one-line message");
    NM_FUZZ_REQUIRE(nm_engine_rule_count(engine) == builtin, "a refused rule was added");
  } else {
    NM_FUZZ_REQUIRE(nm_engine_rule_count(engine) == builtin + 1, "an added rule is missing");
    NM_FUZZ_REQUIRE(strcmp(nm_engine_rule_id(engine, builtin), id) == 0, "the rule's id changed");
    NM_FUZZ_REQUIRE(strcmp(nm_engine_rule_origin(engine, builtin), "fuzz.lua:1") == 0, "the rule's origin changed");
  }
  if (flags & 0x20u) nm_engine_only_kind(engine, kind);
  if (flags & 0x40u && st == NM_OK)
    NM_FUZZ_REQUIRE(nm_engine_disable_rule(engine, id) == NM_OK, "cannot disable rule '%s'", id);
  if (nm_engine_compile(engine, err, sizeof err) == NM_OK) {
    if (text_n) nm_fuzz_analyse(engine, text, text_n, NM_INPUT_PLAIN);
    else nm_fuzz_analyse(engine, (const uint8_t *)pattern, pat_n, NM_INPUT_PLAIN);
  } else {
    NM_FUZZ_REQUIRE(err[0], "nm_engine_compile failed with no message");
  }
  nm_engine_delete(engine);
  free(id);
  free(kind);
  free(message);
  return 0;
}
