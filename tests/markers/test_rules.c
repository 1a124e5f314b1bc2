/*
 * test_rules.c: the rule engine's C API. Pattern and word rules, the rule
 * table, --only and --disable, limits, and every bad-rule case of issue 3
 * that the C side owns, with the exact messages.
 */
#include "check.h"

#include <pthread.h>
#include <time.h>

static nm_engine *new_engine(void) {
  char err[256];
  nm_engine *e = nm_engine_new(err, sizeof err);
  if (!e) {
    printf("not ok - engine: %s\n", err);
    exit(1);
  }
  return e;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rule_index(const nm_engine *e, const char *id) {
  for (size_t i = 0; i < nm_engine_rule_count(e); i++)
    if (strcmp(nm_engine_rule_id(e, i), id) == 0) return (long)i;
  return -1;
}

static void test_table(void) {
  nm_engine *e = new_engine();
  static const char *const builtin[][2] = {
      {"figure.money", "figure"}, {"figure.percent", "figure"}, {"figure.count", "figure"},
      {"figure.words", "figure"}, {"date.relative", "date"}, {"hedge.word", "hedge"},
      {"contested.verb", "contested"}, {"denial.verb", "denial"}, {"source.anonymous", "anonymous-source"},
      {"source.state-media", "state-media"}, {"source.agency", "agency"}, {"loaded.word", "loaded"},
      {"quote.scare", "scare-quote"}, {"quote.unattributed", "unattributed-quote"},
      {"quote.edited", "edited-quote"}, {"page.boilerplate", "boilerplate"}, {"page.credit", "credit"}};
  size_t n = sizeof builtin / sizeof *builtin;
  int good = nm_engine_rule_count(e) == n;
  for (size_t i = 0; good && i < n; i++)
    good = strcmp(nm_engine_rule_id(e, i), builtin[i][0]) == 0 && strcmp(nm_engine_rule_kind(e, i), builtin[i][1]) == 0 &&
           strcmp(nm_engine_rule_origin(e, i), "built-in") == 0 && nm_engine_rule_enabled(e, i) == 1;
  check("rules-builtin-table", good, "the built-in rules are not the 17 documented ids, kinds and origins");
  check("rules-out-of-range", nm_engine_rule_id(e, n) == NULL && nm_engine_rule_kind(e, 999) == NULL &&
                                  nm_engine_rule_origin(NULL, 0) == NULL && nm_engine_rule_enabled(e, n) == 0,
        "an index past the end must give NULL / 0");

  char err[256] = "";
  nm_status st = nm_engine_add_pattern(e, "house.kyiv", "style", "Kiev", 4, "House style: Kyiv", NM_SEVERITY_WARNING,
                                       NM_INSIDE_ANY, "house.lua:3", err, sizeof err);
  long k = rule_index(e, "house.kyiv");
  check("rules-user-listed", st == NM_OK && k == (long)n && strcmp(nm_engine_rule_kind(e, (size_t)k), "style") == 0 &&
                                 strcmp(nm_engine_rule_origin(e, (size_t)k), "house.lua:3") == 0,
        "a user rule must follow the built-ins with its kind and origin");
  st = nm_engine_add_pattern(e, "house.kyiv", "style", "Kyiv", 4, NULL, 0, 0, NULL, err, sizeof err);
  check("rules-duplicate-id", st == NM_ERR_RULE && strcmp(err, "rule house.kyiv: another rule already has this id") == 0,
        err);
  st = nm_engine_add_pattern(e, "figure.money", "figure", "x", 1, NULL, 0, 0, NULL, err, sizeof err);
  check("rules-builtin-id-taken", st == NM_ERR_RULE, "a user rule may not reuse a built-in id");
  st = nm_engine_add_pattern(e, "house.sev", "style", "x", 1, NULL, 7, 0, NULL, err, sizeof err);
  check("rules-bad-severity", st == NM_ERR_RULE && strcmp(err, "rule house.sev: severity must be info or warning") == 0, err);
  st = nm_engine_add_pattern(e, "house.in", "style", "x", 1, NULL, 0, 9, NULL, err, sizeof err);
  check("rules-bad-inside", st == NM_ERR_RULE && strcmp(err, "rule house.in: inside must be any, prose or quote") == 0, err);
  st = nm_engine_add_pattern(e, "", "style", "x", 1, NULL, 0, 0, NULL, err, sizeof err);
  check("rules-no-id", st == NM_ERR_ARGUMENT && strcmp(err, "a rule needs an engine, an id and a kind") == 0, err);
  st = nm_engine_add_pattern(e, "house.none", "style", NULL, 0, NULL, 0, 0, NULL, err, sizeof err);
  check("rules-no-pattern", st == NM_ERR_RULE && strcmp(err, "rule house.none: no pattern") == 0, err);

  check("rules-disable-unknown", nm_engine_disable_rule(e, "no.such.rule") == NM_ERR_ARGUMENT,
        "disabling an unknown id must fail");
  check("rules-disable", nm_engine_disable_rule(e, "figure.money") == NM_OK && nm_engine_rule_enabled(e, 0) == 0,
        "a disabled rule must report enabled 0");
  nm_engine_only_kind(e, "style");
  check("rules-only-listed", nm_engine_rule_enabled(e, 1) == 0 && nm_engine_rule_enabled(e, (size_t)k) == 1,
        "--only style must leave only style rules enabled");

  check("rules-compile", nm_engine_compile(e, err, sizeof err) == NM_OK, err);
  st = nm_engine_add_pattern(e, "house.late", "style", "x", 1, NULL, 0, 0, NULL, err, sizeof err);
  check("rules-add-after-compile",
        st == NM_ERR_ARGUMENT &&
            strcmp(err, "rule house.late: the engine is already compiled: add rules and options before nm_engine_compile") == 0,
        err);
  check("rules-frozen-after-compile", nm_engine_disable_rule(e, "house.kyiv") == NM_ERR_ARGUMENT &&
                                          nm_engine_only_kind(e, "figure") == NM_ERR_ARGUMENT &&
                                          nm_engine_set_limits(e, 10, 10) == NM_ERR_ARGUMENT,
        "a compiled engine must refuse changes (it may be shared by threads)");
  nm_engine_delete(e);
  nm_engine_delete(NULL);
}

static void test_bad_patterns(void) {
  nm_engine *e = new_engine();
  char err[256] = "";
  nm_status st = nm_engine_add_pattern(e, "house.bad", "style", "(abc", 4, NULL, 0, 0, "house.lua:7", err, sizeof err);
  check("bad-pattern-paren",
        st == NM_ERR_RULE && strcmp(err, "rule house.bad: pattern error at offset 4: missing closing parenthesis") == 0,
        err);
  st = nm_engine_add_pattern(e, "house.bad2", "style", "a[z-a]", 6, NULL, 0, 0, NULL, err, sizeof err);
  check("bad-pattern-range",
        st == NM_ERR_RULE &&
            strcmp(err, "rule house.bad2: pattern error at offset 4: range out of order in character class") == 0,
        err);
  st = nm_engine_add_pattern(e, "house.bad3", "style", "\xff", 1, NULL, 0, 0, NULL, err, sizeof err);
  check("bad-pattern-utf8", st == NM_ERR_RULE && strncmp(err, "rule house.bad3: pattern error at offset 0: UTF-8 error", 55) == 0,
        err);
  check("bad-pattern-not-added", rule_index(e, "house.bad") < 0 && nm_engine_rule_count(e) == 17,
        "a rule that failed to compile must not be in the table");
  nm_engine_delete(e);
}

static void test_words(void) {
  nm_engine *e = new_engine();
  char err[256] = "";
  const char *const words[] = {"Kiev", "C++", "so called", "a.b"};
  nm_status st = nm_engine_add_words(e, "house.kyiv", "style", words, 4, "House style", NM_SEVERITY_WARNING,
                                     NM_INSIDE_ANY, NULL, err, sizeof err);
  check("words-add", st == NM_OK, err);
  const char *const empty[] = {"  "};
  st = nm_engine_add_words(e, "house.empty", "style", empty, 1, NULL, 0, 0, NULL, err, sizeof err);
  check("words-empty-word", st == NM_ERR_RULE && strcmp(err, "rule house.empty: word 1 is empty") == 0, err);
  st = nm_engine_add_words(e, "house.none", "style", words, 0, NULL, 0, 0, NULL, err, sizeof err);
  check("words-empty-list", st == NM_ERR_RULE && strcmp(err, "rule house.none: the word list is empty") == 0, err);
  const char *const bad[] = {"ok", "caf\xe9"};
  st = nm_engine_add_words(e, "house.latin1", "style", bad, 2, NULL, 0, 0, NULL, err, sizeof err);
  check("words-bad-utf8", st == NM_ERR_RULE && strcmp(err, "rule house.latin1: word 2 is not valid UTF-8") == 0, err);
  nm_doc *d = check_doc(e, "Kiev and Kievan Rus, kiev, Kiev's mayor, C++ code, the so  called plan, axb and a.b.\n");
  check("words-boundary", check_find(d, "house.kyiv", "Kiev", 1) >= 0 && check_find(d, "house.kyiv", "Kiev", 3) >= 0,
        check_markers(d));
  check("words-not-inside-word", check_find(d, "house.kyiv", "Kiev", 2) == -1, "Kievan must not match Kiev");
  check("words-case-as-given", !check_kind_over(d, "style", "kiev,"), "kiev must not match Kiev");
  check("words-escaped", check_find(d, "house.kyiv", "C++", 1) >= 0 && check_find(d, "house.kyiv", "a.b", 1) >= 0 &&
                             !check_kind_over(d, "style", "axb"),
        check_markers(d));
  check("words-spaces", check_find(d, "house.kyiv", "so  called", 1) >= 0, check_markers(d));
  long i = check_find(d, "house.kyiv", "Kiev", 1);
  check("words-message", i >= 0 && strcmp(nm_doc_marker_message(d, (size_t)i), "House style") == 0 &&
                             nm_doc_marker_severity(d, (size_t)i) == NM_SEVERITY_WARNING &&
                             strcmp(nm_doc_marker_kind(d, (size_t)i), "style") == 0,
        "the marker must carry the rule's kind, message and severity");
  nm_doc_delete(d);
  d = check_doc(e, "Київ, Kiev\xd0\xb0 and Kiev.");
  check("words-unicode-boundary", check_find(d, "house.kyiv", "Kiev", 2) >= 0 && check_find(d, "house.kyiv", "Kiev", 1) == -1,
        check_markers(d));
  nm_doc_delete(d);

  nm_engine_delete(e);
}

static void test_inside(void) {
  nm_engine *e = new_engine();
  char err[256] = "";
  const char *const w[] = {"regime"};
  nm_engine_add_words(e, "house.quote", "style", w, 1, NULL, 0, NM_INSIDE_QUOTE, NULL, err, sizeof err);
  nm_engine_add_words(e, "house.prose", "style", w, 1, NULL, 0, NM_INSIDE_PROSE, NULL, err, sizeof err);
  nm_engine_add_words(e, "house.any", "style", w, 1, NULL, 0, NM_INSIDE_ANY, NULL, err, sizeof err);
  nm_doc *d = check_doc(e, "The regime said in a statement: \xe2\x80\x9cThe regime will not yield to pressure,\xe2\x80\x9d "
                           "the foreign ministry said.\n");
  check("inside-prose", check_find(d, "house.prose", "regime", 1) >= 0 && check_find(d, "house.prose", "regime", 2) == -1,
        check_markers(d));
  check("inside-quote", check_find(d, "house.quote", "regime", 2) >= 0 && check_find(d, "house.quote", "regime", 1) == -1,
        check_markers(d));
  check("inside-any", check_find(d, "house.any", "regime", 1) >= 0 && check_find(d, "house.any", "regime", 2) >= 0,
        check_markers(d));
  nm_doc_delete(d);
  nm_engine_delete(e);
}

static void test_limits(void) {
  nm_engine *e = new_engine();
  char err[256] = "";
  nm_engine_add_pattern(e, "house.slow", "style", "(a+)+$", 6, NULL, 0, 0, NULL, err, sizeof err);
  nm_engine_add_pattern(e, "house.fine", "style", "b", 1, NULL, 0, 0, NULL, err, sizeof err);
  size_t n = 100000;
  char *text = malloc(n + 1);
  if (!text) exit(1);
  memset(text, 'a', n);
  text[n - 1] = 'b';
  text[n] = '\0';
  double t0 = now();
  nm_doc *d = check_doc(e, text);
  double took = now() - t0;
  check("limit-catastrophic-prompt", took < 2.0, "(a+)+$ over 100,000 bytes must stop at the match limit quickly");
  check("limit-catastrophic-error",
        nm_doc_error_count(d) == 1 &&
            strcmp(nm_doc_error(d, 0), "rule house.slow: match limit exceeded at byte 0; the rest of the text was not "
                                       "checked with this rule (simplify the pattern)") == 0,
        nm_doc_error_count(d) ? nm_doc_error(d, 0) : "no error recorded");
  check("limit-others-still-run", check_find(d, "house.fine", "b", 1) >= 0, "the other rules must still run");
  nm_doc_delete(d);
  nm_engine_delete(e);

  /* A lower limit, set by the caller, stops a pattern the default allows. */
  e = new_engine();
  nm_engine_add_pattern(e, "house.nested", "style", "(?:a|aa)+$", 10, NULL, 0, 0, NULL, err, sizeof err);
  memset(text, 'a', 20);
  text[20] = 'b';
  text[21] = '\0';
  d = check_doc(e, text);
  check("limit-default-allows", nm_doc_error_count(d) == 0, "20 a's must be within the default limit");
  nm_doc_delete(d);
  nm_engine_delete(e);
  e = new_engine();
  nm_engine_add_pattern(e, "house.nested", "style", "(?:a|aa)+$", 10, NULL, 0, 0, NULL, err, sizeof err);
  check("limit-set", nm_engine_set_limits(e, 1000, 0) == NM_OK, "set_limits must accept a match limit");
  d = check_doc(e, text);
  check("limit-set-applies", nm_doc_error_count(d) == 1 && strstr(nm_doc_error(d, 0), "rule house.nested: match limit") != NULL,
        nm_doc_error_count(d) ? nm_doc_error(d, 0) : "no error recorded");
  nm_doc_delete(d);
  nm_engine_delete(e);

  /* A plain pattern over a large text must not hit the limit. */
  e = new_engine();
  nm_engine_add_pattern(e, "house.ing", "style", "[a-z]+ing\\b", 11, NULL, 0, 0, NULL, err, sizeof err);
  size_t big = 4u << 20;
  char *many = malloc(big + 1);
  if (!many) exit(1);
  for (size_t i = 0; i < big; i++) many[i] = "the cat is sitting on a mat\n"[i % 28];
  many[big] = '\0';
  d = check_doc(e, many);
  size_t hits = 0;
  for (size_t i = 0; i < nm_doc_marker_count(d); i++) hits += strcmp(nm_doc_marker_rule(d, i), "house.ing") == 0;
  check("limit-not-for-plain-scans", nm_doc_error_count(d) == 0 && hits == big / 28 + (big % 28 > 16),
        "a simple pattern over 4 MB must find every match without a limit error");
  nm_doc_delete(d);
  nm_engine_delete(e);
  free(many);
  free(text);
}

static void test_select(void) {
  const char *text = "Officials said the $20 billion package, reportedly the largest, arrives on Tuesday.\n";
  nm_engine *e = new_engine();
  nm_engine_disable_rule(e, "figure.money");
  nm_doc *d = check_doc(e, text);
  check("disable-money", !check_kind_over(d, "figure", "$20 billion") && check_kind_over(d, "hedge", "reportedly"),
        check_markers(d));
  nm_doc_delete(d);
  nm_engine_delete(e);

  e = new_engine();
  nm_engine_only_kind(e, "date");
  nm_engine_only_kind(e, "hedge");
  d = check_doc(e, text);
  int only = nm_doc_marker_count(d) == 2 && check_find(d, "date.relative", "on Tuesday", 1) >= 0 &&
             check_find(d, "hedge.word", "reportedly", 1) >= 0;
  check("only-kinds", only, check_markers(d));
  nm_doc_delete(d);
  nm_engine_delete(e);
}

static void test_bytes(void) {
  nm_engine *e = new_engine();
  char err[256] = "";
  nm_engine_add_pattern(e, "house.dot", "style", ".x", 2, NULL, 0, 0, NULL, err, sizeof err);
  nm_engine_add_pattern(e, "house.empty", "style", "z*", 2, NULL, 0, 0, NULL, err, sizeof err);
  /* Invalid UTF-8, a NUL byte and CR: never an error, offsets stay bytes. */
  static const char text[] = "ab\xff\xfex caf\xc3\xa9x\0 Kx\r\n";
  nm_status st;
  nm_doc *d = nm_doc_new(e, text, sizeof text - 1, NM_INPUT_PLAIN, &st, err, sizeof err);
  size_t s = 0, en = 0;
  int found = 0;
  for (size_t i = 0; d && i < nm_doc_marker_count(d); i++)
    if (strcmp(nm_doc_marker_rule(d, i), "house.dot") == 0 && nm_doc_marker_span(d, i, &s, &en) && s == 9 && en == 12)
      found = 1;
  check("bytes-invalid-utf8", d && nm_doc_error_count(d) == 0, "invalid UTF-8 must not make a rule fail");
  check("bytes-offsets", found, "\\u00e9x must match at bytes [9, 12)");
  int empty = 0;
  for (size_t i = 0; d && i < nm_doc_marker_count(d); i++) empty += strcmp(nm_doc_marker_rule(d, i), "house.empty") == 0;
  check("bytes-empty-matches", empty == 0, "a pattern that matches the empty string marks nothing");
  nm_doc_delete(d);
  nm_engine_delete(e);
}

static void test_markdown(void) {
  nm_engine *e = new_engine();
  char err[256] = "";
  const char *const w[] = {"Kiev"};
  nm_engine_add_words(e, "house.kyiv", "style", w, 1, NULL, 0, 0, NULL, err, sizeof err);
  const char *md = "Kiev is here.\n\n```\nKiev in code\n```\n";
  nm_status st;
  nm_doc *d = nm_doc_new(e, md, strlen(md), NM_INPUT_MARKDOWN, &st, err, sizeof err);
  if (!d) {
    printf("skip - markdown-code-not-prose: %s\n", err);
  } else {
    size_t n = 0, s = 1, en = 0;
    for (size_t i = 0; i < nm_doc_marker_count(d); i++)
      if (strcmp(nm_doc_marker_rule(d, i), "house.kyiv") == 0 && n++ == 0) nm_doc_marker_span(d, i, &s, &en);
    check("markdown-code-not-prose", n == 1 && s == 0 && en == 4, "a user rule must not match inside a code block");
  }
  nm_doc_delete(d);
  nm_engine_delete(e);
}

typedef struct shared_case {
  nm_engine *engine;
  size_t markers;
} shared_case;

static void *analyse_in_thread(void *arg) {
  shared_case *c = arg;
  size_t total = 0;
  for (int i = 0; i < 200; i++) {
    const char *text = "Reportedly, 50,000 troops and $1.85 billion arrived last week, the house said.\n";
    nm_doc *d = nm_doc_new(c->engine, text, strlen(text), NM_INPUT_PLAIN, NULL, NULL, 0);
    if (d) total += nm_doc_marker_count(d);
    nm_doc_delete(d);
  }
  c->markers = total;
  return NULL;
}

static void test_threads(void) {
  nm_engine *e = new_engine();
  char err[256] = "";
  const char *const w[] = {"house"};
  nm_engine_add_words(e, "house.word", "style", w, 1, NULL, 0, 0, NULL, err, sizeof err);
  nm_engine_compile(e, err, sizeof err);
  shared_case cases[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    cases[i] = (shared_case){e, 0};
    pthread_create(&th[i], NULL, analyse_in_thread, &cases[i]);
  }
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  int same = cases[0].markers > 0;
  for (int i = 1; i < 4; i++) same = same && cases[i].markers == cases[0].markers;
  check("threads-share-engine", same, "four threads sharing one compiled engine must agree");
  nm_engine_delete(e);
}

int main(void) {
  test_table();
  test_bad_patterns();
  test_words();
  test_inside();
  test_limits();
  test_select();
  test_bytes();
  test_markdown();
  test_threads();
  return check_failures ? 1 : 0;
}
