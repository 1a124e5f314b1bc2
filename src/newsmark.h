/*
 * newsmark.h: the one public header of libnewsmark.
 *
 * newsmark reads news text and finds quotes, their sources (speaker, cue,
 * channel, resolved entity) and fact-checking markers.
 *
 * Conventions, everywhere in this header:
 *  - Text is (const char *text, size_t len). It need not be NUL-terminated,
 *    may hold NUL bytes, CRLF and invalid UTF-8, and is never rewritten.
 *  - Every position is a 0-based byte offset into that text, end-exclusive:
 *    [start, end).
 *  - Objects come in new/delete pairs; every delete accepts NULL.
 *  - Failures return a status (NM_OK is 0) and, where a buffer is given,
 *    a one-line message written into it (always NUL-terminated, truncated
 *    to fit). The library never prints, never exits, never aborts.
 *  - No global state. A finished engine (see nm_engine_compile) is
 *    immutable and may be shared by threads; each document is its own.
 *  - Accessors take plain arguments and return plain values, so LuaJIT's
 *    FFI can call them without mirroring any struct layout.
 */
#ifndef NEWSMARK_H
#define NEWSMARK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NM_BUILDING_LIBRARY) && defined(__GNUC__)
#define NM_API __attribute__((visibility("default")))
#else
#define NM_API
#endif

#define NM_VERSION_MAJOR 0
#define NM_VERSION_MINOR 1
#define NM_VERSION_PATCH 0
/* The "newsmark" number written in the JSON output (SPEC.md). */
#define NM_JSON_VERSION 1

typedef struct nm_engine nm_engine;
typedef struct nm_doc nm_doc;

typedef enum nm_status {
  NM_OK = 0,
  NM_ERR_NOMEM,    /* an allocation failed */
  NM_ERR_ARGUMENT, /* a NULL or out-of-range argument, or misuse */
  NM_ERR_RULE,     /* a rule does not compile or is malformed */
  NM_ERR_LIMIT,    /* input or rule hit a size, match or depth limit */
  NM_ERR_MARKUP,   /* Markdown/HTML parsing failed or is unavailable */
  NM_ERR_ABI       /* a grammar and the tree-sitter runtime disagree */
} nm_status;

typedef enum nm_input {
  NM_INPUT_PLAIN = 0,
  NM_INPUT_MARKDOWN,
  NM_INPUT_HTML
} nm_input;

typedef enum nm_quote_kind {
  NM_QUOTE_DIRECT = 0, /* a quoted sentence or more */
  NM_QUOTE_PARTIAL,    /* a quoted fragment inside the writer's sentence */
  NM_QUOTE_MIXED,      /* reported content holding quoted fragments */
  NM_QUOTE_INDIRECT,   /* reported content, no quote marks */
  NM_QUOTE_HEADING,    /* a quote in a headline, subhead or teaser line */
  NM_QUOTE_TERM        /* marks that quote no one: titles, nicknames */
} nm_quote_kind;

/* The parts of a quote that have a span. */
typedef enum nm_part {
  NM_PART_QUOTE = 0, /* the quote itself (marks included, or the content) */
  NM_PART_SPEAKER,   /* the mention naming the source, as written */
  NM_PART_CUE,       /* the reporting expression */
  NM_PART_VIA        /* the channel: "the official KCNA news agency" */
} nm_part;

typedef enum nm_entity_type {
  NM_ENTITY_PERSON = 0,
  NM_ENTITY_ORGANIZATION,
  NM_ENTITY_COUNTRY,
  NM_ENTITY_GROUP,
  NM_ENTITY_DOCUMENT,
  NM_ENTITY_UNKNOWN
} nm_entity_type;

typedef enum nm_severity { NM_SEVERITY_INFO = 0, NM_SEVERITY_WARNING } nm_severity;

/* Where a pattern rule may match. */
typedef enum nm_inside {
  NM_INSIDE_ANY = 0,
  NM_INSIDE_PROSE, /* the writer's own voice: outside every quote */
  NM_INSIDE_QUOTE  /* inside quote marks */
} nm_inside;

/* ---- Version ------------------------------------------------------------ */

/* "MAJOR.MINOR.PATCH" of the library actually loaded. Static storage. */
NM_API const char *nm_version(void);
/* MAJOR * 10000 + MINOR * 100 + PATCH, to compare with the macros above. */
NM_API int nm_version_number(void);

/* Names for the enums above ("direct", "person", "warning", ...), and back.
   Unknown values give NULL or -1. The strings are static. */
NM_API const char *nm_quote_kind_name(int kind);
NM_API const char *nm_entity_type_name(int type);
NM_API const char *nm_severity_name(int severity);
NM_API const char *nm_status_name(int status);
NM_API int nm_input_from_name(const char *name); /* "plain", "markdown", "html" */

/* ---- Engine ------------------------------------------------------------- */

/*
 * Create an engine with the built-in lexicons and built-in marker rules.
 * Returns NULL on failure, with the reason in err (errlen bytes, may be 0).
 * The caller frees it with nm_engine_delete.
 */
NM_API nm_engine *nm_engine_new(char *err, size_t errlen);
NM_API void nm_engine_delete(nm_engine *self);

/*
 * Add a user pattern rule (before nm_engine_compile). `pattern` is PCRE2
 * syntax (UTF mode). `id`, `kind` and `message` are copied; `message` may be
 * NULL. `origin` says where the rule came from ("house.lua:12"), may be NULL.
 * A pattern that does not compile fails with NM_ERR_RULE and a message that
 * names the rule id and the offset in the pattern.
 */
NM_API nm_status nm_engine_add_pattern(nm_engine *self, const char *id, const char *kind,
                                       const char *pattern, size_t pattern_len,
                                       const char *message, int severity, int inside,
                                       const char *origin, char *err, size_t errlen);

/*
 * Add a user word-list rule: the words match on word boundaries, with the
 * case as given. The words are copied.
 */
NM_API nm_status nm_engine_add_words(nm_engine *self, const char *id, const char *kind,
                                     const char *const *words, size_t nwords,
                                     const char *message, int severity, int inside,
                                     const char *origin, char *err, size_t errlen);

/* Run only rules of this kind (may be called several times: the union). */
NM_API nm_status nm_engine_only_kind(nm_engine *self, const char *kind);
/* Turn one rule off by id. NM_ERR_ARGUMENT when no rule has that id. */
NM_API nm_status nm_engine_disable_rule(nm_engine *self, const char *id);
/* Limits for user patterns (PCRE2 match and depth limits). 0 keeps a default. */
NM_API nm_status nm_engine_set_limits(nm_engine *self, uint32_t match_limit, uint32_t depth_limit);

/*
 * The learned attribution tagger (README: "The learned tagger"), on by
 * default when the library was built with a model: it finds open-class
 * cues, pronoun and long noun-phrase sources and reported content that the
 * rules miss, and adjusts the rules' reported-speech quotes. `on` 0 turns
 * it off for documents made afterwards, leaving the rule-based analysis
 * alone. nm_engine_has_tagger is 1 when a model is built in (0 when the
 * library was built without the training corpus; the tagger is then off).
 */
NM_API nm_status nm_engine_set_tagger(nm_engine *self, int on);
NM_API int nm_engine_has_tagger(const nm_engine *self);

/*
 * Finish the engine: JIT-compile the rules. After this the engine is
 * immutable; nm_doc_new compiles it implicitly if the caller did not.
 */
NM_API nm_status nm_engine_compile(nm_engine *self, char *err, size_t errlen);

/* The rules, built-in and user, in order. Strings are owned by the engine. */
NM_API size_t nm_engine_rule_count(const nm_engine *self);
NM_API const char *nm_engine_rule_id(const nm_engine *self, size_t i);
NM_API const char *nm_engine_rule_kind(const nm_engine *self, size_t i);
NM_API const char *nm_engine_rule_origin(const nm_engine *self, size_t i); /* "built-in" or as given */
NM_API int nm_engine_rule_enabled(const nm_engine *self, size_t i);

/* ---- Document ----------------------------------------------------------- */

/*
 * Analyse text. The text is copied; the caller may free it afterwards.
 * Returns NULL on failure with *status (may be NULL) and err set. A rule
 * that fails while matching (a match limit, say) does not fail the whole
 * document: see nm_doc_error_count.
 * The caller frees the result with nm_doc_delete.
 */
NM_API nm_doc *nm_doc_new(nm_engine *engine, const char *text, size_t len, int input,
                          nm_status *status, char *err, size_t errlen);
NM_API void nm_doc_delete(nm_doc *self);

/* The analysed text (the copy, NUL-terminated for convenience). */
NM_API const char *nm_doc_text(const nm_doc *self);
NM_API size_t nm_doc_length(const nm_doc *self);

/* Quotes, in order of their start. */
NM_API size_t nm_doc_quote_count(const nm_doc *self);
NM_API int nm_doc_quote_kind(const nm_doc *self, size_t i);
/*
 * The span of one part of quote i. Returns 1 and fills *start and *end when
 * the part exists, 0 when it does not (a quote with no cue, say).
 */
NM_API int nm_doc_quote_part(const nm_doc *self, size_t i, int part, size_t *start, size_t *end);
/* The entity index of the quote's speaker, or -1 when none. */
NM_API long nm_doc_quote_entity(const nm_doc *self, size_t i);
/* For a partial fragment of a mixed quote: the index of that mixed quote; else -1. */
NM_API long nm_doc_quote_parent(const nm_doc *self, size_t i);
/* 1 when the quote stands in page furniture (a teaser or "ALSO READ:" line):
   it is reported, but it is not one of the article's own quotes. */
NM_API int nm_doc_quote_boilerplate(const nm_doc *self, size_t i);

/* Entities: every source the text quotes, merged across mentions. */
NM_API size_t nm_doc_entity_count(const nm_doc *self);
NM_API const char *nm_doc_entity_name(const nm_doc *self, size_t i);  /* owned by the doc */
NM_API const char *nm_doc_entity_title(const nm_doc *self, size_t i); /* NULL when none */
NM_API int nm_doc_entity_type(const nm_doc *self, size_t i);
NM_API int nm_doc_entity_anonymous(const nm_doc *self, size_t i);
NM_API size_t nm_doc_entity_mention_count(const nm_doc *self, size_t i);
NM_API int nm_doc_entity_mention(const nm_doc *self, size_t i, size_t j, size_t *start, size_t *end);

/* Markers, in order of their start. Strings are owned by the doc. */
NM_API size_t nm_doc_marker_count(const nm_doc *self);
NM_API int nm_doc_marker_span(const nm_doc *self, size_t i, size_t *start, size_t *end);
NM_API const char *nm_doc_marker_kind(const nm_doc *self, size_t i);
NM_API const char *nm_doc_marker_rule(const nm_doc *self, size_t i);
NM_API const char *nm_doc_marker_message(const nm_doc *self, size_t i);
NM_API int nm_doc_marker_severity(const nm_doc *self, size_t i);

/*
 * Add a marker computed outside the library (a Lua function rule). Strings
 * are copied. Markers stay sorted by start.
 */
NM_API nm_status nm_doc_add_marker(nm_doc *self, const char *kind, const char *rule,
                                   size_t start, size_t end, const char *message, int severity);

/* Errors met while analysing ("rule house.x: match limit exceeded"). */
NM_API size_t nm_doc_error_count(const nm_doc *self);
NM_API const char *nm_doc_error(const nm_doc *self, size_t i);

/*
 * The document as the JSON object of SPEC.md, on one line, no trailing
 * newline. `file` (may be NULL) is written as the "file" field. Returns
 * a buffer the caller frees with nm_free, and its length in *len; NULL
 * when memory runs out.
 */
NM_API char *nm_doc_to_json(const nm_doc *self, const char *file, size_t *len);
/*
 * The same JSON, handed to `sink` in pieces of at most 64 KB as it is
 * written, so a large document's JSON is never held whole. A sink that
 * returns non-zero stops the writing: NM_ERR_LIMIT. NM_ERR_NOMEM when memory
 * runs out.
 */
NM_API nm_status nm_doc_write_json(const nm_doc *self, const char *file,
                                   int (*sink)(void *ud, const char *data, size_t len), void *ud);
NM_API void nm_free(void *p);

/* ---- Compare ------------------------------------------------------------- */

/*
 * Group the quotes of several documents that report the same words, and say
 * how the members differ word by word (README: "Comparing outlets").
 *
 * Words are compared after normalising case, curly and straight marks and
 * punctuation, and spelling variants (colour/color: src/lexicon/spellings.txt),
 * so those alone never make a difference. Candidates come from an inverted
 * index of word 3-grams; a candidate pair is kept after a word alignment.
 * Quotes of fewer than 4 words are never grouped; quotes of 4 or 5 words
 * only with a quote of about the same length, whose words differ by at most
 * one, whose speaker may be the same, and whose surrounding words are
 * largely shared. Under 12 words, two quotes group only when their
 * speakers' names agree, or, with no name to check, when the words around
 * them are largely shared. Direct, partial and heading quotes take part; mixed,
 * indirect, term and boilerplate quotes do not (a mixed quote's words are
 * its partial fragments).
 *
 * Use: nm_compare_new, nm_compare_add for each document (or
 * nm_compare_add_quote), nm_compare_run once, then the accessors.
 * Quote numbers q below index every quote the comparison kept, in the order
 * added; documents are numbered in the order added, from 0.
 */
typedef struct nm_compare nm_compare;

/* How a member differs from the member it is compared with. */
typedef enum nm_diff_kind {
  NM_DIFF_SPELLING = 0, /* the same word spelt differently: colours / colors */
  NM_DIFF_SUBSTITUTION, /* other words in the same place: another translation, a misquote */
  NM_DIFF_OMISSION,     /* one side elides with an ellipsis what the other quotes */
  NM_DIFF_ADDITION,     /* one side has words the other lacks, with no ellipsis */
  NM_DIFF_SPEAKER       /* the same words given to different named speakers */
} nm_diff_kind;

/* "spelling", "substitution", ...; NULL for an unknown value. Static. */
NM_API const char *nm_diff_kind_name(int kind);

/* Returns NULL on failure, with the reason in err. Free with nm_compare_delete. */
NM_API nm_compare *nm_compare_new(char *err, size_t errlen);
NM_API void nm_compare_delete(nm_compare *self);

/*
 * Add the quotes of an analysed document as the next document. `file`
 * (may be NULL) is copied and only named back by nm_compare_doc_file. The
 * comparison keeps what it needs (word hashes, spans, speaker names); doc
 * may be deleted afterwards. NM_ERR_ARGUMENT after nm_compare_run.
 */
NM_API nm_status nm_compare_add(nm_compare *self, const nm_doc *doc, const char *file);

/*
 * Add one quote found elsewhere (a JSONL record, a test). `text` is its
 * whole document, [start, end) the quote, [speaker_start, speaker_end) the
 * speaker mention (equal when none); `speaker` the speaker's name or NULL,
 * `anonymous` 1 for an unnamed source. `quote_id` is reported back as is.
 * Consecutive calls with the same `file` add to one document; another file
 * starts the next document.
 */
NM_API nm_status nm_compare_add_quote(nm_compare *self, const char *file, const char *text, size_t len,
                                      long quote_id, size_t start, size_t end, const char *speaker,
                                      int anonymous, size_t speaker_start, size_t speaker_end);

/* Index, align and group. Once per comparison; later adds are refused. */
NM_API nm_status nm_compare_run(nm_compare *self);

NM_API size_t nm_compare_doc_count(const nm_compare *self);
NM_API const char *nm_compare_doc_file(const nm_compare *self, size_t doc); /* NULL when none given */

/* The quotes kept: their document, id (nm_doc quote index), span, speaker. */
NM_API size_t nm_compare_quote_count(const nm_compare *self);
NM_API size_t nm_compare_quote_doc(const nm_compare *self, size_t q);
NM_API long nm_compare_quote_id(const nm_compare *self, size_t q);
NM_API int nm_compare_quote_span(const nm_compare *self, size_t q, size_t *start, size_t *end);
NM_API const char *nm_compare_quote_speaker(const nm_compare *self, size_t q); /* NULL when none */

/*
 * Groups of two or more quotes, in order of their first member; members in
 * the order added. nm_compare_group_variant is 1 when some member differs
 * in a reported way (a group of exact copies is 0). Member m is compared
 * with nm_compare_group_parent(g, m) (a member number, -1 for the group's
 * longest quote, which all others are compared against, directly or through
 * another member).
 */
NM_API size_t nm_compare_group_count(const nm_compare *self);
NM_API size_t nm_compare_group_size(const nm_compare *self, size_t g);
NM_API size_t nm_compare_group_member(const nm_compare *self, size_t g, size_t m); /* a quote number q */
NM_API long nm_compare_group_parent(const nm_compare *self, size_t g, size_t m);
NM_API int nm_compare_group_variant(const nm_compare *self, size_t g);
/* The group of quote q, or -1 when it is in none. */
NM_API long nm_compare_quote_group(const nm_compare *self, size_t q);

/*
 * The differences of group g, each between two quotes a and b (quote
 * numbers; a is b's parent). The spans are byte offsets in each quote's own
 * document; an empty span (start == end) marks the place where the side has
 * nothing. For NM_DIFF_SPEAKER they are the speaker mentions. Returns the
 * kind, or -1 when k is out of range. Out-parameters may be NULL.
 */
NM_API size_t nm_compare_group_diff_count(const nm_compare *self, size_t g);
NM_API int nm_compare_group_diff(const nm_compare *self, size_t g, size_t k, size_t *a, size_t *a_start,
                                 size_t *a_end, size_t *b, size_t *b_start, size_t *b_end);

#ifdef __cplusplus
}
#endif

#endif /* NEWSMARK_H */
