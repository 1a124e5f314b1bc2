/*
 * markers.c: the built-in fact-checking markers, the page-furniture line
 * classifier, and the pass that runs user pattern rules (rules.c compiles
 * them).
 *
 * The built-in rules, their ids (stable: users disable them by id) and
 * what each flags:
 *
 *   id                   kind                what it flags
 *   figure.money         figure              $1.85 billion, €30m, 500 million dollars
 *   figure.percent       figure              45%, 3.5 percent, 2 percentage points
 *   figure.count         figure              50,000 troops, 111 state parties, 1.5 million
 *                                            (not years, dates, times or street numbers)
 *   figure.words         figure              several hundred, dozens of, a third of, five million
 *   date.relative        date                on Tuesday, last week, earlier this month, yesterday
 *   hedge.word           hedge               reportedly, it is believed, some say (hedges.txt)
 *   contested.verb       contested           claimed, alleged, allegedly (contested.txt)
 *   denial.verb          denial              denied, rejects, dismissed reports (denials.txt)
 *   source.anonymous     anonymous-source    a senior US military official, sources familiar with
 *   source.state-media   state-media         KCNA, Xinhua, state news agency (state_media.txt)
 *   source.agency        agency              per AFP, according to Reuters (agencies.txt)
 *   loaded.word          loaded              Reclusive, widely banned; writer's voice only (loaded.txt)
 *   quote.scare          scare-quote         a quote of one or two words used as a label
 *   quote.unattributed   unattributed-quote  a direct or partial quote with no speaker
 *   quote.edited         edited-quote        … ... [brackets] inside quote marks
 *   page.boilerplate     boilerplate         ALSO READ:, JOIN US ON TELEGRAM, tracking tags (boilerplate.txt)
 *   page.credit          credit              (Reporting by ...), By NAME (credits.txt)
 *
 * Speed: the word lists are looked up once per token in the engine's
 * lexicon hash, and PCRE2 patterns (JIT) run anchored only at the few
 * tokens that can start a figure or a date, never over the whole text.
 * User rules are the exception: each scans the whole text once.
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

/* ---- the built-in rules --------------------------------------------------- */

#define NM_MARKERS__MAGNITUDE "(?:million|billion|trillion|thousand|hundred)"
#define NM_MARKERS__CURRENCY_WORD \
  "(?:dollars|euros|pounds|yuan|renminbi|rubles|roubles|won|yen|rupees|hryvnias?|francs|shekels|pesos|reais)"

const nm__builtin nm__builtins[NM_R__COUNT] = {
    [NM_R_FIGURE_MONEY] = {"figure.money", "figure", "Amount: check it against the source", NM_SEVERITY_INFO,
                           "(?:[$€£¥₩₹]\\s?\\d[\\d,]*(?:\\.\\d+)?(?:\\s?(?:" NM_MARKERS__MAGNITUDE
                           "|bn|mn|m|k)\\b)?(?:\\s+" NM_MARKERS__CURRENCY_WORD "\\b)?"
                           "|\\d[\\d,]*(?:\\.\\d+)?(?:\\s+" NM_MARKERS__MAGNITUDE ")?\\s+" NM_MARKERS__CURRENCY_WORD
                           "\\b)"},
    [NM_R_FIGURE_PERCENT] = {"figure.percent", "figure", "Percentage: check it against the source",
                             NM_SEVERITY_INFO,
                             "\\d[\\d,]*(?:\\.\\d+)?(?:\\s?%|\\s?(?:percent|per\\s+cent)\\b|\\s+percentage\\s+points?\\b)"},
    [NM_R_FIGURE_COUNT] = {"figure.count", "figure", "Count: check the number against the source",
                           NM_SEVERITY_INFO, NULL},
    [NM_R_FIGURE_WORDS] = {"figure.words", "figure", "Number in words: check what it stands for",
                           NM_SEVERITY_INFO,
                           "(?i)(?:(?:several|a\\s+few|many|some|one|two|three|four|five|six|seven|eight|nine|ten|"
                           "eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a)\\s+"
                           "(?:hundred|thousand|million|billion|trillion)s?\\b(?:\\s+(?:of\\s+)?(?:thousands|millions)\\b)?"
                           "|(?:hundreds|thousands|millions|billions|dozens|scores|tens)\\s+of\\b"
                           "(?:\\s+(?:thousands|millions|billions)\\b)?"
                           "|(?:a|one|two|three|four)[\\s-](?:third|thirds|quarter|quarters|fifth|fifths|tenth|tenths)"
                           "\\s+of\\b"
                           "|(?:two-thirds|three-quarters|one-third|one-quarter|one-fifth|one-half)\\b"
                           "|a\\s+dozen\\b)"},
    [NM_R_DATE_RELATIVE] = {"date.relative", "date", "Relative date: check it against the dateline",
                            NM_SEVERITY_INFO,
                            "(?:(?:(?i:on|last|next|this|early|late|since|until|by)\\s+)?"
                            "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
                            "(?:\\s+(?:morning|afternoon|evening|night))?\\b"
                            "|(?i:yesterday|tomorrow|tonight|today)\\b"
                            "|(?i:(?:earlier|later)\\s+this|last|next|this)\\s+"
                            "(?:week|month|year|morning|afternoon|evening|weekend|spring|summer|autumn|winter)\\b"
                            "|(?i:last\\s+night)\\b"
                            "|(?i:a|one|two|three|four|five|six|seven|eight|nine|ten|several|a\\s+few|\\d+)\\s+"
                            "(?:days?|weeks?|months?|years?|hours?)\\s+ago\\b)"},
    [NM_R_HEDGE_WORD] = {"hedge.word", "hedge", "Hedge: who holds this view, and on what evidence?",
                         NM_SEVERITY_WARNING, NULL},
    [NM_R_CONTESTED_VERB] = {"contested.verb", "contested", "Claim or allegation: reported, not confirmed",
                             NM_SEVERITY_INFO, NULL},
    [NM_R_DENIAL_VERB] = {"denial.verb", "denial", "Denial: the claim it answers is in dispute", NM_SEVERITY_INFO,
                          NULL},
    [NM_R_SOURCE_ANONYMOUS] = {"source.anonymous", "anonymous-source",
                               "Anonymous source: the reader cannot check who said it", NM_SEVERITY_WARNING, NULL},
    [NM_R_SOURCE_STATE_MEDIA] = {"source.state-media", "state-media",
                                 "State media: the channel speaks for a government", NM_SEVERITY_WARNING, NULL},
    [NM_R_SOURCE_AGENCY] = {"source.agency", "agency", "Wire agency: check the agency's own report",
                            NM_SEVERITY_INFO, NULL},
    [NM_R_LOADED_WORD] = {"loaded.word", "loaded", "Loaded word in the writer's own voice", NM_SEVERITY_WARNING,
                          NULL},
    [NM_R_QUOTE_SCARE] = {"quote.scare", "scare-quote", "Scare quote: a word or two quoted as a label",
                          NM_SEVERITY_INFO, NULL},
    [NM_R_QUOTE_UNATTRIBUTED] = {"quote.unattributed", "unattributed-quote", "Quote with no speaker: who said it?",
                                 NM_SEVERITY_WARNING, NULL},
    [NM_R_QUOTE_EDITED] = {"quote.edited", "edited-quote",
                           "Edited quote: words left out or added; check the original", NM_SEVERITY_INFO, NULL},
    [NM_R_PAGE_BOILERPLATE] = {"page.boilerplate", "boilerplate", "Page furniture, not part of the article",
                               NM_SEVERITY_INFO, NULL},
    [NM_R_PAGE_CREDIT] = {"page.credit", "credit", "Byline or reporting credit", NM_SEVERITY_INFO, NULL},
};

/* ---- private: state of one pass ------------------------------------------- */

typedef struct nm_markers__span {
  uint32_t start, end;
} nm_markers__span;

typedef struct nm_markers__pass {
  nm_doc *doc;
  const nm_engine *engine;
  pcre2_match_data *md;
  nm_markers__span *quoted; /* merged spans of quote marks (not indirect/mixed), sorted */
  size_t nquoted;
  nm_markers__span *anon; /* anonymous entity mentions, sorted */
  size_t nanon;
} nm_markers__pass;

static nm_status nm_markers__push(nm_markers__pass *p, enum nm__builtin_rule k, uint32_t start, uint32_t end) {
  const nm__rule *r = nm__rule_at(p->engine, (size_t)k);
  return nm__doc_push_marker(p->doc, start, end, r->kind, r->id, r->message, r->severity);
}

static int nm_markers__span_cmp(const void *a, const void *b) {
  const nm_markers__span *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

/* Sort and merge overlapping spans in place; returns the new count. */
static size_t nm_markers__merge(nm_markers__span *s, size_t n) {
  if (n < 2) return n;
  qsort(s, n, sizeof *s, nm_markers__span_cmp);
  size_t o = 0;
  for (size_t i = 1; i < n; i++) {
    if (s[i].start < s[o].end) {
      if (s[i].end > s[o].end) s[o].end = s[i].end;
    } else {
      s[++o] = s[i];
    }
  }
  return o + 1;
}

/* Does [start, end) overlap any of the sorted, merged spans? */
static bool nm_markers__overlaps(const nm_markers__span *s, size_t n, uint32_t start, uint32_t end) {
  size_t lo = 0, hi = n;
  while (lo < hi) { /* first span ending after start */
    size_t mid = (lo + hi) / 2;
    if (s[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && s[lo].start < end;
}

/* Is the byte at pos inside one of the sorted, merged spans? */
static bool nm_markers__within(const nm_markers__span *s, size_t n, uint32_t pos) {
  return nm_markers__overlaps(s, n, pos, pos + 1);
}

static bool nm_markers__quote_has_marks(int kind) {
  return kind != NM_QUOTE_INDIRECT && kind != NM_QUOTE_MIXED;
}

/* "A spokesman, John Kirby": a mention with a name in apposition is not anonymous. */
static bool nm_markers__names_someone(const char *s, uint32_t start, uint32_t end) {
  for (uint32_t k = start; k + 3 < end; k++) {
    if (s[k] != ',' || s[k + 1] != ' ' || !(s[k + 2] >= 'A' && s[k + 2] <= 'Z')) continue;
    uint32_t w = k + 2;
    while (w < end && s[w] != ' ') w++;
    if (w + 1 < end && s[w + 1] >= 'A' && s[w + 1] <= 'Z') return true;
  }
  return false;
}

static int nm_markers__anonymous(const nm_doc *doc, size_t h, size_t first_tok, size_t end_tok, bool need_cue,
                                 uint32_t *start, uint32_t *end);

/*
 * Is an anonymous entity's mention worth a marker? Only when the fallback
 * below would call its words an unnamed source too: a head like "official"
 * or "spokesman", not a pronoun, not "a person", not after a name.
 */
static bool nm_markers__anon_mention(const nm_doc *doc, uint32_t start, uint32_t end, nm_markers__span *out) {
  const nm__token *t = doc->tokens.items;
  size_t lo = 0, hi = doc->tokens.count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t[mid].start < start) lo = mid + 1;
    else hi = mid;
  }
  /* A window of tokens around the mention is enough for the checks. */
  size_t from = lo > 8 ? lo - 8 : 0, to = lo;
  while (to < doc->tokens.count && t[to].start < end) to++;
  to = to + 12 < doc->tokens.count ? to + 12 : doc->tokens.count;
  /* within the mention's sentence: "a lawsuit by Judicial Watch. Officials
     searched ..." must not reach back to "a" */
  if (lo < doc->tokens.count) {
    while (from < lo && t[from].sent != t[lo].sent) from++;
    while (to > lo + 1 && t[to - 1].sent != t[lo].sent) to--;
  }
  for (size_t k = lo; k < doc->tokens.count && t[k].start < end; k++) {
    uint32_t s, e;
    if ((t[k].lex & NM_LEX_ANON_HEAD) && nm_markers__anonymous(doc, k, from, to, false, &s, &e)) {
      /* The words that make it unnamed, which may be fewer than the mention's. */
      *out = (nm_markers__span){s, e};
      return true;
    }
  }
  return false;
}

static nm_status nm_markers__collect_spans(nm_markers__pass *p) {
  nm_doc *doc = p->doc;
  size_t nq = doc->quotes.count, nm = 0;
  for (size_t i = 0; i < doc->entities.count; i++) {
    const nm__entity *e = &NM_AT(doc->entities, nm__entity, i);
    if (e->anonymous) nm += e->mentions.count;
  }
  p->quoted = nq ? malloc(nq * sizeof *p->quoted) : NULL;
  p->anon = nm ? malloc(nm * sizeof *p->anon) : NULL;
  if ((nq && !p->quoted) || (nm && !p->anon)) return NM_ERR_NOMEM;
  for (size_t i = 0; i < nq; i++) {
    const nm__quote *q = &NM_AT(doc->quotes, nm__quote, i);
    if (nm_markers__quote_has_marks(q->kind) && q->end > q->start)
      p->quoted[p->nquoted++] = (nm_markers__span){q->start, q->end};
  }
  p->nquoted = nm_markers__merge(p->quoted, p->nquoted);
  for (size_t i = 0; i < doc->entities.count; i++) {
    const nm__entity *e = &NM_AT(doc->entities, nm__entity, i);
    if (!e->anonymous) continue;
    for (size_t j = 0; j < e->mentions.count; j++) {
      const uint32_t *m = (const uint32_t *)e->mentions.items + 2 * j;
      nm_markers__span span;
      if (m[1] > m[0] && !nm_markers__names_someone(doc->text, m[0], m[1]) &&
          nm_markers__anon_mention(doc, m[0], m[1], &span))
        p->anon[p->nanon++] = span;
    }
  }
  if (p->nanon > 1) qsort(p->anon, p->nanon, sizeof *p->anon, nm_markers__span_cmp); /* NULL when none */
  return NM_OK;
}

/* ---- private: tokens ------------------------------------------------------- */

static const nm__token *nm_markers__tok(const nm_doc *doc, size_t i) { return &NM_AT(doc->tokens, nm__token, i); }

/* Does token t spell `word` (ASCII, compared case-insensitively)? */
static bool nm_markers__is(const nm_doc *doc, const nm__token *t, const char *word) {
  const char *s = doc->text + t->start;
  size_t n = t->end - t->start;
  /* No strlen: most words differ in their first letter, and a shorter
     word ends at its NUL. */
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
    if (c != word[i] || !c) return false;
  }
  return word[n] == '\0';
}

static bool nm_markers__is_any(const nm_doc *doc, const nm__token *t, const char *const *words) {
  char c0 = doc->text[t->start];
  if (c0 >= 'A' && c0 <= 'Z') c0 = (char)(c0 + 32);
  for (; *words; words++)
    if ((*words)[0] == c0 && nm_markers__is(doc, t, *words)) return true;
  return false;
}

/*
 * The lexicon classes of the longest entry that starts at token i (one or
 * more words in a row, separated by spaces only), and the token after it.
 */
static uint32_t nm_markers__lookup(const nm_doc *doc, size_t i, size_t end_tok, size_t *after) {
  const nm__lexicon *lex = doc->engine->lexicon;
  char key[128];
  size_t n = 0, k = i;
  uint32_t best = 0;
  *after = i + 1;
  /* A word that starts no longer entry needs no table lookup at all. */
  const nm__token *first = nm_markers__tok(doc, i);
  const uint32_t not_classes = NM_LEX_PREFIX_OF_ENTRY | NM_LEX_INNER_OF_ENTRY;
  if (first->type == NM_TOK_WORD && !(first->lex & NM_LEX_PREFIX_OF_ENTRY)) return first->lex & ~not_classes;
  for (; k < end_tok && k < i + 8; k++) {
    const nm__token *t = nm_markers__tok(doc, k);
    if (t->type != NM_TOK_WORD && !(k > i && t->type == NM_TOK_PUNCT)) break;
    uint32_t cls;
    bool more;
    if (k == i) {
      /* The segmenter already looked up single words; only runs need the table. */
      cls = t->lex & ~not_classes;
      more = (t->lex & NM_LEX_PREFIX_OF_ENTRY) != 0;
    } else {
      if (!t->space || !nm__lexicon_run_step(lex, doc->text, first, t, key, sizeof key, &n, &cls, &more)) break;
    }
    if (cls) {
      best = cls;
      *after = k + 1;
    }
    if (!more) break;
  }
  return best;
}

/* Words after a number that show it is not a count of things. */
static const char *const nm_markers__not_count_words[] = {
    "of", "to", "in", "on", "at", "and", "or", "the", "a", "an", "for", "by", "with", "from", "as", "per",
    "than", "that", "this", "is", "was", "were", "are", "be", "been", "has", "have", "had", "will", "would",
    "it", "its", "he", "she", "they", "we", "who", "which", "after", "before", "into", "over", "under",
    "between", "about", "against", "during", "since", "until", "through", "but", "not", "so", "if", "when",
    "while", "where", "up", "out", "off", "down", "times", "a.m", "p.m", "am", "pm", "a.m.", "p.m.", "o'clock",
    "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month",
    "months", "year", "years", "decade", "decades", "century", "centuries", "st", "nd", "rd", "th", "or",
    "percent", "points", "point", NULL};

static const char *const nm_markers__months[] = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", NULL};

static const char *const nm_markers__street_words[] = {
    "street", "st", "road", "rd", "avenue", "ave", "lane", "boulevard", "blvd", "drive", "place", "square",
    "court", "way", "terrace", "highway", "route", "floor", NULL};

static const char *const nm_markers__magnitudes[] = {"million", "billion", "trillion", "thousand", "hundred",
                                                     "millions", "billions", "thousands", "hundreds", NULL};

/* Words before a number that make it a label, not a count: "No. 10", "Article 5". */
static const char *const nm_markers__label_words[] = {
    "no", "no.", "number", "article", "section", "chapter", "resolution", "room", "flight", "route",
    "highway", "interstate", "page", "paragraph", "clause", "amendment", "title", "district", "precinct",
    "unit", "vol", "volume", "version", "model", "channel", "gate", "platform", "level", "grade", "class",
    "category", "phase", "stage", "round", "game", "week", "day", "year", "episode", "season", NULL};

/* Is the NUMBER token a plain number: 5, 50,000, 1.85? Sets *is_year. */
static bool nm_markers__plain_number(const nm_doc *doc, const nm__token *t, bool *is_year) {
  const char *s = doc->text + t->start;
  size_t n = t->end - t->start, digits = 0;
  bool comma = false, dot = false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= '0' && c <= '9') digits++;
    else if (c == ',') comma = true;
    else if (c == '.') dot = true;
    else return false;
  }
  *is_year = false;
  if (digits == 4 && !comma && !dot) {
    int v = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *is_year = v >= 1800 && v <= 2100;
  }
  return digits > 0;
}

static bool nm_markers__lower_word(const nm_doc *doc, const nm__token *t) {
  unsigned char c = (unsigned char)doc->text[t->start];
  return t->type == NM_TOK_WORD && !(t->flags & NM_TF_CAP) && c >= 'a' && c <= 'z';
}

/* A word ending in -ing or -ed, read as a verb form ("holding", "compiled"). */
static bool nm_markers__participle(const nm_doc *doc, const nm__token *t) {
  const char *s = doc->text + t->start;
  size_t n = t->end - t->start;
  return (n > 4 && !memcmp(s + n - 3, "ing", 3)) || (n > 4 && !memcmp(s + n - 2, "ed", 2));
}

/* A word that may name the things counted: a word, not a function word, month or time unit. */
static bool nm_markers__count_noun(const nm_doc *doc, const nm__token *t) {
  return t->type == NM_TOK_WORD && t->space && !nm_markers__is_any(doc, t, nm_markers__not_count_words) &&
         !nm_markers__is_any(doc, t, nm_markers__months) && !nm_markers__is_any(doc, t, nm_markers__street_words);
}

/*
 * figure.count at NUMBER token i: "50,000 troops", "111 state parties",
 * "31 Abrams tanks", "1.5 million". Returns the end offset, or NM_NONE.
 */
static uint32_t nm_markers__count(const nm_doc *doc, size_t i, size_t end_tok) {
  const nm__token *t = nm_markers__tok(doc, i);
  bool is_year;
  if (!nm_markers__plain_number(doc, t, &is_year) || is_year) return NM_NONE;
  if (i > 0) {
    const nm__token *prev = nm_markers__tok(doc, i - 1);
    if (prev->type == NM_TOK_WORD &&
        (nm_markers__is_any(doc, prev, nm_markers__months) || nm_markers__is_any(doc, prev, nm_markers__label_words)))
      return NM_NONE;
    /* "Feb. 1", "No. 1": a month or a label abbreviated with its period. */
    if (prev->type == NM_TOK_PUNCT && doc->text[prev->start] == '.' && i >= 2 &&
        (nm_markers__is_any(doc, nm_markers__tok(doc, i - 2), nm_markers__months) ||
         nm_markers__is_any(doc, nm_markers__tok(doc, i - 2), nm_markers__label_words)))
      return NM_NONE;
    /* "Apollo 11 astronauts": a capitalised word right before names a thing. */
    if (prev->type == NM_TOK_WORD && (prev->flags & NM_TF_CAP) &&
        !(prev->flags & (NM_TF_SENT_START | NM_TF_PARA_START | NM_TF_ALLCAPS)) &&
        !(prev->lex & (NM_LEX_CUE | NM_LEX_COUNTRY)))
      return NM_NONE;
    /* "#10", "-5": a rank or a sign, not a count. */
    if (prev->type == NM_TOK_PUNCT && !t->space && (doc->text[prev->start] == '#' || doc->text[prev->start] == '-'))
      return NM_NONE;
  }
  if (i + 1 >= end_tok) return NM_NONE;
  const nm__token *w1 = nm_markers__tok(doc, i + 1);
  if (!w1->space || w1->type != NM_TOK_WORD) return NM_NONE;
  if (nm_markers__is_any(doc, w1, nm_markers__magnitudes)) {
    uint32_t end = w1->end;
    if (i + 2 < end_tok && nm_markers__lower_word(doc, nm_markers__tok(doc, i + 2)) &&
        nm_markers__count_noun(doc, nm_markers__tok(doc, i + 2)))
      end = nm_markers__tok(doc, i + 2)->end;
    return end;
  }
  if (!nm_markers__count_noun(doc, w1)) return NM_NONE;
  /* The counted thing is a lower-case noun within two words ("31 Abrams tanks"), and no street follows. */
  const nm__token *w2 = i + 2 < end_tok ? nm_markers__tok(doc, i + 2) : NULL;
  if (w2 && w2->type == NM_TOK_WORD && w2->space && nm_markers__is_any(doc, w2, nm_markers__street_words))
    return NM_NONE;
  if (i + 3 < end_tok && w2 && w2->type == NM_TOK_WORD && w2->space &&
      nm_markers__is_any(doc, nm_markers__tok(doc, i + 3), nm_markers__street_words))
    return NM_NONE;
  /* "170 researchers compiling dossiers": a participle after the noun is not part of what is counted */
  bool w2_noun = w2 && nm_markers__lower_word(doc, w2) && nm_markers__count_noun(doc, w2) &&
                 !nm_markers__participle(doc, w2);
  if (nm_markers__lower_word(doc, w1)) return w2_noun ? w2->end : w1->end;
  if (w2_noun) return w2->end;
  return NM_NONE;
}

/*
 * An anchored pattern of built-in rule k that covers token i, tried from up
 * to `back` tokens before it ("on Tuesday", "a third of", "two days ago").
 * Returns 1 with the span, or 0.
 */
static int nm_markers__anchored(nm_markers__pass *p, enum nm__builtin_rule k, size_t i, size_t first_tok,
                                size_t back, uint32_t *start, uint32_t *end) {
  const nm__rule *r = nm__rule_at(p->engine, (size_t)k);
  const nm__token *t = nm_markers__tok(p->doc, i);
  size_t from = i >= first_tok + back ? i - back : first_tok;
  for (size_t j = from; j <= i; j++) {
    const nm__token *s = nm_markers__tok(p->doc, j);
    if (j < i && s->type != NM_TOK_WORD && s->type != NM_TOK_NUMBER) continue;
    uint32_t e = nm__rule_match_at(p->doc, r, p->md, s->start);
    if (e != NM_NONE && e >= t->end) {
      *start = s->start;
      *end = e;
      return 1;
    }
  }
  return 0;
}

/* Is the channel at tokens [i, after) named as a channel: "per AFP", "(Reuters)", "Reuters reported"? */
static bool nm_markers__channel_context(const nm_doc *doc, size_t i, size_t after, size_t first_tok,
                                        size_t end_tok) {
  static const char *const before[] = {"per", "via", "citing", "by", "to", "told", "with", "from", "cited",
                                       "quoted", NULL};
  if (i > first_tok) {
    const nm__token *prev = nm_markers__tok(doc, i - 1);
    if (prev->type == NM_TOK_WORD && (nm_markers__is_any(doc, prev, before) || (prev->lex & NM_LEX_CUE_PREP)))
      return true;
    if (prev->type == NM_TOK_PUNCT && doc->text[prev->start] == '(') return true;
  }
  if (after < end_tok) {
    const nm__token *next = nm_markers__tok(doc, after);
    if (next->type == NM_TOK_WORD && (next->lex & (NM_LEX_CUE | NM_LEX_CHANNEL))) return true;
    if (next->type == NM_TOK_PUNCT && doc->text[next->start] == ')' && i > first_tok) return true;
  }
  return false;
}

/* ---- private: anonymous sources (until attribution names them all) -------- */

static const char *const nm_markers__anon_openers[] = {
    "a", "an", "one", "two", "three", "four", "several", "some", "unnamed", "anonymous", "unidentified", NULL};

/* Heads that are sources whatever follows; the others need a cue nearby. */
static const char *const nm_markers__anon_strong[] = {
    "official", "officials", "source", "sources", "spokesman", "spokeswoman", "spokesperson", "aide",
    "aides", "insider", "insiders", "diplomat", "diplomats", "representative", "adviser", "advisers",
    "advisor", "advisors", "operative", "operatives", "staffer", "staffers", "strategist", "strategists", NULL};

/* "said Grant Green, a national security official": a name in apposition just before. */
static bool nm_markers__named_before(const nm_doc *doc, size_t s, size_t first_tok) {
  const nm__token *t = doc->tokens.items;
  return s >= first_tok + 2 && t[s - 1].type == NM_TOK_PUNCT && doc->text[t[s - 1].start] == ',' &&
         t[s - 2].type == NM_TOK_WORD && (t[s - 2].flags & NM_TF_CAP) && !(t[s - 2].flags & NM_TF_ALLCAPS) &&
         !(t[s - 2].lex & (NM_LEX_NOT_NAME | NM_LEX_DATE | NM_LEX_COUNTRY | NM_LEX_ORG_HEAD | NM_LEX_CHANNEL |
                           NM_LEX_STATE_MEDIA | NM_LEX_AGENCY));
}

/*
 * At head token h (anonymous.txt), the unnamed source around it:
 * "A senior US military official", "a spokesman for the North Korean
 * foreign ministry", "sources familiar with". Returns 1 with its span.
 */
static int nm_markers__anonymous(const nm_doc *doc, size_t h, size_t first_tok, size_t end_tok, bool need_cue,
                                 uint32_t *start, uint32_t *end) {
  const nm__token *t = doc->tokens.items;
  bool strong = nm_markers__is_any(doc, &t[h], nm_markers__anon_strong);
  bool plural = doc->text[t[h].end - 1] == 's';
  /* Back over modifiers (senior, US, military, foreign ministry) to an opener. */
  size_t s = h;
  bool opened = false;
  for (size_t k = h; k > first_tok && k + 6 > h;) {
    k--;
    const nm__token *w = &t[k];
    if (w->type != NM_TOK_WORD) {
      if (w->type == NM_TOK_PUNCT && doc->text[w->start] == '.' && !w->space) continue; /* U.S. */
      break;
    }
    if (nm_markers__is_any(doc, w, nm_markers__anon_openers)) {
      s = k;
      opened = true;
      break;
    }
    if (w->lex & (NM_LEX_CUE | NM_LEX_PRONOUN | NM_LEX_CUE_PREP)) break;
    if (nm_markers__is(doc, w, "the") || nm_markers__is(doc, w, "his") || nm_markers__is(doc, w, "her") ||
        nm_markers__is(doc, w, "their") || nm_markers__is(doc, w, "its"))
      return 0; /* "the spokesman": someone named before */
    s = k;
  }
  if (!opened && !plural) return 0;
  if (!opened) s = h; /* "officials said", "sources familiar with": the plural head alone */
  /* Forward: "for the North Korean foreign ministry", "familiar with the matter". */
  size_t e = h + 1;
  if (e < end_tok && (nm_markers__is(doc, &t[e], "for") || nm_markers__is(doc, &t[e], "of") ||
                      nm_markers__is(doc, &t[e], "at") || nm_markers__is(doc, &t[e], "in"))) {
    for (size_t k = e + 1; k < end_tok && k < e + 9; k++) {
      if (t[k].type != NM_TOK_WORD && !(t[k].type == NM_TOK_PUNCT && doc->text[t[k].start] == '.' && !t[k].space))
        break;
      if (t[k].lex & (NM_LEX_ORG_HEAD | NM_LEX_COUNTRY) && !(k + 1 < end_tok && t[k + 1].type == NM_TOK_WORD &&
                                                             (t[k + 1].lex & NM_LEX_ORG_HEAD))) {
        e = k + 1;
        break;
      }
      if (t[k].lex & NM_LEX_CUE) break;
    }
  } else if (e + 1 < end_tok && (nm_markers__is(doc, &t[e], "familiar") || nm_markers__is(doc, &t[e], "close")) &&
             t[e + 1].type == NM_TOK_WORD) {
    e += 2;
  }
  /* "a spokesman, John Smith," or "spokesman John Smith": named after all. */
  size_t n = e;
  if (n < end_tok && t[n].type == NM_TOK_PUNCT && doc->text[t[n].start] == ',') n++;
  if (n + 1 < end_tok && (t[n].flags & NM_TF_CAP) && (t[n + 1].flags & NM_TF_CAP) && t[n].type == NM_TOK_WORD &&
      !(t[n].lex & (NM_LEX_NOT_NAME | NM_LEX_CUE)))
    return 0;
  if (!opened) {
    /* A bare plural head is a source only when it speaks: "officials said", "sources familiar with". */
    bool speaks = e > h + 1 || (e < end_tok && t[e].type == NM_TOK_WORD && (t[e].lex & NM_LEX_CUE));
    if (!speaks || !strong) return 0;
  } else if (!strong && !(e > h + 1 && (nm_markers__is(doc, &t[h + 1], "familiar") || nm_markers__is(doc, &t[h + 1], "close")))) {
    /* "a person", "residents": sources only as "people familiar with", "a person close to". */
    return 0;
  }
  if (nm_markers__named_before(doc, s, first_tok)) return 0;
  /* "served as a senior adviser", "mistaken for a staffer": a role, not a source. */
  static const char *const role_words[] = {"as", "for", "between", "against", "and", "became", "become", "named",
                                           "appointed", "hired", "than", "like", NULL};
  if (opened && s > first_tok && t[s - 1].type == NM_TOK_WORD && nm_markers__is_any(doc, &t[s - 1], role_words))
    return 0;
  /* "cited a source", "interviewed an official": the source is an object here, not a speaker. */
  static const char *const takes_source[] = {"cited", "cite", "cites", "named",
                                             "identified", "described", "called", "contacted", "interviewed",
                                             "asked", "asking", "protect", "protected", NULL};
  if (s > first_tok && t[s - 1].type == NM_TOK_WORD && nm_markers__is_any(doc, &t[s - 1], takes_source)) return 0;
  if (need_cue) {
    /* Found in the text alone, it must be a source: "..., one source said", "according to an official". */
    bool cue = false;
    for (size_t k = e; k < end_tok && k < e + 5 && !cue && t[k].type != NM_TOK_PUNCT; k++)
      cue = (t[k].lex & NM_LEX_CUE) != 0;
    /* Before it, "said a senior official" or "according to an official"; but "cited a source" takes a source as
       its object. */
    for (size_t k = s; k > first_tok && k + 3 > s && !cue;) {
      k--;
      if (nm_markers__is_any(doc, &t[k], takes_source)) break;
      cue = (t[k].lex & (NM_LEX_CUE | NM_LEX_CUE_PREP)) != 0 || nm_markers__is(doc, &t[k], "according");
    }
    if (!cue) return 0;
  }
  *start = t[s].start;
  *end = t[e - 1].end;
  return 1;
}

/*
 * "Clinton claimed the nomination", "companies claiming U.S. tax breaks":
 * claim as in take, not as in say. Its object, within three words, is a
 * thing won or owed, so there is nothing to check.
 */
static bool nm_markers__claim_as_take(const nm_doc *doc, size_t i, size_t after, size_t end_tok) {
  const nm__token *t = doc->tokens.items;
  static const char *const claim[] = {"claim", "claims", "claimed", "claiming", NULL};
  static const char *const taken[] = {"nomination", "nominations", "victory", "win", "title", "seat", "seats",
                                      "prize", "crown", "mantle", "delegates", "tax", "benefits", "refund",
                                      "refunds", "deduction", "deductions", "lives", NULL};
  if (after != i + 1 || !nm_markers__is_any(doc, &t[i], claim)) return false;
  for (size_t k = i + 1; k < end_tok && k <= i + 3; k++) {
    if (t[k].type != NM_TOK_WORD && !(t[k].type == NM_TOK_PUNCT && doc->text[t[k].start] == '.')) return false;
    if (nm_markers__is(doc, &t[k], "that")) return false;
    if (nm_markers__is_any(doc, &t[k], taken)) return true;
  }
  return false;
}

/*
 * A denial word that denies a claim, not one that withholds something
 * ("denied Carter a photograph", "deny the group sanctuary") or describes
 * ("the disputed territory", "a motion was denied").
 */
static bool nm_markers__denial(const nm_doc *doc, size_t i, size_t after, size_t first_tok, size_t end_tok) {
  const nm__token *t = doc->tokens.items;
  if (after > i + 1) return true; /* "dismissed reports", "flatly denied" */
  /* Nouns too: "zoning disputes", "vaccine denial" name no denial; "Israel disputes", "a denial" do. */
  if (nm_markers__is(doc, &t[i], "disputes") || nm_markers__is(doc, &t[i], "denial") ||
      nm_markers__is(doc, &t[i], "denials")) {
    if (i == first_tok) return true;
    static const char *const verb_objects[] = {"this", "that", "it", "the", "any", "claims", "reports", NULL};
    if (i + 1 < end_tok && nm_markers__is_any(doc, &t[i + 1], verb_objects)) return true; /* "the city disputes this" */
    const nm__token *b = &t[i - 1];
    size_t bl = b->end - b->start;
    static const char *const owners[] = {"a", "the", "his", "her", "its", "their", "flat", "categorical", "firm", NULL};
    return b->type == NM_TOK_WORD && (((b->flags & NM_TF_CAP) && !(b->flags & NM_TF_SENT_START)) ||
                                      (b->lex & NM_LEX_PRONOUN) || nm_markers__is_any(doc, b, owners) ||
                                      (bl > 3 && doc->text[b->end - 2] == 'l' && doc->text[b->end - 1] == 'y'));
  }
  static const char *const adjective_before[] = {"the", "a", "an", "been", "be", "was", "were", "is", "are", NULL};
  static const char *const objects[] = {"him", "her", "them", "us", "me", "you", "poor", NULL};
  bool deny = nm_markers__is(doc, &t[i], "deny") || nm_markers__is(doc, &t[i], "denied") ||
              nm_markers__is(doc, &t[i], "denies") || nm_markers__is(doc, &t[i], "denying");
  if (i > first_tok && nm_markers__is_any(doc, &t[i - 1], adjective_before)) {
    /* "has been denied", "the disputed territory": unless a claim follows ("was denied that ..."). */
    return i + 1 < end_tok && nm_markers__is(doc, &t[i + 1], "that");
  }
  if (deny && i + 1 < end_tok) {
    const nm__token *n = &t[i + 1];
    if (n->type == NM_TOK_WORD && (nm_markers__is_any(doc, n, objects) ||
                                   ((n->flags & NM_TF_CAP) && !(n->lex & NM_LEX_NOT_NAME))))
      return false; /* deny someone something */
  }
  /* What is denied or rejected must be a claim: "denied it", "rejected the idea", "denies any wrongdoing";
     or nothing at all ("which Mr. Ailes denies."). */
  static const char *const claims[] = {
      "that", "it", "this", "having", "claim", "claims", "allegation", "allegations", "accusation", "accusations",
      "charge", "charges", "report", "reports", "reporting", "rumor", "rumors", "rumour", "rumours", "idea", "notion",
      "suggestion", "suggestions", "assertion", "assertions", "characterization", "account", "accounts", "story",
      "stories", "wrongdoing", "criticism", "critique", "critiques", "comparison", "premise", "contention",
      "implication", "speculation", "assessment", "findings", "conclusion", "conclusions", "statement", "remarks",
      "comments", "narrative", "knowledge", "involvement", "responsibility", "link", "links", "ties", "any", NULL};
  size_t k = i + 1;
  if (k >= end_tok || t[k].type == NM_TOK_PUNCT) return true;
  for (size_t words = 0; k < end_tok && words < 4; k++) {
    if (t[k].type != NM_TOK_WORD) break;
    if (nm_markers__is_any(doc, &t[k], claims)) return true;
    words++;
  }
  return false;
}

/* ---- private: the passes --------------------------------------------------- */

/* Names that hold a date word are not dates: "USA TODAY", "Super Tuesday". */
static bool nm_markers__date_name(const nm_doc *doc, size_t i, size_t first) {
  const nm__token *t = doc->tokens.items;
  return ((t[i].flags & NM_TF_ALLCAPS) && t[i].end - t[i].start > 2) ||
         (i > first && (nm_markers__is(doc, &t[i - 1], "super") || nm_markers__is(doc, &t[i - 1], "usa")));
}

/* Token-driven markers over one paragraph's tokens. */
static nm_status nm_markers__para(nm_markers__pass *p, const nm__para *para) {
  nm_doc *doc = p->doc;
  const nm_engine *e = p->engine;
  const nm__token *t = doc->tokens.items;
  size_t first = para->first_tok, end_tok = para->end_tok;
  if (end_tok > doc->tokens.count) end_tok = doc->tokens.count;
  uint32_t figure_end = 0, date_end = 0, anon_end = 0;
  /* The classes a word needs to start a marker below, and the bit of a
     word that may start a run with one: most words have none. */
  const uint32_t marking = NM_LEX_NUMBER | NM_LEX_DATE | NM_LEX_ANON_HEAD | NM_LEX_HEDGE | NM_LEX_CONTESTED |
                           NM_LEX_DENIAL | NM_LEX_LOADED | NM_LEX_STATE_MEDIA | NM_LEX_AGENCY |
                           NM_LEX_PREFIX_OF_ENTRY;
  nm_status st = NM_OK;
  for (size_t i = first; i < end_tok && st == NM_OK; i++) {
    uint32_t s, en;
    while (t[i].type == NM_TOK_WORD && !(t[i].lex & marking))
      if (++i == end_tok) return st;
    if (t[i].type == NM_TOK_NUMBER) {
      if (t[i].start < figure_end) continue;
      const nm__rule *money = nm__rule_at(e, NM_R_FIGURE_MONEY), *pct = nm__rule_at(e, NM_R_FIGURE_PERCENT);
      if ((en = nm__rule_match_at(doc, money, p->md, t[i].start)) != NM_NONE) {
        if (money->active) st = nm_markers__push(p, NM_R_FIGURE_MONEY, t[i].start, en);
      } else if ((en = nm__rule_match_at(doc, pct, p->md, t[i].start)) != NM_NONE) {
        if (pct->active) st = nm_markers__push(p, NM_R_FIGURE_PERCENT, t[i].start, en);
      } else if ((en = nm_markers__count(doc, i, end_tok)) != NM_NONE) {
        if (nm__builtin_active(e, NM_R_FIGURE_COUNT)) st = nm_markers__push(p, NM_R_FIGURE_COUNT, t[i].start, en);
      } else if (i + 1 < end_tok && (t[i + 1].lex & NM_LEX_DATE) &&
                 nm_markers__anchored(p, NM_R_DATE_RELATIVE, i + 1, first, 1, &s, &en)) {
        /* "two days ago" starting with a digit */
        if (nm__builtin_active(e, NM_R_DATE_RELATIVE) && s >= date_end)
          st = nm_markers__push(p, NM_R_DATE_RELATIVE, s, en);
        date_end = en;
      }
      if (en != NM_NONE) figure_end = en;
      continue;
    }
    if (t[i].type != NM_TOK_WORD) continue;
    uint32_t lex = t[i].lex;
    if ((lex & NM_LEX_NUMBER) && t[i].start >= figure_end &&
        nm_markers__anchored(p, NM_R_FIGURE_WORDS, i, first, 1, &s, &en) && s >= figure_end) {
      if (nm__builtin_active(e, NM_R_FIGURE_WORDS)) st = nm_markers__push(p, NM_R_FIGURE_WORDS, s, en);
      figure_end = en;
    }
    /* Names that hold a date word are not dates: "USA TODAY", "Super Tuesday". */
    if ((lex & NM_LEX_DATE) && !nm_markers__date_name(doc, i, first) && t[i].start >= date_end &&
        nm_markers__anchored(p, NM_R_DATE_RELATIVE, i, first, 3, &s, &en) && s >= date_end) {
      if (nm__builtin_active(e, NM_R_DATE_RELATIVE)) st = nm_markers__push(p, NM_R_DATE_RELATIVE, s, en);
      date_end = en;
    }
    if ((lex & NM_LEX_ANON_HEAD) && t[i].start >= anon_end && nm__builtin_active(e, NM_R_SOURCE_ANONYMOUS) &&
        nm_markers__anonymous(doc, i, first, end_tok, true, &s, &en) && s >= anon_end) {
      if (!nm_markers__overlaps(p->anon, p->nanon, s, en)) st = nm_markers__push(p, NM_R_SOURCE_ANONYMOUS, s, en);
      anon_end = en;
    }
    size_t after;
    uint32_t cls = nm_markers__lookup(doc, i, end_tok, &after);
    if (!cls) continue;
    uint32_t ws = t[i].start, we = t[after - 1].end;
    if ((cls & NM_LEX_HEDGE) && nm__builtin_active(e, NM_R_HEDGE_WORD) && st == NM_OK)
      st = nm_markers__push(p, NM_R_HEDGE_WORD, ws, we);
    if ((cls & NM_LEX_CONTESTED) && nm__builtin_active(e, NM_R_CONTESTED_VERB) && st == NM_OK &&
        !nm_markers__claim_as_take(doc, i, after, end_tok))
      st = nm_markers__push(p, NM_R_CONTESTED_VERB, ws, we);
    if ((cls & NM_LEX_DENIAL) && nm__builtin_active(e, NM_R_DENIAL_VERB) && st == NM_OK &&
        nm_markers__denial(doc, i, after, first, end_tok))
      st = nm_markers__push(p, NM_R_DENIAL_VERB, ws, we);
    /* "blasted out an email" sends it; "blasted the report" judges it */
    if ((cls & NM_LEX_LOADED) && nm__builtin_active(e, NM_R_LOADED_WORD) && st == NM_OK &&
        !(after == i + 1 && after < end_tok && nm_markers__is(doc, &t[after], "out")) &&
        !(t[i].flags & NM_TF_IN_QUOTE) && !nm_markers__overlaps(p->quoted, p->nquoted, ws, we))
      st = nm_markers__push(p, NM_R_LOADED_WORD, ws, we);
    if (cls & (NM_LEX_STATE_MEDIA | NM_LEX_AGENCY)) {
      /* Acronyms must be written as acronyms: "AP", not "ap"; "RT", not "rt". */
      bool acronym_ok = after > i + 1 || t[i].end - t[i].start > 4 || (t[i].flags & NM_TF_ALLCAPS) ||
                        nm_markers__is(doc, &t[i], "dpa") || nm_markers__is(doc, &t[i], "tass");
      if (acronym_ok && (cls & NM_LEX_STATE_MEDIA) && nm__builtin_active(e, NM_R_SOURCE_STATE_MEDIA) && st == NM_OK)
        st = nm_markers__push(p, NM_R_SOURCE_STATE_MEDIA, ws, we);
      else if (acronym_ok && (cls & NM_LEX_AGENCY) && nm__builtin_active(e, NM_R_SOURCE_AGENCY) && st == NM_OK &&
               nm_markers__channel_context(doc, i, after, first, end_tok))
        st = nm_markers__push(p, NM_R_SOURCE_AGENCY, i > first && (t[i - 1].lex & NM_LEX_CUE_PREP) ? t[i - 1].start : ws,
                              we);
    }
    if (after > i + 1) i = after - 1;
  }
  return st;
}

/* Count the words between a quote's marks (runs of letters or digits), up
   to `most` + 1: the callers only ask whether there are a few. */
static size_t nm_markers__quote_words(const nm_doc *doc, const nm__quote *q, size_t most) {
  size_t words = 0;
  bool in_word = false;
  for (uint32_t k = q->start; k < q->end && words <= most; k++) {
    unsigned char c = (unsigned char)doc->text[k];
    bool wordish = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   (c >= 0xC3 && c <= 0xDF) || (in_word && (c == '-' || c == '\'' || (c & 0xC0) == 0x80));
    if (c == 0xE2) wordish = false; /* curly marks and dashes are not letters */
    if (wordish && !in_word) words++;
    in_word = wordish;
    if (c == ' ' || c == '\n' || c == '\r') in_word = false;
  }
  return words;
}

/* Does every word of [from, to) start with a capital or a digit ("All Right Now", "Fuller House")? */
static bool nm_markers__title_case(const char *s, uint32_t from, uint32_t to) {
  bool any = false;
  for (uint32_t k = from; k < to; k++) {
    bool starts = k == from || s[k - 1] == ' ';
    if (!starts || s[k] == ' ') continue;
    unsigned char c = (unsigned char)s[k];
    if (c >= 'a' && c <= 'z') {
      /* Short function words may stay lower case in a title: "Lord of the Rings". */
      uint32_t w = k;
      while (w < to && s[w] >= 'a' && s[w] <= 'z') w++;
      if (w - k > 3) return false;
      continue;
    }
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) any = true;
  }
  return any;
}

/* The index of the first token starting at or after pos. */
static size_t nm_markers__tok_at(const nm_doc *doc, uint32_t pos) {
  const nm__token *t = doc->tokens.items;
  size_t lo = 0, hi = doc->tokens.count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t[mid].start < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/*
 * Is a reporting verb right beside the quote ("said, “...”", "“...,” Texas
 * delegate X said")? Then the text does name a speaker, even where
 * attribution could not link it, and the quote is not unattributed.
 */
static bool nm_markers__cue_beside(const nm_doc *doc, uint32_t start, uint32_t end) {
  const nm__token *t = doc->tokens.items;
  size_t open = nm_markers__tok_at(doc, start), close = nm_markers__tok_at(doc, end);
  for (size_t k = open; k > 0 && k + 3 > open;) {
    k--;
    if (t[k].lex & NM_LEX_CUE) return true;
  }
  for (size_t k = close; k < doc->tokens.count && k < close + 14; k++) {
    if (t[k].type == NM_TOK_PUNCT && (doc->text[t[k].start] == '.' || doc->text[t[k].start] == '?')) break;
    if (t[k].lex & NM_LEX_CUE) return true;
  }
  return false;
}

/* Is the byte at pos in a heading paragraph (headline, subhead, teaser)? */
static bool nm_markers__in_heading(const nm_doc *doc, uint32_t pos) {
  const nm__para *pa = doc->paras.items;
  size_t lo = 0, hi = doc->paras.count;
  while (lo < hi) { /* the first paragraph ending after pos */
    size_t mid = (lo + hi) / 2;
    if (pa[mid].end <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo < doc->paras.count && pa[lo].start <= pos && (pa[lo].flags & NM_PF_HEADING);
}

/* Is any of the 8 bytes of x one that may start an edit mark: the first
   byte of "…", a period, or '['? (A byte is 0 in x ^ that byte's copies.) */
static bool nm_markers__edit_byte_in(uint64_t x) {
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  uint64_t e2 = x ^ ones * 0xE2, dot = x ^ ones * '.', bracket = x ^ ones * '[';
  return (((e2 - ones) & ~e2) | ((dot - ones) & ~dot) | ((bracket - ones) & ~bracket)) & high;
}

static nm_status nm_markers__quotes(nm_markers__pass *p) {
  nm_doc *doc = p->doc;
  const nm_engine *e = p->engine;
  const char *s = doc->text;
  uint32_t edited_end = 0;
  nm_status st = NM_OK;
  for (size_t i = 0; i < doc->quotes.count && st == NM_OK; i++) {
    const nm__quote *q = &NM_AT(doc->quotes, nm__quote, i);
    if (q->in_boiler || q->end <= q->start) continue;
    int kind = q->kind;
    /* <tweet id="..."> and the like: an attribute value, not a quote. */
    bool markup = q->start > 0 && s[q->start - 1] == '=';
    /* The words are read only for a quote that may be a scare quote or an
       unattributed one (most quotes have a speaker, and reported speech
       has no marks to check). */
    bool may_scare = (kind == NM_QUOTE_PARTIAL || kind == NM_QUOTE_TERM) && nm__builtin_active(e, NM_R_QUOTE_SCARE);
    bool may_unattributed = (kind == NM_QUOTE_DIRECT || kind == NM_QUOTE_PARTIAL) && q->speaker_start == NM_NONE &&
                            q->entity < 0;
    if ((may_scare || may_unattributed) && !markup) {
      size_t words = nm_markers__quote_words(doc, q, 6);
      uint32_t first = q->start;
      while (first < q->end && !((s[first] >= 'a' && s[first] <= 'z') || (s[first] >= 'A' && s[first] <= 'Z')))
        first++;
      bool lower = first < q->end && s[first] >= 'a' && s[first] <= 'z';
      /* Names and titles ("Hillary", "SNL", "Good Morning America") and numbers in markup hold no lower-case word. */
      bool has_lower_word = false;
      for (uint32_t k = first; k < q->end && !has_lower_word; k++)
        has_lower_word = s[k] >= 'a' && s[k] <= 'z' && (k == first || s[k - 1] == ' ' || s[k - 1] == '-');
      bool titled = !has_lower_word || (words <= 6 && nm_markers__title_case(s, first, q->end));
      /* "Do svidaniya!": an exclamation or a question is said, not used as a label. */
      uint32_t last = q->end;
      while (last > first && !(s[last - 1] == '!' || s[last - 1] == '?' || (s[last - 1] >= 'a' && s[last - 1] <= 'z') ||
                               (s[last - 1] >= 'A' && s[last - 1] <= 'Z') || (s[last - 1] >= '0' && s[last - 1] <= '9')))
        last--;
      bool utterance = last > first && (s[last - 1] == '!' || s[last - 1] == '?');
      if (may_scare && words >= 1 && words <= 2 && !titled && !utterance && (kind == NM_QUOTE_PARTIAL || lower))
        st = nm_markers__push(p, NM_R_QUOTE_SCARE, q->start, q->end);
      /* A quote with no speaker: whole statements, not labels, titles or headline fragments. */
      bool unattributed = may_unattributed && (kind == NM_QUOTE_DIRECT || words >= 3) && !titled &&
                          !nm_markers__in_heading(doc, q->start) && !nm_markers__cue_beside(doc, q->start, q->end);
      if (unattributed && nm__builtin_active(e, NM_R_QUOTE_UNATTRIBUTED) && st == NM_OK) {
        bool parent_speaks = false;
        if (q->parent >= 0 && (size_t)q->parent < doc->quotes.count) {
          const nm__quote *m = &NM_AT(doc->quotes, nm__quote, q->parent);
          parent_speaks = m->speaker_start != NM_NONE || m->entity >= 0;
        }
        if (!parent_speaks) st = nm_markers__push(p, NM_R_QUOTE_UNATTRIBUTED, q->start, q->end);
      }
    }
    if (kind == NM_QUOTE_INDIRECT || kind == NM_QUOTE_MIXED || kind == NM_QUOTE_TERM ||
        !nm__builtin_active(e, NM_R_QUOTE_EDITED))
      continue;
    /* Ellipses ("…", "...", ". . .") and [bracketed insertions] between the marks. */
    for (uint32_t k = q->start > edited_end ? q->start : edited_end; k < q->end && st == NM_OK; k++) {
      /* Skip 8 bytes at a time while none can start an ellipsis or a bracket. */
      for (uint64_t x; k + 8 <= q->end && (memcpy(&x, s + k, 8), !nm_markers__edit_byte_in(x));) k += 8;
      if (k >= q->end) break;
      unsigned char c = (unsigned char)s[k];
      uint32_t m_end = 0;
      if (c == 0xE2 && k + 2 < q->end && (unsigned char)s[k + 1] == 0x80 && (unsigned char)s[k + 2] == 0xA6) {
        m_end = k + 3;
      } else if (c == '.' && k + 2 < q->end && s[k + 1] == '.' && s[k + 2] == '.') {
        m_end = k + 3;
        while (m_end < q->end && s[m_end] == '.') m_end++;
      } else if (c == '.' && k + 4 < q->end && s[k + 1] == ' ' && s[k + 2] == '.' && s[k + 3] == ' ' &&
                 s[k + 4] == '.') {
        m_end = k + 5;
      } else if (c == '[') {
        const char *close = memchr(s + k, ']', q->end - k);
        if (close) m_end = (uint32_t)(close - s) + 1;
      }
      if (m_end) {
        st = nm_markers__push(p, NM_R_QUOTE_EDITED, k, m_end);
        k = m_end - 1;
        edited_end = m_end;
      }
    }
  }
  return st;
}

static nm_status nm_markers__user_match(void *ud, const nm__rule *r, uint32_t start, uint32_t end,
                                        pcre2_match_data *md) {
  (void)md;
  nm_markers__pass *p = ud;
  nm_doc *doc = p->doc;
  /* Matches in code blocks, URLs or tags are not prose. */
  if (doc->mask && (doc->mask[start] & 3) != NM_MASK_PROSE) return NM_OK;
  if (r->inside == NM_INSIDE_QUOTE && !nm_markers__within(p->quoted, p->nquoted, start)) return NM_OK;
  if (r->inside == NM_INSIDE_PROSE && nm_markers__overlaps(p->quoted, p->nquoted, start, end)) return NM_OK;
  return nm__doc_push_marker(doc, start, end, r->kind, r->id, r->message, r->severity);
}

/* ---- internal API ----------------------------------------------------------- */

nm_status nm__find_markers(nm_doc *doc, char *err, size_t errlen) {
  const nm_engine *e = doc->engine;
  nm_markers__pass p = {doc, e, NULL, NULL, 0, NULL, 0};
  p.md = nm__rules_match_data(e);
  nm_status st = p.md ? nm_markers__collect_spans(&p) : NM_ERR_NOMEM;
  for (size_t i = 0; i < doc->paras.count && st == NM_OK; i++) {
    const nm__para *para = &NM_AT(doc->paras, nm__para, i);
    if (para->flags & NM_PF_CREDIT) {
      if (nm__builtin_active(e, NM_R_PAGE_CREDIT)) st = nm_markers__push(&p, NM_R_PAGE_CREDIT, para->start, para->end);
    } else if (para->flags & NM_PF_BOILERPLATE) {
      if (nm__builtin_active(e, NM_R_PAGE_BOILERPLATE))
        st = nm_markers__push(&p, NM_R_PAGE_BOILERPLATE, para->start, para->end);
    } else {
      st = nm_markers__para(&p, para);
    }
  }
  /* Anonymous sources that attribution resolved. */
  if (st == NM_OK && nm__builtin_active(e, NM_R_SOURCE_ANONYMOUS))
    for (size_t i = 0; i < p.nanon && st == NM_OK; i++)
      if (i == 0 || p.anon[i].start >= p.anon[i - 1].end)
        st = nm_markers__push(&p, NM_R_SOURCE_ANONYMOUS, p.anon[i].start, p.anon[i].end);
  if (st == NM_OK) st = nm_markers__quotes(&p);
  for (size_t i = NM_R__COUNT; i < e->rules.count && st == NM_OK; i++) {
    const nm__rule *r = nm__rule_at(e, i);
    if (r->active && r->code) st = nm__rule_scan(doc, r, p.md, 0, doc->len, nm_markers__user_match, &p);
  }
  pcre2_match_data_free(p.md);
  free(p.quoted);
  free(p.anon);
  if (st == NM_ERR_NOMEM) nm__errorf(err, errlen, "out of memory while finding markers");
  return st;
}

/* ---- the line classifier ------------------------------------------------------ */

/*
 * Page furniture is decided per paragraph, before quotes are paired. The
 * checks go from cheap to dear: a length cut, then the lexicon openings
 * (boilerplate.txt, credits.txt), then one-token tracking tags, bylines and
 * teaser headlines between body paragraphs.
 */

static bool nm_markers__space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Bytes of the space at pos: ASCII white space, or a no-break space (U+00A0, U+202F). */
static uint32_t nm_markers__space_len(const char *s, uint32_t pos, uint32_t end) {
  unsigned char c = (unsigned char)s[pos];
  if (nm_markers__space(c)) return 1;
  if (c == 0xC2 && pos + 1 < end && (unsigned char)s[pos + 1] == 0xA0) return 2;
  if (c == 0xE2 && pos + 2 < end && (unsigned char)s[pos + 1] == 0x80 && (unsigned char)s[pos + 2] == 0xAF) return 3;
  return 0;
}

static bool nm_markers__delim(unsigned char c) {
  return c == ':' || c == '|' || c == '-' || c == '>' || c == ',' || c == '.' || c == ';';
}

/* The line's opening words against the lexicon: NM_PF_BOILERPLATE, NM_PF_CREDIT or 0. */
static uint32_t nm_markers__line_opening(const nm_doc *doc, uint32_t start, uint32_t end) {
  const char *s = doc->text;
  const nm__lexicon *lex = doc->engine->lexicon;
  char key[96];
  size_t n = 0;
  uint32_t pos = start, found = 0;
  if (pos < end && (s[pos] == '(' || s[pos] == '[')) pos++;
  for (int words = 1; words <= 12 && pos < end; words++) {
    uint32_t w = pos;
    while (pos < end && !nm_markers__space_len(s, pos, end)) pos++;
    uint32_t we = pos;
    bool delimited = false;
    /* Trailing punctuation, and the "»" / "›" arrows (UTF-8), end the opening. */
    while (we > w && (nm_markers__delim((unsigned char)s[we - 1]) || s[we - 1] == ')')) {
      delimited = true;
      we--;
    }
    if (we - w >= 2 && (unsigned char)s[we - 2] == 0xC2 && ((unsigned char)s[we - 1] == 0xBB)) {
      delimited = true;
      we -= 2;
    }
    if (we == w || n + 1 + (we - w) >= sizeof key) break;
    if (n) key[n++] = ' ';
    n += nm__lexicon_norm(s + w, we - w, key + n, sizeof key - n);
    for (uint32_t l; pos < end && (l = nm_markers__space_len(s, pos, end)) > 0;) pos += l;
    bool more = false;
    uint32_t cls = nm__lexicon_get(lex, key, n, &more) & (NM_LEX_BOILERPLATE | NM_LEX_CREDIT);
    /* One word is an opening only when punctuation or the line's end follows it. */
    if (cls && (pos >= end || delimited || words >= 2))
      found = cls & NM_LEX_CREDIT ? NM_PF_CREDIT : NM_PF_BOILERPLATE;
    if (!more || delimited) break;
  }
  return found;
}

/* A tracking tag: one token, no spaces, like "RES-EMP" or "tagreuters.com2023binary_LYNX..." */
static bool nm_markers__tag_line(const char *s, uint32_t start, uint32_t end) {
  size_t n = end - start, upper = 0, lower = 0, digits = 0, joins = 0;
  if (n < 5 || n > 200) return false;
  for (uint32_t k = start; k < end; k++) {
    unsigned char c = (unsigned char)s[k];
    if (nm_markers__space(c) || c >= 0x80) return false;
    if (c >= 'A' && c <= 'Z') upper++;
    else if (c >= 'a' && c <= 'z') lower++;
    else if (c >= '0' && c <= '9') digits++;
    else if (c == '-' || c == '_') joins++;
    else if (c != '.' && c != '/') return false;
  }
  if (n >= 8 && memchr(s + start, '_', n) && (digits || upper)) return true;       /* binary_LYNX... */
  if (n >= 12 && digits && (upper + lower) && (lower == 0 || upper >= 3)) return true; /* tagreuters.com2023... */
  return lower == 0 && joins && upper >= 4 && digits == 0 && n <= 20;                 /* RES-EMP */
}

/* "By Jack Kim", "By Jack Kim and Ju-min Park": a short line of capitalised words. */
static bool nm_markers__byline(const char *s, uint32_t start, uint32_t end) {
  if (end - start < 5 || end - start > 80) return false;
  if (!((s[start] == 'B' || s[start] == 'b') && (s[start + 1] == 'y' || s[start + 1] == 'Y') && s[start + 2] == ' '))
    return false;
  int names = 0;
  uint32_t pos = start + 3;
  while (pos < end) {
    while (pos < end && (s[pos] == ' ' || s[pos] == ',')) pos++;
    uint32_t w = pos;
    while (pos < end && s[pos] != ' ' && s[pos] != ',') pos++;
    if (pos == w) break;
    size_t len = pos - w;
    bool joiner = (len == 3 && memcmp(s + w, "and", 3) == 0) || (len == 1 && s[w] == '|') ||
                  (len == 3 && memcmp(s + w, "for", 3) == 0) || (len == 2 && memcmp(s + w, "in", 2) == 0);
    bool cap = (s[w] >= 'A' && s[w] <= 'Z') || (unsigned char)s[w] >= 0xC3;
    if (!cap && !joiner) return false;
    if (cap) names++;
    if (names > 8) return false;
  }
  return names >= 1 && s[end - 1] != '.';
}

/* Does the line before [start, ...) (skipping blanks) end a sentence of body text? */
static bool nm_markers__body_before(const char *s, uint32_t start) {
  uint32_t k = start;
  while (k > 0 && nm_markers__space((unsigned char)s[k - 1])) k--;
  if (k == 0) return false;
  uint32_t line_end = k;
  while (k > 0 && s[k - 1] != '\n' && s[k - 1] != '\r') k--; /* CR-only text ends lines too */
  if (line_end - k < 60) return false;
  unsigned char c = (unsigned char)s[line_end - 1];
  return c == '.' || c == '!' || c == '?' || c == '"' || c == ')' ||
         (line_end >= 3 && (unsigned char)s[line_end - 3] == 0xE2 && (unsigned char)s[line_end - 2] == 0x80 &&
          ((unsigned char)s[line_end - 1] == 0x9D || (unsigned char)s[line_end - 1] == 0x99));
}

static bool nm_markers__body_after(const char *s, uint32_t len, uint32_t end) {
  uint32_t k = end;
  while (k < len && nm_markers__space((unsigned char)s[k])) k++;
  uint32_t from = k;
  while (k < len && s[k] != '\n' && s[k] != '\r') k++;
  return k - from >= 60;
}

/* "Ukraine Produced Almost 14 Billion Cubic Meters of Gas in 2024": a title-case
   line with no sentence punctuation, between two paragraphs of body text. */
static bool nm_markers__teaser(const nm_doc *doc, uint32_t start, uint32_t end) {
  const char *s = doc->text;
  if (end - start < 20 || end - start > 160) return false;
  unsigned char last = (unsigned char)s[end - 1];
  if (last == '.' || last == '!' || last == '?' || last == ':' || last == ',' || last == ';' || last == '"' ||
      last == 0x9D || last == 0x99)
    return false;
  size_t words = 0, caps = 0, long_lower = 0;
  uint32_t pos = start;
  while (pos < end) {
    while (pos < end && s[pos] == ' ') pos++;
    uint32_t w = pos;
    while (pos < end && s[pos] != ' ') pos++;
    if (pos == w) break;
    words++;
    unsigned char c = (unsigned char)s[w];
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == 0xE2) caps++;
    else if (pos - w >= 4) long_lower++;
    for (uint32_t k = w; k < pos; k++)
      if (s[k] == '.' && k + 1 < pos) return false; /* a sentence break inside */
  }
  if (words < 4 || long_lower > 0 || caps * 10 < words * 6) return false;
  return nm_markers__body_before(s, start) && nm_markers__body_after(s, doc->len, end);
}

uint32_t nm__classify_line(const nm_doc *doc, uint32_t start, uint32_t end) {
  if (!doc || end <= start || end > doc->len || end - start > 300) return 0;
  uint32_t f = nm_markers__line_opening(doc, start, end);
  if (f) return f;
  const char *s = doc->text;
  if (nm_markers__tag_line(s, start, end)) return NM_PF_BOILERPLATE;
  if (nm_markers__byline(s, start, end)) return NM_PF_CREDIT;
  if (nm_markers__teaser(doc, start, end)) return NM_PF_BOILERPLATE;
  return 0;
}
