/*
 * seeds.c: the seeds as Markdown and as HTML, built here at test time and
 * never written to the repository, must give the quotes and speakers of the
 * plain text, at the mapped offsets, and none from the code they gain.
 *   seeds FILE.txt [OUT_DIR]
 * Each copy is made by inserting markup around the plain bytes, so every
 * plain byte has a place in the copy (map_start/map_end). The copies:
 *  - every non-empty line is a paragraph (<p>, or a blank line after it);
 *    lines the plain analysis calls headings become headings (## or <h2>);
 *  - one word inside the first quote gets emphasis (** or <em>);
 *  - one word outside every quote and speaker becomes a link whose URL
 *    holds quote marks;
 *  - a code block holding a quote ends the document (``` or <pre><code>),
 *    and the HTML copy gains a <script> holding one too;
 *  - the HTML copy writes every “ and ” as &ldquo; and &rdquo;, and escapes
 *    < > & as entities; the Markdown copy escapes what Markdown would read.
 * Prints "ok FILE markdown|html QUOTES", or what differs, and exits 1 on any
 * difference; with OUT_DIR it also writes the copies there, for a look.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct seeds_out {
  char *buf;
  size_t len, cap;
  uint32_t *map_start, *map_end; /* per plain byte: its bytes in the copy */
} seeds_out;

static void seeds_die(const char *why) {
  fprintf(stderr, "seeds: %s\n", why);
  exit(2);
}

static void seeds_put(seeds_out *o, const char *s, size_t n) {
  if (o->len + n + 1 > o->cap) {
    while (o->len + n + 1 > o->cap) o->cap = o->cap ? o->cap * 2 : 4096;
    o->buf = realloc(o->buf, o->cap);
    if (!o->buf) seeds_die("out of memory");
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = '\0';
}
static void seeds_puts(seeds_out *o, const char *s) { seeds_put(o, s, strlen(s)); }

/* Copy plain byte i as the text s (itself, or an entity, or an escape). */
static void seeds_copy(seeds_out *o, size_t i, const char *s, size_t n) {
  o->map_start[i] = (uint32_t)o->len;
  seeds_put(o, s, n);
  o->map_end[i] = (uint32_t)o->len;
}

typedef struct seeds_quote {
  int kind;
  size_t start, end, sp_start, sp_end;
  int has_speaker;
  const char *entity;
} seeds_quote;

static size_t seeds_quotes(const nm_doc *d, seeds_quote **out) {
  size_t n = nm_doc_quote_count(d);
  seeds_quote *q = calloc(n ? n : 1, sizeof *q);
  if (!q) seeds_die("out of memory");
  for (size_t i = 0; i < n; i++) {
    q[i].kind = nm_doc_quote_kind(d, i);
    nm_doc_quote_part(d, i, NM_PART_QUOTE, &q[i].start, &q[i].end);
    q[i].has_speaker = nm_doc_quote_part(d, i, NM_PART_SPEAKER, &q[i].sp_start, &q[i].sp_end);
    long e = nm_doc_quote_entity(d, i);
    q[i].entity = e >= 0 ? nm_doc_entity_name(d, (size_t)e) : NULL;
  }
  *out = q;
  return n;
}

static int seeds_is_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* The plan shared by both copies: where the emphasis and the link go. */
typedef struct seeds_plan {
  size_t em_start, em_end;     /* a word inside the first quote, or none */
  size_t link_start, link_end; /* a word outside quotes and speakers */
  uint8_t *line_heading;       /* per byte: 1 when its paragraph is a heading */
} seeds_plan;

/* A plain word [s, e) inside [from, to), at least `skip` words in. */
static int seeds_find_word(const char *t, size_t from, size_t to, int skip, size_t *s, size_t *e) {
  size_t i = from;
  while (i < to) {
    while (i < to && !(t[i] >= 'a' && t[i] <= 'z')) i++;
    size_t j = i;
    while (j < to && ((t[j] >= 'a' && t[j] <= 'z') || (t[j] >= 'A' && t[j] <= 'Z'))) j++;
    if (j > i && j - i >= 3 && (i == 0 || !seeds_is_word((unsigned char)t[i - 1])) &&
        (j >= to || !seeds_is_word((unsigned char)t[j])) && skip-- <= 0) {
      *s = i;
      *e = j;
      return 1;
    }
    i = j + 1;
  }
  return 0;
}

static int seeds_overlaps(size_t s, size_t e, size_t a, size_t b) { return s < b && a < e; }

static void seeds_make_plan(const nm_doc *d, const seeds_quote *q, size_t nq, seeds_plan *p) {
  const char *t = nm_doc_text(d);
  size_t len = nm_doc_length(d);
  p->em_start = p->em_end = p->link_start = p->link_end = SIZE_MAX;
  for (size_t i = 0; i < nq; i++) {
    if (q[i].kind == NM_QUOTE_INDIRECT || q[i].kind == NM_QUOTE_MIXED) continue;
    if (q[i].end - q[i].start > 20 &&
        seeds_find_word(t, q[i].start + 1, q[i].end - 1, 1, &p->em_start, &p->em_end))
      break;
  }
  /* The link: a lower-case word that no quote, speaker or cue touches. */
  size_t at = len / 3;
  while (at < len) {
    size_t s, e;
    if (!seeds_find_word(t, at, len, 0, &s, &e)) break;
    int clear = 1;
    for (size_t i = 0; i < nq && clear; i++) {
      if (seeds_overlaps(s, e, q[i].start, q[i].end)) clear = 0;
      if (q[i].has_speaker && seeds_overlaps(s, e, q[i].sp_start, q[i].sp_end)) clear = 0;
      size_t cs, ce;
      for (size_t k = 0; k < nm_doc_quote_count(d) && clear; k++)
        if (nm_doc_quote_part(d, k, NM_PART_CUE, &cs, &ce) && seeds_overlaps(s, e, cs, ce)) clear = 0;
    }
    if (clear) {
      p->link_start = s;
      p->link_end = e;
      break;
    }
    at = e;
  }
  p->line_heading = calloc(len ? len : 1, 1);
  if (!p->line_heading) seeds_die("out of memory");
  for (size_t i = 0; i < d->paras.count; i++) {
    const nm__para *para = &NM_AT(d->paras, nm__para, i);
    if (para->flags & NM_PF_HEADING) memset(p->line_heading + para->start, 1, para->end - para->start);
  }
}

static const char *seeds_code_quote = "\xe2\x80\x9cThis quote is code,\xe2\x80\x9d the coder said.";

/* Markdown: escape what Markdown would read as markup, at the start of a
   line and inside it. Escapes are backslashes, which the queries skip. */
static int seeds_md_needs_escape(const char *t, size_t i, size_t len, int line_start) {
  unsigned char c = (unsigned char)t[i];
  if (strchr("*`[]<>\\~|", c) && c) return 1;
  if (c == '_') return !(i > 0 && seeds_is_word((unsigned char)t[i - 1]) && i + 1 < len &&
                         seeds_is_word((unsigned char)t[i + 1]));
  if (c == '&') return i + 1 < len && (seeds_is_word((unsigned char)t[i + 1]) || t[i + 1] == '#');
  if (line_start && strchr("#>-+=", c) && c) return 1;
  if (line_start && c >= '0' && c <= '9') {
    size_t j = i;
    while (j < len && t[j] >= '0' && t[j] <= '9') j++;
    return j < len && (t[j] == '.' || t[j] == ')');
  }
  return 0;
}

static void seeds_build(const char *t, size_t len, const seeds_plan *p, int html, seeds_out *o,
                        size_t *code_from) {
  o->map_start = malloc((len ? len : 1) * sizeof *o->map_start);
  o->map_end = malloc((len ? len : 1) * sizeof *o->map_end);
  if (!o->map_start || !o->map_end) seeds_die("out of memory");
  if (html)
    seeds_puts(o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Seed copy</title>\n"
                  "<style>p { margin: 0 }</style></head>\n<body>\n");
  int line_start = 1, open_para = 0, heading = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)t[i];
    if (c == '\n') {
      if (open_para) seeds_puts(o, html ? (heading ? "</h2>" : "</p>") : "");
      seeds_copy(o, i, "\n", 1);
      /* One paragraph a line: Markdown needs a blank line between them. */
      if (!html && !line_start && (i + 1 >= len || t[i + 1] != '\n')) seeds_puts(o, "\n");
      line_start = 1;
      open_para = 0;
      continue;
    }
    if (line_start) {
      heading = p->line_heading[i];
      if (html) seeds_puts(o, heading ? "<h2>" : "<p>");
      else if (heading) seeds_puts(o, "## ");
      open_para = 1;
    }
    if (i == p->em_start) seeds_puts(o, html ? "<em>" : "**");
    if (i == p->link_start) seeds_puts(o, html ? "<a href=\"https://example.com/&ldquo;x&rdquo;\">" : "[");
    if (html && c == '<') seeds_copy(o, i, "&lt;", 4);
    else if (html && c == '>') seeds_copy(o, i, "&gt;", 4);
    else if (html && c == '&') seeds_copy(o, i, "&amp;", 5);
    else if (html && i + 2 < len && !memcmp(t + i, "\xe2\x80\x9c", 3)) {
      seeds_copy(o, i, "&ldquo;", 7);
      o->map_start[i + 1] = o->map_start[i + 2] = o->map_start[i];
      o->map_end[i + 1] = o->map_end[i + 2] = o->map_end[i];
      i += 2;
    } else if (html && i + 2 < len && !memcmp(t + i, "\xe2\x80\x9d", 3)) {
      seeds_copy(o, i, "&rdquo;", 7);
      o->map_start[i + 1] = o->map_start[i + 2] = o->map_start[i];
      o->map_end[i + 1] = o->map_end[i + 2] = o->map_end[i];
      i += 2;
    } else if (!html && seeds_md_needs_escape(t, i, len, line_start)) {
      char esc[2] = {'\\', (char)c};
      seeds_copy(o, i, esc, 2);
    } else {
      seeds_copy(o, i, (const char *)&t[i], 1);
    }
    line_start = 0;
    if (i + 1 == p->em_end) seeds_puts(o, html ? "</em>" : "**");
    if (i + 1 == p->link_end) seeds_puts(o, html ? "</a>" : "](https://example.com/\xe2\x80\x9cx\xe2\x80\x9d)");
  }
  if (open_para) seeds_puts(o, html ? (heading ? "</h2>" : "</p>") : "");
  seeds_puts(o, "\n\n");
  *code_from = o->len;
  if (html) {
    seeds_puts(o, "<pre><code>");
    seeds_puts(o, seeds_code_quote);
    seeds_puts(o, "</code></pre>\n<script>var said = \"");
    seeds_puts(o, seeds_code_quote);
    seeds_puts(o, "\";</script>\n</body></html>\n");
  } else {
    seeds_puts(o, "```\n");
    seeds_puts(o, seeds_code_quote);
    seeds_puts(o, "\n```\n");
  }
}

/* Map a plain span into the copy. */
static void seeds_map(const seeds_out *o, size_t s, size_t e, size_t *ms, size_t *me) {
  *ms = o->map_start[s];
  *me = e > s ? o->map_end[e - 1] : o->map_start[s];
}

static int seeds_compare(const char *name, const char *what, const seeds_quote *pq, size_t np,
                         const seeds_out *o, const nm_doc *md, size_t code_from) {
  seeds_quote *mq;
  size_t nm = seeds_quotes(md, &mq);
  int bad = 0;
  for (size_t i = 0; i < nm; i++)
    if (mq[i].end > code_from) {
      printf("not ok %s %s: a %s quote at [%zu,%zu) comes from the code block\n", name, what,
             nm_quote_kind_name(mq[i].kind), mq[i].start, mq[i].end);
      bad = 1;
    }
  char *used = calloc(nm ? nm : 1, 1);
  if (!used) seeds_die("out of memory");
  for (size_t i = 0; i < np; i++) {
    size_t ms, me, ss = 0, se = 0;
    seeds_map(o, pq[i].start, pq[i].end, &ms, &me);
    if (pq[i].has_speaker) seeds_map(o, pq[i].sp_start, pq[i].sp_end, &ss, &se);
    size_t k = 0;
    for (; k < nm; k++) {
      if (used[k] || mq[k].kind != pq[i].kind || mq[k].start != ms || mq[k].end != me) continue;
      if (mq[k].has_speaker != pq[i].has_speaker) continue;
      if (pq[i].has_speaker && (mq[k].sp_start != ss || mq[k].sp_end != se)) continue;
      if ((mq[k].entity == NULL) != (pq[i].entity == NULL)) continue;
      if (mq[k].entity && strcmp(mq[k].entity, pq[i].entity) != 0) continue;
      break;
    }
    if (k < nm) {
      used[k] = 1;
      continue;
    }
    printf("not ok %s %s: plain %s quote [%zu,%zu) speaker %s (%s) not found at [%zu,%zu)\n", name, what,
           nm_quote_kind_name(pq[i].kind), pq[i].start, pq[i].end, pq[i].has_speaker ? "yes" : "none",
           pq[i].entity ? pq[i].entity : "-", ms, me);
    bad = 1;
  }
  for (size_t k = 0; k < nm; k++)
    if (!used[k] && mq[k].end <= code_from) {
      printf("not ok %s %s: extra %s quote at [%zu,%zu) %.*s\n", name, what, nm_quote_kind_name(mq[k].kind),
             mq[k].start, mq[k].end, (int)(mq[k].end - mq[k].start > 60 ? 60 : mq[k].end - mq[k].start),
             nm_doc_text(md) + mq[k].start);
      bad = 1;
    }
  if (!bad) printf("ok %s %s %zu\n", name, what, np);
  free(used);
  free(mq);
  return bad;
}

int main(int argc, char **argv) {
  if (argc < 2) seeds_die("usage: seeds FILE.txt [OUT_DIR]");
  FILE *f = fopen(argv[1], "rb");
  if (!f) seeds_die("cannot open the seed");
  static char text[1 << 20];
  size_t len = fread(text, 1, sizeof text, f);
  fclose(f);
  const char *name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
  char err[512];
  nm_engine *e = nm_engine_new(err, sizeof err);
  if (!e) seeds_die(err);
  nm_status st;
  nm_doc *plain = nm_doc_new(e, text, len, NM_INPUT_PLAIN, &st, err, sizeof err);
  if (!plain) seeds_die(err);
  seeds_quote *pq;
  size_t np = seeds_quotes(plain, &pq);
  seeds_plan plan;
  seeds_make_plan(plain, pq, np, &plan);
  int bad = 0;
  for (int html = 0; html <= 1; html++) {
    seeds_out o = {0};
    size_t code_from;
    seeds_build(text, len, &plan, html, &o, &code_from);
    if (argc > 2) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%.*s.%s", argv[2], (int)(strlen(name) - 4), name, html ? "html" : "md");
      FILE *w = fopen(path, "wb");
      if (w) fwrite(o.buf, 1, o.len, w), fclose(w);
    }
    nm_doc *d = nm_doc_new(e, o.buf, o.len, html ? NM_INPUT_HTML : NM_INPUT_MARKDOWN, &st, err, sizeof err);
    if (!d) {
      printf("not ok %s %s: %s\n", name, html ? "html" : "markdown", err);
      bad = 1;
    } else {
      bad |= seeds_compare(name, html ? "html" : "markdown", pq, np, &o, d, code_from);
    }
    nm_doc_delete(d);
    free(o.buf);
    free(o.map_start);
    free(o.map_end);
  }
  free(plan.line_heading);
  free(pq);
  nm_doc_delete(plain);
  nm_engine_delete(e);
  return bad;
}
