/*
 * attribution.c: who said it. Finds reporting frames (a cue with its
 * speaker, channel and content), gives every quote its frame, makes mixed
 * and indirect quotes of reported content, and merges speaker mentions into
 * entities.
 *
 * No parser: noun phrases are read off tokens, capitals and the lexicons.
 * A frame is only kept when its cue has a plausible speaker next to it
 * ("X said", "said X", "according to X", ", saying"), which is what keeps
 * noun uses of cue words ("dismissed reports") from becoming frames.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct nm_attr__span {
  uint32_t first, end; /* tokens [first, end); first == NM_NONE when absent */
} nm_attr__span;

typedef struct nm_attr__frame {
  nm_attr__span cue, speaker, via, content;
  uint32_t sent;
  bool inverted;    /* said X */
  bool participial; /* ..., saying */
  int32_t entity;
} nm_attr__frame;

/* The lexicon classes of the runs of words from one token (nm_attr__lex_run):
   the frame search asks at each token for cues of two classes, and a run's
   keys cost a lookup each. */
typedef struct nm_attr__run_memo {
  uint32_t first, hi; /* the run asked for last; first NM_NONE when none */
  uint32_t n;         /* runs looked up: of 1..n words */
  uint32_t cls[5];    /* classes of the run of k + 1 words */
} nm_attr__run_memo;

/*
 * A quick no for nm_attr__is_any, which the frame search asks tens of times
 * a sentence, most often of words in none of its lists: for each signature
 * (length, first and last letter) of a word, a bit for each list holding a
 * word of it. A list gets its bit when it is first asked about.
 */
#define NM_ATTR_SIGNATURES 1024
#define NM_ATTR_LIST_SLOTS 64 /* a hash of the lists' addresses, for their bits */
typedef struct nm_attr__filter {
  const char *const *lists[NM_ATTR_LIST_SLOTS]; /* NULL when free */
  uint32_t list_bit[NM_ATTR_LIST_SLOTS];
  uint32_t nlists;
  uint32_t bits[NM_ATTR_SIGNATURES];
} nm_attr__filter;

typedef struct nm_attr__ctx {
  nm_doc *doc;
  nm__token *t;
  uint32_t ntok;
  const nm__lexicon *lex;
  nm__vec frames; /* nm_attr__frame */
  nm_attr__run_memo *memo; /* NULL: look runs up every time */
  nm_attr__filter *filter; /* NULL: read the lists every time */
} nm_attr__ctx;

static const nm_attr__span nm_attr__none = {NM_NONE, NM_NONE};

/* The longest apposition after an inverted speaker, in tokens. */
#define NM_ATTR_APPOSITION_MAX 40u

/* ---- private: token tests ----------------------------------------------- */

/* nm_attr__is past its first letter. */
static bool nm_attr__is_rest(const nm_attr__ctx *c, uint32_t i, const char *word) {
  const nm__token *t = &c->t[i];
  size_t n = t->end - t->start;
  const char *s = c->doc->text + t->start;
  /* No strlen: most calls fail on the first letters (a strlen per call was
     3% of annotate's cycles). A shorter word ends at its NUL, a longer one
     has no NUL at n. */
  for (size_t k = 1; k < n; k++)
    if (!word[k] || (s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]) != word[k]) return false;
  return word[n] == '\0';
}

/* Case-insensitive comparison of token i with a lower-case ASCII word. The
   first letter inline: it tells most calls no, and with a literal word the
   compiler knows it. */
static inline bool nm_attr__is(const nm_attr__ctx *c, uint32_t i, const char *word) {
  if (i >= c->ntok) return false;
  char first = c->doc->text[c->t[i].start];
  if (first >= 'A' && first <= 'Z') first += 32;
  return first == word[0] && word[0] && nm_attr__is_rest(c, i, word);
}

static uint32_t nm_attr__signature(size_t n, unsigned char first, unsigned char last) {
  return ((uint32_t)(n * 31 + first) * 31 + last) & (NM_ATTR_SIGNATURES - 1);
}

/* The bit of a word list in the filter, given it on first use; 0 once the
   filter has no bits left. */
static uint32_t nm_attr__filter_bit(nm_attr__filter *f, const char *const *words) {
  size_t k = ((uintptr_t)words / sizeof *words) % NM_ATTR_LIST_SLOTS;
  while (f->lists[k] && f->lists[k] != words) k = (k + 1) % NM_ATTR_LIST_SLOTS;
  if (f->lists[k]) return f->list_bit[k];
  if (f->nlists == 32) return 0;
  uint32_t bit = 1u << f->nlists++;
  f->lists[k] = words;
  f->list_bit[k] = bit;
  for (; *words; words++) {
    size_t n = strlen(*words);
    if (n) f->bits[nm_attr__signature(n, (unsigned char)(*words)[0], (unsigned char)(*words)[n - 1])] |= bit;
  }
  return bit;
}

/* nm_attr__is_any for a word token. */
static bool nm_attr__is_any_word(const nm_attr__ctx *c, uint32_t i, const char *const *words) {
  /* The first letter rules out most words before any comparison. */
  const char *s = c->doc->text + c->t[i].start;
  char first = s[0];
  if (first >= 'A' && first <= 'Z') first += 32;
  uint32_t bit = c->filter ? nm_attr__filter_bit(c->filter, words) : 0;
  if (bit) {
    size_t n = c->t[i].end - c->t[i].start;
    char last = s[n - 1];
    if (last >= 'A' && last <= 'Z') last += 32;
    if (!(c->filter->bits[nm_attr__signature(n, (unsigned char)first, (unsigned char)last)] & bit)) return false;
  }
  for (; *words; words++)
    if ((*words)[0] == first && nm_attr__is(c, i, *words)) return true;
  return false;
}

static inline bool nm_attr__is_any(const nm_attr__ctx *c, uint32_t i, const char *const *words) {
  return i < c->ntok && c->t[i].type == NM_TOK_WORD && nm_attr__is_any_word(c, i, words);
}

static inline char nm_attr__punct(const nm_attr__ctx *c, uint32_t i) {
  return i < c->ntok && c->t[i].type == NM_TOK_PUNCT ? c->doc->text[c->t[i].start] : 0;
}

static inline bool nm_attr__dash(const nm_attr__ctx *c, uint32_t i) {
  if (i >= c->ntok || c->t[i].type != NM_TOK_PUNCT) return false;
  const unsigned char *s = (const unsigned char *)c->doc->text + c->t[i].start;
  uint32_t n = c->t[i].end - c->t[i].start;
  if (s[0] == '-') return true;
  return n == 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x93 || s[2] == 0x94);
}

static inline bool nm_attr__word(const nm_attr__ctx *c, uint32_t i) {
  return i < c->ntok && (c->t[i].type == NM_TOK_WORD || c->t[i].type == NM_TOK_NUMBER);
}

static inline bool nm_attr__in_quote(const nm_attr__ctx *c, uint32_t i) {
  return (c->t[i].flags & NM_TF_IN_QUOTE) != 0;
}

static inline bool nm_attr__opens_quote(const nm_attr__ctx *c, uint32_t i) {
  return i < c->ntok && c->t[i].type == NM_TOK_QUOTE && nm_attr__in_quote(c, i) &&
         (i == 0 || !nm_attr__in_quote(c, i - 1) || c->t[i - 1].type == NM_TOK_QUOTE);
}

/* The mark that reopens a long quote in its next paragraph. */
static inline bool nm_attr__reopens_quote(const nm_attr__ctx *c, uint32_t i) {
  return i < c->ntok && c->t[i].type == NM_TOK_QUOTE && nm_attr__in_quote(c, i) && (c->t[i].flags & NM_TF_PARA_START);
}

static const char *const nm_attr__determiners[] = {
    "a", "an", "the", "this", "these", "those", "its", "his", "her", "their", "our", "some", "several",
    "many", "one", "two", "three", "four", "five", "another", "both", "each", "every", "all", "most", "few",
    "other", "multiple", "numerous", "any", NULL};
/* The reporting verbs through which an unknown common noun may speak. */
static const char *const nm_attr__plain_cues[] = {
    "said", "says", "say", "told", "tells", "added", "adds", "wrote", "writes", "asked", "announced", "stated",
    "argued", "noted", "claimed", "warned", "insisted", "explained", "replied", "responded", "concluded",
    "reported", "found", "shows", "showed", "suggests", "suggested", NULL};
/* Determiners that let an unknown common noun head a speaker: "the ferry operator". */
static const char *const nm_attr__articles[] = {"a", "an", "the", "this", "these", "those", NULL};
static const char *const nm_attr__indefinite[] = {"a", "an", "some", "several", "many", "one", "two", "three",
                                                  "four", "five", "another", "few", "multiple", "numerous", "any",
                                                  NULL};
/* Words between a subject and its verb: "Kirby also claimed", "she has said". */
static const char *const nm_attr__aux[] = {
    "also", "has", "have", "had", "will", "would", "could", "should", "may", "might", "did", "does", "do",
    "later", "then", "previously", "recently", "again", "once", "further", "repeatedly", "publicly",
    "privately", "reportedly", "first", "already", "often", "still", "just", "even", "only", "long",
    "immediately", "quickly", "earlier", "separately", "similarly", "likewise", "formally", "officially",
    "flatly", "angrily", "bluntly", "firmly", "strongly", "explicitly", "specifically", "openly", "frequently",
    "yesterday", "today", "tonight", "has", "never", "not", "always", "clearly", "directly", "simply",
    "herself", "himself", "themselves", "itself", "personally", "jokingly", "loudly", "quietly", "sharply",
    NULL};
static const char *const nm_attr__time_words[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "week", "month", "year",
    "night", "morning", "afternoon", "evening", "weekend", "today", "yesterday", "tonight", "day", NULL};
static const char *const nm_attr__time_lead[] = {"on", "last", "this", "earlier", "late", "next", "early",
                                                 "in", "that", NULL};
static const char *const nm_attr__passive[] = {"was", "were", "is", "are", "been", "be", "being", "am", NULL};
static const char *const nm_attr__np_preps[] = {"of", "for", "to", "at", "with", "from", "in", NULL};
/* Cues that take an object before their content: "told reporters that". */
static const char *const nm_attr__object_cues[] = {
    "told", "tell", "tells", "telling", "warned", "warn", "warns", "warning", "urged", "urge", "urges",
    "asked", "ask", "asks", "informed", "assured", "reminded", "accused", "accuse", "accuses", "accusing",
    "promised", "assure", "assures", "briefed", NULL};
/* Cues that, before "to", say how something went on rather than what was said. */
static const char *const nm_attr__aspect_cues[] = {"continue", "continued", "continues", "continuing", "went",
                                                   "go", "goes", NULL};
/* Words that open a reported clause after an object: "told reporters that". */
static const char *const nm_attr__clause_words[] = {"that", "what", "how", "whether", "if", "why", "when", NULL};
static const char *const nm_attr__speech_nouns_after[] = {"in", "during", NULL};

/* The period of an abbreviation or initial inside a name: "Gen.", "J.D.", "U.S." */
static bool nm_attr__abbrev_dot(const nm_attr__ctx *c, uint32_t i) {
  if (i == 0 || i + 1 >= c->ntok || c->t[i].type != NM_TOK_PUNCT || c->t[i].end - c->t[i].start != 1 ||
      c->doc->text[c->t[i].start] != '.' || c->t[i].space || c->t[i].sent != c->t[i + 1].sent)
    return false;
  const nm__token *w = &c->t[i - 1];
  if (w->type != NM_TOK_WORD || !(w->flags & NM_TF_CAP) || !(c->t[i + 1].flags & NM_TF_CAP)) return false;
  return (w->lex & NM_LEX_ABBREV) || w->end - w->start == 1 || memchr(c->doc->text + w->start, '.', w->end - w->start);
}

static bool nm_attr__capword(const nm_attr__ctx *c, uint32_t i) {
  return nm_attr__word(c, i) && (c->t[i].flags & NM_TF_CAP) && !(c->t[i].lex & NM_LEX_NOT_NAME) &&
         !nm_attr__is_any(c, i, nm_attr__determiners);
}

/* A noun from the lexicons that can head a speaker phrase. */
static bool nm_attr__lex_noun(const nm_attr__ctx *c, uint32_t i) {
  return nm_attr__word(c, i) &&
         (c->t[i].lex & (NM_LEX_TITLE | NM_LEX_ANON_HEAD | NM_LEX_GROUP | NM_LEX_DOCUMENT | NM_LEX_ORG_HEAD |
                         NM_LEX_COUNTRY | NM_LEX_CHANNEL));
}

static bool nm_attr__pronoun(const nm_attr__ctx *c, uint32_t i) {
  return nm_attr__word(c, i) && (c->t[i].lex & NM_LEX_PRONOUN);
}

static bool nm_attr__head_ok(const nm_attr__ctx *c, uint32_t i) {
  return nm_attr__capword(c, i) || nm_attr__lex_noun(c, i) || nm_attr__pronoun(c, i) ||
         (nm_attr__word(c, i) && (c->t[i].flags & NM_TF_CAP) && (c->t[i].lex & NM_LEX_COUNTRY));
}

/* Skip a time phrase ending at i, leftwards ("on Tuesday", "last week"). Returns the new i. */
static uint32_t nm_attr__skip_time_left(const nm_attr__ctx *c, uint32_t i, uint32_t lo) {
  if (i == NM_NONE || i < lo || !nm_attr__is_any(c, i, nm_attr__time_words)) return i;
  uint32_t k = i;
  while (k > lo && k - 1 >= lo && (i - k) < 3 && nm_attr__is_any(c, k - 1, nm_attr__time_lead)) k--;
  return k > lo ? k - 1 : NM_NONE;
}

/* ---- private: noun phrases ---------------------------------------------- */

/*
 * The noun phrase that ends at token `head` and is read leftwards: [det]
 * modifiers head, joined through "of/for/to" and "and". lo is the first
 * token allowed. Returns the phrase or none.
 */
static nm_attr__span nm_attr__np_left(const nm_attr__ctx *c, uint32_t head, uint32_t lo) {
  if (head == NM_NONE || head < lo || nm_attr__in_quote(c, head)) return nm_attr__none;
  /* A common noun the lexicons do not know heads a phrase only after a
     determiner: "the ferry operator said", not "cracks said". */
  bool plain_head = !nm_attr__head_ok(c, head);
  if (plain_head && (c->t[head].type != NM_TOK_WORD || (c->t[head].flags & NM_TF_CAP) ||
                     nm_attr__is_any(c, head, nm_attr__determiners) || nm_attr__is_any(c, head, nm_attr__np_preps) ||
                     (c->t[head].lex & (NM_LEX_CUE | NM_LEX_NOT_NAME)) || nm_attr__is_any(c, head, nm_attr__aux) ||
                     nm_attr__is_any(c, head, nm_attr__passive)))
    return nm_attr__none;
  if (nm_attr__pronoun(c, head)) return (nm_attr__span){head, head + 1};
  uint32_t start = head, firm = head; /* firm: leftmost token known to belong */
  uint32_t tentative = 0;
  uint32_t k = head;
  while (k > lo) {
    uint32_t u = k - 1;
    if (nm_attr__abbrev_dot(c, u) && u > lo) { /* "J.D. Vance", "Gen. Mark Ellison" */
      k = u;
      continue;
    }
    if (nm_attr__in_quote(c, u) || !nm_attr__word(c, u)) break;
    if (c->t[u].type == NM_TOK_NUMBER) { /* "47 percent", "two officials" */
      start = firm = u;
      tentative = 0;
      k = u;
      continue;
    }
    if (nm_attr__is_any(c, u, nm_attr__determiners)) {
      start = firm = u;
      /* "sources familiar with the matter" */
      if (u > lo + 2 && nm_attr__is(c, u - 1, "with") && nm_attr__is(c, u - 2, "familiar") && nm_attr__lex_noun(c, u - 3)) {
        start = firm = u - 3;
        k = u - 3;
        tentative = 0;
        plain_head = false; /* the head is the source noun, not "matter" */
        continue;
      }
      /* "a spokesman for the ministry", "the envoy to the UN", "X and the Y" */
      if (u > lo + 1 && !plain_head && (nm_attr__is_any(c, u - 1, nm_attr__np_preps) || nm_attr__is(c, u - 1, "and")) &&
          nm_attr__head_ok(c, u - 2) && !nm_attr__pronoun(c, u - 2)) {
        k = u - 1;
        tentative = 0;
        continue;
      }
      break;
    }
    if (nm_attr__capword(c, u) || nm_attr__lex_noun(c, u) ||
        (nm_attr__word(c, u) && (c->t[u].flags & NM_TF_CAP) && (c->t[u].lex & NM_LEX_COUNTRY))) {
      /* a name or noun confirms the modifiers between it and the head */
      start = firm = u;
      tentative = 0;
      k = u;
      continue;
    }
    if ((nm_attr__is_any(c, u, nm_attr__np_preps) || nm_attr__is(c, u, "and")) && u > lo &&
        (nm_attr__capword(c, u - 1) || nm_attr__lex_noun(c, u - 1)) && !nm_attr__is(c, u, "to")) {
      k = u;
      tentative++;
      continue;
    }
    if (!(c->t[u].flags & NM_TF_CAP) && !(c->t[u].lex & (NM_LEX_CUE | NM_LEX_PRONOUN)) && tentative < 3 &&
        !nm_attr__is_any(c, u, nm_attr__aux) && !nm_attr__is_any(c, u, nm_attr__passive) &&
        !nm_attr__is(c, u, "that") && !nm_attr__is(c, u, "who") && !nm_attr__is(c, u, "which") &&
        !nm_attr__is(c, u, "and") && !nm_attr__is(c, u, "but") && !nm_attr__is(c, u, "as") &&
        c->t[u].type == NM_TOK_WORD) {
      /* a lowercase modifier: kept only if a determiner turns up further left */
      tentative++;
      k = u;
      continue;
    }
    break;
  }
  /* Modifiers with nothing to confirm them are dropped, except one or two
     before a role at a clause boundary: "…,” opposition leader Tomas Berg replied. */
  bool boundary = k == lo || nm_attr__in_quote(c, k - 1) || !nm_attr__word(c, k - 1);
  if (tentative && !(boundary && tentative <= 2 && k < firm && (c->t[firm].lex & NM_LEX_TITLE) &&
                     !nm_attr__is_any(c, k, nm_attr__np_preps)))
    start = firm;
  else if (tentative)
    start = k;
  if (plain_head && !nm_attr__is_any(c, start, nm_attr__articles)) return nm_attr__none;
  /* A bare lowercase head with no determiner is not a speaker ("reports said"),
     except plural groups and anonymous heads ("officials said"). */
  if (start == head && !(c->t[head].flags & NM_TF_CAP) &&
      !(c->t[head].lex & (NM_LEX_GROUP | NM_LEX_ANON_HEAD)))
    return nm_attr__none;
  return (nm_attr__span){start, head + 1};
}

/* The noun phrase that starts at token i and is read rightwards ("said the minister Choe"). */
static nm_attr__span nm_attr__np_right(const nm_attr__ctx *c, uint32_t i, uint32_t hi) {
  if (i >= hi || nm_attr__in_quote(c, i)) return nm_attr__none;
  if (nm_attr__pronoun(c, i)) return (nm_attr__span){i, i + 1};
  uint32_t k = i, last_good = NM_NONE;
  bool det = false;
  if (nm_attr__is_any(c, k, nm_attr__determiners)) {
    det = true;
    k++;
  }
  uint32_t modifiers = 0;
  bool after_name = false;
  while (k < hi && (nm_attr__word(c, k) || nm_attr__abbrev_dot(c, k)) && !nm_attr__in_quote(c, k)) {
    if (nm_attr__abbrev_dot(c, k)) {
      k++;
      continue;
    }
    if (nm_attr__capword(c, k) || nm_attr__lex_noun(c, k) ||
        ((c->t[k].flags & NM_TF_CAP) && (c->t[k].lex & NM_LEX_COUNTRY))) {
      /* After a name, lower-case words lead on only to a role: "North Korean
         foreign minister Choe", but not "the Ministry issued new figures". */
      if (after_name && !nm_attr__capword(c, k) && !(c->t[k].lex & (NM_LEX_TITLE | NM_LEX_ANON_HEAD | NM_LEX_ORG_HEAD)))
        break;
      last_good = k;
      after_name = false;
      k++;
      continue;
    }
    if (last_good != NM_NONE && !after_name && !(c->t[k].flags & NM_TF_CAP) &&
        !(c->t[k].lex & (NM_LEX_CUE | NM_LEX_PRONOUN)) && !nm_attr__is_any(c, k, nm_attr__np_preps) &&
        !nm_attr__is(c, k, "that") && !nm_attr__is(c, k, "and") && k + 1 < hi) {
      after_name = true; /* one lower-case word, decided by what follows */
      k++;
      continue;
    }
    if (last_good != NM_NONE && (nm_attr__is(c, k, "of") || nm_attr__is(c, k, "for")) && k + 1 < hi &&
        (nm_attr__is_any(c, k + 1, nm_attr__determiners) || nm_attr__capword(c, k + 1))) {
      k++;
      if (nm_attr__is_any(c, k, nm_attr__determiners)) k++;
      continue;
    }
    if (det && last_good == NM_NONE && !(c->t[k].flags & NM_TF_CAP) && modifiers < 3 &&
        !(c->t[k].lex & (NM_LEX_CUE | NM_LEX_PRONOUN)) && !nm_attr__is_any(c, k, nm_attr__np_preps) &&
        !nm_attr__is(c, k, "that") && !nm_attr__is(c, k, "and") && !nm_attr__is(c, k, "on") &&
        !nm_attr__is(c, k, "who") && !nm_attr__is(c, k, "as") && !nm_attr__is_any(c, k, nm_attr__passive)) {
      modifiers++;
      k++;
      continue;
    }
    if (!det && last_good == NM_NONE && !(c->t[k].flags & NM_TF_CAP) && modifiers < 2 &&
        !(c->t[k].lex & (NM_LEX_CUE | NM_LEX_PRONOUN)) && !nm_attr__is_any(c, k, nm_attr__np_preps)) {
      /* "said senior officials": a modifier before the head without a determiner */
      modifiers++;
      k++;
      continue;
    }
    break;
  }
  /* "grumbled one farmer.": an article and an unknown noun closing the clause */
  if (last_good == NM_NONE && det && k == i + 2 && c->t[i + 1].type == NM_TOK_WORD &&
      !(c->t[i + 1].flags & NM_TF_CAP) && (k >= hi || c->t[k].type == NM_TOK_PUNCT))
    last_good = i + 1;
  if (last_good == NM_NONE) return nm_attr__none;
  return (nm_attr__span){i, last_good + 1};
}

/* ---- private: cues -------------------------------------------------------- */

/* The classes of the runs of 1, 2, ... words from token i (a prefix of some
   entry) before hi, into memo; see nm_attr__lex_run. Kept out of line, so
   that the test every token takes stays a few instructions where it is asked. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void nm_attr__lex_runs(const nm_attr__ctx *c, uint32_t i, uint32_t hi, nm_attr__run_memo *memo) {
  char key[128];
  size_t n = 0;
  memo->first = i;
  memo->hi = hi;
  memo->n = 0;
  for (uint32_t k = i; k < hi && k < i + 5; k++) {
    if (!nm_attr__word(c, k) || nm_attr__in_quote(c, k)) break;
    const nm__token *t = &c->t[k];
    if (k == i) {
      /* The first word's own entry is in its token already (segment.c). */
      memo->cls[memo->n++] = t->lex & ~(NM_LEX_PREFIX_OF_ENTRY | NM_LEX_INNER_OF_ENTRY);
      if (!(t->lex & NM_LEX_PREFIX_OF_ENTRY)) break;
      continue;
    }
    uint32_t cls;
    bool prefix;
    if (!nm__lexicon_run_step(c->lex, c->doc->text, &c->t[i], t, key, sizeof key, &n, &cls, &prefix)) break;
    memo->cls[memo->n++] = cls;
    if (!prefix) break;
  }
}

/* Length in tokens of the longest cue of class `cls` starting at i (0 if none). */
static inline uint32_t nm_attr__lex_run(const nm_attr__ctx *c, uint32_t i, uint32_t hi, uint32_t cls) {
  /* Most words start no entry at all: the token's own classes tell. */
  if (i >= hi || !(c->t[i].lex & (cls | NM_LEX_PREFIX_OF_ENTRY))) return 0;
  if (!(c->t[i].lex & NM_LEX_PREFIX_OF_ENTRY)) return nm_attr__word(c, i) && !nm_attr__in_quote(c, i) ? 1 : 0;
  nm_attr__run_memo local, *memo = c->memo ? c->memo : &local;
  if (!c->memo || memo->first != i || memo->hi != hi) nm_attr__lex_runs(c, i, hi, memo);
  uint32_t best = 0;
  for (uint32_t k = 0; k < memo->n; k++)
    if (memo->cls[k] & cls) best = k + 1;
  return best;
}

/* Skip words between subject and verb, leftwards from i (inclusive). */
static uint32_t nm_attr__skip_aux_left(const nm_attr__ctx *c, uint32_t i, uint32_t lo) {
  for (int guard = 0; guard < 6 && i != NM_NONE && i >= lo; guard++) {
    if (nm_attr__is_any(c, i, nm_attr__aux)) {
      i = i > lo ? i - 1 : NM_NONE;
      continue;
    }
    uint32_t j = nm_attr__skip_time_left(c, i, lo);
    if (j != i) {
      i = j;
      continue;
    }
    break;
  }
  return i;
}

#define NM_ATTR_MAX_CONTENT 160 /* tokens */

/* A cue in -ing form ("saying", "adding"). */
static bool nm_attr__participle(const nm_attr__ctx *c, uint32_t i) {
  const nm__token *t = &c->t[i];
  const char *w = c->doc->text + t->start;
  uint32_t n = t->end - t->start;
  return (t->lex & NM_LEX_CUE) && n > 4 && w[n - 1] == 'g' && w[n - 2] == 'n' && w[n - 3] == 'i';
}

/* Content to the right of a cue, from `from` to the sentence end or to a
   following attribution (", saying", ", according to"). */
static nm_attr__span nm_attr__content_right(const nm_attr__ctx *c, uint32_t from, uint32_t hi) {
  uint32_t k = from;
  /* skip "on Tuesday", "in a statement", a colon or a comma */
  for (int guard = 0; guard < 4 && k < hi; guard++) {
    if (nm_attr__punct(c, k) == ':' || nm_attr__punct(c, k) == ',') {
      k++;
      continue;
    }
    if (nm_attr__is_any(c, k, nm_attr__time_words)) {
      k++;
      continue;
    }
    if (nm_attr__is_any(c, k, nm_attr__time_lead) || nm_attr__is(c, k, "since")) {
      uint32_t j = k + 1;
      while (j < hi && j < k + 3 && nm_attr__is_any(c, j, nm_attr__time_lead)) j++;
      if (j < hi && nm_attr__is_any(c, j, nm_attr__time_words)) {
        k = j + 1;
        continue;
      }
    }
    break;
  }
  /* "X said, adding, “...”": the content belongs to the participle's frame */
  if (k > from && k < hi && nm_attr__punct(c, k - 1) == ',' && nm_attr__participle(c, k)) return nm_attr__none;
  uint32_t end = k;
  /* Reported speech is a clause, not a chapter: the cap keeps a sentence of
     cue after cue ("he said he said ...") from giving quadratic output. */
  if (hi - k > NM_ATTR_MAX_CONTENT) hi = k + NM_ATTR_MAX_CONTENT;
  for (uint32_t j = k; j < hi; j++) {
    char p = nm_attr__punct(c, j);
    if (!nm_attr__in_quote(c, j)) {
      if (p == ';') break;
      if (p == ',' && j + 1 < hi &&
          ((c->t[j + 1].lex & NM_LEX_CUE && c->doc->text[c->t[j + 1].end - 1] == 'g') ||
           nm_attr__lex_run(c, j + 1, hi, NM_LEX_CUE_PREP)))
        break;
    }
    end = j + 1;
  }
  /* drop the sentence's final punctuation when it stands outside quotes */
  while (end > k && !nm_attr__in_quote(c, end - 1) && c->t[end - 1].type == NM_TOK_PUNCT &&
         strchr(".!?,:;", nm_attr__punct(c, end - 1)))
    end--;
  if (end <= k) return nm_attr__none;
  uint32_t words = 0;
  for (uint32_t j = k; j < end; j++) words += nm_attr__word(c, j);
  if (words == 0) return nm_attr__none;
  return (nm_attr__span){k, end};
}

/* The channel phrase after a cue-preposition at i ("carried by X", "per AFP"). */
static nm_attr__span nm_attr__via_at(const nm_attr__ctx *c, uint32_t i, uint32_t hi) {
  uint32_t n = nm_attr__lex_run(c, i, hi, NM_LEX_CUE_PREP);
  if (!n) return nm_attr__none;
  return nm_attr__np_right(c, i + n, hi);
}

/* Find a channel anywhere in the sentence, outside quotes. */
static nm_attr__span nm_attr__find_via(const nm_attr__ctx *c, const nm__sent *s, uint32_t skip_first) {
  for (uint32_t k = s->first_tok; k < s->end_tok; k++) {
    if (k == skip_first || nm_attr__in_quote(c, k) || !nm_attr__word(c, k)) continue;
    nm_attr__span v = nm_attr__via_at(c, k, s->end_tok);
    if (v.first != NM_NONE) return v;
  }
  return nm_attr__none;
}

static bool nm_attr__span_has_quote(const nm_attr__ctx *c, nm_attr__span sp) {
  for (uint32_t k = sp.first; k < sp.end; k++)
    if (nm_attr__in_quote(c, k)) return true;
  return false;
}

/* The start of the clause that ends before token i: the sentence start, or
   after a leading adverbial phrase that ends in a comma. */
static uint32_t nm_attr__clause_start(const nm_attr__ctx *c, const nm__sent *s) {
  uint32_t k = s->first_tok;
  /* a label line: "ALSO READ: ...", "UPDATE: ..." */
  for (uint32_t j = k + 1; j < s->end_tok && j < k + 4; j++) {
    if (!nm_attr__word(c, j - 1)) break;
    if (nm_attr__punct(c, j) == ':' && j + 1 < s->end_tok && !nm_attr__opens_quote(c, j + 1)) {
      k = j + 1;
      break;
    }
  }
  const nm__token *t = &c->t[k];
  bool adverbial = nm_attr__word(c, k) && ((t->lex & NM_LEX_NOT_NAME) || !(t->flags & NM_TF_CAP));
  if (nm_attr__is(c, k, "the") || nm_attr__is(c, k, "a") || nm_attr__is(c, k, "an")) adverbial = false;
  if (!adverbial) return k;
  for (uint32_t j = k; j < s->end_tok && j < k + 20; j++) {
    if (nm_attr__in_quote(c, j)) break;
    if (nm_attr__punct(c, j) == ',') return j + 1;
  }
  /* "But Pyongyang’s foreign ministry fired back": drop the conjunction alone */
  if (nm_attr__is(c, k, "but") || nm_attr__is(c, k, "and") || nm_attr__is(c, k, "meanwhile") ||
      nm_attr__is(c, k, "still") || nm_attr__is(c, k, "so"))
    return k + 1;
  return k;
}

/* Skip a dateline at a sentence start ("MADRID —", "SEOUL (Reuters) –"). */
static uint32_t nm_attr__after_dateline(const nm_attr__ctx *c, uint32_t lo, uint32_t hi) {
  for (uint32_t k = lo; k < hi && k < lo + 8; k++) {
    if (nm_attr__dash(c, k)) return k > lo ? k + 1 : lo;
    if (nm_attr__word(c, k) && !(c->t[k].flags & NM_TF_ALLCAPS) && !(k > lo && nm_attr__punct(c, k - 1) == '('))
      return lo;
  }
  return lo;
}

/* ---- private: frames ------------------------------------------------------ */

static nm_status nm_attr__push_frame(nm_attr__ctx *c, nm_attr__frame f) {
  nm_attr__frame *slot = nm__vec_push(&c->frames);
  if (!slot) return NM_ERR_NOMEM;
  f.entity = -1;
  *slot = f;
  return NM_OK;
}

/* Subject of a participial cue (", saying"): the last frame's speaker in the
   sentence, or the clause subject. */
static nm_attr__span nm_attr__subject(const nm_attr__ctx *c, const nm__sent *s) {
  uint32_t k = nm_attr__clause_start(c, s);
  if (k >= s->end_tok || nm_attr__in_quote(c, k)) return nm_attr__none;
  if (nm_attr__pronoun(c, k)) return (nm_attr__span){k, k + 1};
  /* read the phrase rightwards, then confirm it leftwards from its head */
  nm_attr__span r = nm_attr__np_right(c, k, s->end_tok);
  if (r.first == NM_NONE) return nm_attr__none;
  /* possessive heads: "North Korea’s Kim" */
  return r;
}

/*
 * A subject with appositions, from the clause start to the comma before the
 * verb: "Linda Thomas-Greenfield, the US ambassador to the UN, also said".
 * Each comma-separated part must read as a noun phrase.
 */
static nm_attr__span nm_attr__appositions(const nm_attr__ctx *c, const nm__sent *s, uint32_t comma) {
  /* the subject starts after a quote that opens the sentence, or at the clause start */
  uint32_t cs = comma, floor = comma > s->first_tok + 32 ? comma - 32 : s->first_tok; /* appositions are short */
  while (cs > floor && !nm_attr__in_quote(c, cs - 1)) cs--;
  if (cs > floor || (cs > s->first_tok && nm_attr__in_quote(c, cs - 1))) {
    if (nm_attr__punct(c, cs) == ',') cs++;
  } else {
    cs = nm_attr__clause_start(c, s);
  }
  if (cs + 2 > comma || comma - cs > 30) return nm_attr__none;
  uint32_t seg = cs, parts = 0;
  for (uint32_t k = cs; k <= comma; k++) {
    bool relative = nm_attr__is(c, seg, "who") || nm_attr__is(c, seg, "which"); /* ", who voted against it," */
    if (k < comma && nm_attr__punct(c, k) != ',') {
      if (nm_attr__in_quote(c, k) ||
          (!relative && ((c->t[k].lex & NM_LEX_CUE) || (!nm_attr__word(c, k) && !nm_attr__abbrev_dot(c, k)))))
        return nm_attr__none; /* "Mary C. Ellis, a fellow," keeps its initial */
      continue;
    }
    if (k == seg) return nm_attr__none;
    if (relative && seg > cs) {
      parts++;
      seg = k + 1;
      continue;
    }
    bool starts = nm_attr__is_any(c, seg, nm_attr__determiners) || nm_attr__capword(c, seg) ||
                  nm_attr__lex_noun(c, seg) || c->t[seg].type == NM_TOK_NUMBER;
    bool age = k == seg + 1 && c->t[seg].type == NM_TOK_NUMBER; /* "Sarandon, 69, told" */
    if (!starts || (!age && nm_attr__np_left(c, k - 1, seg).first == NM_NONE)) return nm_attr__none;
    parts++;
    seg = k + 1;
  }
  if (parts < 2 || !(nm_attr__capword(c, cs) || nm_attr__is_any(c, cs, nm_attr__determiners))) return nm_attr__none;
  return (nm_attr__span){cs, comma};
}

/*
 * “...,” said NAME, APPOSITION. — the apposition that runs from the comma
 * at `comma` to the sentence's end describes the speaker and is part of the
 * mention (as PolNeAR marks sources): "said Alan Cobb, a senior adviser
 * who spent the weekend working the convention." It must start as a noun
 * phrase and hold no quote mark and no cue (", who told reporters ..." is
 * another frame). Returns where the mention ends: after the apposition, or
 * `comma` when there is none.
 */
static uint32_t nm_attr__apposition_to_end(const nm_attr__ctx *c, const nm__sent *s, uint32_t comma) {
  uint32_t a = comma + 1, e = s->end_tok;
  if (comma >= e || nm_attr__punct(c, comma) != ',' || a >= e) return comma;
  if (!(nm_attr__is_any(c, a, nm_attr__determiners) || nm_attr__capword(c, a) || nm_attr__lex_noun(c, a))) return comma;
  while (e > a && c->t[e - 1].type == NM_TOK_PUNCT) e--; /* the full stop */
  if (e <= a || e - a > NM_ATTR_APPOSITION_MAX) return comma;
  for (uint32_t k = a; k < e; k++)
    if (c->t[k].type == NM_TOK_QUOTE || nm_attr__in_quote(c, k) || (nm_attr__word(c, k) && (c->t[k].lex & NM_LEX_CUE)))
      return comma;
  return e;
}

/*
 * Is a capitalised word at a sentence start a name? Only if the text
 * capitalises it elsewhere too, mid-sentence ("Rubio", but not "Work").
 * The search is bounded to nearby text so that it stays linear.
 */
static bool nm_attr__known_name(const nm_attr__ctx *c, uint32_t i) {
  const nm__token *w = &c->t[i];
  uint32_t n = w->end - w->start;
  uint32_t lo = i > 2000 ? i - 2000 : 0, hi = i + 2000 < c->ntok ? i + 2000 : c->ntok;
  for (uint32_t k = lo; k < hi; k++) {
    const nm__token *t = &c->t[k];
    if (k == i || t->end - t->start != n || !(t->flags & NM_TF_CAP) || (t->flags & NM_TF_SENT_START)) continue;
    if (!memcmp(c->doc->text + t->start, c->doc->text + w->start, n)) return true;
  }
  return false;
}

/* A sentence subject that can be a source: a pronoun, a noun the lexicons
   know, a name of two or more words, or a one-word name the text uses as a name. */
static bool nm_attr__plausible_source(const nm_attr__ctx *c, nm_attr__span sp) {
  uint32_t caps = 0;
  for (uint32_t k = sp.first; k < sp.end; k++) {
    if (nm_attr__pronoun(c, k) || nm_attr__lex_noun(c, k)) return true;
    if (nm_attr__capword(c, k)) caps++;
  }
  if (caps >= 2) return true;
  for (uint32_t k = sp.first; k < sp.end; k++)
    if (nm_attr__capword(c, k)) return !(c->t[k].flags & NM_TF_SENT_START) || nm_attr__known_name(c, k);
  return false;
}

/* Labels that open a transcript line but name no speaker. */
static const char *const nm_attr__not_speaker_labels[] = {"video", "audio", "update", "breaking", "note", "watch",
                                                          "read", "photo", "clip", "transcript", "q", "a", NULL};

/*
 * A transcript line quoted whole, "“CLINTON: I feel a great deal of sympathy
 * ...”", names its speaker inside the marks: up to three words in capitals,
 * then a colon, right after the opening mark. Pushes that frame: 1 if it did,
 * 0 if there is no label, -1 out of memory.
 */
static int nm_attr__transcript_label(nm_attr__ctx *c, uint32_t open, uint32_t hi) {
  uint32_t k = open + 1;
  while (k < hi && k < open + 4 && nm_attr__in_quote(c, k) && nm_attr__word(c, k) &&
         (c->t[k].flags & NM_TF_ALLCAPS) && c->t[k].end - c->t[k].start >= 2 &&
         !nm_attr__is_any(c, k, nm_attr__not_speaker_labels))
    k++;
  if (k == open + 1 || k >= hi || nm_attr__punct(c, k) != ':' || !nm_attr__in_quote(c, k)) return 0;
  uint32_t end = k + 1; /* the quote's end: past its closing mark */
  while (end < c->ntok && nm_attr__in_quote(c, end) && !nm_attr__opens_quote(c, end) &&
         !nm_attr__reopens_quote(c, end))
    end++;
  nm_attr__frame f = {{k, k + 1}, {open + 1, k}, nm_attr__none, {open, end}, c->t[open].sent, false, false, -1};
  return nm_attr__push_frame(c, f) == NM_OK ? 1 : -1;
}

static nm_status nm_attr__frames_in_sentence(nm_attr__ctx *c, uint32_t si) {
  const nm__sent *s = &NM_AT(c->doc->sents, nm__sent, si);
  uint32_t lo = s->first_tok, hi = s->end_tok;
  size_t first_frame = c->frames.count;
  nm_attr__span sentence_via = nm_attr__none; /* a channel named anywhere in the sentence */
  bool sentence_via_known = false;
  for (uint32_t i = lo; i < hi; i++) {
    if (nm_attr__opens_quote(c, i) || nm_attr__reopens_quote(c, i)) {
      int label = nm_attr__transcript_label(c, i, hi);
      if (label < 0) return NM_ERR_NOMEM;
      if (label) continue;
    }
    if (nm_attr__in_quote(c, i)) continue;
    nm_attr__frame f = {nm_attr__none, nm_attr__none, nm_attr__none, nm_attr__none, si, false, false, -1};

    /* "NAME:" opening a sentence, before a quote or at a paragraph's end */
    if (nm_attr__punct(c, i) == ':' && i > lo && i - lo <= 40) {
      bool before_quote = i + 1 < hi ? nm_attr__opens_quote(c, i + 1) : true;
      uint32_t h = i - 1;
      nm_attr__span np = nm_attr__np_left(c, h, lo);
      /* "From the desk of Mayor Lena Ortiz:" names the mayor */
      for (uint32_t k = np.first; np.first != NM_NONE && k + 1 < np.end; k++)
        if (nm_attr__is(c, k, "of") && nm_attr__is(c, k - 1, "desk")) np.first = k + 1;
      /* A digest's excerpt: "“Ferry plan backed,” by Harbor News' Dana Pike:
         “The council voted ...”" quotes the byline's author. */
      bool byline = np.first != NM_NONE && np.first > lo && nm_attr__is(c, np.first - 1, "by") &&
                    (nm_attr__capword(c, np.first) || nm_attr__capword(c, np.first + 1));
      bool lead_in = np.first != NM_NONE && (np.first == lo || nm_attr__is(c, np.first - 1, "from") ||
                                             nm_attr__is(c, np.first - 1, "of") || nm_attr__dash(c, np.first - 1));
      if (before_quote && (byline || (lead_in && i - lo <= 12))) {
        f.cue = (nm_attr__span){i, i + 1};
        f.speaker = np;
        if (i + 1 < hi) f.content = nm_attr__content_right(c, i + 1, hi);
        if (nm_attr__push_frame(c, f) != NM_OK) return NM_ERR_NOMEM;
      }
      continue;
    }
    /* “...” -Commissioner Dana Webb: a dash and a name closing a quote's
       paragraph, or opening the next one ("- Clinton.") */
    if (nm_attr__dash(c, i) && i > 0 && nm_attr__in_quote(c, i - 1) && c->t[i - 1].type == NM_TOK_QUOTE &&
        (c->t[i - 1].sent == c->t[i].sent || i == lo)) {
      uint32_t pend = NM_AT(c->doc->paras, nm__para, s->para).end_tok;
      nm_attr__span np = nm_attr__np_right(c, i + 1, hi);
      bool ends = np.first != NM_NONE && (np.end == hi || np.end == pend || nm_attr__punct(c, np.end) == ',' ||
                                          (np.end + 1 == hi && nm_attr__punct(c, np.end) == '.'));
      if (ends && i == lo && (hi - lo > 8 || s->first_tok != NM_AT(c->doc->paras, nm__para, s->para).first_tok))
        ends = false; /* a line of its own, only a name */
      if (ends) {
        f.cue = (nm_attr__span){i, i + 1};
        f.speaker = np;
        uint32_t q = i - 1; /* the content is the quote just closed */
        while (q > 0 && nm_attr__in_quote(c, q - 1) && !nm_attr__opens_quote(c, q)) q--;
        f.content = (nm_attr__span){q, i};
        f.sent = c->t[q].sent;
        if (nm_attr__push_frame(c, f) != NM_OK) return NM_ERR_NOMEM;
        i = np.end - 1;
        continue;
      }
    }
    if (!nm_attr__word(c, i)) continue;

    /* "with the spokesman offering its “serious concern”": an absolute
       clause whose own subject speaks through any -ing verb */
    if (nm_attr__is(c, i, "with") && i + 2 < hi) {
      nm_attr__span np = nm_attr__np_right(c, i + 1, hi);
      if (np.first != NM_NONE && np.end + 1 < hi && nm_attr__word(c, np.end) && !nm_attr__in_quote(c, np.end)) {
        const nm__token *v = &c->t[np.end];
        const char *w = c->doc->text + v->start;
        uint32_t wl = v->end - v->start;
        bool ing = wl > 4 && !memcmp(w + wl - 3, "ing", 3);
        uint32_t q = np.end + 1;
        while (q < hi && q < np.end + 4 && !nm_attr__in_quote(c, q)) q++;
        if (ing && q < hi && nm_attr__opens_quote(c, q)) {
          f.cue = (nm_attr__span){np.end, np.end + 1};
          f.speaker = np;
          f.content = nm_attr__content_right(c, np.end + 1, hi);
          if (nm_attr__push_frame(c, f) != NM_OK) return NM_ERR_NOMEM;
          i = np.end;
          continue;
        }
      }
    }

    uint32_t n = 0;
    bool according = false;
    if (nm_attr__lex_run(c, i, hi, NM_LEX_CUE_PREP) && (nm_attr__is(c, i, "according") || nm_attr__is(c, i, "per"))) {
      n = nm_attr__is(c, i, "according") ? 2 : 1;
      if (n == 2 && !nm_attr__is(c, i + 1, "to")) continue;
      according = true;
    } else {
      n = nm_attr__lex_run(c, i, hi, NM_LEX_CUE);
      if (!n) continue;
    }
    /* "the Islamic State", "the United States": a capitalised cue word inside a name */
    if (!according && (c->t[i].flags & NM_TF_CAP) && !(c->t[i].flags & NM_TF_SENT_START) &&
        !(i > lo && (nm_attr__punct(c, i - 1) == ',' || c->t[i - 1].type == NM_TOK_QUOTE)))
      continue;
    f.cue = (nm_attr__span){i, i + n};
    uint32_t after = i + n;

    if (according) {
      f.speaker = nm_attr__np_right(c, after, hi);
      if (f.speaker.first == NM_NONE) continue;
      /* "a statement released by the defence ministry": the document and who released it */
      uint32_t e = f.speaker.end;
      if (e + 2 < hi && (c->t[e - 1].lex & NM_LEX_DOCUMENT) && nm_attr__word(c, e) && nm_attr__is(c, e + 1, "by")) {
        nm_attr__span by = nm_attr__np_right(c, e + 2, hi);
        if (by.first != NM_NONE) f.speaker.end = by.end;
      }
      /* a wire agency, state media or a document is the channel as well */
      for (uint32_t k = f.speaker.first; k < f.speaker.end; k++)
        if (c->t[k].lex & (NM_LEX_AGENCY | NM_LEX_STATE_MEDIA | NM_LEX_CHANNEL | NM_LEX_DOCUMENT)) f.via = f.speaker;
      /* content: the clause before ", according to X" or after "According to X," */
      uint32_t cs = nm_attr__clause_start(c, s);
      if (i > lo && nm_attr__punct(c, i - 1) == ',' && i - 1 > cs)
        f.content = (nm_attr__span){cs, i - 1};
      else if (i == lo || i == cs)
        f.content = nm_attr__content_right(c, f.speaker.end, hi);
      if (nm_attr__push_frame(c, f) != NM_OK) return NM_ERR_NOMEM;
      i = f.speaker.end - 1;
      continue;
    }

    const nm__token *cue = &c->t[i];
    /* "US and Ukrainian claims": a plural noun after a nationality, not a verb */
    if (n == 1 && i > lo && c->doc->text[cue->end - 1] == 's' && nm_attr__capword(c, i - 1)) {
      const char *w = c->doc->text + c->t[i - 1].start;
      uint32_t wl = c->t[i - 1].end - c->t[i - 1].start;
      if (wl > 4 && (!memcmp(w + wl - 3, "ian", 3) || !memcmp(w + wl - 3, "ean", 3) || !memcmp(w + wl - 3, "can", 3) ||
                     !memcmp(w + wl - 3, "ese", 3) || !memcmp(w + wl - 3, "ish", 3)))
        continue;
    }
    bool participle = nm_attr__participle(c, i);
    uint32_t left = i > lo ? nm_attr__skip_aux_left(c, i - 1, lo) : NM_NONE;
    if (left != NM_NONE && nm_attr__is_any(c, left, nm_attr__passive)) {
      /* passive: "he was asked" names the addressee, not the speaker */
      if (!participle) continue;
      /* progressive: "Seoul and Washington have been saying" */
      while (left != NM_NONE && left > lo && (nm_attr__is_any(c, left, nm_attr__passive) || nm_attr__is_any(c, left, nm_attr__aux)))
        left--;
      participle = false;
    }
    /* infinitive: "Choe went on to demand" */
    if (left != NM_NONE && nm_attr__is(c, left, "to") && left > lo) {
      uint32_t v = left - 1;
      for (int g = 0; g < 2 && v > lo && !nm_attr__capword(c, v) && !nm_attr__pronoun(c, v) &&
                      !nm_attr__lex_noun(c, v);
           g++)
        v--;
      left = nm_attr__skip_aux_left(c, v, lo);
    }
    nm_attr__span np = left != NM_NONE ? nm_attr__np_left(c, left, lo) : nm_attr__none;
    if (np.first != NM_NONE && left != NM_NONE && left + 1 < i && nm_attr__is(c, left + 1, "told")) np = nm_attr__none;
    /* "which he said", "what it called": the speaker is the pronoun */
    bool after_quote = left != NM_NONE && (c->t[left].type == NM_TOK_QUOTE ||
                                           (nm_attr__punct(c, left) == ',' && left > lo && nm_attr__in_quote(c, left - 1)));
    if (np.first == NM_NONE && left != NM_NONE && nm_attr__punct(c, left) == ',' && !after_quote)
      np = nm_attr__appositions(c, s, left); /* "NAME, TITLE, said" */
    /* An unknown common noun speaks only through a plain reporting verb:
       "the ferry operator said", but not "the talks would go on". */
    if (np.first != NM_NONE && !nm_attr__head_ok(c, np.end - 1) && !nm_attr__is_any(c, i, nm_attr__plain_cues))
      np = nm_attr__none;
    if (np.first != NM_NONE && !participle) {
      f.speaker = np;
    } else if (participle && (left == NM_NONE || nm_attr__punct(c, left) == ',' || np.first == NM_NONE)) {
      /* ", saying ...": the subject of the clause, found when frames are resolved */
      f.participial = true;
      /* the main clause's speaker: the sentence's first frame before this cue */
      for (size_t k = c->frames.count; k-- > 0;) {
        const nm_attr__frame *prev = &NM_AT(c->frames, nm_attr__frame, k);
        if (prev->sent != si) break;
        if (!prev->participial && prev->cue.first < i) f.speaker = prev->speaker;
      }
      if (f.speaker.first == NM_NONE) f.speaker = nm_attr__subject(c, s);
      if (f.speaker.first == NM_NONE) continue;
      if (f.speaker.first >= i) continue;
    } else if (np.first == NM_NONE && (after_quote || left == NM_NONE || i == nm_attr__clause_start(c, s))) {
      nm_attr__span r = nm_attr__np_right(c, after, hi);
      if (r.first == NM_NONE) continue;
      f.speaker = r;
      f.inverted = true;
      after = r.end;
      if (after_quote) {
        after = hi; /* “...,” said X after the vote: the quote is the content */
        f.speaker.end = nm_attr__apposition_to_end(c, s, r.end);
      }
    } else {
      continue;
    }

    /* "in a statement carried by X", "told state news agency KCNA", "per AFP" */
    uint32_t k = after;
    if (k < hi && nm_attr__is_any(c, k, nm_attr__speech_nouns_after) && k + 2 < hi &&
        nm_attr__is_any(c, k + 1, nm_attr__determiners) && (c->t[k + 2].lex & NM_LEX_CUE_NOUN)) {
      k += 3;
      if (nm_attr__via_at(c, k, hi).first != NM_NONE) {
        f.via = nm_attr__via_at(c, k, hi);
        k = f.via.end;
      } else if (nm_attr__is(c, k, "with") || nm_attr__is(c, k, "to") || nm_attr__is(c, k, "on")) {
        f.via = nm_attr__np_right(c, k + 1, hi);
        if (f.via.first != NM_NONE) k = f.via.end;
      }
    }
    if (!f.inverted && nm_attr__is_any(c, i + n - 1, nm_attr__object_cues) && k < hi &&
        !nm_attr__is(c, k, "that")) {
      /* "told a rally audience that", "asking our followers what" */
      for (uint32_t j = k + 1; j < hi && j <= k + 5 && !nm_attr__in_quote(c, j); j++)
        if (nm_attr__is_any(c, j, nm_attr__clause_words) || nm_attr__punct(c, j) == ':') {
          bool channel = false;
          for (uint32_t x = k; x < j; x++)
            if (c->t[x].lex & (NM_LEX_CHANNEL | NM_LEX_STATE_MEDIA | NM_LEX_AGENCY)) channel = true;
          if (channel) f.via = (nm_attr__span){k, j};
          k = j;
          break;
        }
    }
    if (!f.inverted && nm_attr__is_any(c, i + n - 1, nm_attr__object_cues) && k < hi) {
      nm_attr__span obj = nm_attr__np_right(c, k, hi);
      if (obj.first != NM_NONE && obj.end < hi &&
          (nm_attr__is(c, obj.end, "that") || nm_attr__is(c, obj.end, "of") || nm_attr__is(c, obj.end, "to") ||
           nm_attr__punct(c, obj.end) == ':' || nm_attr__punct(c, obj.end) == ',' || obj.end == hi - 1 ||
           nm_attr__opens_quote(c, obj.end))) {
        bool channel = false;
        for (uint32_t j = obj.first; j < obj.end; j++)
          if (c->t[j].lex & (NM_LEX_CHANNEL | NM_LEX_STATE_MEDIA | NM_LEX_AGENCY)) channel = true;
        if (channel) f.via = obj;
        k = obj.end;
      }
    }
    if (f.via.first == NM_NONE) {
      if (!sentence_via_known) {
        sentence_via = nm_attr__find_via(c, s, NM_NONE);
        sentence_via_known = true;
      }
      f.via = sentence_via;
    }
    if (f.via.first != NM_NONE && f.via.first >= f.speaker.first && f.via.first < f.speaker.end) f.via = nm_attr__none;

    /* content: to the right, or the clause before ", X said." A scrap of
       two words after the cue ("said in a statement carried by the agency")
       is not what was said. */
    f.content = nm_attr__content_right(c, k, hi);
    if (f.content.first != NM_NONE && f.content.end - f.content.first < 3 &&
        !nm_attr__is_any(c, f.content.first, nm_attr__clause_words) && !nm_attr__span_has_quote(c, f.content))
      f.content = nm_attr__none;
    if (f.content.first != NM_NONE && nm_attr__is(c, f.content.first, "not") && nm_attr__is(c, f.content.first + 1, "to"))
      continue; /* "asked not to be named" */
    if (f.content.first != NM_NONE && nm_attr__is(c, f.content.first, "so") && nm_attr__word(c, f.content.first + 1) &&
        !nm_attr__is_any(c, f.content.first + 1, nm_attr__clause_words))
      f.content = nm_attr__none; /* "said so in a televised address": what was said came before */
    if (f.content.first != NM_NONE && nm_attr__is(c, f.content.first, "to") &&
        (nm_attr__is_any(c, i, nm_attr__aspect_cues)))
      continue; /* "it continued to spread it", "went on to demand": not the speech itself */
    /* "After the vote, Lopez said in a statement:" introduces what follows
       the colon; the clause before it is not what was said. */
    bool cue_at_end = f.content.first == NM_NONE && !(k < hi && nm_attr__punct(c, k) == ':');
    if (cue_at_end && f.speaker.first > lo && !f.participial) {
      uint32_t j = f.speaker.first - 1;
      if (nm_attr__punct(c, j) == ',' && j > lo) j--;
      else if (c->t[j].type != NM_TOK_QUOTE) j = NM_NONE;
      if (j != NM_NONE && j >= lo) {
        uint32_t cs = nm_attr__after_dateline(c, lo, j); /* the whole sentence before ", X said" is what X said */
        if (c->t[j].type == NM_TOK_QUOTE || nm_attr__in_quote(c, j)) {
          /* the quote before: from its opening mark */
          uint32_t q = j;
          while (q > lo && nm_attr__in_quote(c, q - 1) && !nm_attr__opens_quote(c, q)) q--;
          if (q < cs || nm_attr__in_quote(c, cs)) cs = q;
        }
        if (cs <= j) f.content = (nm_attr__span){cs, j + 1};
      }
    }
    if (f.speaker.first == NM_NONE) continue;
    if (nm_attr__push_frame(c, f) != NM_OK) return NM_ERR_NOMEM;
    if (f.inverted) i = f.speaker.end - 1;
  }
  /* Reported speech nests ("X said Y said Z"), but a chain of cues in one
     sentence must not make every content hold all the rest: a content that
     holds three or more further cues stops at the first of them. */
  for (size_t k = first_frame; k < c->frames.count; k++) {
    nm_attr__frame *fk = &NM_AT(c->frames, nm_attr__frame, k);
    if (fk->content.first == NM_NONE || fk->content.first < fk->cue.first) continue;
    uint32_t inside = 0, cut = NM_NONE;
    for (size_t j = k + 1; j < c->frames.count; j++) {
      const nm_attr__frame *fj = &NM_AT(c->frames, nm_attr__frame, j);
      if (fj->cue.first != NM_NONE && fj->cue.first >= fk->content.end) break; /* frames run in text order */
      if (fj->cue.first >= fk->content.first && fj->cue.first < fk->content.end) {
        if (!inside++) cut = fj->speaker.first < fj->cue.first ? fj->speaker.first : fj->cue.first;
      }
    }
    if (inside >= 3) fk->content = cut > fk->content.first ? (nm_attr__span){fk->content.first, cut} : nm_attr__none;
  }

  /* A sentence or headline that quotes with no cue ("Rubio bemoaned that people
     “literally hate each other”", "X’s Kim offers ‘full support’") gives its
     quotes to its subject, when the subject comes before the first quote. */
  bool framed = c->frames.count && NM_AT(c->frames, nm_attr__frame, c->frames.count - 1).sent == si;
  uint32_t first_quote = NM_NONE;
  for (uint32_t k = lo; k < hi && first_quote == NM_NONE; k++)
    if (nm_attr__in_quote(c, k)) first_quote = k;
  if (!framed && first_quote != NM_NONE && first_quote > lo) {
    nm_attr__frame f = {nm_attr__none, nm_attr__subject(c, s), nm_attr__none, nm_attr__none, si, false, false, -1};
    if (f.speaker.first != NM_NONE && f.speaker.end <= first_quote && nm_attr__plausible_source(c, f.speaker) &&
        nm_attr__push_frame(c, f) != NM_OK)
      return NM_ERR_NOMEM;
  }
  /* "Senator Lopez released the following statement:" ending its paragraph,
     and the next paragraph opens a quote: the subject speaks, through the
     words between it and the colon ("released the following statement").
     The sentence must name a way of speaking (a cue, a cue noun or a
     document), so "The list includes:" quotes no one. */
  if (!framed && first_quote == NM_NONE && hi - lo >= 3 && hi < c->ntok && nm_attr__punct(c, hi - 1) == ':' &&
      (c->t[hi].flags & NM_TF_PARA_START) && nm_attr__opens_quote(c, hi)) {
    nm_attr__frame f = {nm_attr__none, nm_attr__subject(c, s), nm_attr__none, nm_attr__none, si, false, false, -1};
    bool speaks = false;
    for (uint32_t k = f.speaker.end; f.speaker.first != NM_NONE && k < hi - 1; k++)
      if (c->t[k].lex & (NM_LEX_CUE | NM_LEX_CUE_NOUN | NM_LEX_DOCUMENT)) speaks = true;
    if (speaks && f.speaker.end < hi - 1 && nm_attr__plausible_source(c, f.speaker)) {
      f.cue = hi - 1 - f.speaker.end <= 6 ? (nm_attr__span){f.speaker.end, hi - 1} : (nm_attr__span){hi - 1, hi};
      if (nm_attr__push_frame(c, f) != NM_OK) return NM_ERR_NOMEM;
    }
  }
  return NM_OK;
}

/* ---- private: entities ----------------------------------------------------- */

static bool nm_attr__same_words(const char *a, const char *b) {
  while (*a && *b) {
    char x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a, y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
    if (x != y) return false;
    a++;
    b++;
  }
  return *a == *b;
}

/* Does the name contain `word` (n bytes) as one of its words? */
static bool nm_attr__name_has_word(const char *name, const char *word, size_t n) {
  const char *p = name;
  while (*p) {
    const char *e = p;
    while (*e && *e != ' ') e++;
    if ((size_t)(e - p) == n) {
      bool same = true;
      for (size_t k = 0; k < n; k++) {
        char x = p[k] >= 'A' && p[k] <= 'Z' ? p[k] + 32 : p[k], y = word[k] >= 'A' && word[k] <= 'Z' ? word[k] + 32 : word[k];
        if (x != y) same = false;
      }
      if (same) return true;
    }
    p = *e ? e + 1 : e;
  }
  return false;
}

/* Is `word` the head of a name or title: its last word before "of/for/to"? */
static bool nm_attr__head_is(const char *name, const char *word, size_t n) {
  static const char *const preps[] = {"of ", "for ", "to ", "at ", "with ", "from ", "in ", NULL};
  /* The name ends at its first " of ", " for ", ...: one pass over it (a
     strstr per preposition made this the dearest test on long documents,
     where it runs against every entity in reach). */
  const char *end = name;
  for (; *end; end++) {
    if (*end != ' ') continue;
    bool prep = false;
    for (const char *const *p = preps; *p && !prep; p++) {
      size_t k = 0;
      while ((*p)[k] && end[1 + k] == (*p)[k]) k++;
      prep = !(*p)[k];
    }
    if (prep) break;
  }
  const char *w = end;
  while (w > name && w[-1] != ' ') w--;
  if ((size_t)(end - w) != n) return false;
  for (size_t k = 0; k < n; k++) {
    char x = w[k] >= 'A' && w[k] <= 'Z' ? w[k] + 32 : w[k], y = word[k] >= 'A' && word[k] <= 'Z' ? word[k] + 32 : word[k];
    if (x != y) return false;
  }
  return true;
}

/* Copy tokens [a, b) as written (one space between tokens that had space). */
static char *nm_attr__text(nm_attr__ctx *c, uint32_t a, uint32_t b) {
  if (a >= b) return NULL;
  return nm__arena_strndup(&c->doc->arena, c->doc->text + c->t[a].start, c->t[b - 1].end - c->t[a].start);
}

typedef struct nm_attr__mention {
  uint32_t first, end;       /* the whole phrase */
  uint32_t name_first, name_end; /* the name inside it, or NM_NONE */
  uint32_t title_first, title_end;
  uint32_t head; /* the head noun: the last word before any preposition */
  uint32_t core_end; /* the phrase without its appositions */
  uint8_t type;
  bool anonymous, pronoun, definite;
} nm_attr__mention;

/* Split a speaker phrase into title and name, and guess its type. */
static nm_attr__mention nm_attr__analyse_mention(const nm_attr__ctx *c, nm_attr__span sp) {
  nm_attr__mention m = {sp.first, sp.end, NM_NONE, NM_NONE, NM_NONE, NM_NONE, sp.end - 1, sp.end,
                        NM_ENTITY_UNKNOWN, false, false, false};
  uint32_t a = sp.first, b = sp.end;
  /* an apposition: "NAME, TITLE," — the name is the part before the comma */
  for (uint32_t k = a; k < b; k++)
    if (nm_attr__punct(c, k) == ',') {
      nm_attr__mention head = nm_attr__analyse_mention(c, (nm_attr__span){a, k});
      head.first = sp.first;
      head.end = sp.end;
      uint32_t ts = k + 1, te = b;
      while (te > ts && nm_attr__punct(c, te - 1) == ',') te--;
      /* the title stops at the next comma or a relative clause ("a senior
         adviser who spent the weekend ...") */
      for (uint32_t j = ts; j < te; j++)
        if (nm_attr__punct(c, j) == ',' || nm_attr__is(c, j, "who") || nm_attr__is(c, j, "whose") ||
            nm_attr__is(c, j, "which"))
          te = j;
      if (ts < te && nm_attr__is_any(c, ts, nm_attr__determiners)) ts++;
      if (head.title_first == NM_NONE && ts < te) {
        head.title_first = ts;
        head.title_end = te;
      }
      if (head.name_first == NM_NONE && ts < te) {
        /* "A spokesman, John Kirby, said": the apposition names the speaker */
        nm_attr__mention named = nm_attr__analyse_mention(c, (nm_attr__span){ts, te});
        if (named.name_first != NM_NONE) {
          named.first = sp.first;
          named.end = sp.end;
          named.title_first = a;
          named.title_end = k;
          if (nm_attr__is_any(c, a, nm_attr__determiners)) named.title_first = a + 1;
          named.type = NM_ENTITY_PERSON;
          named.anonymous = false;
          named.core_end = sp.end;
          return named;
        }
      }
      if (head.name_first != NM_NONE) head.type = NM_ENTITY_PERSON;
      head.core_end = k;
      return head;
    }
  if (b - a == 1 && nm_attr__pronoun(c, a)) {
    m.pronoun = true;
    return m;
  }
  if (nm_attr__is_any(c, a, nm_attr__determiners)) {
    m.definite = !nm_attr__is_any(c, a, nm_attr__indefinite);
    m.anonymous = !m.definite;
    a++;
  }
  /* The head part stands before any preposition: "a spokesman for the ministry". */
  for (uint32_t k = a + 1; k < b; k++)
    if ((nm_attr__is_any(c, k, nm_attr__np_preps) || nm_attr__is(c, k, "on")) &&
        nm_attr__lex_run(c, k - 1, b, NM_LEX_TITLE) < 2) {
      b = k; /* but "Secretary of State" is one title */
      if (nm_attr__is(c, k, "with") && nm_attr__is(c, k - 1, "familiar") && k - 1 > a) b = k - 1; /* "sources familiar with" */
      break;
    }
  /* The name: capitalised words after the first title word that only names
     follow ("Foreign Minister Choe Son Hui"); else the trailing capitalised run. */
  uint32_t ns = NM_NONE;
  for (uint32_t k = a; k + 1 < b && ns == NM_NONE; k++) {
    uint32_t tl = nm_attr__lex_run(c, k, b, NM_LEX_TITLE); /* "Secretary of State" */
    if (!tl) tl = nm_attr__abbrev_dot(c, k + 1) && (c->t[k].lex & NM_LEX_TITLE) ? 2 : 0; /* "Gen." */
    if (!tl || k + tl >= b) continue;
    if (nm_attr__abbrev_dot(c, k + tl) && (c->t[k + tl - 1].lex & NM_LEX_TITLE)) tl++;
    bool names = true;
    for (uint32_t j = k + tl; j < b; j++)
      if (!(nm_attr__word(c, j) && (c->t[j].flags & NM_TF_CAP)) && !nm_attr__abbrev_dot(c, j)) names = false;
    if (names) ns = k + tl;
  }
  if (ns == NM_NONE && !(c->t[b - 1].lex & (NM_LEX_TITLE | NM_LEX_ANON_HEAD | NM_LEX_GROUP | NM_LEX_DOCUMENT))) {
    ns = b;
    /* an initial belongs to the name: "Robert B. Reich" */
    while (ns > a && ((nm_attr__word(c, ns - 1) && (c->t[ns - 1].flags & NM_TF_CAP) &&
                       !nm_attr__is_any(c, ns - 1, nm_attr__determiners)) ||
                      (ns - 1 > a && nm_attr__abbrev_dot(c, ns - 1))))
      ns--;
    if (ns == b) ns = NM_NONE;
    /* "The Post's Dana Milbank", "North Korea's Kim": the name follows the possessive */
    for (uint32_t k = ns; ns != NM_NONE && k + 1 < b; k++) {
      const char *w = c->doc->text + c->t[k].start;
      uint32_t wl = c->t[k].end - c->t[k].start;
      if ((wl > 2 && !memcmp(w + wl - 2, "'s", 2)) || (wl > 4 && !memcmp(w + wl - 4, "\xe2\x80\x99s", 4))) ns = k + 1;
    }
  }
  uint32_t head = b - 1;
  m.head = head;
  if (ns != NM_NONE) {
    m.name_first = ns;
    m.name_end = b;
    if (ns > a) {
      m.title_first = a;
      m.title_end = ns;
    }
  } else if (c->t[head].lex & NM_LEX_TITLE) {
    m.title_first = a;
    m.title_end = b;
  }
  /* type */
  uint32_t lex_head = c->t[head].lex;
  uint32_t whole = nm_attr__lex_run(c, a, b, NM_LEX_COUNTRY);
  if (whole == b - a) m.type = NM_ENTITY_COUNTRY;
  else if (lex_head & NM_LEX_DOCUMENT) m.type = NM_ENTITY_DOCUMENT;
  else if (lex_head & NM_LEX_GROUP) m.type = NM_ENTITY_GROUP;
  else if (lex_head & (NM_LEX_ORG_HEAD | NM_LEX_CHANNEL)) m.type = NM_ENTITY_ORGANIZATION;
  else if (lex_head & (NM_LEX_TITLE | NM_LEX_ANON_HEAD)) m.type = NM_ENTITY_PERSON;
  else if (m.name_first != NM_NONE && m.title_first != NM_NONE) m.type = NM_ENTITY_PERSON;
  else if (m.name_first != NM_NONE && m.name_end - m.name_first >= 2) m.type = NM_ENTITY_PERSON;
  else if (m.name_first != NM_NONE) m.type = NM_ENTITY_UNKNOWN;
  /* "a shopkeeper said": an unnamed person the lexicons do not know */
  if (m.type == NM_ENTITY_UNKNOWN && m.name_first == NM_NONE && m.anonymous && !(lex_head & NM_LEX_COUNTRY))
    m.type = NM_ENTITY_PERSON;
  /* plural anonymous heads: "officials said", "sources familiar with" */
  if (m.name_first == NM_NONE && !m.definite && (lex_head & NM_LEX_ANON_HEAD)) m.anonymous = true;
  if (m.name_first != NM_NONE) m.anonymous = false;
  if (m.type == NM_ENTITY_DOCUMENT || m.type == NM_ENTITY_COUNTRY) m.anonymous = false;
  return m;
}

static nm_status nm_attr__add_mention(nm_attr__ctx *c, int32_t e, uint32_t start, uint32_t end) {
  nm__entity *ent = &NM_AT(c->doc->entities, nm__entity, e);
  uint32_t *pair = nm__vec_push(&ent->mentions);
  if (!pair) return NM_ERR_NOMEM;
  pair[0] = start;
  pair[1] = end;
  return NM_OK;
}

static int32_t nm_attr__new_entity(nm_attr__ctx *c, const nm_attr__mention *m) {
  nm__entity *e = nm__vec_push(&c->doc->entities);
  if (!e) return -2;
  nm__vec_init(&e->mentions, 2 * sizeof(uint32_t));
  uint32_t a = m->first, b = m->core_end;
  if (m->name_first != NM_NONE) {
    a = m->name_first;
    b = m->name_end;
  } else if (nm_attr__is(c, a, "the") && a + 1 < b) {
    a++;
  }
  /* a phrase with no core left (a lone "The" the tagger took for a
     speaker) is named by all of itself */
  if (a >= b) a = m->first, b = m->end;
  e->name = nm_attr__text(c, a, b);
  e->title = m->title_first != NM_NONE && m->name_first != NM_NONE ? nm_attr__text(c, m->title_first, m->title_end) : NULL;
  e->type = m->type;
  e->anonymous = m->anonymous;
  if (!e->name) return -2;
  return (int32_t)(c->doc->entities.count - 1);
}

/*
 * Mentions resolve to entities named recently: looking back over at most
 * this many entities keeps resolution linear on archive-sized inputs.
 */
#define NM_ATTR_LOOKBACK 64
/* A frame attributes a quote only when its cue is within this many tokens
   of it: far more than any sentence of news, and it keeps the matching of
   quotes to frames linear when a "sentence" runs on for megabytes. */
#define NM_ATTR_REACH 256u

/* Where a frame stands: its cue, else its speaker or content (NM_NONE if none). */
static uint32_t nm_attr__frame_at(const nm_attr__frame *f) {
  return f->cue.first != NM_NONE ? f->cue.first : f->speaker.first != NM_NONE ? f->speaker.first : f->content.first;
}
/* Is frame f too far before token `first` or after token `end` to attribute a quote there? */
static bool nm_attr__far_before(const nm_attr__frame *f, uint32_t first) {
  uint32_t at = nm_attr__frame_at(f);
  return at != NM_NONE && at + NM_ATTR_REACH < first;
}
static bool nm_attr__far_after(const nm_attr__frame *f, uint32_t end) {
  uint32_t at = nm_attr__frame_at(f);
  return at != NM_NONE && at > end + NM_ATTR_REACH;
}
static size_t nm_attr__lookback_floor(size_t count) { return count > NM_ATTR_LOOKBACK ? count - NM_ATTR_LOOKBACK : 0; }

/* The nearest person's name before token i in its sentence, outside quotes:
   two or more capitalised words, or one after a title. */
static nm_attr__span nm_attr__person_before(const nm_attr__ctx *c, uint32_t i) {
  const nm__sent *s = &NM_AT(c->doc->sents, nm__sent, c->t[i].sent);
  uint32_t stop = i > s->first_tok + 80 ? i - 80 : s->first_tok; /* near, and linear in long sentences */
  for (uint32_t k = i; k-- > stop;) {
    if (nm_attr__in_quote(c, k) || !nm_attr__capword(c, k)) continue;
    uint32_t a = k;
    while (a > s->first_tok && nm_attr__capword(c, a - 1) && !nm_attr__in_quote(c, a - 1)) a--;
    bool titled = a > s->first_tok && (c->t[a - 1].lex & NM_LEX_TITLE);
    bool place = nm_attr__lex_run(c, a, k + 1, NM_LEX_COUNTRY) > 0 || (c->t[k].lex & (NM_LEX_ORG_HEAD | NM_LEX_COUNTRY));
    if (!place && (titled || k - a >= 1)) return nm_attr__np_left(c, k, s->first_tok);
    k = a;
  }
  return nm_attr__none;
}

/* The first name in the sentence before token i's: a person (title + name,
   or two capitalised words) or an organisation or country. */
static nm_attr__span nm_attr__named_before(const nm_attr__ctx *c, uint32_t i, bool person) {
  uint32_t si = c->t[i].sent;
  if (si == 0) return nm_attr__none;
  const nm__sent *s = &NM_AT(c->doc->sents, nm__sent, si - 1);
  for (uint32_t k = s->first_tok; k < s->end_tok; k++) {
    if (nm_attr__in_quote(c, k) || !(nm_attr__capword(c, k) || nm_attr__is_any(c, k, nm_attr__articles))) continue;
    nm_attr__span np = nm_attr__np_right(c, k, s->end_tok);
    if (np.first == NM_NONE) continue;
    nm_attr__mention m = nm_attr__analyse_mention(c, np);
    bool is_person = m.type == NM_ENTITY_PERSON;
    bool is_thing = m.type == NM_ENTITY_ORGANIZATION || m.type == NM_ENTITY_COUNTRY;
    if (person ? is_person : is_thing) return np;
    k = np.end - 1;
  }
  return nm_attr__none;
}

/* NM_ATTR_HE for he/him/his, NM_ATTR_SHE for she/her/hers, else 0. */
static uint8_t nm_attr__gender_of(const nm_attr__ctx *c, uint32_t i) {
  static const char *const he[] = {"he", "him", "his", "himself", NULL};
  static const char *const she[] = {"she", "her", "hers", "herself", NULL};
  return nm_attr__is_any(c, i, he) ? NM_ATTR_HE : nm_attr__is_any(c, i, she) ? NM_ATTR_SHE : 0;
}

/* NM_ATTR_HE or NM_ATTR_SHE when a mention says which: an honorific
   before a name ("Mrs. Clinton", "Sir John Major") or a gendered head
   noun ("the spokeswoman", "a congressman"); else 0. Only those: other
   words of a long phrase ("a PAC run by his son") are about someone else. */
static uint8_t nm_attr__title_gender(const nm_attr__ctx *c, nm_attr__span sp, const nm_attr__mention *m) {
  static const char *const mr[] = {"mr", "mr.", "sir", "lord", NULL};
  static const char *const mrs[] = {"mrs", "mrs.", "ms", "ms.", "miss", "madam", "lady", "dame", NULL};
  static const char *const he[] = {"congressman", "chairman", "spokesman", "businessman", "councilman", "assemblyman",
                                   "alderman", "father", "brother", "husband", "uncle", "grandfather", "man", "boy",
                                   "gentleman", NULL};
  static const char *const she[] = {"congresswoman", "chairwoman", "spokeswoman", "businesswoman", "councilwoman",
                                    "assemblywoman", "alderwoman", "mother", "sister", "daughter", "wife", "aunt",
                                    "grandmother", "woman", "girl", NULL};
  if (sp.end <= sp.first) return 0;
  for (uint32_t i = sp.first; i + 1 < sp.end; i++) {
    if (i > sp.first && nm_attr__capword(c, i - 1)) continue; /* inside a name: "Choe Son Hui" */
    if (!nm_attr__capword(c, i + 1) && nm_attr__punct(c, i + 1) != '.') continue;
    if (nm_attr__is_any(c, i, mr)) return NM_ATTR_HE;
    if (nm_attr__is_any(c, i, mrs)) return NM_ATTR_SHE;
  }
  if (m->name_first != NM_NONE && m->head >= m->name_first && m->head < m->name_end) return 0;
  return nm_attr__is_any(c, m->head, he) ? NM_ATTR_HE : nm_attr__is_any(c, m->head, she) ? NM_ATTR_SHE : 0;
}

/* Entity e as "he" or "she": false when a pronoun already called it the other. */
static bool nm_attr__gender_fits(const nm_attr__ctx *c, int32_t e, uint8_t g) {
  if (e < 0 || !g) return true;
  uint8_t had = NM_AT(c->doc->entities, nm__entity, e).gender;
  return !had || had == g;
}

static int32_t nm_attr__resolve_mention(nm_attr__ctx *c, nm_attr__span sp, const nm_attr__mention *mp,
                                        int32_t last_person, int32_t last_thing);

/* The entity a mention refers to: an existing one it names again, or a new
   one. A "he" or "she", or a title that says which ("Mrs.", "the
   spokesman"), also gives its entity that gender, so that a later pronoun
   of the other one looks elsewhere. */
static int32_t nm_attr__resolve(nm_attr__ctx *c, nm_attr__span sp, int32_t last_person, int32_t last_thing) {
  nm_attr__mention m = nm_attr__analyse_mention(c, sp);
  int32_t e = nm_attr__resolve_mention(c, sp, &m, last_person, last_thing);
  uint8_t g = m.pronoun ? nm_attr__gender_of(c, sp.first) : nm_attr__title_gender(c, sp, &m);
  if (e >= 0 && g && !NM_AT(c->doc->entities, nm__entity, e).gender) NM_AT(c->doc->entities, nm__entity, e).gender = g;
  return e;
}

static int32_t nm_attr__resolve_mention(nm_attr__ctx *c, nm_attr__span sp, const nm_attr__mention *mp,
                                        int32_t last_person, int32_t last_thing) {
  const nm_attr__mention m = *mp;
  size_t count = c->doc->entities.count;
  const char *text = c->doc->text;
  if (m.pronoun) {
    const nm__token *t = &c->t[sp.first];
    char w = (char)(text[t->start] | 0x20);
    bool person = (w == 'h' || w == 's' || nm_attr__is(c, sp.first, "who") || nm_attr__is(c, sp.first, "i"));
    if (nm_attr__is(c, sp.first, "who") && sp.first > 0) {
      /* ", who said": the phrase before the relative pronoun */
      uint32_t h = sp.first - 1;
      if (nm_attr__punct(c, h) == ',' && h > 0) h--;
      nm_attr__span ante = nm_attr__np_left(c, h, h > 12 ? h - 12 : 0);
      if (ante.first != NM_NONE && !nm_attr__pronoun(c, ante.first)) return nm_attr__resolve(c, ante, last_person, last_thing);
    }
    if (nm_attr__is(c, sp.first, "they")) person = false;
    if (person && !nm_attr__is(c, sp.first, "i")) {
      /* the nearest named person earlier in the sentence: "Kirby released footage that he said showed" */
      nm_attr__span ante = nm_attr__person_before(c, sp.first);
      if (ante.first != NM_NONE) {
        size_t before = c->doc->entities.count;
        int32_t e = nm_attr__resolve(c, ante, last_person, last_thing);
        if (e >= 0 && c->doc->entities.count > before &&
            nm_attr__add_mention(c, e, c->t[ante.first].start, c->t[ante.end - 1].end) != NM_OK)
          return -2;
        return e;
      }
    }
    /* "he" after a woman was quoted (or "she" after a man) is someone else */
    uint8_t g = nm_attr__gender_of(c, sp.first);
    if (person && !nm_attr__gender_fits(c, last_person, g)) last_person = -1;
    if ((person ? last_person : last_thing) < 0) {
      /* nothing quoted yet: a name in the sentence before ("Colonel Ivan
         Petrov inspected the troops. “...,” he said.") */
      nm_attr__span ante = nm_attr__named_before(c, sp.first, person);
      if (ante.first != NM_NONE) {
        size_t before = c->doc->entities.count;
        int32_t e = nm_attr__resolve(c, ante, last_person, last_thing);
        if (e >= 0 && !nm_attr__gender_fits(c, e, g) && c->doc->entities.count == before) return nm_attr__new_entity(c, &m);
        if (e >= 0 && nm_attr__add_mention(c, e, c->t[ante.first].start, c->t[ante.end - 1].end) != NM_OK) return -2;
        return e;
      }
    }
    int32_t e = person ? last_person : last_thing;
    if (e < 0 && nm_attr__is(c, sp.first, "they")) e = last_person;
    if (e >= 0) return e;
    return nm_attr__new_entity(c, &m);
  }
  uint32_t na = m.name_first, nb = m.name_end;
  if (na != NM_NONE && na < nb) { /* (a title alone, "Mr.", has an empty name) */
    /* full name, or one word of a known person's name: "Choe", "Mr. Kirby" */
    char *name = nm_attr__text(c, na, nb);
    if (!name) return -2;
    for (size_t i = count; i-- > nm_attr__lookback_floor(count);) {
      nm__entity *e = &NM_AT(c->doc->entities, nm__entity, i);
      if (nm_attr__same_words(e->name, name)) return (int32_t)i;
    }
    if (nb - na == 1) {
      for (size_t i = count; i-- > nm_attr__lookback_floor(count);) {
        nm__entity *e = &NM_AT(c->doc->entities, nm__entity, i);
        if ((e->type == NM_ENTITY_PERSON || e->type == NM_ENTITY_UNKNOWN) &&
            nm_attr__name_has_word(e->name, text + c->t[na].start, c->t[na].end - c->t[na].start))
          return (int32_t)i;
      }
    }
    /* a longer name that contains a known single-word one: "Kirby" then "John Kirby" */
    for (size_t i = count; i-- > nm_attr__lookback_floor(count);) {
      nm__entity *e = &NM_AT(c->doc->entities, nm__entity, i);
      if (e->type == NM_ENTITY_PERSON && !strchr(e->name, ' ') && nb - na > 1 &&
          nm_attr__name_has_word(name, e->name, strlen(e->name))) {
        e->name = name;
        return (int32_t)i;
      }
    }
    return nm_attr__new_entity(c, &m);
  }
  /* a role with a definite article: "the minister", "the spokesman", "the statement" */
  if (m.definite || (m.first < m.end && !m.anonymous)) {
    const nm__token *h = &c->t[m.head];
    for (size_t i = count; i-- > nm_attr__lookback_floor(count);) {
      nm__entity *e = &NM_AT(c->doc->entities, nm__entity, i);
      if (nm_attr__head_is(e->name, text + h->start, h->end - h->start) ||
          (e->title && nm_attr__head_is(e->title, text + h->start, h->end - h->start)))
        return (int32_t)i;
    }
  }
  return nm_attr__new_entity(c, &m);
}

/* ---- private: putting it together ------------------------------------------ */

static void nm_attr__set_span(const nm_attr__ctx *c, nm_attr__span sp, uint32_t *s, uint32_t *e) {
  if (sp.first == NM_NONE) {
    *s = *e = NM_NONE;
    return;
  }
  *s = c->t[sp.first].start;
  *e = c->t[sp.end - 1].end;
}

/* Quotes of one continuation chain share one attribution: copy it whole. */
static void nm_attr__copy_source(nm__quote *to, const nm__quote *from) {
  to->speaker_start = from->speaker_start;
  to->speaker_end = from->speaker_end;
  to->cue_start = from->cue_start;
  to->cue_end = from->cue_end;
  to->via_start = from->via_start;
  to->via_end = from->via_end;
  to->entity = from->entity;
}

static void nm_attr__apply(const nm_attr__ctx *c, nm__quote *q, const nm_attr__frame *f) {
  nm_attr__set_span(c, f->speaker, &q->speaker_start, &q->speaker_end);
  nm_attr__set_span(c, f->cue, &q->cue_start, &q->cue_end);
  /* "said:", "added:": the colon that hands over to the quote is part of
     the cue, as news attribution corpora mark it (PolNeAR: 367 of 385) */
  uint32_t ce = f->cue.end;
  if (ce != NM_NONE && ce < c->ntok && nm_attr__punct(c, ce) == ':' && !c->t[ce].space &&
      nm_attr__word(c, ce - 1))
    q->cue_end = c->t[ce].end;
  nm_attr__set_span(c, f->via, &q->via_start, &q->via_end);
  q->entity = f->entity;
}

/* Is the quote a term (a title, nickname or so-called word) rather than speech? */
static bool nm_attr__is_term(const nm_attr__ctx *c, const nm__quote *q) {
  uint32_t a = q->first_tok, b = q->end_tok;
  /* <tweet id="7711572786">: an attribute's value in pasted markup */
  if (a > 0 && !c->t[a].space && nm_attr__punct(c, a - 1) == '=') return true;
  /* marks around no word at all ("2003", "#1") quote no one */
  {
    bool any_word = false;
    for (uint32_t k = a; k < b && !any_word; k++) any_word = c->t[k].type == NM_TOK_WORD;
    if (!any_word) return true;
  }
  if (a > 0) {
    /* so-called “X”, dubbed “X”, known as “X” */
    for (uint32_t k = a > 3 ? a - 3 : 0; k < a; k++)
      if (nm_attr__lex_run(c, k, a, NM_LEX_TERM_CUE) == a - k) return true;
  }
  /* “Ferry plan backed,” by Dana Pike: the title of a piece, before its byline */
  if (q->closed && b + 2 < c->ntok && nm_attr__is(c, b, "by") && b >= 2 && nm_attr__punct(c, b - 2) == ',' &&
      (nm_attr__capword(c, b + 1) || (nm_attr__is(c, b + 1, "the") && nm_attr__capword(c, b + 2))))
    return true;
  /* Jeb “Shorty” Bush: a quoted word between two parts of a name */
  if (a > 0 && b < c->ntok && nm_attr__capword(c, a - 1) && nm_attr__capword(c, b) && b - a <= 4 &&
      c->t[a].space && c->t[b].space)
    return true;
  /* “Saturday Night Live”: every word capitalised, no sentence inside */
  uint32_t words = 0, caps = 0;
  for (uint32_t k = a + 1; k + 1 < b; k++) {
    if (!nm_attr__word(c, k)) {
      if (nm_attr__punct(c, k) && strchr(".,!?;:", nm_attr__punct(c, k))) return false;
      continue;
    }
    words++;
    if (c->t[k].flags & NM_TF_CAP) caps++;
    else if (!nm_attr__is(c, k, "of") && !nm_attr__is(c, k, "the") && !nm_attr__is(c, k, "and") &&
             !nm_attr__is(c, k, "a") && !nm_attr__is(c, k, "in") && !nm_attr__is(c, k, "on"))
      return false;
  }
  bool sentence_start = (c->t[a].flags & NM_TF_SENT_START) != 0;
  return words >= 2 && caps >= 2 && !sentence_start && q->closed;
}

/* Verbs that characterise rather than report: "condemned the plan as a
   “criminal act”", "called the report “fake”". Their quoted words are
   partial quotes; the sentence around them is the writer's. */
static const char *const nm_attr__characterising[] = {
    "call", "calls", "called", "calling", "condemn", "condemns", "condemned", "condemning", "describe",
    "describes", "described", "describing", "brand", "branded", "dub", "dubbed", "label", "labelled", "labeled",
    "term", "termed", "denounce", "denounced", "denounces", "slam", "slammed", "slams", "blast", "blasted",
    "dismiss", "dismissed", "dismisses", "lashed", "spoke", "speaks", "praise", "praised", "mention", "mentioned",
    NULL};

/*
 * Does a frame's content make a mixed or indirect quote? Not in a headline
 * (its quotes are headline quotes), not for a characterising verb's quoted
 * label, and not for a bare object ("told reporters on Friday", "dismissed
 * the report"): reported speech is a clause, or at least a few words.
 */
static bool nm_attr__reports_content(const nm_attr__ctx *c, const nm_attr__frame *fr, bool has_quote) {
  uint32_t pflags = NM_AT(c->doc->paras, nm__para, NM_AT(c->doc->sents, nm__sent, fr->sent).para).flags;
  if (pflags & (NM_PF_HEADING | NM_PF_BOILERPLATE | NM_PF_CREDIT)) return false;
  uint32_t a = fr->content.first;
  bool clause = nm_attr__is_any(c, a, nm_attr__clause_words) || nm_attr__punct(c, a) == ':';
  if (fr->cue.first == NM_NONE) return false;
  if (has_quote) return clause || !nm_attr__is_any(c, fr->cue.first, nm_attr__characterising);
  if (clause || nm_attr__is(c, a, "of") || nm_attr__is(c, a, "to")) return true;
  if (nm_attr__is_any(c, fr->cue.first + (fr->cue.end - fr->cue.first) - 1, nm_attr__object_cues)) return false;
  uint32_t words = 0;
  for (uint32_t k = a; k < fr->content.end; k++) words += nm_attr__word(c, k);
  return words >= 4 || (fr->cue.first > fr->content.first); /* ", X said" keeps what comes before */
}

/* Hook for the tagger (tagger.c): would the rules take this cue's content,
   tokens [content_first, content_end), as reported speech? */
bool nm__attr_reports_content(nm_doc *doc, uint32_t cue_first, uint32_t cue_end, uint32_t content_first,
                              uint32_t content_end, bool has_quote) {
  nm_attr__ctx c = {.doc = doc, .t = doc->tokens.items, .ntok = (uint32_t)doc->tokens.count, .lex = doc->engine->lexicon};
  nm_attr__frame fr = {{cue_first, cue_end}, nm_attr__none, nm_attr__none, {content_first, content_end},
                       c.t[content_first].sent, false, false, -1};
  return nm_attr__reports_content(&c, &fr, has_quote);
}

/* Hook for the tagger (tagger.c): "who asked not to be named" reports no speech. */
bool nm__attr_asks_anonymity(nm_doc *doc, uint32_t i) {
  nm_attr__ctx c = {.doc = doc, .t = doc->tokens.items, .ntok = (uint32_t)doc->tokens.count, .lex = doc->engine->lexicon};
  return nm_attr__is(&c, i, "not") && nm_attr__is(&c, i + 1, "to") && nm_attr__is(&c, i + 2, "be");
}

/* Hook for the tagger (tagger.c): does a phrase that ends at token i stop
   short? An article, a preposition or a conjunction leaves it unfinished
   ("voted to close the"). */
bool nm__attr_dangling(nm_doc *doc, uint32_t i) {
  static const char *const joiners[] = {"and", "or", "but", "by", "on", "as", NULL};
  nm_attr__ctx c = {.doc = doc, .t = doc->tokens.items, .ntok = (uint32_t)doc->tokens.count, .lex = doc->engine->lexicon};
  return nm_attr__is_any(&c, i, nm_attr__articles) || nm_attr__is_any(&c, i, nm_attr__np_preps) ||
         nm_attr__is_any(&c, i, joiners);
}

/* Hook for the tagger (tagger.c): is token i an article ("the", "a", ...)? */
bool nm__attr_article(nm_doc *doc, uint32_t i) {
  nm_attr__ctx c = {.doc = doc, .t = doc->tokens.items, .ntok = (uint32_t)doc->tokens.count, .lex = doc->engine->lexicon};
  return nm_attr__is_any(&c, i, nm_attr__articles);
}

/* Hook for the tagger (tagger.c): the noun phrase that ends at token
   `head`, no further left than token lo; false when there is none. */
bool nm__attr_np_left(nm_doc *doc, uint32_t head, uint32_t lo, uint32_t *first, uint32_t *end) {
  nm_attr__ctx c = {.doc = doc, .t = doc->tokens.items, .ntok = (uint32_t)doc->tokens.count, .lex = doc->engine->lexicon};
  nm_attr__span sp = nm_attr__np_left(&c, head, lo);
  if (sp.first == NM_NONE) return false;
  *first = sp.first, *end = sp.end;
  return true;
}

/* The first of the quote-mark quotes (sorted by start, as quotes.c emits
   them) that starts at or after token `tok`. */
static size_t nm_attr__first_quote_from(const nm_doc *doc, size_t n, uint32_t tok) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (NM_AT(doc->quotes, nm__quote, mid).first_tok < tok) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Entity e has just been quoted: it is the person, or the thing, that a
   later "he" or "it" refers to (an entity of unknown type stands for a
   person until one is quoted). */
static void nm_attr__just_quoted(const nm_doc *doc, int32_t e, int32_t *last_person, int32_t *last_thing) {
  uint8_t type = NM_AT(doc->entities, nm__entity, e).type;
  if (type == NM_ENTITY_PERSON) *last_person = e;
  else *last_thing = e;
  if (type == NM_ENTITY_UNKNOWN && *last_person < 0) *last_person = e;
}

/* The entity of a mention that holds [start, end) ("who" inside "A council
   official, who asked not to be named"), else -1. Mentions are sorted by
   start; the few nearest before start are enough. */
static int32_t nm_attr__named_within(const nm__span_ref *m, size_t n, uint32_t start, uint32_t end) {
  size_t lo = nm__span_ref_lower(m, n, start + 1); /* past the last mention starting at or before start */
  for (size_t k = lo; k-- > 0 && k + 4 >= lo;)
    if (m[k].start <= start && m[k].end >= end) return (int32_t)m[k].id;
  return -1;
}

/* A cue is its whole verb group, as PolNeAR marks it: the auxiliaries,
   negations and adverbs between the speaker and the reporting verb belong
   to the cue ("Trump [has repeatedly said]", "she [did not respond]"). The
   rules and the tagger find the verb; this takes the words back to the
   speaker when every one of them is such a word (held-out fold 0: cue
   exact F1 +0.4). */
static bool nm_attr__verb_group_word(const nm_attr__ctx *c, uint32_t i) {
  static const char *const more[] = {"can", "must", "was", "were", "is", "are", "been", "be", "being", "not", NULL};
  if (c->t[i].type != NM_TOK_WORD) return false;
  if (nm_attr__is_any_word(c, i, nm_attr__aux) || nm_attr__is_any_word(c, i, more)) return true;
  const char *w = c->doc->text + c->t[i].start;
  size_t n = c->t[i].end - c->t[i].start;
  if (n >= 3 && !memcmp(w + n - 3, "n't", 3)) return true;           /* didn't, hasn't */
  if (n >= 5 && !memcmp(w + n - 5, "n\xE2\x80\x99t", 5)) return true; /* didn’t */
  /* an adverb: "publicly", "flatly" (lower case: "Kelly" is a name) */
  return n > 4 && w[0] >= 'a' && w[0] <= 'z' && w[n - 2] == 'l' && w[n - 1] == 'y';
}

void nm__attr_verb_groups(nm_doc *doc) {
  nm_attr__ctx c = {.doc = doc, .t = doc->tokens.items, .ntok = (uint32_t)doc->tokens.count, .lex = doc->engine->lexicon};
  for (size_t i = 0; i < doc->quotes.count; i++) {
    nm__quote *q = &NM_AT(doc->quotes, nm__quote, i);
    if (q->speaker_start == NM_NONE || q->cue_start == NM_NONE || q->speaker_end >= q->cue_start) continue;
    uint32_t cue = nm__tok_at(c.t, c.ntok, q->cue_start), a = cue;
    while (a > 0 && c.t[a - 1].start >= q->speaker_end && cue - a < 4 && nm_attr__verb_group_word(&c, a - 1)) a--;
    /* every word back to the speaker (or to the comma closing its
       apposition: "Dana Webb, the city's engineer, did not say"), and
       within the cue's sentence */
    if (a == cue || c.t[a].sent != c.t[cue].sent) continue;
    if (a > 0 && c.t[a - 1].start >= q->speaker_end &&
        !(nm_attr__punct(&c, a - 1) == ',' && a > 1 && c.t[a - 2].start < q->speaker_end))
      continue;
    q->cue_start = c.t[a].start;
  }
}

nm_status nm__attr_late_entities(nm_doc *doc) {
  size_t orphans = 0;
  for (size_t i = 0; i < doc->quotes.count; i++) {
    const nm__quote *q = &NM_AT(doc->quotes, nm__quote, i);
    orphans += q->speaker_start != NM_NONE && q->entity < 0;
  }
  if (!orphans) return NM_OK;
  /* A speaker the rules already resolved, given again by the tagger
     (often as its own quote's speaker), keeps that entity: resolving it
     again would make a second "a diplomat". */
  size_t nnamed = 0;
  for (size_t e = 0; e < doc->entities.count; e++) nnamed += NM_AT(doc->entities, nm__entity, e).mentions.count;
  nm__span_ref *named = malloc((nnamed ? nnamed : 1) * sizeof *named);
  if (!named) return NM_ERR_NOMEM;
  nnamed = 0;
  for (size_t e = 0; e < doc->entities.count; e++) {
    const nm__vec *mv = &NM_AT(doc->entities, nm__entity, e).mentions;
    for (size_t k = 0; k < mv->count; k++) {
      const uint32_t *pair = (const uint32_t *)mv->items + 2 * k;
      named[nnamed++] = (nm__span_ref){pair[0], pair[1], (uint32_t)e};
    }
  }
  qsort(named, nnamed, sizeof *named, nm__span_ref_cmp);

  nm_attr__ctx c = {.doc = doc, .t = doc->tokens.items, .ntok = (uint32_t)doc->tokens.count, .lex = doc->engine->lexicon};
  nm_status st = NM_OK;
  int32_t last_person = -1, last_thing = -1;
  uint32_t last_start = NM_NONE, last_end = NM_NONE;
  int32_t last_entity = -1;
  for (size_t i = 0; i < doc->quotes.count; i++) {
    nm__quote *q = &NM_AT(doc->quotes, nm__quote, i);
    if (q->speaker_start == NM_NONE) continue;
    if (q->entity < 0 && q->speaker_start == last_start && q->speaker_end == last_end) q->entity = last_entity;
    if (q->entity < 0) q->entity = nm__span_ref_find(named, nnamed, q->speaker_start, q->speaker_end);
    if (q->entity < 0) q->entity = nm_attr__named_within(named, nnamed, q->speaker_start, q->speaker_end);
    if (q->entity < 0) {
      uint32_t a = nm__tok_at(c.t, c.ntok, q->speaker_start), b = a;
      while (b < c.ntok && c.t[b].start < q->speaker_end) b++;
      if (a == b) continue;
      int32_t e = nm_attr__resolve(&c, (nm_attr__span){a, b}, last_person, last_thing);
      if (e == -2 || nm_attr__add_mention(&c, e, q->speaker_start, q->speaker_end) != NM_OK) {
        st = NM_ERR_NOMEM;
        break;
      }
      q->entity = e;
    }
    last_start = q->speaker_start, last_end = q->speaker_end, last_entity = q->entity;
    nm_attr__just_quoted(doc, q->entity, &last_person, &last_thing);
  }
  free(named);
  return st;
}

nm_status nm__attribute(nm_doc *doc, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  nm_status st = nm__split_sentences(doc);
  if (st != NM_OK) return st;
  nm_attr__run_memo memo = {NM_NONE, 0, 0, {0}};
  nm_attr__filter filter;
  memset(&filter, 0, sizeof filter);
  nm_attr__ctx c = {doc, doc->tokens.items, (uint32_t)doc->tokens.count, doc->engine->lexicon, {0}, &memo, &filter};
  nm__vec_init(&c.frames, sizeof(nm_attr__frame));
  for (uint32_t si = 0; si < doc->sents.count; si++)
    if ((st = nm_attr__frames_in_sentence(&c, si)) != NM_OK) goto done;

  /* Entities, in text order of the speakers. */
  {
    int32_t last_person = -1, last_thing = -1;
    nm_attr__frame *f = c.frames.items;
    for (size_t i = 0; i < c.frames.count; i++) {
      if (f[i].speaker.first == NM_NONE) continue;
      if (i > 0 && f[i].speaker.first == f[i - 1].speaker.first && f[i].speaker.end == f[i - 1].speaker.end) {
        f[i].entity = f[i - 1].entity;
        continue;
      }
      int32_t e = nm_attr__resolve(&c, f[i].speaker, last_person, last_thing);
      if (e == -2) {
        st = NM_ERR_NOMEM;
        goto done;
      }
      f[i].entity = e;
      if (nm_attr__add_mention(&c, e, c.t[f[i].speaker.first].start, c.t[f[i].speaker.end - 1].end) != NM_OK) {
        st = NM_ERR_NOMEM;
        goto done;
      }
      nm_attr__just_quoted(doc, e, &last_person, &last_thing);
    }
  }

  /* Quotes: kinds, and the frame each belongs to. */
  {
    size_t nq = doc->quotes.count;
    const nm_attr__frame *f = c.frames.items;
    const nm_attr__frame *last_frame = NULL; /* the latest frame before the quote */
    size_t fi = 0; /* the first frame of the quote's sentence */
    size_t fk = 0; /* the first frame of that sentence within reach of the quote */
    for (size_t qi = 0; qi < nq; qi++) {
      nm__quote *q = &NM_AT(doc->quotes, nm__quote, qi);
      const nm__para *para = &NM_AT(doc->paras, nm__para, NM_AT(doc->sents, nm__sent, c.t[q->first_tok].sent).para);
      uint32_t si = c.t[q->first_tok].sent;
      while (fi < c.frames.count && f[fi].sent < si) last_frame = &f[fi++];
      /* Frames come in text order, and quotes too: the frames whose cue is
         far before this quote are far before the next one as well, so a
         sentence with thousands of frames is not read again for each of
         its quotes (that was quadratic on text with no sentence end). */
      if (fk < fi) fk = fi;
      while (fk < c.frames.count && f[fk].sent == si && nm_attr__far_before(&f[fk], q->first_tok)) fk++;
      if (para->flags & (NM_PF_BOILERPLATE | NM_PF_CREDIT)) q->in_boiler = 1;
      if (para->flags & (NM_PF_HEADING | NM_PF_BOILERPLATE | NM_PF_CREDIT)) q->kind = NM_QUOTE_HEADING;
      else if (nm_attr__is_term(&c, q)) {
        q->kind = NM_QUOTE_TERM;
        continue;
      }
      /* The best frame: one whose content is exactly this quote, else the
         innermost frame whose content holds it, else one in its sentence. */
      const nm_attr__frame *best = NULL;
      uint32_t best_len = UINT32_MAX;
      bool exact = false;
      for (size_t k = fk; k < c.frames.count && f[k].sent <= c.t[q->end_tok - 1].sent; k++) {
        const nm_attr__frame *fr = &f[k];
        if (nm_attr__far_after(fr, q->end_tok)) break;
        if (fr->content.first == NM_NONE) continue;
        if (fr->content.first <= q->first_tok && fr->content.end >= q->end_tok) {
          uint32_t len = fr->content.end - fr->content.first;
          bool ex = fr->content.first == q->first_tok && fr->content.end == q->end_tok;
          if (ex || len < best_len) {
            best = fr;
            best_len = len;
            exact = ex;
          }
        }
      }
      if (!best) {
        /* a frame in the same sentence ("the “criminal” plan, X said"), nearest first */
        uint32_t best_dist = UINT32_MAX;
        for (size_t k = fk; k < c.frames.count && f[k].sent == si && !nm_attr__far_after(&f[k], q->end_tok); k++) {
          uint32_t d = f[k].cue.first > q->first_tok ? f[k].cue.first - q->first_tok : q->first_tok - f[k].cue.first;
          if (d < best_dist) {
            best = &f[k];
            best_dist = d;
          }
        }
      }
      const nm__quote *run_prev = NULL; /* the quote paragraph just before, when q opens the next one */
      if (!best && qi > 0 && q->first_tok == para->first_tok && !(para->flags & (NM_PF_HEADING | NM_PF_BOILERPLATE))) {
        const nm__quote *pq = &NM_AT(doc->quotes, nm__quote, qi - 1);
        uint32_t pp = NM_AT(doc->sents, nm__sent, c.t[pq->first_tok].sent).para;
        uint32_t qp = NM_AT(doc->sents, nm__sent, si).para;
        if (pq->kind == NM_QUOTE_DIRECT && pq->speaker_start != NM_NONE && qp - pp == 1 &&
            pq->first_tok == NM_AT(doc->paras, nm__para, pp).first_tok)
          run_prev = pq;
      }
      if (!best && q->chain_prev >= 0) {
        nm_attr__copy_source(q, &NM_AT(doc->quotes, nm__quote, q->chain_prev));
      } else if (!best && run_prev && (!last_frame || c.t[nm_attr__frame_at(last_frame)].start < run_prev->start)) {
        /* Quote paragraphs in a row, the first attributed: the rest go on
           in the same voice (a reader does not expect the name again). */
        nm_attr__copy_source(q, run_prev);
      } else if (!best && last_frame) {
        /* a quote alone in its sentence continues the latest speaker in
           this or the previous paragraph */
        uint32_t fp = NM_AT(doc->sents, nm__sent, last_frame->sent).para;
        uint32_t qp = NM_AT(doc->sents, nm__sent, si).para;
        bool heading = (para->flags & (NM_PF_HEADING | NM_PF_BOILERPLATE)) != 0;
        if (!heading && qp - fp <= 1 && si - last_frame->sent <= 3) best = last_frame;
      }
      if (best) nm_attr__apply(&c, q, best);
      if (q->kind == NM_QUOTE_HEADING) continue;
      bool at_start = (c.t[q->first_tok].flags & NM_TF_SENT_START) || exact ||
                      (q->first_tok > 0 && (nm_attr__punct(&c, q->first_tok - 1) == ':'));
      q->kind = at_start ? NM_QUOTE_DIRECT : NM_QUOTE_PARTIAL;
    }
  }

  /* A long quote's attribution often comes in its last paragraph: give it
     to the paragraphs before, which open the quote without closing it. */
  for (size_t qi = doc->quotes.count; qi-- > 0;) {
    const nm__quote *q = &NM_AT(doc->quotes, nm__quote, qi);
    if (q->chain_prev < 0 || q->speaker_start == NM_NONE) continue;
    nm__quote *prev = &NM_AT(doc->quotes, nm__quote, q->chain_prev);
    if (prev->speaker_start != NM_NONE) continue;
    nm_attr__copy_source(prev, q);
  }

  /* Reported content becomes mixed or indirect quotes. */
  {
    size_t nq_marked = doc->quotes.count;
    nm_attr__frame *f = c.frames.items;
    for (size_t k = 0; k < c.frames.count; k++) {
      nm_attr__frame *fr = &f[k];
      if (fr->content.first == NM_NONE) continue;
      /* content that is one quote, exactly, is that quote (direct) */
      bool only_quote = false, has_quote = nm_attr__span_has_quote(&c, fr->content);
      size_t q0 = nm_attr__first_quote_from(doc, nq_marked, fr->content.first);
      for (size_t qi = q0; qi < nq_marked && NM_AT(doc->quotes, nm__quote, qi).first_tok == fr->content.first; qi++)
        if (NM_AT(doc->quotes, nm__quote, qi).end_tok >= fr->content.end) only_quote = true;
      if (only_quote || !nm_attr__reports_content(&c, fr, has_quote)) continue;
      nm__quote *m = nm__vec_push(&doc->quotes);
      if (!m) {
        st = NM_ERR_NOMEM;
        goto done;
      }
      f = c.frames.items;
      fr = &f[k];
      nm_attr__set_span(&c, fr->content, &m->start, &m->end);
      m->first_tok = fr->content.first;
      m->end_tok = fr->content.end;
      m->kind = has_quote ? NM_QUOTE_MIXED : NM_QUOTE_INDIRECT;
      m->closed = 1;
      m->parent = -1;
      m->chain_prev = -1;
      nm_attr__apply(&c, m, fr);
      int32_t mi = (int32_t)doc->quotes.count - 1;
      if (has_quote)
        for (size_t qi = q0; qi < nq_marked && NM_AT(doc->quotes, nm__quote, qi).first_tok < fr->content.end; qi++) {
          nm__quote *q = &NM_AT(doc->quotes, nm__quote, qi);
          if (q->end_tok <= fr->content.end && q->kind != NM_QUOTE_TERM &&
              q->parent < 0 && q->speaker_start == m->speaker_start) {
            q->parent = mi;
            q->kind = q->kind == NM_QUOTE_HEADING ? q->kind : NM_QUOTE_PARTIAL;
          }
        }
      NM_AT(doc->quotes, nm__quote, mi).in_boiler =
          (NM_AT(doc->paras, nm__para, NM_AT(doc->sents, nm__sent, fr->sent).para).flags &
           (NM_PF_BOILERPLATE | NM_PF_CREDIT)) != 0;
    }
  }
done:
  nm__vec_free(&c.frames);
  return st;
}
