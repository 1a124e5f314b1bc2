/*
 * quotes.c: pair quote marks into quotes.
 *
 * Each mark's role (open or close) comes from its glyph and from where it
 * stands: a mark with space before it and a word after it opens, one with a
 * word before it and space or punctuation after it closes. Straight marks
 * have no glyph to go by and rely on position alone.
 *
 * One family of marks is primary (double marks, or single marks in a text
 * that uses no double ones). Primary quotes may run across paragraphs by the
 * news convention: a paragraph that ends inside a quote and is followed by
 * one that opens with a mark continues the quote. Otherwise an unclosed quote
 * stops at its paragraph's end, where a reader would stop it. A second opener
 * inside an open quote is absorbed, so `“a ... “b ... c.”` is one quote (the
 * writer forgot a mark; it is not nesting). Secondary marks inside a primary
 * quote belong to it; outside, they make quotes of their own only when they
 * close within the paragraph.
 */
#include "internal.h"

#include <string.h>

enum { NM_ROLE_NONE, NM_ROLE_OPEN, NM_ROLE_CLOSE };

/* ---- private ------------------------------------------------------------ */

static bool nm_quotes__double(uint8_t mark) {
  return mark == NM_MARK_DOUBLE_OPEN || mark == NM_MARK_DOUBLE_CLOSE || mark == NM_MARK_DOUBLE_AMBIG;
}

static bool nm_quotes__opening_punct(const nm_doc *doc, const nm__token *t) {
  unsigned char c = (unsigned char)doc->text[t->start];
  return c == '(' || c == '[' || c == '{' || c == '-' || c == '/' || c == ':' ||
         (c == 0xE2 && t->end - t->start == 3 && (unsigned char)doc->text[t->start + 1] == 0x80 &&
          (unsigned char)doc->text[t->start + 2] >= 0x93 && (unsigned char)doc->text[t->start + 2] <= 0x94);
}

/* Role of the mark at token i, given whether a quote of its family is open. */
static int nm_quotes__role(const nm_doc *doc, const nm__para *p, uint32_t i, bool is_open) {
  const nm__token *t = doc->tokens.items;
  const nm__token *m = &t[i];
  bool first = i == p->first_tok, last = i + 1 == p->end_tok;
  const nm__token *prev = first ? NULL : &t[i - 1];
  const nm__token *next = last ? NULL : &t[i + 1];
  bool space_before = first || m->space || nm_quotes__opening_punct(doc, prev) ||
                      (prev->type == NM_TOK_QUOTE && prev->start + 3 >= m->start && (prev->space || i - 1 == p->first_tok));
  bool space_after = last || next->space;
  bool punct_after = next && (next->type == NM_TOK_PUNCT || next->type == NM_TOK_QUOTE);
  bool left = space_before && !space_after;          /* opens: “word */
  bool right = !space_before && (space_after || punct_after); /* closes: word” */
  switch (m->mark) {
  case NM_MARK_DOUBLE_OPEN:
  case NM_MARK_SINGLE_OPEN:
    return right && !left && is_open ? NM_ROLE_CLOSE : NM_ROLE_OPEN;
  case NM_MARK_DOUBLE_CLOSE:
    return left && !right && !is_open ? NM_ROLE_OPEN : NM_ROLE_CLOSE;
  case NM_MARK_SINGLE_CLOSE:
    /* "the Ukrainians’ plan": after an s and before a lower-case word, a possessive */
    if (right && prev && next && next->space && next->type == NM_TOK_WORD && !(next->flags & NM_TF_CAP) &&
        prev->type == NM_TOK_WORD && (doc->text[prev->end - 1] | 0x20) == 's' && !(next->lex & NM_LEX_CUE))
      return NM_ROLE_NONE;
    if (right) return NM_ROLE_CLOSE;
    return left && !is_open ? NM_ROLE_OPEN : NM_ROLE_NONE;
  case NM_MARK_DOUBLE_AMBIG:
    if (left && !right) return NM_ROLE_OPEN;
    if (right && !left) return NM_ROLE_CLOSE;
    return is_open ? NM_ROLE_CLOSE : NM_ROLE_OPEN;
  case NM_MARK_SINGLE_AMBIG:
    if (left && !right) return NM_ROLE_OPEN;
    if (right && !left) return NM_ROLE_CLOSE;
    return NM_ROLE_NONE;
  default:
    return NM_ROLE_NONE;
  }
}

/* The first mark at or after token i, or end: marks are few, so the
   tokens are read four at a time. */
static uint32_t nm_quotes__next_mark(const nm__token *t, uint32_t i, uint32_t end) {
  while (i + 4 <= end && t[i].type != NM_TOK_QUOTE && t[i + 1].type != NM_TOK_QUOTE &&
         t[i + 2].type != NM_TOK_QUOTE && t[i + 3].type != NM_TOK_QUOTE)
    i += 4;
  while (i < end && t[i].type != NM_TOK_QUOTE) i++;
  return i;
}

/* Does the quote [first_tok, end_tok) hold any word or number? */
static bool nm_quotes__has_words(const nm_doc *doc, uint32_t first_tok, uint32_t end_tok) {
  const nm__token *t = doc->tokens.items;
  for (uint32_t k = first_tok; k < end_tok; k++)
    if (t[k].type == NM_TOK_WORD || t[k].type == NM_TOK_NUMBER) return true;
  return false;
}

static nm_status nm_quotes__emit(nm_doc *doc, uint32_t open_tok, uint32_t last_tok, bool closed,
                                 int32_t chain_prev, int32_t *index) {
  nm__token *t = doc->tokens.items;
  *index = -1;
  if (!nm_quotes__has_words(doc, open_tok + 1, closed ? last_tok : last_tok + 1)) return NM_OK;
  nm__quote *q = nm__vec_push(&doc->quotes);
  if (!q) return NM_ERR_NOMEM;
  q->start = t[open_tok].start;
  q->end = t[last_tok].end;
  q->first_tok = open_tok;
  q->end_tok = last_tok + 1;
  q->closed = closed;
  q->speaker_start = q->speaker_end = q->cue_start = q->cue_end = q->via_start = q->via_end = NM_NONE;
  q->entity = -1;
  q->parent = -1;
  q->chain_prev = chain_prev;
  q->kind = NM_QUOTE_DIRECT;
  for (uint32_t k = open_tok; k <= last_tok; k++) t[k].flags |= NM_TF_IN_QUOTE;
  *index = (int32_t)(doc->quotes.count - 1);
  return NM_OK;
}

/* ---- internal API ------------------------------------------------------- */

nm_status nm__find_quotes(nm_doc *doc, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  const nm__token *t = doc->tokens.items;
  /* Which family is primary: double marks, unless the text has none (and
     has an opening single mark). The first double mark settles it. */
  bool doubles = false, singles = false;
  for (size_t i = 0; i < doc->tokens.count && !doubles; i++)
    if (t[i].type == NM_TOK_QUOTE) {
      if (nm_quotes__double(t[i].mark)) doubles = true;
      else if (t[i].mark == NM_MARK_SINGLE_OPEN) singles = true;
    }
  bool primary_double = doubles || !singles;

  uint32_t open = NM_NONE;     /* primary opener, possibly from an earlier paragraph */
  int32_t chain_prev = -1;     /* the quote this one continues */
  for (size_t pi = 0; pi < doc->paras.count; pi++) {
    const nm__para *p = &NM_AT(doc->paras, nm__para, pi);
    uint32_t sopen = NM_NONE; /* secondary opener */
    int32_t idx;
    for (uint32_t i = p->first_tok;; i++) {
      i = nm_quotes__next_mark(t, i, p->end_tok);
      if (i >= p->end_tok) break;
      bool primary = nm_quotes__double(t[i].mark) == primary_double;
      if (primary) {
        int role = nm_quotes__role(doc, p, i, open != NM_NONE);
        if (role == NM_ROLE_OPEN && open == NM_NONE) {
          open = i;
          sopen = NM_NONE; /* a secondary quote left open is not a quote */
        } else if (role == NM_ROLE_OPEN && open < p->first_tok && i == p->first_tok) {
          /* continuation paragraph: its opening mark starts this piece */
          open = i;
        } else if (role == NM_ROLE_CLOSE && open != NM_NONE) {
          uint32_t from = open < p->first_tok ? p->first_tok : open;
          if (nm_quotes__emit(doc, from, i, true, chain_prev, &idx) != NM_OK) return NM_ERR_NOMEM;
          open = NM_NONE;
          chain_prev = -1;
        }
      } else if (open == NM_NONE) {
        int role = nm_quotes__role(doc, p, i, sopen != NM_NONE);
        if (role == NM_ROLE_OPEN && sopen == NM_NONE) {
          sopen = i;
        } else if (role == NM_ROLE_CLOSE && sopen != NM_NONE) {
          if (nm_quotes__emit(doc, sopen, i, true, -1, &idx) != NM_OK) return NM_ERR_NOMEM;
          sopen = NM_NONE;
        }
      }
    }
    if (open == NM_NONE) continue;
    uint32_t from = open < p->first_tok ? p->first_tok : open;
    /* “We are ready,’ the minister said: a quote closed by the other family's
       mark, when no mark of its own closes it. */
    uint32_t other = NM_NONE;
    for (uint32_t i = from + 1; i < p->end_tok && other == NM_NONE; i++)
      if (t[i].type == NM_TOK_QUOTE && nm_quotes__double(t[i].mark) != primary_double &&
          (t[i].mark == NM_MARK_SINGLE_CLOSE || t[i].mark == NM_MARK_DOUBLE_CLOSE || t[i].mark == NM_MARK_SINGLE_AMBIG ||
           t[i].mark == NM_MARK_DOUBLE_AMBIG) &&
          nm_quotes__role(doc, p, i, true) == NM_ROLE_CLOSE && i > 0 && t[i - 1].type == NM_TOK_PUNCT)
        other = i;
    if (other != NM_NONE) {
      if (nm_quotes__emit(doc, from, other, true, chain_prev, &idx) != NM_OK) return NM_ERR_NOMEM;
      open = NM_NONE;
      chain_prev = -1;
      continue;
    }
    /* The paragraph ends inside a quote: continued, or stopped here. */
    bool continues = false;
    if (pi + 1 < doc->paras.count) {
      const nm__para *np = &NM_AT(doc->paras, nm__para, pi + 1);
      const nm__token *f = &t[np->first_tok];
      continues = f->type == NM_TOK_QUOTE && nm_quotes__double(f->mark) == primary_double &&
                  nm_quotes__role(doc, np, np->first_tok, false) == NM_ROLE_OPEN &&
                  !(np->flags & (NM_PF_HEADING | NM_PF_BOILERPLATE | NM_PF_CREDIT));
    }
    if (nm_quotes__emit(doc, from, p->end_tok - 1, false, chain_prev, &idx) != NM_OK) return NM_ERR_NOMEM;
    if (continues && idx >= 0) {
      chain_prev = idx;
    } else {
      open = NM_NONE;
      chain_prev = -1;
    }
  }
  return NM_OK;
}
