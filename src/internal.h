/*
 * internal.h: what the stages of libnewsmark share. Not installed.
 *
 * A document flows through the stages in this order (doc.c drives them):
 *   markup.c      which bytes are prose (tree-sitter for Markdown and HTML)
 *   segment.c     paragraphs, sentences, tokens
 *   quotes.c      quote marks paired into quotes
 *   attribution.c cues, speakers, channels, entities; mixed and indirect quotes
 *   markers.c     built-in markers and user pattern rules (rules.c compiles them)
 * Offsets inside are uint32_t: a document is at most NM_MAX_DOC bytes.
 */
#ifndef NM_INTERNAL_H
#define NM_INTERNAL_H

#define NM_BUILDING_LIBRARY 1
#include "newsmark.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NM_MAX_DOC 0xFFFFFFF0u
#define NM_NONE UINT32_MAX

/* ---- small helpers (doc.c) --------------------------------------------- */

/* Write a formatted one-line message into a caller's buffer (may be NULL/0). */
void nm__errorf(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A growable array of fixed-size items. */
typedef struct nm__vec {
  void *items;
  size_t count, cap, size;
} nm__vec;
void nm__vec_init(nm__vec *v, size_t item_size);
void *nm__vec_push(nm__vec *v); /* zeroed new slot, NULL on no memory */
bool nm__vec_reserve(nm__vec *v, size_t n);
void nm__vec_free(nm__vec *v);
#define NM_AT(vec, type, i) (((type *)(vec).items)[i])

/* A bump allocator for the strings a document or engine owns. */
typedef struct nm__arena nm__arena;
struct nm__arena {
  struct nm__arena_block *head;
};
char *nm__arena_strndup(nm__arena *a, const char *s, size_t n);
void *nm__arena_alloc(nm__arena *a, size_t n);
void nm__arena_free(nm__arena *a);

/* ---- text (segment.c) --------------------------------------------------- */

/*
 * Decode one character at byte `pos`. Invalid UTF-8 decodes as U+FFFD of
 * length 1. In HTML input an entity (&ldquo; &#8220; &quot; ...) decodes
 * as its character, its length covering the whole entity.
 */
uint32_t nm__decode(const nm_doc *doc, uint32_t pos, uint32_t *len);

/*
 * An HTML character reference at s (&ldquo; &#8220; &#x201C; &quot; ...):
 * its code point, with its byte length in *len; 0 when s holds none
 * (markup.c).
 */
uint32_t nm__html_entity(const char *s, size_t n, uint32_t *len);

/* ---- lexicons (lexicon.c) ----------------------------------------------- */

/*
 * Lexicon classes. A lexicon file in src/lexicon/ is a list of entries, one
 * a line, '#' comments. Each entry is one or more words; lookup is by the
 * lower-cased words of a token run. One entry may be in several classes.
 */
enum {
  NM_LEX_CUE = 1u << 0,        /* reporting verbs and expressions: said, told */
  NM_LEX_CUE_NOUN = 1u << 1,   /* statement, interview, remarks */
  NM_LEX_TITLE = 1u << 2,      /* president, minister, spokesman */
  NM_LEX_ANON_HEAD = 1u << 3,  /* official, source, spokesman, aide */
  NM_LEX_PRONOUN = 1u << 4,    /* he, she, they, it */
  NM_LEX_COUNTRY = 1u << 5,    /* countries and capitals that speak for them */
  NM_LEX_ORG_HEAD = 1u << 6,   /* ministry, agency, council, party */
  NM_LEX_CHANNEL = 1u << 7,    /* news agency, state media names */
  NM_LEX_NOT_NAME = 1u << 8,   /* capitalised words that do not name a source */
  NM_LEX_HEDGE = 1u << 9,
  NM_LEX_LOADED = 1u << 10,
  NM_LEX_CONTESTED = 1u << 11,
  NM_LEX_DENIAL = 1u << 12,
  NM_LEX_BOILERPLATE = 1u << 13,
  NM_LEX_STATE_MEDIA = 1u << 14,
  NM_LEX_AGENCY = 1u << 15,
  NM_LEX_ABBREV = 1u << 16,    /* abbreviations that do not end a sentence */
  NM_LEX_GROUP = 1u << 17,     /* group nouns: officials, critics, experts */
  NM_LEX_DOCUMENT = 1u << 18,  /* report, statement, study */
  NM_LEX_TERM_CUE = 1u << 19,  /* so-called, dubbed, nicknamed */
  NM_LEX_CUE_PREP = 1u << 20,  /* according to, per, citing */
  NM_LEX_NUMBER = 1u << 21,    /* number words: hundred, dozens, third (markers.c) */
  NM_LEX_DATE = 1u << 22,      /* relative-date words: yesterday, Tuesday, last (markers.c) */
  NM_LEX_CREDIT = 1u << 23     /* openings of credit lines: reporting by, photo (markers.c) */
};

/* In a token's `lex`: some multi-word entry starts with this word. */
#define NM_LEX_PREFIX_OF_ENTRY (1u << 31)
/* In a token's `lex`: some multi-word entry has this word after its first
   (no run of words ending in a word without it is an entry or the start of
   one, so a run's lookup can stop there). */
#define NM_LEX_INNER_OF_ENTRY (1u << 30)

typedef struct nm__lexicon nm__lexicon;
/* Build from the embedded lexicon files. NULL on no memory. */
nm__lexicon *nm__lexicon_new(void);
void nm__lexicon_delete(nm__lexicon *lex);
/*
 * Classes of the entry spelled by the lower-cased bytes key[0..n), words
 * separated by one space. 0 when absent. Also reports whether any longer
 * entry starts with this key (so a caller can extend a multi-word match).
 */
uint32_t nm__lexicon_get(const nm__lexicon *lex, const char *key, size_t n, bool *is_prefix);
/*
 * Normalise text into a lookup key: ASCII lower case, runs of spaces (and
 * no-break spaces) to one space, curly apostrophes to '. Returns the key
 * length (at most cap).
 */
size_t nm__lexicon_norm(const char *s, size_t n, char *out, size_t cap);
/*
 * The classes of one word as it stands in the text (normalised here, into
 * at most 64 bytes), with NM_LEX_PREFIX_OF_ENTRY and NM_LEX_INNER_OF_ENTRY,
 * as a token keeps them: the tokenizer's lookup, one pass for plain words.
 * `readable` is how many bytes may be read from word on (past its n): with
 * 16 of them, a short ASCII word is looked up 8 bytes at a time.
 */
uint32_t nm__lexicon_word(const nm__lexicon *lex, const char *word, size_t n, size_t readable);
/*
 * The tokenizer's lookup of a short word it has already lower-cased: the n
 * (1..16) bytes of the key packed into a and b, byte k in bits 8*(k%8) of
 * a for k < 8 and of b after (what a little-endian load reads), zero past
 * n. Returns what nm__lexicon_word does.
 */
uint32_t nm__lexicon_short(const nm__lexicon *lex, uint64_t a, uint64_t b, size_t n);

/* ---- segmentation (segment.c) ------------------------------------------- */

enum nm__tok_type {
  NM_TOK_WORD = 0,   /* letters, digits, inner apostrophes/hyphens/periods */
  NM_TOK_NUMBER,     /* starts with a digit or currency sign */
  NM_TOK_PUNCT,      /* any other visible character */
  NM_TOK_QUOTE       /* a quote mark (apostrophes are part of words) */
};

enum nm__tok_flags {
  NM_TF_CAP = 1u << 0,        /* starts with an upper-case letter */
  NM_TF_SENT_START = 1u << 1, /* first token of a sentence */
  NM_TF_PARA_START = 1u << 2, /* first token of a paragraph */
  NM_TF_ALLCAPS = 1u << 3,
  NM_TF_IN_QUOTE = 1u << 4,   /* inside quote marks (set by quotes.c) */
  NM_TF_ABBREV = 1u << 5      /* ends with '.' that does not end a sentence */
};

/* For NM_TOK_QUOTE tokens: the mark, in `mark`. */
enum nm__mark {
  NM_MARK_NONE = 0,
  NM_MARK_DOUBLE_OPEN,   /* “ „ ‟ « */
  NM_MARK_DOUBLE_CLOSE,  /* ” » */
  NM_MARK_DOUBLE_AMBIG,  /* " '' */
  NM_MARK_SINGLE_OPEN,   /* ‘ ‚ ‛ ‹ */
  NM_MARK_SINGLE_CLOSE,  /* ’ › */
  NM_MARK_SINGLE_AMBIG   /* ' */
};

typedef struct nm__token {
  uint32_t start, end;
  uint32_t lex;    /* lexicon classes of the single lower-cased word */
  uint32_t sent;   /* sentence index */
  uint8_t type;    /* nm__tok_type */
  uint8_t flags;   /* nm__tok_flags */
  uint8_t mark;    /* nm__mark, for quote tokens */
  uint8_t space;   /* 1 when whitespace precedes the token */
} nm__token;

enum nm__para_flags {
  NM_PF_HEADING = 1u << 0,     /* headline, subhead or teaser line */
  NM_PF_BOILERPLATE = 1u << 1, /* page furniture (markers.c may set it) */
  NM_PF_CREDIT = 1u << 2,      /* byline or reporting credit */
  NM_PF_MARKUP_BOILER = 1u << 3 /* inside <aside>/<nav>/<footer> in HTML */
};

typedef struct nm__para {
  uint32_t start, end;         /* trimmed of surrounding whitespace */
  uint32_t first_tok, end_tok; /* tokens [first_tok, end_tok) */
  uint32_t flags;
} nm__para;

typedef struct nm__sent {
  uint32_t start, end;
  uint32_t first_tok, end_tok;
  uint32_t para;
} nm__sent;

/* Mask bytes, set by markup.c for Markdown and HTML input (NULL for plain). */
enum nm__mask {
  NM_MASK_PROSE = 0,
  NM_MASK_SKIP = 1,    /* markup inside prose (**, <em>, link URLs): invisible */
  NM_MASK_BREAK = 2,   /* not prose, and a paragraph boundary (code, <p>, script) */
  NM_MASK_HEADING = 4, /* bit: prose inside a heading */
  NM_MASK_BOILER = 8   /* bit: prose inside <aside>, <nav>, <footer> */
};

/* ---- quotes and entities ------------------------------------------------ */

typedef struct nm__quote {
  uint32_t start, end;
  uint32_t speaker_start, speaker_end; /* NM_NONE when absent */
  uint32_t cue_start, cue_end;
  uint32_t via_start, via_end;
  int32_t entity; /* -1 when none */
  int32_t parent; /* mixed quote index for a fragment, else -1 */
  int32_t chain_prev; /* the quote this continuation paragraph continues, else -1 */
  uint8_t kind;   /* nm_quote_kind */
  uint8_t closed; /* 1 when a closing mark was found */
  uint8_t in_boiler; /* inside a boilerplate line: not an article quote */
  uint32_t first_tok, end_tok;
} nm__quote;

typedef struct nm__entity {
  char *name;  /* arena */
  char *title; /* arena, or NULL */
  uint8_t type;
  uint8_t anonymous;
  uint8_t gender;   /* NM_ATTR_HE or NM_ATTR_SHE once a pronoun has named it, else 0 */
  nm__vec mentions; /* of uint32_t pairs [start, end] */
} nm__entity;
enum { NM_ATTR_HE = 1, NM_ATTR_SHE = 2 };

typedef struct nm__marker {
  uint32_t start, end;
  const char *kind, *rule, *message; /* engine-owned or doc arena */
  int severity;
} nm__marker;

/* ---- markup (markup.c) -------------------------------------------------- */

/* The Markdown and HTML grammars with their compiled prose queries. */
typedef struct nm__markup nm__markup;
/*
 * Check each grammar's language ABI against the tree-sitter runtime. NULL on
 * failure, with NM_ERR_ABI or NM_ERR_NOMEM in *status and a message in err.
 * The queries in queries/ (embedded) compile on first use, under a lock:
 * documents on several threads may share it. A query that fails to compile
 * fails every Markdown/HTML document with its message (NM_ERR_MARKUP).
 */
nm__markup *nm__markup_new(nm_status *status, char *err, size_t errlen);
void nm__markup_delete(nm__markup *markup);
/* NM_OK when a grammar (a const TSLanguage *) has a language ABI this
   tree-sitter runtime reads; else NM_ERR_ABI with both versions in err. */
nm_status nm__markup_check_abi(const void *language, const char *name, char *err, size_t errlen);

/* ---- rules (rules.c) ---------------------------------------------------- */

typedef struct nm__rule nm__rule; /* defined in rules.c */

/* ---- the learned tagger (tagger.c) ---------------------------------------- */

/* Tags: O, then B/I pairs for cue, source and content. */
enum {
  NM_TAG_O = 0,
  NM_TAG_B_CUE, NM_TAG_I_CUE,
  NM_TAG_B_SRC, NM_TAG_I_SRC,
  NM_TAG_B_CON, NM_TAG_I_CON,
  NM_TAG_COUNT
};
#define NM_TAG_SLOTS 8 /* weights per feature row: the tags, padded to 16 bytes */
/* Rows of previous-tag weights: (prev2, prev) pairs, then prev alone. */
#define NM_TAG_PREV2 (NM_TAG_COUNT * NM_TAG_COUNT + NM_TAG_COUNT)
#define NM_TAG_MAX_FEATURES 48

/* A model: views into the embedded bytes (weights NULL when there is none). */
typedef struct nm__tagger {
  const int16_t *trans;   /* NM_TAG_PREV2 rows of NM_TAG_SLOTS */
  const int16_t *weights; /* (mask + 1) rows of NM_TAG_SLOTS */
  uint32_t mask;
  float scale; /* weights are the trained ones times scale */
} nm__tagger;
/* Read a model file's bytes (tagger.c says the format); false when they hold none. */
bool nm__tagger_init(nm__tagger *tg, const unsigned char *data, size_t len);

/* Per-document feature context (shared with the trainer, train_tagger.c). */
typedef struct nm__tagger_ctx nm__tagger_ctx;
nm__tagger_ctx *nm__tagger_ctx_new(const nm_doc *doc); /* needs the tokens; NULL on no memory */
void nm__tagger_ctx_free(nm__tagger_ctx *c);
/* Where the window that starts at token `first` ends: the paragraph's end,
   or a chunk of a long paragraph. */
uint32_t nm__tagger_chunk_end(const nm__tagger_ctx *c, uint32_t first);
/* Prepare tokens [first, end) (from nm__tagger_chunk_end) for nm__tagger_features. */
nm_status nm__tagger_ctx_window(nm__tagger_ctx *c, uint32_t first, uint32_t end);
/* Hashed features of token i (in the window) into f (at most
   NM_TAG_MAX_FEATURES); returns how many. */
size_t nm__tagger_features(const nm__tagger_ctx *c, uint32_t i, uint32_t *f);
/* Tag every token (greedy, left to right): in each byte of tags the tag
   (low 3 bits) and its lead over the runner-up (tagger.c, NM_TAGGER__LEAD). */
nm_status nm__tagger_decode(const nm__tagger *tg, nm__tagger_ctx *c, uint8_t *tags);

/* The embedded model (src/tagger_model.S: empty when built without the corpus). */
extern const unsigned char nm__tagger_model[];
extern const unsigned char nm__tagger_model_end[];

/* ---- the engine and the document ---------------------------------------- */

struct nm_engine {
  nm__lexicon *lexicon;
  nm__markup *markup;   /* markup.c: grammars and prose queries */
  nm__vec rules;        /* of nm__rule * */
  nm__vec only_kinds;   /* of char * (arena) */
  nm__arena arena;
  uint32_t match_limit, depth_limit;
  bool compiled;
  void *rules_state;    /* rules.c: compiled scanners, match data size */
  nm__tagger tagger;    /* tagger.c: the embedded model (weights NULL when none) */
  bool tagger_off;      /* nm_engine_set_tagger(e, 0) */
  /* The trainer's hook (train_tagger.c): called instead of the tagger, while
     the tokens still exist. NULL in the library's own use. */
  nm_status (*tagger_hook)(nm_doc *doc, void *ud);
  void *tagger_hook_ud;
};

struct nm_doc {
  nm_engine *engine;
  char *text; /* owned copy, NUL-terminated */
  uint32_t len;
  int input;  /* nm_input */
  uint8_t *mask; /* NULL for plain text */

  nm__vec tokens;   /* nm__token */
  nm__vec sents;    /* nm__sent */
  nm__vec paras;    /* nm__para */
  nm__vec quotes;   /* nm__quote */
  nm__vec entities; /* nm__entity */
  nm__vec markers;  /* nm__marker */
  nm__vec errors;   /* char * (arena) */
  nm__arena arena;
};

/* Stages. Each returns NM_OK or a status with a message in err. */
/* nm_doc_new without the copy: `text` comes from malloc with room for
   len + 1 bytes, and the document owns it from here on (it is freed on
   failure too). annotate hands over the file it read, so a big document is
   not held twice. */
nm_doc *nm__doc_new_owned(nm_engine *engine, char *text, size_t len, int input, nm_status *status, char *err,
                          size_t errlen);
nm_status nm__markup_scan(nm_doc *doc, char *err, size_t errlen);
nm_status nm__segment(nm_doc *doc, char *err, size_t errlen);
nm_status nm__find_quotes(nm_doc *doc, char *err, size_t errlen);
/* Sentences, once quotes are paired (segment.c; called by attribution). */
nm_status nm__split_sentences(nm_doc *doc);
/* The first of tokens t[0, n) that ends after byte pos (the token holding
   pos, or the next one); n when none does. */
uint32_t nm__tok_at(const nm__token *t, uint32_t n, uint32_t pos);
/*
 * One more word of a multi-word lexicon run that starts at token `first`
 * (lexicon.c): token t's word is appended to the run's key (key[0..*n),
 * which holds the first word once a run needs it: *n is 0 before) and the
 * run is looked up. False when the run can be no entry and start none (t is
 * a word no entry has after its first word) or the key is full; else the
 * run's classes in *cls and whether longer entries start with it in *more.
 */
bool nm__lexicon_run_step(const nm__lexicon *lex, const char *text, const nm__token *first, const nm__token *t,
                          char *key, size_t cap, size_t *n, uint32_t *cls, bool *more);

/* A span with an id (a quote's index, an entity), kept sorted by start,
   end and id for binary search (doc.c). */
typedef struct nm__span_ref {
  uint32_t start, end;
  uint32_t id;
} nm__span_ref;
int nm__span_ref_cmp(const void *a, const void *b); /* for qsort */
/* The first ref that starts at or after start. */
size_t nm__span_ref_lower(const nm__span_ref *r, size_t n, uint32_t start);
/* The id of the first ref spanning exactly [start, end), else -1. */
int32_t nm__span_ref_find(const nm__span_ref *r, size_t n, uint32_t start, uint32_t end);
nm_status nm__attribute(nm_doc *doc, char *err, size_t errlen);
/* After the tagger: each quote's cue widened to its verb group ("has repeatedly said"). */
void nm__attr_verb_groups(nm_doc *doc);
/* The rules' test for reported content, for the tagger (attribution.c). */
bool nm__attr_reports_content(nm_doc *doc, uint32_t cue_first, uint32_t cue_end, uint32_t content_first,
                              uint32_t content_end, bool has_quote);
/* The rules' noun phrase ending at token head, starting at lo or later (attribution.c). */
bool nm__attr_np_left(nm_doc *doc, uint32_t head, uint32_t lo, uint32_t *first, uint32_t *end);
/* Is token i an article? (attribution.c) */
bool nm__attr_article(nm_doc *doc, uint32_t i);
/* Entities for the speakers a later stage (the tagger) found without one:
   quotes in text order, each speaker resolved as the rules resolve theirs
   ("she" to the person last quoted, "Choe" to "Choe Son Hui"), or a new
   entity. Needs the tokens and the quotes sorted. */
nm_status nm__attr_late_entities(nm_doc *doc);
/* Does a phrase ending at token i stop short ("... to close the")? (attribution.c) */
bool nm__attr_dangling(nm_doc *doc, uint32_t i);
/* Does content starting at token i only ask for anonymity ("not to be named")? (attribution.c) */
bool nm__attr_asks_anonymity(nm_doc *doc, uint32_t i);
/* The learned tagger's quotes, merged with the rules' (tagger.c). */
nm_status nm__tag(nm_doc *doc, char *err, size_t errlen);
nm_status nm__find_markers(nm_doc *doc, char *err, size_t errlen);

/*
 * Page furniture, decided line by line before quotes are paired (markers.c):
 * NM_PF_BOILERPLATE ("ALSO READ: ...", "JOIN US ON TELEGRAM"), NM_PF_CREDIT
 * ("(Reporting by ...)"), or 0 for article text. [start, end) is one
 * paragraph, already trimmed.
 */
uint32_t nm__classify_line(const nm_doc *doc, uint32_t start, uint32_t end);

/* ---- Lua rules for annotate (annotate_lua.c; linked into annotate only) -- */
typedef struct nm_lua_rules nm_lua_rules;
/*
 * Load rule files: pattern and word rules are added to the engine, function
 * rules are kept for nm_lua_rules_run. NULL on error, with
 * "FILE:LINE: message" (and the rule id when one is known) in err.
 */
nm_lua_rules *nm_lua_rules_new(nm_engine *engine, const char *const *files, size_t nfiles,
                               char *err, size_t errlen);
/* Run the function rules over doc, adding their markers to it. A rule that
   fails is reported through on_error (naming the rule id) and the others run. */
nm_status nm_lua_rules_run(nm_lua_rules *rules, nm_doc *doc,
                           void (*on_error)(void *ud, const char *message), void *ud);
void nm_lua_rules_delete(nm_lua_rules *rules);

/* Engine parts owned by rules.c. */
nm_status nm__rules_builtin(nm_engine *engine, char *err, size_t errlen);
nm_status nm__rules_compile(nm_engine *engine, char *err, size_t errlen);
void nm__rules_free(nm_engine *engine);

/* Record an analysis error on the document (formatted, copied). */
void nm__doc_error(nm_doc *doc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Add a marker whose strings outlive the doc (engine-owned or static). */
nm_status nm__doc_push_marker(nm_doc *doc, uint32_t start, uint32_t end, const char *kind,
                              const char *rule, const char *message, int severity);

/*
 * annotate --format=html (annotate_html.c): write doc as a standalone page,
 * quotes coloured by speaker with hover notes, and a sources panel. `file`
 * (may be NULL) names it in the title. Returns 0, or -1 when writing failed.
 */
int nm_render_html(FILE *out, const nm_doc *doc, const char *file);

/* Embedded data files (generated by the Makefile from src/lexicon/ and queries/). */
extern const char nm__lexicon_text[];
extern const size_t nm__lexicon_text_len;

#endif /* NM_INTERNAL_H */
