/*
 * annotate_html.c: annotate --format=html, a standalone page.
 *
 * The article's paragraphs (the prose the analysis read: for Markdown and
 * HTML input the markup is left out and entities are decoded), with each
 * quote coloured by its speaker, speakers, cues and channels underlined,
 * markers dotted. Every marked span carries a hover note (a title
 * attribute). Beside the article: a sources panel (who is quoted, how often,
 * named or anonymous) and the list of markers. No scripts, no external
 * assets: one file that any browser opens.
 *
 * Spans nest and overlap (a marker inside a quote, a quote across a
 * speaker), so each paragraph is cut at every span boundary; for each piece
 * the covering spans are opened outermost first, and a span that must close
 * under others closes them too and reopens them after.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- private ------------------------------------------------------------ */

enum nm_html__item_type { NM_ITEM_QUOTE = 0, NM_ITEM_VIA, NM_ITEM_SPEAKER, NM_ITEM_CUE, NM_ITEM_MARKER };

typedef struct nm_html__item {
  uint32_t start, end;
  uint8_t type;
  uint32_t index; /* quote or marker index */
} nm_html__item;

typedef struct nm_html__ctx {
  FILE *out;
  const nm_doc *doc;
  nm__vec items;  /* nm_html__item, sorted */
  nm__vec active; /* indices of the items covering the current position */
} nm_html__ctx;

/* Write text as HTML: escape it, replace invalid UTF-8 and control
   characters by U+FFFD, leave out skipped markup, and (for HTML input)
   decode character references. */
static void nm_html__text(nm_html__ctx *c, uint32_t from, uint32_t to) {
  const nm_doc *d = c->doc;
  const unsigned char *s = (const unsigned char *)d->text;
  FILE *out = c->out;
  uint32_t i = from;
  while (i < to) {
    if (d->mask && (d->mask[i] & 3) != NM_MASK_PROSE) {
      i++;
      continue;
    }
    unsigned char b = s[i];
    if (b == '&' && d->input == NM_INPUT_HTML) {
      uint32_t len = 0, cp = nm__html_entity(d->text + i, to - i, &len);
      if (cp && len <= to - i) {
        if (cp == '&') fputs("&amp;", out);
        else if (cp == '<') fputs("&lt;", out);
        else if (cp == '>') fputs("&gt;", out);
        else if (cp == '"') fputs("&quot;", out);
        else fprintf(out, "&#%u;", (unsigned)cp);
        i += len;
        continue;
      }
    }
    if (b < 0x80) {
      if (b == '&') fputs("&amp;", out);
      else if (b == '<') fputs("&lt;", out);
      else if (b == '>') fputs("&gt;", out);
      else if (b < 0x20 && b != '\n' && b != '\t' && b != '\r') fputs("\xEF\xBF\xBD", out);
      else if (b == 0x7F) fputs("\xEF\xBF\xBD", out);
      else putc(b, out);
      i++;
      continue;
    }
    /* A well-formed UTF-8 sequence is copied, anything else is U+FFFD. */
    uint32_t n = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0;
    if (b >= 0xF5) n = 0;
    bool good = n > 0 && i + n <= to;
    for (uint32_t k = 1; good && k < n; k++) good = (s[i + k] & 0xC0) == 0x80;
    if (good && n == 3) {
      uint32_t cp = ((b & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6);
      good = cp >= 0x800 && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (good && n == 4) {
      uint32_t cp = ((b & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12);
      good = cp >= 0x10000 && cp <= 0x10FFFF;
    }
    if (good) {
      fwrite(s + i, 1, n, out);
      i += n;
    } else {
      fputs("\xEF\xBF\xBD", out);
      i++;
    }
  }
}

/* A string for an attribute value (names and messages from the library). */
static void nm_html__attr(FILE *out, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\n': putc(' ', out); break;
    default: putc(*s, out);
    }
  }
}

/* A span of the document inside an attribute value or a cell, as it reads. */
static void nm_html__span_text(nm_html__ctx *c, size_t start, size_t end, size_t max) {
  if (end - start > max) {
    /* Cut at a UTF-8 character boundary. */
    size_t cut = start + max;
    while (cut > start && ((unsigned char)c->doc->text[cut] & 0xC0) == 0x80) cut--;
    nm_html__text(c, (uint32_t)start, (uint32_t)cut);
    fputs("\xE2\x80\xA6", c->out);
  } else {
    nm_html__text(c, (uint32_t)start, (uint32_t)end);
  }
}

/* The colour of a speaker: hues spread by the golden angle. */
static unsigned nm_html__hue(long entity) { return (unsigned)((entity * 137508L / 1000L + 210) % 360); }

static int nm_html__item_cmp(const void *a, const void *b) {
  const nm_html__item *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end > y->end ? -1 : 1;
  if (x->type != y->type) return x->type < y->type ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static bool nm_html__add(nm_html__ctx *c, size_t start, size_t end, uint8_t type, size_t index) {
  if (end <= start) return true;
  nm_html__item *it = nm__vec_push(&c->items);
  if (!it) return false;
  *it = (nm_html__item){(uint32_t)start, (uint32_t)end, type, (uint32_t)index};
  return true;
}

static void nm_html__quote_note(nm_html__ctx *c, size_t q) {
  const nm_doc *d = c->doc;
  FILE *out = c->out;
  size_t s, e;
  fprintf(out, "%s quote", nm_quote_kind_name(nm_doc_quote_kind(d, q)));
  if (nm_doc_quote_kind(d, q) == NM_QUOTE_TERM) return;
  long ent = nm_doc_quote_entity(d, q);
  fputs("\nspeaker: ", out);
  if (nm_doc_quote_part(d, q, NM_PART_SPEAKER, &s, &e)) {
    nm_html__span_text(c, s, e, 300);
    const char *full = ent >= 0 ? nm_doc_entity_name(d, (size_t)ent) : NULL;
    if (full && !(strlen(full) == e - s && !memcmp(full, d->text + s, e - s))) {
      fputs(" \xE2\x86\x92 ", out);
      nm_html__attr(out, nm_doc_entity_name(d, (size_t)ent));
    }
  } else if (ent >= 0) {
    nm_html__attr(out, nm_doc_entity_name(d, (size_t)ent));
  } else {
    fputs("none named", out);
  }
  if (ent >= 0) {
    fprintf(out, " (%s%s", nm_entity_type_name(nm_doc_entity_type(d, (size_t)ent)),
            nm_doc_entity_anonymous(d, (size_t)ent) ? ", anonymous" : "");
    if (nm_doc_entity_title(d, (size_t)ent)) {
      fputs(", ", out);
      nm_html__attr(out, nm_doc_entity_title(d, (size_t)ent));
    }
    putc(')', out);
  }
  if (nm_doc_quote_part(d, q, NM_PART_CUE, &s, &e)) {
    fputs("\ncue: ", out);
    nm_html__span_text(c, s, e, 60);
  }
  if (nm_doc_quote_part(d, q, NM_PART_VIA, &s, &e)) {
    fputs("\nvia: ", out);
    nm_html__span_text(c, s, e, 80);
  }
  /* Markers inside the quote, by kind: markers are sorted by start. */
  size_t qs, qe;
  nm_doc_quote_part(d, q, NM_PART_QUOTE, &qs, &qe);
  bool any = false;
  for (size_t m = 0; m < nm_doc_marker_count(d); m++) {
    size_t ms, me;
    nm_doc_marker_span(d, m, &ms, &me);
    if (ms >= qe) break;
    if (ms < qs || me > qe) continue;
    fputs(any ? ", " : "\nmarkers: ", out);
    nm_html__attr(out, nm_doc_marker_kind(d, m));
    any = true;
  }
  if (nm_doc_quote_boilerplate(d, q)) fputs("\n(in page furniture, not the article)", out);
}

static void nm_html__open(nm_html__ctx *c, const nm_html__item *it) {
  const nm_doc *d = c->doc;
  FILE *out = c->out;
  switch (it->type) {
  case NM_ITEM_QUOTE: {
    int kind = nm_doc_quote_kind(d, it->index);
    long ent = nm_doc_quote_entity(d, it->index);
    fprintf(out, "<span class=\"nm-q nm-q-%s%s%s\" data-quote=\"%u\"", nm_quote_kind_name(kind),
            kind != NM_QUOTE_TERM && ent < 0 ? " nm-unattributed" : "",
            nm_doc_quote_boilerplate(d, it->index) ? " nm-q-boiler" : "", (unsigned)it->index);
    if (ent >= 0) {
      fprintf(out, " data-entity=\"%ld\" style=\"--hue:%u\" data-speaker=\"", ent, nm_html__hue(ent));
      nm_html__attr(out, nm_doc_entity_name(d, (size_t)ent));
      putc('"', out);
    }
    fputs(" title=\"", out);
    nm_html__quote_note(c, it->index);
    fputs("\">", out);
    break;
  }
  case NM_ITEM_SPEAKER:
  case NM_ITEM_CUE:
  case NM_ITEM_VIA: {
    static const char *const cls[] = {"", "nm-via", "nm-speaker", "nm-cue"};
    static const char *const what[] = {"", "channel", "speaker", "cue"};
    long ent = nm_doc_quote_entity(d, it->index);
    fprintf(out, "<span class=\"%s\"", cls[it->type]);
    if (ent >= 0) fprintf(out, " style=\"--hue:%u\"", nm_html__hue(ent));
    fprintf(out, " title=\"%s of quote %u", what[it->type], (unsigned)it->index + 1);
    if (ent >= 0) {
      fputs(": ", out);
      nm_html__attr(out, nm_doc_entity_name(d, (size_t)ent));
    }
    fputs("\">", out);
    break;
  }
  default: {
    const char *kind = nm_doc_marker_kind(d, it->index);
    fputs("<span class=\"nm-m nm-m-", out);
    for (const char *k = kind; k && *k; k++) putc((*k >= 'a' && *k <= 'z') || *k == '-' ? *k : '_', out);
    fprintf(out, "%s\" data-marker=\"%u\" title=\"", nm_doc_marker_severity(d, it->index) ? " nm-warning" : "",
            (unsigned)it->index + 1);
    fprintf(out, "[%u] ", (unsigned)it->index + 1);
    nm_html__attr(out, kind);
    fputs(" (", out);
    nm_html__attr(out, nm_doc_marker_rule(d, it->index));
    fputs("): ", out);
    nm_html__attr(out, nm_doc_marker_message(d, it->index));
    fputs("\">", out);
  }
  }
}

/* One paragraph: cut at every boundary, open and close spans around each
   piece (see the top of the file). */
static bool nm_html__paragraph(nm_html__ctx *c, const nm__para *p, size_t *next_item) {
  const nm_html__item *items = c->items.items;
  size_t n = c->items.count;
  nm__vec *active = &c->active; /* carried over: spans reaching into this paragraph */
  nm__vec stack;
  nm__vec_init(&stack, sizeof(uint32_t));
  bool ok = true;
  size_t k = *next_item;
  uint32_t pos = p->start;
  while (ok && pos < p->end) {
    while (k < n && items[k].start <= pos) {
      if (items[k].end > pos) {
        uint32_t *slot = nm__vec_push(active);
        if (!slot) { ok = false; break; }
        *slot = (uint32_t)k;
      }
      k++;
    }
    /* Drop finished items, keeping the order. */
    uint32_t *act = active->items;
    size_t w = 0;
    for (size_t r = 0; r < active->count; r++)
      if (items[act[r]].end > pos) act[w++] = act[r];
    active->count = w;
    /* The piece ends at the next boundary. */
    uint32_t stop = p->end;
    if (k < n && items[k].start < stop) stop = items[k].start;
    for (size_t r = 0; r < active->count; r++)
      if (items[act[r]].end < stop) stop = items[act[r]].end;
    /* Keep the open spans that are still wanted, in the same order. */
    uint32_t *stk = stack.items;
    size_t keep = 0;
    while (keep < stack.count && keep < active->count && stk[keep] == act[keep]) keep++;
    for (size_t r = stack.count; r > keep; r--) fputs("</span>", c->out);
    stack.count = keep;
    for (size_t r = keep; r < active->count; r++) {
      uint32_t *slot = nm__vec_push(&stack);
      if (!slot) { ok = false; break; }
      *slot = act[r];
      stk = stack.items;
      nm_html__open(c, &items[act[r]]);
    }
    nm_html__text(c, pos, stop);
    pos = stop;
  }
  for (size_t r = 0; r < stack.count; r++) fputs("</span>", c->out);
  *next_item = k;
  nm__vec_free(&stack);
  return ok;
}

static const char nm_html__style[] =
    ":root{--ink:#1d2327;--soft:#5c666f;--line:#d8dde2;--bg:#fbfbf9}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);font:17px/1.6 Georgia,'Times New Roman',serif}\n"
    "header.nm-top{padding:14px 28px;border-bottom:1px solid var(--line);font:14px/1.4 system-ui,sans-serif;color:var(--soft)}\n"
    "header.nm-top b{color:var(--ink)}\n"
    ".nm-layout{display:grid;grid-template-columns:minmax(0,1fr) 360px;gap:32px;padding:20px 28px;max-width:1400px}\n"
    "@media (max-width:900px){.nm-layout{grid-template-columns:1fr}}\n"
    "article.nm-article p,article.nm-article h2{margin:0 0 0.9em}\n"
    "article.nm-article h2.nm-heading{font-size:1.35em;line-height:1.3}\n"
    ".nm-para-boiler{color:var(--soft);font-size:0.9em;border-left:3px solid var(--line);padding-left:8px}\n"
    ".nm-q{background:hsla(var(--hue,0),70%,55%,0.18);border-bottom:2px solid hsl(var(--hue,0),60%,45%);"
    "border-radius:2px;cursor:help}\n"
    ".nm-q .nm-q{background:hsla(var(--hue,0),70%,55%,0.22)}\n"
    ".nm-q.nm-unattributed{--hue:0;background:rgba(120,120,120,0.14);border-bottom:2px dashed #c0392b}\n"
    ".nm-q.nm-q-term{background:none;border-bottom:1px dotted var(--soft)}\n"
    ".nm-q.nm-q-indirect{background:none;border-bottom-style:double;border-bottom-width:3px}\n"
    ".nm-q-boiler{opacity:0.6}\n"
    ".nm-speaker{font-weight:bold;color:hsl(var(--hue,0),60%,30%);cursor:help}\n"
    ".nm-cue{font-style:italic;text-decoration:underline;text-decoration-color:var(--soft);cursor:help}\n"
    ".nm-via{font-variant:small-caps;text-decoration:underline double;cursor:help}\n"
    ".nm-m{text-decoration:underline dotted #b07d00;text-decoration-thickness:2px;text-underline-offset:3px;cursor:help}\n"
    ".nm-m.nm-warning{text-decoration-color:#c0392b}\n"
    ".nm-q[title]:hover,.nm-m[title]:hover{outline:2px solid hsl(var(--hue,40),60%,45%)}\n"
    "aside.nm-panel{font:14px/1.45 system-ui,sans-serif}\n"
    "aside.nm-panel section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin-bottom:16px}\n"
    "aside.nm-panel h2{font-size:15px;margin:0 0 8px}\n"
    "table.nm-sources{border-collapse:collapse;width:100%}\n"
    "table.nm-sources td,table.nm-sources th{text-align:left;padding:3px 4px;border-bottom:1px solid var(--line);vertical-align:top}\n"
    "table.nm-sources td.nm-count{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".nm-swatch{display:inline-block;width:12px;height:12px;border-radius:3px;background:hsl(var(--hue,0),60%,50%);vertical-align:-1px}\n"
    ".nm-swatch.nm-none{background:repeating-linear-gradient(45deg,#c0392b 0 2px,#fff 2px 4px)}\n"
    ".nm-anon{color:#b35900;font-size:12px}\n"
    "ol.nm-markers{margin:0;padding-left:2.2em;max-height:60vh;overflow:auto}\n"
    "ol.nm-markers li{margin-bottom:4px}\n"
    ".nm-kind{display:inline-block;font-size:11px;padding:0 5px;border-radius:8px;background:#f1e4c2;color:#6b4d00}\n"
    ".nm-warning .nm-kind,li.nm-warning .nm-kind{background:#f6d5d1;color:#8e2418}\n"
    ".nm-errors{color:#8e2418}\n"
    "footer.nm-foot{padding:8px 28px 24px;color:var(--soft);font:12px system-ui,sans-serif}\n";

static void nm_html__sources(nm_html__ctx *c) {
  const nm_doc *d = c->doc;
  FILE *out = c->out;
  size_t ne = nm_doc_entity_count(d), nq = nm_doc_quote_count(d);
  size_t *count = calloc(ne + 1, sizeof *count); /* [ne]: no speaker */
  if (!count) return;
  size_t total = 0;
  for (size_t q = 0; q < nq; q++) {
    int kind = nm_doc_quote_kind(d, q);
    if (kind == NM_QUOTE_TERM || nm_doc_quote_boilerplate(d, q) || nm_doc_quote_parent(d, q) >= 0) continue;
    long ent = nm_doc_quote_entity(d, q);
    count[ent >= 0 && (size_t)ent < ne ? (size_t)ent : ne]++;
    total++;
  }
  fprintf(out, "<section class=\"nm-sources-panel\" id=\"nm-sources\"><h2>Sources</h2>\n"
               "<p>%zu quote%s from %zu source%s.</p>\n",
          total, total == 1 ? "" : "s", ne, ne == 1 ? "" : "s");
  fputs("<table class=\"nm-sources\"><thead><tr><th></th><th>Source</th><th>Type</th>"
        "<th>Quotes</th></tr></thead><tbody>\n",
        out);
  for (size_t e = 0; e < ne; e++) {
    fprintf(out, "<tr class=\"nm-source\" data-entity=\"%zu\"><td><span class=\"nm-swatch\" style=\"--hue:%u\"></span></td><td>",
            e, nm_html__hue((long)e));
    fputs("<span class=\"nm-source-name\">", out);
    nm_html__attr(out, nm_doc_entity_name(d, e));
    fputs("</span>", out);
    if (nm_doc_entity_title(d, e)) {
      fputs("<br><small>", out);
      nm_html__attr(out, nm_doc_entity_title(d, e));
      fputs("</small>", out);
    }
    if (nm_doc_entity_anonymous(d, e)) fputs(" <span class=\"nm-anon\">anonymous</span>", out);
    fprintf(out, "</td><td>%s</td><td class=\"nm-count\">%zu</td></tr>\n",
            nm_entity_type_name(nm_doc_entity_type(d, e)), count[e]);
  }
  if (count[ne])
    fprintf(out, "<tr class=\"nm-source nm-source-none\"><td><span class=\"nm-swatch nm-none\"></span></td>"
                 "<td><i>no speaker named</i></td><td></td><td class=\"nm-count\">%zu</td></tr>\n",
            count[ne]);
  fputs("</tbody></table></section>\n", out);
  free(count);
}

static void nm_html__markers(nm_html__ctx *c) {
  const nm_doc *d = c->doc;
  FILE *out = c->out;
  size_t n = nm_doc_marker_count(d);
  fprintf(out, "<section class=\"nm-markers-panel\" id=\"nm-markers\"><h2>Markers (%zu)</h2>\n", n);
  if (n) fputs("<ol class=\"nm-markers\">\n", out);
  for (size_t m = 0; m < n; m++) {
    size_t s, e;
    nm_doc_marker_span(d, m, &s, &e);
    fprintf(out, "<li%s><span class=\"nm-kind\">", nm_doc_marker_severity(d, m) ? " class=\"nm-warning\"" : "");
    nm_html__attr(out, nm_doc_marker_kind(d, m));
    fputs("</span> <q>", out);
    nm_html__span_text(c, s, e, 80);
    fputs("</q> ", out);
    nm_html__attr(out, nm_doc_marker_message(d, m));
    fputs("</li>\n", out);
  }
  if (n) fputs("</ol>\n", out);
  fputs("</section>\n", out);
}

/* ---- internal API ------------------------------------------------------- */

int nm_render_html(FILE *out, const nm_doc *doc, const char *file) {
  if (!out || !doc) return -1;
  nm_html__ctx c = {out, doc, {0}, {0}};
  nm__vec_init(&c.items, sizeof(nm_html__item));
  nm__vec_init(&c.active, sizeof(uint32_t));
  bool ok = true;
  for (size_t q = 0; q < nm_doc_quote_count(doc) && ok; q++) {
    size_t s, e;
    nm_doc_quote_part(doc, q, NM_PART_QUOTE, &s, &e);
    ok = nm_html__add(&c, s, e, NM_ITEM_QUOTE, q);
    if (ok && nm_doc_quote_part(doc, q, NM_PART_SPEAKER, &s, &e)) ok = nm_html__add(&c, s, e, NM_ITEM_SPEAKER, q);
    if (ok && nm_doc_quote_part(doc, q, NM_PART_CUE, &s, &e)) ok = nm_html__add(&c, s, e, NM_ITEM_CUE, q);
    if (ok && nm_doc_quote_part(doc, q, NM_PART_VIA, &s, &e)) ok = nm_html__add(&c, s, e, NM_ITEM_VIA, q);
  }
  for (size_t m = 0; m < nm_doc_marker_count(doc) && ok; m++) {
    size_t s, e;
    nm_doc_marker_span(doc, m, &s, &e);
    ok = nm_html__add(&c, s, e, NM_ITEM_MARKER, m);
  }
  if (ok && c.items.count > 1) qsort(c.items.items, c.items.count, sizeof(nm_html__item), nm_html__item_cmp);
  /* Two quotes of one speaker share a span (the speaker is named once): drop
     the repeats so each span opens once. */
  if (ok && c.items.count > 1) {
    nm_html__item *it = c.items.items;
    size_t w = 1;
    for (size_t r = 1; r < c.items.count; r++) {
      const nm_html__item *prev = &it[w - 1];
      if (it[r].type != NM_ITEM_QUOTE && it[r].type != NM_ITEM_MARKER && it[r].type == prev->type &&
          it[r].start == prev->start && it[r].end == prev->end)
        continue;
      it[w++] = it[r];
    }
    c.items.count = w;
  }

  const char *name = file ? file : "standard input";
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"newsmark ",
        out);
  fputs(nm_version(), out);
  fputs("\">\n<title>newsmark: ", out);
  nm_html__attr(out, name);
  fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", nm_html__style);
  fputs("<header class=\"nm-top\"><b>newsmark</b> \xC2\xB7 ", out);
  nm_html__attr(out, name);
  fprintf(out, " \xC2\xB7 %s input \xC2\xB7 %zu quotes \xC2\xB7 %zu markers \xC2\xB7 hover a marked span for its note</header>\n",
          doc->input == NM_INPUT_HTML ? "HTML" : doc->input == NM_INPUT_MARKDOWN ? "Markdown" : "plain text",
          nm_doc_quote_count(doc), nm_doc_marker_count(doc));
  fputs("<div class=\"nm-layout\">\n<article class=\"nm-article\">\n", out);
  size_t next_item = 0;
  for (size_t i = 0; i < doc->paras.count && ok; i++) {
    const nm__para *p = &NM_AT(doc->paras, nm__para, i);
    if (p->end <= p->start) continue;
    bool heading = p->flags & NM_PF_HEADING;
    bool boiler = p->flags & (NM_PF_BOILERPLATE | NM_PF_MARKUP_BOILER | NM_PF_CREDIT);
    fprintf(out, "<%s class=\"nm-para%s%s\" data-start=\"%u\">", heading ? "h2" : "p",
            heading ? " nm-heading" : "", boiler ? " nm-para-boiler" : "", p->start);
    ok = nm_html__paragraph(&c, p, &next_item);
    fprintf(out, "</%s>\n", heading ? "h2" : "p");
  }
  if (doc->paras.count == 0) fputs("<p><i>No prose found in this input.</i></p>\n", out);
  fputs("</article>\n<aside class=\"nm-panel\">\n", out);
  nm_html__sources(&c);
  nm_html__markers(&c);
  if (nm_doc_error_count(doc)) {
    fputs("<section class=\"nm-errors\"><h2>Analysis errors</h2><ul>\n", out);
    for (size_t i = 0; i < nm_doc_error_count(doc); i++) {
      fputs("<li>", out);
      nm_html__attr(out, nm_doc_error(doc, i));
      fputs("</li>\n", out);
    }
    fputs("</ul></section>\n", out);
  }
  fputs("</aside>\n</div>\n<footer class=\"nm-foot\">Quotes are coloured by speaker; a dashed red "
        "underline marks a quote with no speaker; dotted underlines are markers. Offsets and spans "
        "refer to the original file.</footer>\n</body>\n</html>\n",
        out);
  nm__vec_free(&c.items);
  nm__vec_free(&c.active);
  if (!ok) return -1;
  return ferror(out) ? -1 : 0;
}
