/*
 * rules.h: what rules.c (the rule table and PCRE2) and markers.c (the
 * built-in markers and the matching pass) share. Not installed.
 */
#ifndef NM_RULES_H
#define NM_RULES_H

#include "internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/*
 * The built-in rules, in the order they are registered: built-in rule k is
 * rule k of every engine. markers.c defines the table (markers.c's header
 * comment says what each one flags).
 */
enum nm__builtin_rule {
  NM_R_FIGURE_MONEY = 0,
  NM_R_FIGURE_PERCENT,
  NM_R_FIGURE_COUNT,
  NM_R_FIGURE_WORDS,
  NM_R_DATE_RELATIVE,
  NM_R_HEDGE_WORD,
  NM_R_CONTESTED_VERB,
  NM_R_DENIAL_VERB,
  NM_R_SOURCE_ANONYMOUS,
  NM_R_SOURCE_STATE_MEDIA,
  NM_R_SOURCE_AGENCY,
  NM_R_LOADED_WORD,
  NM_R_QUOTE_SCARE,
  NM_R_QUOTE_UNATTRIBUTED,
  NM_R_QUOTE_EDITED,
  NM_R_PAGE_BOILERPLATE,
  NM_R_PAGE_CREDIT,
  NM_R__COUNT
};

typedef struct nm__builtin {
  const char *id, *kind, *message;
  int severity;
  const char *pattern; /* PCRE2 source, or NULL when markers.c finds it in code */
} nm__builtin;

extern const nm__builtin nm__builtins[NM_R__COUNT];

struct nm__rule {
  const char *id, *kind, *message, *origin; /* static (built-in) or engine arena */
  int severity;                             /* nm_severity */
  int inside;                               /* nm_inside */
  bool enabled;                             /* not disabled by id */
  bool active;                              /* enabled and its kind passes --only (set by compile) */
  bool builtin;
  pcre2_code *code; /* NULL for built-ins found in code */
};

/* Rule i of the engine (built-in or user). */
static inline const nm__rule *nm__rule_at(const nm_engine *e, size_t i) {
  return NM_AT(e->rules, nm__rule *, i);
}

/* Whether built-in rule k runs in this (compiled) engine. */
static inline bool nm__builtin_active(const nm_engine *e, enum nm__builtin_rule k) {
  return nm__rule_at(e, (size_t)k)->active;
}

/* Match data big enough for every rule of a compiled engine. Caller frees it. */
pcre2_match_data *nm__rules_match_data(const nm_engine *e);

/*
 * Call on_match(ud, start, end) for every match of rule r in [from, to) of
 * the document text, left to right, matches not overlapping. Returns
 * the status of on_match when it fails; a rule that hits its match or depth
 * limit is recorded with nm__doc_error and its scan stops (NM_OK). Empty
 * matches are skipped.
 */
typedef nm_status (*nm__match_fn)(void *ud, const nm__rule *r, uint32_t start, uint32_t end,
                                  pcre2_match_data *md);
nm_status nm__rule_scan(nm_doc *doc, const nm__rule *r, pcre2_match_data *md, uint32_t from,
                        uint32_t to, nm__match_fn on_match, void *ud);

/*
 * One match of built-in rule r at `at` (built-in patterns are compiled
 * anchored): the end of the match, or NM_NONE.
 */
uint32_t nm__rule_match_at(const nm_doc *doc, const nm__rule *r, pcre2_match_data *md, uint32_t at);

#endif /* NM_RULES_H */
