/*
 * markup.c: which bytes of Markdown and HTML input are prose.
 *
 * The tree-sitter grammars parse the input; the queries in queries/<lang>/
 * newsmark-prose.scm (embedded at build time) say which nodes are prose,
 * which are markup to skip inside prose, and which end a paragraph. The
 * result is doc->mask, one byte per input byte (internal.h: nm__mask), read
 * by the segment stage. The text itself is never rewritten, so every offset
 * still points into the original file.
 *
 * One pass: parse, run the query once over the tree, paint the captured
 * ranges, then sweep the bytes once. Paint is "the stronger class wins"
 * (break > skip > prose), so the order in which captures arrive does not
 * matter and leaf captures cost their length once. Captures that cover whole
 * elements (hide, mute, heading, boiler) nest freely; they become +1/-1
 * events counted in the sweep, so deep nesting stays linear.
 */
#include "internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <tree_sitter/api.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The grammars (compiled from the npm packages, see the Makefile). */
const TSLanguage *tree_sitter_markdown(void);
const TSLanguage *tree_sitter_markdown_inline(void);
const TSLanguage *tree_sitter_html(void);

/* Generated: the queries (embed.awk) and the entity table (entities.awk). */
extern const char nm__query_markdown[];
extern const size_t nm__query_markdown_len;
extern const char nm__query_markdown_inline[];
extern const size_t nm__query_markdown_inline_len;
extern const char nm__query_html[];
extern const size_t nm__query_html_len;
extern const char *const nm__entity_names[];
extern const uint32_t nm__entity_codes[];
extern const size_t nm__entity_count;

/* What a capture asks for, by its name in the query. */
enum nm_markup__role {
  NM_ROLE_NONE = 0, /* "_tag" and any capture newsmark does not read */
  NM_ROLE_PROSE,
  NM_ROLE_SKIP,
  NM_ROLE_BREAK,
  NM_ROLE_ESCAPE, /* skip the first byte (a backslash), the rest is prose */
  NM_ROLE_SKIP_SPAN, /* skip from the first such capture of a match to the last */
  NM_ROLE_HIDE,   /* container: nothing inside is prose */
  NM_ROLE_MUTE,   /* container: prose inside is skipped */
  NM_ROLE_HEADING,
  NM_ROLE_BOILER
};
#define NM_MARKUP_CONTAINERS 4 /* hide, mute, heading, boiler */

/* Paint values while scanning; 0 means no capture covered the byte. */
enum { NM_PAINT_UNSET = 0, NM_PAINT_PROSE, NM_PAINT_SKIP, NM_PAINT_BREAK };

enum nm_markup__pred_op { NM_PRED_ANY_OF, NM_PRED_EQ, NM_PRED_MATCH };

typedef struct nm_markup__pred {
  uint8_t op;
  bool negate;
  uint32_t capture;
  const char **words; /* any-of / eq: strings owned by the TSQuery */
  uint32_t *word_lens;
  uint32_t nwords;
  pcre2_code *re; /* match */
} nm_markup__pred;

typedef struct nm_markup__query {
  const char *file; /* for messages */
  TSQuery *query;
  uint8_t *roles;      /* per capture id */
  nm__vec preds;       /* nm_markup__pred, grouped by pattern */
  uint32_t *pred_from; /* per pattern: first predicate, and one past the last */
  uint32_t *pred_to;
} nm_markup__query;

/*
 * The queries compile on first use, not in nm_engine_new: compiling the three
 * costs ~14 ms, which plain text never needs and which dominated the start of
 * every short annotate run. Several documents may share an engine across
 * threads, so the first use compiles under a lock and publishes the result.
 */
enum { NM_Q_MARKDOWN, NM_Q_MARKDOWN_INLINE, NM_Q_HTML, NM_Q_COUNT };

struct nm__markup {
  const TSLanguage *markdown, *markdown_inline, *html;
  nm_markup__query q_markdown, q_markdown_inline, q_html;
  pthread_mutex_t lock;
  atomic_bool ready[NM_Q_COUNT]; /* compiled, or failed with status/err below */
  nm_status status[NM_Q_COUNT];
  char err[NM_Q_COUNT][256];
};

/* ---- private: queries ---------------------------------------------------- */

static const char *nm_markup__query_error_name(TSQueryError e) {
  switch (e) {
  case TSQueryErrorSyntax: return "syntax error";
  case TSQueryErrorNodeType: return "unknown node type";
  case TSQueryErrorField: return "unknown field";
  case TSQueryErrorCapture: return "unknown capture";
  case TSQueryErrorStructure: return "impossible pattern";
  case TSQueryErrorLanguage: return "grammar ABI mismatch";
  default: return "error";
  }
}

static uint8_t nm_markup__role_of(const char *name, uint32_t len) {
  static const struct { const char *name; uint8_t role; } roles[] = {
      {"newsmark.prose", NM_ROLE_PROSE},     {"newsmark.skip", NM_ROLE_SKIP},
      {"newsmark.break", NM_ROLE_BREAK},     {"newsmark.escape", NM_ROLE_ESCAPE},
      {"newsmark.hide", NM_ROLE_HIDE},       {"newsmark.mute", NM_ROLE_MUTE},
      {"newsmark.heading", NM_ROLE_HEADING}, {"newsmark.boiler", NM_ROLE_BOILER},
      {"newsmark.skip.span", NM_ROLE_SKIP_SPAN}};
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
    if (strlen(roles[i].name) == len && !memcmp(roles[i].name, name, len)) return roles[i].role;
  return NM_ROLE_NONE;
}

static void nm_markup__query_free(nm_markup__query *q) {
  for (size_t i = 0; i < q->preds.count; i++) {
    nm_markup__pred *p = &NM_AT(q->preds, nm_markup__pred, i);
    free(p->words);
    free(p->word_lens);
    pcre2_code_free(p->re);
  }
  nm__vec_free(&q->preds);
  free(q->roles);
  free(q->pred_from);
  free(q->pred_to);
  if (q->query) ts_query_delete(q->query);
  memset(q, 0, sizeof *q);
}

/* Read the predicates of one pattern (#any-of?, #eq?, #match? and their
   #not- forms, the ones Neovim also knows). Anything else is an error, so a
   query never silently means less than it says. */
static nm_status nm_markup__query_predicates(nm_markup__query *q, uint32_t pattern, char *err,
                                             size_t errlen) {
  uint32_t nsteps;
  const TSQueryPredicateStep *steps = ts_query_predicates_for_pattern(q->query, pattern, &nsteps);
  q->pred_from[pattern] = q->pred_to[pattern] = (uint32_t)q->preds.count;
  uint32_t i = 0;
  while (i < nsteps) {
    uint32_t end = i;
    while (end < nsteps && steps[end].type != TSQueryPredicateStepTypeDone) end++;
    uint32_t name_len;
    const char *name = steps[i].type == TSQueryPredicateStepTypeString
                           ? ts_query_string_value_for_id(q->query, steps[i].value_id, &name_len)
                           : NULL;
    if (!name) {
      nm__errorf(err, errlen, "%s: pattern %u: a predicate must start with its name", q->file, pattern);
      return NM_ERR_MARKUP;
    }
    bool negate = name_len > 4 && !memcmp(name, "not-", 4);
    const char *op_name = negate ? name + 4 : name;
    uint8_t op;
    if (!strcmp(op_name, "any-of?")) op = NM_PRED_ANY_OF;
    else if (!strcmp(op_name, "eq?")) op = NM_PRED_EQ;
    else if (!strcmp(op_name, "match?")) op = NM_PRED_MATCH;
    else {
      nm__errorf(err, errlen, "%s: pattern %u: unknown predicate #%s", q->file, pattern, name);
      return NM_ERR_MARKUP;
    }
    uint32_t nargs = end - i - 1;
    if (nargs < 2 || steps[i + 1].type != TSQueryPredicateStepTypeCapture ||
        (op != NM_PRED_ANY_OF && nargs != 2)) {
      nm__errorf(err, errlen, "%s: pattern %u: #%s takes a capture and %s", q->file, pattern, name,
                 op == NM_PRED_ANY_OF ? "strings" : "one string");
      return NM_ERR_MARKUP;
    }
    nm_markup__pred *p = nm__vec_push(&q->preds);
    if (!p) return NM_ERR_NOMEM;
    p->op = op;
    p->negate = negate;
    p->capture = steps[i + 1].value_id;
    p->nwords = nargs - 1;
    p->words = calloc(p->nwords, sizeof *p->words);
    p->word_lens = calloc(p->nwords, sizeof *p->word_lens);
    if (!p->words || !p->word_lens) return NM_ERR_NOMEM;
    for (uint32_t k = 0; k < p->nwords; k++) {
      const TSQueryPredicateStep *s = &steps[i + 2 + k];
      if (s->type != TSQueryPredicateStepTypeString) {
        nm__errorf(err, errlen, "%s: pattern %u: #%s compares with strings only", q->file, pattern, name);
        return NM_ERR_MARKUP;
      }
      p->words[k] = ts_query_string_value_for_id(q->query, s->value_id, &p->word_lens[k]);
    }
    if (op == NM_PRED_MATCH) {
      /* Neovim's regex needs "\v" to read (a|b) the way PCRE2 does. */
      const char *pat = p->words[0];
      size_t pat_len = p->word_lens[0];
      if (pat_len >= 2 && pat[0] == '\\' && pat[1] == 'v') pat += 2, pat_len -= 2;
      int code;
      PCRE2_SIZE at;
      p->re = pcre2_compile((PCRE2_SPTR)pat, pat_len, PCRE2_UTF | PCRE2_NO_UTF_CHECK, &code, &at, NULL);
      if (!p->re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        nm__errorf(err, errlen, "%s: pattern %u: #%s: %s at offset %zu", q->file, pattern, name,
                   (const char *)msg, (size_t)at);
        return NM_ERR_MARKUP;
      }
    }
    q->pred_to[pattern] = (uint32_t)q->preds.count;
    i = end + 1;
  }
  return NM_OK;
}

static nm_status nm_markup__query_new(nm_markup__query *q, const TSLanguage *lang, const char *file,
                                      const char *text, size_t len, char *err, size_t errlen) {
  memset(q, 0, sizeof *q);
  q->file = file;
  nm__vec_init(&q->preds, sizeof(nm_markup__pred));
  /* embed.awk heads the text with a line "@@ FILE"; the query starts after it. */
  const char *nl = memchr(text, '\n', len);
  size_t skip = nl ? (size_t)(nl - text) + 1 : 0;
  uint32_t at;
  TSQueryError e;
  q->query = ts_query_new(lang, text + skip, (uint32_t)(len - skip), &at, &e);
  if (!q->query) {
    uint32_t line = 1, col = 1;
    for (uint32_t i = 0; i < at && skip + i < len; i++) {
      if (text[skip + i] == '\n') line++, col = 1;
      else col++;
    }
    nm__errorf(err, errlen, "%s:%u:%u: %s", file, line, col, nm_markup__query_error_name(e));
    return e == TSQueryErrorLanguage ? NM_ERR_ABI : NM_ERR_MARKUP;
  }
  uint32_t ncap = ts_query_capture_count(q->query);
  uint32_t npat = ts_query_pattern_count(q->query);
  q->roles = calloc(ncap ? ncap : 1, 1);
  q->pred_from = calloc(npat ? npat : 1, sizeof *q->pred_from);
  q->pred_to = calloc(npat ? npat : 1, sizeof *q->pred_to);
  if (!q->roles || !q->pred_from || !q->pred_to) return NM_ERR_NOMEM;
  for (uint32_t c = 0; c < ncap; c++) {
    uint32_t n;
    const char *name = ts_query_capture_name_for_id(q->query, c, &n);
    q->roles[c] = nm_markup__role_of(name, n);
  }
  for (uint32_t p = 0; p < npat; p++) {
    nm_status st = nm_markup__query_predicates(q, p, err, errlen);
    if (st != NM_OK) return st;
  }
  return NM_OK;
}

nm_status nm__markup_check_abi(const void *language, const char *name, char *err, size_t errlen) {
  const TSLanguage *lang = language;
  uint32_t v = ts_language_version(lang);
  if (v < TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION || v > TREE_SITTER_LANGUAGE_VERSION) {
    nm__errorf(err, errlen,
               "the %s grammar has language ABI %u; this tree-sitter runtime reads ABI %u to %u "
               "(pin a grammar version built for it)",
               name, v, (unsigned)TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION,
               (unsigned)TREE_SITTER_LANGUAGE_VERSION);
    return NM_ERR_ABI;
  }
  return NM_OK;
}

/* ---- private: the scan ---------------------------------------------------- */

typedef struct nm_markup__event {
  uint32_t pos;
  uint8_t kind;  /* role - NM_ROLE_HIDE */
  int8_t delta;  /* +1 at the start, -1 at the end */
} nm_markup__event;

/*
 * The grammars are linear on ordinary pages, at a few MB/s, but the HTML
 * scanner rebuilds its stack of open tags for every token, so tens of
 * thousands of unclosed tags make each token cost that many steps. A time
 * budget (2 s, plus 2 s per MB) turns such input into a clear error
 * instead of a hang.
 */
#define NM_MARKUP_BUDGET_BASE_US 2000000.0
#define NM_MARKUP_BUDGET_US_PER_BYTE 2.0

typedef struct nm_markup__scan {
  double deadline; /* CLOCK_MONOTONIC seconds */
  nm_doc *doc;
  uint8_t *paint;
  nm__vec events;       /* nm_markup__event */
  nm__vec inlines;      /* TSNode: Markdown prose to parse with the inline grammar */
  pcre2_match_data *md; /* for #match? */
  uint32_t clip_from, clip_to; /* paint and containers only here (HTML pieces) */
} nm_markup__scan;

static double nm_markup__now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Give the parser what is left of the budget; false when nothing is. */
static bool nm_markup__arm_timeout(const nm_markup__scan *s, TSParser *parser) {
  double left = s->deadline - nm_markup__now();
  if (left <= 0) return false;
  ts_parser_set_timeout_micros(parser, (uint64_t)(left * 1e6) + 1);
  return true;
}

static nm_status nm_markup__too_slow(const nm_markup__scan *s, char *err, size_t errlen) {
  nm__errorf(err, errlen,
             "the %s parser ran out of its time budget (%.0f s for %u bytes): the markup is nested "
             "too deeply or broken beyond what the grammar handles; try it as plain text",
             s->doc->input == NM_INPUT_HTML ? "HTML" : "Markdown",
             (NM_MARKUP_BUDGET_BASE_US + NM_MARKUP_BUDGET_US_PER_BYTE * s->doc->len) / 1e6, s->doc->len);
  return NM_ERR_LIMIT;
}

static bool nm_markup__is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool nm_markup__is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ASCII case-insensitive equality: HTML tag and attribute names ignore case. */
static bool nm_markup__same(const char *a, size_t an, const char *b, size_t bn) {
  if (an != bn) return false;
  for (size_t i = 0; i < an; i++) {
    unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return false;
  }
  return true;
}

static bool nm_markup__pred_holds(const nm_markup__scan *s, const nm_markup__pred *p,
                                  const TSQueryMatch *m) {
  const TSNode *node = NULL;
  for (uint16_t i = 0; i < m->capture_count; i++)
    if (m->captures[i].index == p->capture) node = &m->captures[i].node;
  bool holds = false;
  if (node) {
    const char *text = s->doc->text + ts_node_start_byte(*node);
    size_t n = ts_node_end_byte(*node) - ts_node_start_byte(*node);
    if (p->op == NM_PRED_MATCH) {
      holds = pcre2_match(p->re, (PCRE2_SPTR)text, n, 0, PCRE2_NO_UTF_CHECK, s->md, NULL) >= 0;
    } else {
      for (uint32_t k = 0; k < p->nwords && !holds; k++)
        holds = nm_markup__same(text, n, p->words[k], p->word_lens[k]);
    }
  }
  return holds != p->negate;
}

static void nm_markup__paint(nm_markup__scan *s, uint32_t start, uint32_t end, uint8_t value) {
  uint8_t *paint = s->paint;
  if (start < s->clip_from) start = s->clip_from;
  if (end > s->clip_to) end = s->clip_to;
  for (uint32_t i = start; i < end; i++)
    if (paint[i] < value) paint[i] = value;
}

/* Run one query over the nodes of one tree that overlap [from, to) and
   record what their captures ask for. */
static nm_status nm_markup__run_query(nm_markup__scan *s, const nm_markup__query *q, TSNode root,
                                      TSQueryCursor *cursor, uint32_t from, uint32_t to,
                                      bool collect_inlines) {
  ts_query_cursor_set_byte_range(cursor, from, to);
  ts_query_cursor_exec(cursor, q->query, root);
  TSQueryMatch m;
  while (ts_query_cursor_next_match(cursor, &m)) {
    bool ok = true;
    for (uint32_t i = q->pred_from[m.pattern_index]; ok && i < q->pred_to[m.pattern_index]; i++)
      ok = nm_markup__pred_holds(s, &NM_AT(q->preds, nm_markup__pred, i), &m);
    if (!ok) continue;
    uint32_t span_start = UINT32_MAX, span_end = 0;
    for (uint16_t i = 0; i < m.capture_count; i++) {
      uint8_t role = q->roles[m.captures[i].index];
      TSNode node = m.captures[i].node;
      uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
      if (end > s->doc->len) end = s->doc->len;
      if (start >= end) continue;
      switch (role) {
      case NM_ROLE_PROSE:
        nm_markup__paint(s, start, end, NM_PAINT_PROSE);
        if (collect_inlines) {
          TSNode *slot = nm__vec_push(&s->inlines);
          if (!slot) return NM_ERR_NOMEM;
          *slot = node;
        }
        break;
      case NM_ROLE_SKIP: nm_markup__paint(s, start, end, NM_PAINT_SKIP); break;
      case NM_ROLE_BREAK: nm_markup__paint(s, start, end, NM_PAINT_BREAK); break;
      case NM_ROLE_SKIP_SPAN:
        if (start < span_start) span_start = start;
        if (end > span_end) span_end = end;
        break;
      case NM_ROLE_ESCAPE:
        nm_markup__paint(s, start, start + 1, NM_PAINT_SKIP);
        nm_markup__paint(s, start + 1, end, NM_PAINT_PROSE);
        break;
      case NM_ROLE_HIDE:
      case NM_ROLE_MUTE:
      case NM_ROLE_HEADING:
      case NM_ROLE_BOILER: {
        if (start < s->clip_from) start = s->clip_from;
        if (end > s->clip_to) end = s->clip_to;
        if (start >= end) break;
        if (!nm__vec_reserve(&s->events, s->events.count + 2)) return NM_ERR_NOMEM;
        nm_markup__event *ev = (nm_markup__event *)s->events.items + s->events.count;
        ev[0] = (nm_markup__event){start, (uint8_t)(role - NM_ROLE_HIDE), 1};
        ev[1] = (nm_markup__event){end, (uint8_t)(role - NM_ROLE_HIDE), -1};
        s->events.count += 2;
        break;
      }
      default: break;
      }
    }
    if (span_start < span_end) nm_markup__paint(s, span_start, span_end, NM_PAINT_SKIP);
  }
  return NM_OK;
}

/* Every capture of the inline query needs one of these bytes (links and
   images need '[', autolinks and tags '<'); prose without any of them needs
   no inline parse, which is most news paragraphs. */
static bool nm_markup__may_hold_markup(const char *text, uint32_t start, uint32_t end) {
  for (uint32_t i = start; i < end; i++) {
    switch (text[i]) {
    case '*': case '_': case '`': case '[': case '<': case '\\': case '~':
      return true;
    default: break;
    }
  }
  return false;
}

/* Markdown: each inline node of the block tree is parsed on its own with the
   inline grammar, over its range minus the block continuations ("> ") inside
   it, as Neovim's injections do. */
static nm_status nm_markup__markdown_inlines(nm_markup__scan *s, const nm__markup *mk,
                                             const nm_markup__query *inline_query, TSParser *parser,
                                             TSQueryCursor *cursor, char *err, size_t errlen) {
  if (!ts_parser_set_language(parser, mk->markdown_inline)) {
    nm__errorf(err, errlen, "the markdown_inline grammar does not fit this tree-sitter runtime");
    return NM_ERR_ABI;
  }
  nm__vec ranges;
  nm__vec_init(&ranges, sizeof(TSRange));
  nm_status st = NM_OK;
  for (size_t k = 0; k < s->inlines.count && st == NM_OK; k++) {
    TSNode node = NM_AT(s->inlines, TSNode, k);
    uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
    if (!nm_markup__may_hold_markup(s->doc->text, start, end)) continue;
    ranges.count = 0;
    TSPoint at_point = ts_node_start_point(node);
    uint32_t at = start;
    uint32_t nchild = ts_node_named_child_count(node);
    for (uint32_t c = 0; c <= nchild; c++) {
      TSNode child = c < nchild ? ts_node_named_child(node, c) : node;
      bool last = c == nchild;
      if (!last && strcmp(ts_node_type(child), "block_continuation") != 0) continue;
      uint32_t cut = last ? end : ts_node_start_byte(child);
      TSPoint cut_point = last ? ts_node_end_point(node) : ts_node_start_point(child);
      if (cut > at) {
        TSRange *r = nm__vec_push(&ranges);
        if (!r) { st = NM_ERR_NOMEM; break; }
        *r = (TSRange){at_point, cut_point, at, cut};
      }
      if (!last) {
        at = ts_node_end_byte(child);
        at_point = ts_node_end_point(child);
      }
    }
    if (st != NM_OK || ranges.count == 0) continue;
    if (!ts_parser_set_included_ranges(parser, ranges.items, (uint32_t)ranges.count)) continue;
    TSTree *tree = nm_markup__arm_timeout(s, parser)
                       ? ts_parser_parse_string(parser, NULL, s->doc->text, s->doc->len)
                       : NULL;
    if (!tree) {
      st = nm_markup__too_slow(s, err, errlen);
      break;
    }
    st = nm_markup__run_query(s, inline_query, ts_tree_root_node(tree), cursor, 0, UINT32_MAX, false);
    ts_tree_delete(tree);
  }
  nm__vec_free(&ranges);
  return st;
}

/*
 * Markdown in pieces. The block tree costs ~40 bytes per input byte, so one
 * big document would hold ~40x its size at once; parsed a piece at a time,
 * each tree is released before the next piece is read. A piece ends only
 * where the whole-document parse has nothing open: at the start of a line
 * that follows a blank line and starts in column 0 with text. A blank line
 * ends paragraphs, tables, block quotes and HTML blocks of kinds 6-7, and an
 * unindented line after it ends list items and indented code. What a blank
 * line does not end is tracked line by line: fenced code at the top level,
 * HTML blocks of kinds 1-5 (script, pre, style, textarea, comments, <?, <!,
 * CDATA), and front matter at the start. Where the tracking is unsure it
 * keeps reading, so a piece may be longer but never cuts a block. Bare CRs
 * end lines too in Markdown; a document with any is parsed whole.
 */
#ifndef NM_MARKUP_PIECE_BYTES /* -D to test with tiny pieces */
#define NM_MARKUP_PIECE_BYTES (64u * 1024)
#endif

typedef struct nm_markup__splitter {
  const char *text;
  uint32_t len;
  uint32_t pos;           /* start of the next line to read */
  uint32_t row;           /* its row, for the parser's points */
  char fence;             /* '`' or '~' while top-level fenced code is open */
  uint32_t fence_len;     /* its opening run */
  const char *html_end;   /* while an HTML block of kinds 1-5 is open: what ends it */
  bool html_blank;        /* while one of kinds 6-7 is open: a blank line ends it */
  uint32_t front_end;     /* the end of front matter at the start, else 0 */
  bool prev_blank;        /* the last line read was blank */
  bool whole;             /* bare CRs: one piece */
} nm_markup__splitter;

/* The grammar reads a first line of "---" or "+++" (blanks around it) as
   front matter when a later line is exactly the same three characters and
   a line end (the grammar's scanner looks that far ahead): the end of that
   line, or 0 when the text has none. */
static uint32_t nm_markup__front_matter_end(const char *text, uint32_t len) {
  const char *p = text, *e = text + len;
  while (p < e && (*p == ' ' || *p == '\t')) p++;
  if (e - p < 3 || (memcmp(p, "---", 3) && memcmp(p, "+++", 3))) return 0;
  char c = *p;
  p += 3;
  while (p < e && (*p == ' ' || *p == '\t')) p++;
  if (p == e || (*p != '\n' && *p != '\r')) return 0;
  for (const char *nl = memchr(p, '\n', (size_t)(e - p)); nl; nl = memchr(nl + 1, '\n', (size_t)(e - nl - 1))) {
    const char *q = nl + 1;
    if (e - q < 4 || q[0] != c || q[1] != c || q[2] != c || q[3] == c) continue;
    q += 3;
    while (q < e && (*q == ' ' || *q == '\t')) q++;
    if (q < e && (*q == '\n' || *q == '\r')) {
      const char *end = memchr(q, '\n', (size_t)(e - q));
      return end ? (uint32_t)(end + 1 - text) : len;
    }
  }
  return 0;
}

static void nm_markup__splitter_init(nm_markup__splitter *sp, const char *text, uint32_t len) {
  memset(sp, 0, sizeof *sp);
  sp->text = text;
  sp->len = len;
  sp->prev_blank = true; /* the start of the document counts as after a blank line */
  for (const char *cr = memchr(text, '\r', len); cr && !sp->whole;
       cr = memchr(cr + 1, '\r', len - (uint32_t)(cr + 1 - text)))
    sp->whole = cr + 1 == text + len || cr[1] != '\n';
  sp->front_end = nm_markup__front_matter_end(text, len);
}

/* Case-insensitive search for the ASCII `needle` in [s, e). */
static bool nm_markup__line_has(const char *s, const char *e, const char *needle) {
  size_t n = strlen(needle);
  for (; (size_t)(e - s) >= n; s++)
    if (nm_markup__same(s, n, needle, n)) return true;
  return false;
}

/* How an HTML block of kinds 1-5 opening at p (just after '<') ends, or NULL. */
static const char *nm_markup__html_block_end(const char *p, const char *e) {
  static const char *const raw[] = {"script", "pre", "style", "textarea"};
  static const char *const raw_end[] = {"</script>", "</pre>", "</style>", "</textarea>"};
  for (size_t i = 0; i < 4; i++) {
    size_t n = strlen(raw[i]);
    if ((size_t)(e - p) >= n && nm_markup__same(p, n, raw[i], n) &&
        ((size_t)(e - p) == n || p[n] == ' ' || p[n] == '\t' || p[n] == '>' || p[n] == '\r'))
      return raw_end[i];
  }
  if (e - p >= 3 && !memcmp(p, "!--", 3)) return "-->";
  if (e - p >= 1 && p[0] == '?') return "?>";
  if (e - p >= 8 && !memcmp(p, "![CDATA[", 8)) return "]]>";
  if (e - p >= 2 && p[0] == '!' && ((p[1] | 32) >= 'a' && (p[1] | 32) <= 'z')) return ">";
  return NULL;
}

/* Whether an HTML block of kind 6 (a block-level tag, which a blank line
   ends) opens at p, just after '<'. */
static bool nm_markup__html_block_blank(const char *p, const char *e) {
  static const char *const tags[] = {
      "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center",
      "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset",
      "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5",
      "h6", "head", "header", "hr", "html", "iframe", "legend", "li", "link", "main", "menu",
      "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p", "param", "search", "section",
      "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul"};
  if (p < e && *p == '/') p++;
  size_t n = 0;
  while (p + n < e && nm_markup__is_alnum((unsigned char)p[n])) n++;
  if (n == 0 || (p + n < e && p[n] != ' ' && p[n] != '\t' && p[n] != '>' && p[n] != '/')) return false;
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
    if (nm_markup__same(p, n, tags[i], strlen(tags[i]))) return true;
  return false;
}

/* Read one line [ls, le) into the splitter's state. */
static void nm_markup__splitter_line(nm_markup__splitter *sp, const char *ls, const char *le) {
  const char *ce = le;
  while (ce > ls && (ce[-1] == '\n' || ce[-1] == '\r')) ce--;
  uint32_t indent = 0;
  const char *p = ls;
  for (; p < ce && (*p == ' ' || *p == '\t'); p++) indent = *p == '\t' ? (indent + 4) & ~3u : indent + 1;
  bool blank = p == ce;
  if (sp->fence) {
    /* A closing fence: at least as long as the opening run, nothing after it. */
    uint32_t run = 0;
    while (p + run < ce && p[run] == sp->fence) run++;
    const char *q = p + run;
    while (q < ce && (*q == ' ' || *q == '\t')) q++;
    if (indent <= 3 && run >= sp->fence_len && q == ce) sp->fence = 0;
  } else if (sp->html_end) {
    /* The grammar ends a declaration (<!X) only at a '>' in column 0. */
    if (sp->html_end[0] == '>' ? ls < ce && *ls == '>' : nm_markup__line_has(ls, ce, sp->html_end))
      sp->html_end = NULL;
  } else if (sp->html_blank) {
    if (blank) sp->html_blank = false;
  } else if (!blank && indent <= 3) {
    uint32_t run = 0;
    while (p + run < ce && p[run] == *p) run++;
    if ((*p == '`' || *p == '~') && run >= 3) {
      sp->fence = *p;
      sp->fence_len = run;
    } else if (*p == '<') {
      const char *end = nm_markup__html_block_end(p + 1, ce);
      if (end) {
        /* It may end on the line it opens; the grammar ends a declaration
           there only when '>' follows its first letter (<!X>). */
        bool ends = end[0] == '>' ? ce - p >= 4 && p[3] == '>' : nm_markup__line_has(p + 1, ce, end);
        if (!ends) sp->html_end = end;
      } else if (nm_markup__html_block_blank(p + 1, ce) ||
                 (sp->prev_blank && ce[-1] == '>' && p + 1 < ce &&
                  (p[1] == '/' || ((p[1] | 32) >= 'a' && (p[1] | 32) <= 'z')))) {
        /* Kind 6 by its tag name; kind 7 is a whole tag alone on its line
           and cannot interrupt a paragraph. */
        sp->html_blank = true;
      }
    }
  }
  sp->prev_blank = blank;
}

/* The end of the piece that starts where the last one ended: the first safe
   line start at or after `want`, else the end of the document. */
static uint32_t nm_markup__splitter_cut(nm_markup__splitter *sp, uint32_t want) {
  if (sp->whole) return sp->pos = sp->len;
  const char *text = sp->text;
  while (sp->pos < sp->len) {
    const char *ls = text + sp->pos;
    /* Not before "---" or "+++": at the start of a piece the grammar
       would read them as front matter. */
    if (sp->pos >= want && sp->pos >= sp->front_end && sp->prev_blank && !sp->fence && !sp->html_end &&
        !sp->html_blank && *ls != ' ' && *ls != '\t' && *ls != '\n' && *ls != '\r' &&
        !(sp->len - sp->pos >= 3 && (!memcmp(ls, "---", 3) || !memcmp(ls, "+++", 3))))
      return sp->pos;
    const char *nl = memchr(ls, '\n', sp->len - sp->pos);
    const char *le = nl ? nl + 1 : text + sp->len;
    nm_markup__splitter_line(sp, ls, le);
    sp->pos = (uint32_t)(le - text);
    if (nl) sp->row++;
  }
  return sp->len;
}

/* Whether a block of the document itself (not one inside a list, quote,
   code or HTML block) starts at byte `at` of this tree: then nothing before
   `at` is open there, and the text from `at` on parses the same alone.
   Sections (a heading and what follows it) are the grammar's grouping,
   not blocks: the search looks through them. */
static bool nm_markup__starts_block(TSNode root, uint32_t at) {
  TSNode node = root;
  for (;;) {
    TSNode child = ts_node_first_child_for_byte(node, at);
    if (ts_node_is_null(child)) return false;
    if (ts_node_start_byte(child) == at) return true;
    if (ts_node_start_byte(child) > at || strcmp(ts_node_type(child), "section") != 0) return false;
    node = child;
  }
}

/* Parse [from, to) of the text with the block grammar, offsets those of the
   whole text (the piece is an included range of it). */
static nm_status nm_markup__markdown_parse(nm_markup__scan *s, const nm__markup *mk, TSParser *parser,
                                           TSRange range, TSTree **tree, char *err, size_t errlen) {
  *tree = NULL;
  if (!ts_parser_set_language(parser, mk->markdown)) {
    nm__errorf(err, errlen, "the markdown grammar does not fit this tree-sitter runtime");
    return NM_ERR_ABI;
  }
  if (!ts_parser_set_included_ranges(parser, &range, 1)) {
    nm__errorf(err, errlen, "the Markdown parser refused a piece of the text (%u to %u)", range.start_byte,
               range.end_byte);
    return NM_ERR_MARKUP;
  }
  if (!nm_markup__arm_timeout(s, parser) ||
      !(*tree = ts_parser_parse_string(parser, NULL, s->doc->text, s->doc->len)))
    return nm_markup__too_slow(s, err, errlen);
  return NM_OK;
}

/* Markdown: parse piece by piece, each with its inline parses, releasing the
   trees before the next piece. The splitter proposes a cut; the piece is
   parsed a little past it (to the next proposed cut, so the line at the cut
   has had its say) and the cut holds only if the tree agrees that a block
   of the document itself starts there. Otherwise the piece grows (doubling,
   so a document the grammar will not cut costs at most about twice one
   whole parse) and is parsed again. Only the part before the cut is read;
   the rest is parsed again as the start of the next piece. */
static nm_status nm_markup__markdown(nm_markup__scan *s, const nm__markup *mk, const nm_markup__query *query,
                                     const nm_markup__query *inline_query, TSParser *parser,
                                     TSQueryCursor *cursor, char *err, size_t errlen) {
  nm_doc *doc = s->doc;
  nm_markup__splitter sp;
  nm_markup__splitter_init(&sp, doc->text, doc->len);
  uint32_t from = 0, grow = NM_MARKUP_PIECE_BYTES;
  TSPoint from_point = {0, 0};
  nm_status st = NM_OK;
  do {
    uint32_t want = doc->len - from > grow ? from + grow : doc->len;
    /* Cuts are line starts, so their column is 0; at the end of the text
       the column does not matter to the parser. */
    uint32_t to = nm_markup__splitter_cut(&sp, want), end = to;
    TSPoint to_point = {sp.row, 0}, end_point = to_point;
    if (to < doc->len) {
      end = nm_markup__splitter_cut(&sp, to + 1);
      end_point = (TSPoint){sp.row, 0};
    }
    TSTree *tree;
    st = nm_markup__markdown_parse(s, mk, parser, (TSRange){from_point, end_point, from, end}, &tree, err, errlen);
    if (st != NM_OK) return st;
    TSNode root = ts_tree_root_node(tree);
    if (to < doc->len && (ts_node_has_error(root) || !nm_markup__starts_block(root, to))) {
      ts_tree_delete(tree);
      grow = grow > UINT32_MAX / 2 ? UINT32_MAX : grow * 2;
      continue;
    }
    s->inlines.count = 0;
    st = nm_markup__run_query(s, query, root, cursor, from, to, true);
    if (st == NM_OK) st = nm_markup__markdown_inlines(s, mk, inline_query, parser, cursor, err, errlen);
    ts_tree_delete(tree);
    from = to;
    from_point = to_point;
    grow = NM_MARKUP_PIECE_BYTES;
  } while (st == NM_OK && from < doc->len);
  return st;
}

/*
 * HTML in pieces, for the same reason as Markdown (the tree of a page is
 * ~6 bytes per input byte). HTML has no blank lines to cut at: what is open
 * at a place is the stack of elements around it, and a tree cut short turns
 * every element still open into an error. So each piece is parsed framed:
 * the start tags of the elements open where it begins (their own bytes,
 * wherever they are in the text) come first, and end tags of the elements
 * open where it ends (found later in the text) come last, all as included
 * ranges, so every offset stays that of the whole text. Which elements are
 * open at the cut is first guessed by a plain tag scan; the cut holds only
 * if the tree agrees: no errors, each guessed element open across the cut
 * and closed by the end tag supplied for it, and nothing else open there
 * (an element left unclosed, a script, a comment). Otherwise the piece
 * doubles, and a page the check never passes is parsed whole, as before.
 * Elements open across a cut appear in the trees of both pieces, so paint
 * and containers are clipped to the piece's own bytes.
 */
#define NM_MARKUP_HTML_MAX_OPEN 256 /* deeper than this, no cut */

typedef struct nm_markup__open {
  TSRange tag;      /* its start tag */
  uint32_t name;    /* its name: [name, name + name_len) */
  uint32_t name_len;
  TSRange close;    /* an end tag with its name after the cut (end_byte 0: none found yet) */
} nm_markup__open;

/* The first '<' before an ASCII letter (a start tag) at or after `from`. */
static uint32_t nm_markup__html_tag_at(const char *text, uint32_t len, uint32_t from) {
  while (from < len) {
    const char *lt = memchr(text + from, '<', len - from);
    if (!lt) return len;
    uint32_t at = (uint32_t)(lt - text);
    if (at + 1 < len && ((lt[1] | 32) >= 'a' && (lt[1] | 32) <= 'z')) return at;
    from = at + 1;
  }
  return len;
}

/* The row and column of byte `at`, counting from a known point at `base`. */
static TSPoint nm_markup__point_at(const char *text, uint32_t base, TSPoint base_point, uint32_t at) {
  TSPoint p = base_point;
  uint32_t line = base;
  for (const char *nl = at > base ? memchr(text + base, '\n', at - base) : NULL; nl;
       nl = (uint32_t)(nl + 1 - text) < at ? memchr(nl + 1, '\n', at - (uint32_t)(nl + 1 - text)) : NULL) {
    p.row++;
    line = (uint32_t)(nl + 1 - text);
  }
  p.column = line == base ? base_point.column + (at - base) : at - line;
  return p;
}

static bool nm_markup__is_letter(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }

/* Where the first occurrence of `needle` (ASCII, any case) in [from, len)
   starts, or len. */
static uint32_t nm_markup__find_ci(const char *text, uint32_t len, uint32_t from, const char *needle, size_t n) {
  for (uint32_t i = from; i + n <= len; i++) {
    const char *lt = memchr(text + i, needle[0], len - i);
    if (!lt) break;
    i = (uint32_t)(lt - text);
    if (i + n <= len && nm_markup__same(lt, n, needle, n)) return i;
  }
  return len;
}

/*
 * Guess the elements open at `to` from those open at `from` and a plain
 * scan of the tags between: a start tag opens an element (not void ones,
 * not "/>"), an end tag closes back to the element it names. Comments and
 * the raw text of script, style, textarea and title are skipped. False when
 * the scan is unsure (a tag or comment running past `to`, too deep).
 */
static bool nm_markup__html_guess(const char *text, uint32_t from, uint32_t to, nm__vec *open) {
  static const char *const voids[] = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                                      "meta", "param", "source", "track", "wbr", "keygen"};
  static const char *const raws[] = {"script", "style", "textarea", "title"};
  uint32_t pos = from;
  while (pos < to) {
    const char *lt = memchr(text + pos, '<', to - pos);
    if (!lt) break;
    uint32_t at = (uint32_t)(lt - text);
    if (to - at >= 4 && !memcmp(lt, "<!--", 4)) {
      uint32_t e = nm_markup__find_ci(text, to, at + 4, "-->", 3);
      if (e >= to) return false;
      pos = e + 3;
      continue;
    }
    bool closing = at + 1 < to && lt[1] == '/';
    uint32_t name = at + 1 + closing, n = 0;
    if (name >= to || !nm_markup__is_letter((unsigned char)text[name])) {
      pos = at + 1;
      continue;
    }
    while (name + n < to && !nm_markup__is_space((unsigned char)text[name + n]) && text[name + n] != '>' &&
           text[name + n] != '/')
      n++;
    /* The end of the tag, past quoted attribute values. */
    uint32_t gt = name + n;
    char quote = 0;
    for (; gt < to; gt++) {
      char c = text[gt];
      if (quote) { if (c == quote) quote = 0; }
      else if (c == '"' || c == '\'') quote = c;
      else if (c == '>') break;
    }
    if (gt >= to) return false;
    pos = gt + 1;
    if (closing) {
      size_t k = open->count;
      while (k > 0) {
        const nm_markup__open *o = &NM_AT(*open, nm_markup__open, k - 1);
        if (nm_markup__same(text + o->name, o->name_len, text + name, n)) break;
        k--;
      }
      if (k > 0) open->count = k - 1;
      continue;
    }
    bool opens = text[gt - 1] != '/';
    for (size_t i = 0; opens && i < sizeof voids / sizeof voids[0]; i++)
      if (nm_markup__same(text + name, n, voids[i], strlen(voids[i]))) opens = false;
    if (!opens) continue;
    if (open->count >= NM_MARKUP_HTML_MAX_OPEN) return false;
    nm_markup__open *o = nm__vec_push(open);
    if (!o) return false;
    o->tag.start_byte = at;
    o->tag.end_byte = gt + 1;
    o->tag.start_point = o->tag.end_point = (TSPoint){0, 0}; /* set by the caller */
    o->name = name;
    o->name_len = n;
    for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++) {
      if (!nm_markup__same(text + name, n, raws[i], strlen(raws[i]))) continue;
      char close[16] = "</";
      memcpy(close + 2, raws[i], strlen(raws[i]));
      uint32_t e = nm_markup__find_ci(text, to, pos, close, 2 + strlen(raws[i]));
      if (e >= to) return false;
      pos = e; /* its end tag closes it */
    }
  }
  return true;
}

/* An end tag "</name" [space] ">" at or after `from`: its range, or false. */
static bool nm_markup__html_find_close(const char *text, uint32_t len, uint32_t from, const char *name, uint32_t n,
                                       TSRange *r) {
  while (from < len) {
    uint32_t at = nm_markup__find_ci(text, len, from, "</", 2);
    if (at >= len) return false;
    from = at + 2;
    if (at + 2 + n > len || !nm_markup__same(text + at + 2, n, name, n)) continue;
    uint32_t e = at + 2 + n;
    while (e < len && nm_markup__is_space((unsigned char)text[e])) e++;
    if (e < len && text[e] == '>') {
      r->start_byte = at;
      r->end_byte = e + 1;
      return true;
    }
  }
  return false;
}

/* Whether the tree of a framed piece agrees with the guess at the cut `to`:
   no errors; under the root, each guessed element in turn, starting at its
   start tag, reaching past `to`, and ending with the end tag supplied for
   it; inside the innermost, nothing but that end tag reaching past `to`. */
static bool nm_markup__html_agrees(TSNode root, uint32_t to, const nm__vec *open) {
  if (ts_node_has_error(root)) return false;
  TSNode node = root;
  for (size_t d = 0; d <= open->count; d++) {
    TSNode child = ts_node_first_child_for_byte(node, to);
    if (ts_node_is_null(child)) return false;
    if (d == open->count) {
      /* The innermost: its end tag, the one supplied, must be what follows. */
      if (d == 0) return ts_node_start_byte(child) >= to; /* the document: anything may start at `to` */
      const nm_markup__open *o = &NM_AT(*open, nm_markup__open, d - 1);
      return ts_node_start_byte(child) == o->close.start_byte && !strcmp(ts_node_type(child), "end_tag");
    }
    const nm_markup__open *o = &NM_AT(*open, nm_markup__open, d);
    if (strcmp(ts_node_type(child), "element") != 0 || ts_node_start_byte(child) != o->tag.start_byte ||
        ts_node_end_byte(child) != o->close.end_byte)
      return false;
    node = child;
  }
  return false;
}

static nm_status nm_markup__html(nm_markup__scan *s, const nm__markup *mk, const nm_markup__query *query,
                                 TSParser *parser, TSQueryCursor *cursor, char *err, size_t errlen) {
  nm_doc *doc = s->doc;
  const char *text = doc->text;
  if (!ts_parser_set_language(parser, mk->html)) {
    nm__errorf(err, errlen, "the html grammar does not fit this tree-sitter runtime");
    return NM_ERR_ABI;
  }
  nm__vec open, guess, ranges; /* nm_markup__open, nm_markup__open, TSRange */
  nm__vec_init(&open, sizeof(nm_markup__open));
  nm__vec_init(&guess, sizeof(nm_markup__open));
  nm__vec_init(&ranges, sizeof(TSRange));
  uint32_t from = 0, grow = NM_MARKUP_PIECE_BYTES;
  TSPoint from_point = {0, 0};
  nm_status st = NM_OK;
  do {
    uint32_t want = doc->len - from > grow ? from + grow : doc->len;
    uint32_t to = nm_markup__html_tag_at(text, doc->len, want);
    TSPoint to_point = nm_markup__point_at(text, from, from_point, to);
    /* The frame: the guess at `to`, with an end tag for each, innermost first. */
    bool framed = false;
    if (to < doc->len) {
      guess.count = 0;
      framed = nm__vec_reserve(&guess, open.count) && open.count <= guess.cap;
      if (framed) {
        if (open.count) memcpy(guess.items, open.items, open.count * sizeof(nm_markup__open));
        guess.count = open.count;
        framed = nm_markup__html_guess(text, from, to, &guess);
      }
      /* Points for the start tags the scan found, in order. */
      uint32_t base = from;
      TSPoint base_point = from_point;
      for (size_t d = 0; framed && d < guess.count; d++) {
        nm_markup__open *o = &NM_AT(guess, nm_markup__open, d);
        if (o->tag.start_byte < from) continue;
        o->tag.start_point = nm_markup__point_at(text, base, base_point, o->tag.start_byte);
        o->tag.end_point = nm_markup__point_at(text, o->tag.start_byte, o->tag.start_point, o->tag.end_byte);
        base = o->tag.end_byte;
        base_point = o->tag.end_point;
      }
      uint32_t after = to;
      TSPoint after_point = to_point;
      for (size_t k = guess.count; framed && k > 0; k--) {
        nm_markup__open *o = &NM_AT(guess, nm_markup__open, k - 1);
        /* A close found for an earlier cut serves while it is still ahead. */
        if (o->close.end_byte == 0 || o->close.start_byte < after) {
          framed = nm_markup__html_find_close(text, doc->len, after, text + o->name, o->name_len, &o->close);
          if (framed) {
            o->close.start_point = nm_markup__point_at(text, after, after_point, o->close.start_byte);
            o->close.end_point = nm_markup__point_at(text, o->close.start_byte, o->close.start_point, o->close.end_byte);
          }
        }
        after = o->close.end_byte;
        after_point = o->close.end_point;
      }
    }
    if (to < doc->len && !framed) {
      grow = grow > UINT32_MAX / 2 ? UINT32_MAX : grow * 2;
      continue;
    }
    /* The ranges: open start tags, the piece, then the frame's end tags. */
    ranges.count = 0;
    size_t nclose = framed ? guess.count : 0;
    if (!nm__vec_reserve(&ranges, open.count + 1 + nclose)) {
      st = NM_ERR_NOMEM;
      break;
    }
    TSRange *r = ranges.items;
    for (size_t d = 0; d < open.count; d++) *r++ = NM_AT(open, nm_markup__open, d).tag;
    uint32_t piece_end = framed ? to : doc->len;
    *r++ = (TSRange){from_point, framed ? to_point : nm_markup__point_at(text, from, from_point, doc->len), from, piece_end};
    for (size_t k = nclose; k > 0; k--) *r++ = NM_AT(guess, nm_markup__open, k - 1).close;
    ranges.count = (size_t)(r - (TSRange *)ranges.items);
    if (!ts_parser_set_included_ranges(parser, ranges.items, (uint32_t)ranges.count)) {
      nm__errorf(err, errlen, "the HTML parser refused a piece of the text (%u to %u)", from, piece_end);
      st = NM_ERR_MARKUP;
      break;
    }
    TSTree *tree = NULL;
    if (!nm_markup__arm_timeout(s, parser) || !(tree = ts_parser_parse_string(parser, NULL, text, doc->len))) {
      st = nm_markup__too_slow(s, err, errlen);
      break;
    }
    TSNode root = ts_tree_root_node(tree);
    if (framed && !nm_markup__html_agrees(root, to, &guess)) {
      ts_tree_delete(tree);
      grow = grow > UINT32_MAX / 2 ? UINT32_MAX : grow * 2;
      continue;
    }
    s->clip_from = from;
    s->clip_to = piece_end;
    st = nm_markup__run_query(s, query, root, cursor, 0, UINT32_MAX, false);
    ts_tree_delete(tree);
    if (!framed) break; /* the piece ran to the end of the text */
    nm__vec swap = open;
    open = guess;
    guess = swap;
    from = to;
    from_point = to_point;
    grow = NM_MARKUP_PIECE_BYTES;
  } while (st == NM_OK && from < doc->len);
  s->clip_from = 0;
  s->clip_to = UINT32_MAX;
  nm__vec_free(&open);
  nm__vec_free(&guess);
  nm__vec_free(&ranges);
  return st;
}

static int nm_markup__event_cmp(const void *a, const void *b) {
  const nm_markup__event *x = a, *y = b;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Turn paint and container events into the mask the segment stage reads. */
static void nm_markup__sweep(nm_markup__scan *s) {
  nm_doc *doc = s->doc;
  bool html = doc->input == NM_INPUT_HTML;
  nm_markup__event *ev = s->events.items;
  size_t nev = s->events.count, e = 0;
  if (nev > 1) qsort(ev, nev, sizeof *ev, nm_markup__event_cmp);
  int32_t depth[NM_MARKUP_CONTAINERS] = {0};
  uint8_t *mask = doc->mask; /* the paint buffer, rewritten in place */
  uint8_t prev = NM_PAINT_BREAK;
  for (uint32_t i = 0; i < doc->len; i++) {
    while (e < nev && ev[e].pos <= i) {
      depth[ev[e].kind] += ev[e].delta;
      e++;
    }
    uint8_t v = mask[i];
    /* Whitespace between HTML nodes belongs with the prose or break before
       it, looking through skipped markup: the space in "very</em> bad" is
       prose, the newline in "</p><!-- x -->\n" is part of the break. */
    if (v == NM_PAINT_UNSET)
      v = html && nm_markup__is_space((unsigned char)doc->text[i]) ? prev : NM_PAINT_BREAK;
    if (v != NM_PAINT_SKIP) prev = v;
    if (depth[NM_ROLE_HIDE - NM_ROLE_HIDE] > 0) v = NM_PAINT_BREAK;
    else if (depth[NM_ROLE_MUTE - NM_ROLE_HIDE] > 0 && v == NM_PAINT_PROSE) v = NM_PAINT_SKIP;
    uint8_t out = v == NM_PAINT_PROSE ? NM_MASK_PROSE : v == NM_PAINT_SKIP ? NM_MASK_SKIP : NM_MASK_BREAK;
    if (out == NM_MASK_PROSE) {
      if (depth[NM_ROLE_HEADING - NM_ROLE_HIDE] > 0) out |= NM_MASK_HEADING;
      if (depth[NM_ROLE_BOILER - NM_ROLE_HIDE] > 0) out |= NM_MASK_BOILER;
    }
    mask[i] = out;
  }
}

/* ---- internal API ------------------------------------------------------- */

nm__markup *nm__markup_new(nm_status *status, char *err, size_t errlen) {
  nm__markup *mk = calloc(1, sizeof *mk);
  if (!mk) {
    *status = NM_ERR_NOMEM;
    nm__errorf(err, errlen, "out of memory");
    return NULL;
  }
  if (pthread_mutex_init(&mk->lock, NULL) != 0) {
    free(mk);
    *status = NM_ERR_NOMEM;
    nm__errorf(err, errlen, "out of memory");
    return NULL;
  }
  for (int i = 0; i < NM_Q_COUNT; i++) atomic_init(&mk->ready[i], false);
  mk->markdown = tree_sitter_markdown();
  mk->markdown_inline = tree_sitter_markdown_inline();
  mk->html = tree_sitter_html();
  nm_status st = nm__markup_check_abi(mk->markdown, "markdown", err, errlen);
  if (st == NM_OK) st = nm__markup_check_abi(mk->markdown_inline, "markdown_inline", err, errlen);
  if (st == NM_OK) st = nm__markup_check_abi(mk->html, "html", err, errlen);
  if (st != NM_OK) {
    nm__markup_delete(mk);
    *status = st;
    return NULL;
  }
  *status = NM_OK;
  return mk;
}

/* The compiled query `which`, compiling it on first use; NULL on failure
   with the status in *st and the message in err (the same on every call). */
static const nm_markup__query *nm_markup__query_get(nm__markup *mk, int which, nm_status *st, char *err,
                                                   size_t errlen) {
  static const char *const files[NM_Q_COUNT] = {"queries/markdown/newsmark-prose.scm",
                                                "queries/markdown_inline/newsmark-prose.scm",
                                                "queries/html/newsmark-prose.scm"};
  nm_markup__query *q = which == NM_Q_MARKDOWN          ? &mk->q_markdown
                        : which == NM_Q_MARKDOWN_INLINE ? &mk->q_markdown_inline
                                                        : &mk->q_html;
  if (!atomic_load_explicit(&mk->ready[which], memory_order_acquire)) {
    pthread_mutex_lock(&mk->lock);
    if (!atomic_load_explicit(&mk->ready[which], memory_order_relaxed)) {
      const TSLanguage *lang = which == NM_Q_MARKDOWN          ? mk->markdown
                               : which == NM_Q_MARKDOWN_INLINE ? mk->markdown_inline
                                                               : mk->html;
      const char *text = which == NM_Q_MARKDOWN          ? nm__query_markdown
                         : which == NM_Q_MARKDOWN_INLINE ? nm__query_markdown_inline
                                                         : nm__query_html;
      size_t len = which == NM_Q_MARKDOWN          ? nm__query_markdown_len
                   : which == NM_Q_MARKDOWN_INLINE ? nm__query_markdown_inline_len
                                                   : nm__query_html_len;
      char *msg = mk->err[which];
      nm_status qs = nm_markup__query_new(q, lang, files[which], text, len, msg, sizeof mk->err[which]);
      if (qs == NM_ERR_NOMEM) nm__errorf(msg, sizeof mk->err[which], "out of memory while compiling the prose queries");
      if (qs != NM_OK) nm_markup__query_free(q);
      mk->status[which] = qs;
      atomic_store_explicit(&mk->ready[which], true, memory_order_release);
    }
    pthread_mutex_unlock(&mk->lock);
  }
  *st = mk->status[which];
  if (*st != NM_OK) {
    nm__errorf(err, errlen, "%s", mk->err[which]);
    return NULL;
  }
  return q;
}

void nm__markup_delete(nm__markup *mk) {
  if (!mk) return;
  nm_markup__query_free(&mk->q_markdown);
  nm_markup__query_free(&mk->q_markdown_inline);
  nm_markup__query_free(&mk->q_html);
  pthread_mutex_destroy(&mk->lock);
  free(mk);
}

nm_status nm__markup_scan(nm_doc *doc, char *err, size_t errlen) {
  if (doc->input == NM_INPUT_PLAIN) return NM_OK;
  nm__markup *mk = doc->engine->markup;
  if (!mk) {
    nm__errorf(err, errlen, "this engine has no Markdown/HTML grammars");
    return NM_ERR_MARKUP;
  }
  bool html = doc->input == NM_INPUT_HTML;
  nm_status qst;
  const nm_markup__query *query = nm_markup__query_get(mk, html ? NM_Q_HTML : NM_Q_MARKDOWN, &qst, err, errlen);
  const nm_markup__query *inline_query =
      html || !query ? NULL : nm_markup__query_get(mk, NM_Q_MARKDOWN_INLINE, &qst, err, errlen);
  if (!query || (!html && !inline_query)) return qst;
  doc->mask = calloc(doc->len ? doc->len : 1, 1);
  nm_markup__scan s = {0};
  s.doc = doc;
  s.paint = doc->mask;
  s.deadline = nm_markup__now() +
               (NM_MARKUP_BUDGET_BASE_US + NM_MARKUP_BUDGET_US_PER_BYTE * doc->len) / 1e6;
  nm__vec_init(&s.events, sizeof(nm_markup__event));
  nm__vec_init(&s.inlines, sizeof(TSNode));
  TSParser *parser = ts_parser_new();
  TSQueryCursor *cursor = ts_query_cursor_new();
  s.md = pcre2_match_data_create(1, NULL);
  s.clip_to = UINT32_MAX;
  nm_status st = NM_OK;
  if (!doc->mask || !parser || !cursor || !s.md) {
    st = NM_ERR_NOMEM;
  } else {
    st = html ? nm_markup__html(&s, mk, query, parser, cursor, err, errlen)
              : nm_markup__markdown(&s, mk, query, inline_query, parser, cursor, err, errlen);
    if (st == NM_OK) nm_markup__sweep(&s);
  }
  if (cursor) ts_query_cursor_delete(cursor);
  if (parser) ts_parser_delete(parser);
  pcre2_match_data_free(s.md);
  nm__vec_free(&s.events);
  nm__vec_free(&s.inlines);
  if (st != NM_OK) {
    free(doc->mask);
    doc->mask = NULL;
  }
  return st;
}

/* ---- HTML character references ------------------------------------------ */

/* Compare a name of n bytes with a NUL-terminated table name, like strcmp. */
static int nm_markup__name_cmp(const char *key, size_t n, const char *name) {
  size_t i = 0;
  for (; i < n && name[i]; i++)
    if (key[i] != name[i]) return (unsigned char)key[i] < (unsigned char)name[i] ? -1 : 1;
  if (i < n) return 1;
  return name[i] ? -1 : 0;
}

static uint32_t nm_markup__entity_find(const char *key, size_t n) {
  size_t lo = 0, hi = nm__entity_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = nm_markup__name_cmp(key, n, nm__entity_names[mid]);
    if (c == 0) return nm__entity_codes[mid];
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return 0;
}

/* HTML maps numeric references 0x80..0x9F as windows-1252 (&#147; is “). */
static const uint16_t nm_markup__cp1252[32] = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

uint32_t nm__html_entity(const char *s, size_t n, uint32_t *len) {
  if (n < 3 || s[0] != '&') return 0;
  if (s[1] == '#') {
    bool hex = s[2] == 'x' || s[2] == 'X';
    size_t i = hex ? 3 : 2, digits = 0;
    uint32_t cp = 0;
    bool big = false;
    for (; i < n; i++, digits++) {
      unsigned char c = (unsigned char)s[i];
      uint32_t d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else break;
      if (!big) cp = cp * (hex ? 16 : 10) + d;
      if (cp > 0x10FFFF) big = true;
    }
    if (digits == 0) return 0;
    if (i < n && s[i] == ';') i++;
    *len = (uint32_t)i;
    if (big || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
    if (cp >= 0x80 && cp <= 0x9F) return nm_markup__cp1252[cp - 0x80];
    return cp;
  }
  /* Named: the longest name with ';' first, else the longest legacy name
     without one (&amp, &copy), as browsers read text. */
  size_t run = 0;
  while (1 + run < n && run < 40 && nm_markup__is_alnum((unsigned char)s[1 + run])) run++;
  if (run == 0) return 0;
  if (1 + run < n && s[1 + run] == ';') {
    uint32_t cp = nm_markup__entity_find(s + 1, run + 1);
    if (cp) {
      *len = (uint32_t)(run + 2);
      return cp;
    }
  }
  for (size_t k = run < 8 ? run : 8; k >= 2; k--) {
    uint32_t cp = nm_markup__entity_find(s + 1, k);
    if (cp) {
      *len = (uint32_t)(k + 1);
      return cp;
    }
  }
  return 0;
}
