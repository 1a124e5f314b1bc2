/*
 * compare_render.c: `annotate --compare FILE...`. Reads and analyses every
 * file, keeps the documents (their text is needed to show the words), runs
 * one nm_compare over all of them, and writes the groups whose members
 * differ. Groups of exact copies are not variants and are not shown.
 */
#include "compare_render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct nm_compare_render__input {
  const char *name; /* as given, "<stdin>" for stdin */
  nm_doc *doc;
} nm_compare_render__input;

/* ---- private: reading ------------------------------------------------------ */

static char *nm_compare_render__read(FILE *f, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    char *grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
    if (!grown) {
      free(buf);
      errno = ENOMEM;
      return NULL;
    }
    buf = grown;
    cap *= 2;
  }
  if (buf && ferror(f)) {
    int saved = errno;
    free(buf);
    errno = saved ? saved : EIO;
    return NULL;
  }
  *len = n;
  return buf;
}

/* Binary as annotate judges it: a NUL byte and many control bytes up front. */
static bool nm_compare_render__binary(const char *buf, size_t len) {
  size_t n = len < 8192 ? len : 8192, nul = 0, control = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c == 0) nul++;
    if ((c < 0x20 && !(c >= '\t' && c <= '\r') && c != 0x1B) || c == 0x7F) control++;
  }
  return nul > 0 && control * 20 > n;
}

static int nm_compare_render__input_type(const char *path, int input) {
  if (input >= 0) return input;
  const char *dot = path ? strrchr(path, '.') : NULL;
  if (!dot) return NM_INPUT_PLAIN;
  if (!strcmp(dot, ".md") || !strcmp(dot, ".markdown")) return NM_INPUT_MARKDOWN;
  if (!strcmp(dot, ".html") || !strcmp(dot, ".htm")) return NM_INPUT_HTML;
  return NM_INPUT_PLAIN;
}

static nm_doc *nm_compare_render__load(FILE *errs, nm_engine *engine, const char *path, int input) {
  bool is_stdin = !path || !strcmp(path, "-");
  const char *name = is_stdin ? "<stdin>" : path;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(errs, "annotate: %s: %s\n", name, strerror(errno));
    return NULL;
  }
  size_t len = 0;
  char *buf = nm_compare_render__read(f, &len);
  int saved = errno;
  if (!is_stdin) fclose(f);
  if (!buf) {
    fprintf(errs, "annotate: %s: %s\n", name, strerror(saved == EISDIR || !saved ? EISDIR : saved));
    return NULL;
  }
  if (nm_compare_render__binary(buf, len)) {
    free(buf);
    fprintf(errs, "annotate: %s: binary file (NUL and control bytes), not annotated\n", name);
    return NULL;
  }
  char err[512];
  nm_doc *doc = nm_doc_new(engine, buf, len, nm_compare_render__input_type(is_stdin ? NULL : path, input), NULL,
                           err, sizeof err);
  free(buf);
  if (!doc) fprintf(errs, "annotate: %s: %s\n", name, err);
  return doc;
}

/* ---- private: the ANSI view ------------------------------------------------- */

/* 1-based line and byte column of a position. */
static void nm_compare_render__where(const nm_doc *doc, size_t pos, size_t *line, size_t *col) {
  const char *text = nm_doc_text(doc);
  size_t l = 1, bol = 0;
  for (size_t i = 0; i < pos; i++)
    if (text[i] == '\n') l++, bol = i + 1;
  *line = l;
  *col = pos - bol + 1;
}

/* Colour (SGR) of each difference kind, and its marks without colour. */
static const char *const nm_compare_render__sgr[] = {"33", "31", "35", "32", "36"};
static const char *const nm_compare_render__open[] = {"{", "{", "{-", "{+", "{"};
static const char *const nm_compare_render__close[] = {"}", "}", "-}", "+}", "}"};

static void nm_compare_render__text(FILE *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\n') fputs("\n      ", out);
    else if (s[i] != '\r') fputc(s[i], out);
  }
}

/* One member's quote, its differing words marked. */
static void nm_compare_render__member(FILE *out, const nm_compare *cmp, const nm_compare_render__input *in,
                                      size_t g, size_t q, bool color) {
  size_t qs, qe;
  nm_compare_quote_span(cmp, q, &qs, &qe);
  const nm_doc *doc = in[nm_compare_quote_doc(cmp, q)].doc;
  const char *text = nm_doc_text(doc);
  size_t line, col;
  nm_compare_render__where(doc, qs, &line, &col);
  const char *speaker = nm_compare_quote_speaker(cmp, q);
  if (color) fprintf(out, "  \033[1m%s:%zu:%zu\033[0m quote %ld", in[nm_compare_quote_doc(cmp, q)].name, line, col,
                     nm_compare_quote_id(cmp, q));
  else fprintf(out, "  %s:%zu:%zu quote %ld", in[nm_compare_quote_doc(cmp, q)].name, line, col,
               nm_compare_quote_id(cmp, q));
  fprintf(out, " \xe2\x80\x94 %s\n      ", speaker ? speaker : "(no speaker)");
  /* Walk the quote; at each position open or close the difference spans of this side. */
  size_t nd = nm_compare_group_diff_count(cmp, g), pos = qs;
  while (pos < qe) {
    size_t next = qe, best_end = 0;
    int kind = -1;
    for (size_t k = 0; k < nd; k++) {
      size_t a, as, ae, b, bs, be;
      int kd = nm_compare_group_diff(cmp, g, k, &a, &as, &ae, &b, &bs, &be);
      if (kd == NM_DIFF_SPEAKER) continue;
      size_t s = a == q ? as : b == q ? bs : qe, e = a == q ? ae : b == q ? be : qe;
      if (s >= e || e <= pos || s >= qe) continue;
      if (s < pos) s = pos;
      if (s < next || (s == next && e > best_end)) next = s, best_end = e, kind = kd;
    }
    nm_compare_render__text(out, text + pos, next - pos);
    if (kind < 0) break;
    if (best_end > qe) best_end = qe;
    if (color) fprintf(out, "\033[1;%sm", nm_compare_render__sgr[kind]);
    else fputs(nm_compare_render__open[kind], out);
    nm_compare_render__text(out, text + next, best_end - next);
    fputs(color ? "\033[0m" : nm_compare_render__close[kind], out);
    pos = best_end;
  }
  fputc('\n', out);
}

static void nm_compare_render__quoted(FILE *out, const nm_doc *doc, size_t s, size_t e) {
  if (s == e) {
    fputs("(nothing)", out);
    return;
  }
  fputs("\xe2\x80\x9c", out);
  nm_compare_render__text(out, nm_doc_text(doc) + s, e - s);
  fputs("\xe2\x80\x9d", out);
}

static void nm_compare_render__ansi(FILE *out, const nm_compare *cmp, const nm_compare_render__input *in,
                                    bool color) {
  size_t shown = 0;
  for (size_t g = 0; g < nm_compare_group_count(cmp); g++) {
    if (!nm_compare_group_variant(cmp, g)) continue;
    if (shown++) fputc('\n', out);
    size_t n = nm_compare_group_size(cmp, g);
    if (color) fprintf(out, "\033[1mvariant group %zu: %zu quotes\033[0m\n", g, n);
    else fprintf(out, "variant group %zu: %zu quotes\n", g, n);
    for (size_t m = 0; m < n; m++) nm_compare_render__member(out, cmp, in, g, nm_compare_group_member(cmp, g, m), color);
    for (size_t k = 0; k < nm_compare_group_diff_count(cmp, g); k++) {
      size_t a, as, ae, b, bs, be;
      int kind = nm_compare_group_diff(cmp, g, k, &a, &as, &ae, &b, &bs, &be);
      const nm_doc *da = in[nm_compare_quote_doc(cmp, a)].doc, *db = in[nm_compare_quote_doc(cmp, b)].doc;
      if (color) fprintf(out, "    \033[%sm%s\033[0m: ", nm_compare_render__sgr[kind], nm_diff_kind_name(kind));
      else fprintf(out, "    %s: ", nm_diff_kind_name(kind));
      nm_compare_render__quoted(out, da, as, ae);
      fprintf(out, " (%s quote %ld) / ", in[nm_compare_quote_doc(cmp, a)].name, nm_compare_quote_id(cmp, a));
      nm_compare_render__quoted(out, db, bs, be);
      fprintf(out, " (%s quote %ld)\n", in[nm_compare_quote_doc(cmp, b)].name, nm_compare_quote_id(cmp, b));
    }
  }
  if (!shown) fputs("no variant quotes\n", out);
}

/* ---- private: JSON ---------------------------------------------------------- */

static size_t nm_compare_render__utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (!len || len > n) return 0;
  uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

/* A JSON string; invalid UTF-8 becomes U+FFFD, as in nm_doc_to_json. */
static void nm_compare_render__string(FILE *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  fputc('"', out);
  for (size_t i = 0; i < n;) {
    unsigned c = p[i];
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c), i++;
    else if (c == '\n') fputs("\\n", out), i++;
    else if (c == '\r') fputs("\\r", out), i++;
    else if (c == '\t') fputs("\\t", out), i++;
    else if (c < 0x20 || c == 0x7F) fprintf(out, "\\u%04x", c), i++;
    else if (c < 0x80) fputc((int)c, out), i++;
    else {
      size_t step = nm_compare_render__utf8_len(p + i, n - i);
      if (step) fwrite(p + i, 1, step, out), i += step;
      else fputs("\xEF\xBF\xBD", out), i++;
    }
  }
  fputc('"', out);
}

static void nm_compare_render__cstring(FILE *out, const char *s) {
  if (s) nm_compare_render__string(out, s, strlen(s));
  else fputs("null", out);
}

/* {"file": F, "quote": ID, "start": S, "end": E, "text": T} */
static void nm_compare_render__ref(FILE *out, const nm_compare *cmp, const nm_compare_render__input *in, size_t q,
                                   size_t s, size_t e) {
  size_t d = nm_compare_quote_doc(cmp, q);
  fputs("{\"file\":", out);
  nm_compare_render__cstring(out, in[d].name);
  fprintf(out, ",\"quote\":%ld,\"start\":%zu,\"end\":%zu,\"text\":", nm_compare_quote_id(cmp, q), s, e);
  nm_compare_render__string(out, nm_doc_text(in[d].doc) + s, e - s);
  fputc('}', out);
}

/* The "variants" entries of document d: one per member quote of a variant group. */
static void nm_compare_render__variants(FILE *out, const nm_compare *cmp, const nm_compare_render__input *in,
                                        size_t d) {
  fputs(",\"variants\":[", out);
  size_t written = 0;
  for (size_t q = 0; q < nm_compare_quote_count(cmp); q++) {
    long g = nm_compare_quote_group(cmp, q);
    if (nm_compare_quote_doc(cmp, q) != d || g < 0 || !nm_compare_group_variant(cmp, (size_t)g)) continue;
    size_t qs, qe;
    nm_compare_quote_span(cmp, q, &qs, &qe);
    fprintf(out, "%s{\"group\":%ld,\"quote\":%ld,\"start\":%zu,\"end\":%zu,\"others\":[", written++ ? "," : "", g,
            nm_compare_quote_id(cmp, q), qs, qe);
    size_t others = 0;
    for (size_t m = 0; m < nm_compare_group_size(cmp, (size_t)g); m++) {
      size_t o = nm_compare_group_member(cmp, (size_t)g, m), os, oe;
      if (o == q) continue;
      nm_compare_quote_span(cmp, o, &os, &oe);
      if (others++) fputc(',', out);
      nm_compare_render__ref(out, cmp, in, o, os, oe);
    }
    fputs("],\"differences\":[", out);
    size_t diffs = 0;
    for (size_t k = 0; k < nm_compare_group_diff_count(cmp, (size_t)g); k++) {
      size_t a, as, ae, b, bs, be;
      int kind = nm_compare_group_diff(cmp, (size_t)g, k, &a, &as, &ae, &b, &bs, &be);
      if (a != q && b != q) continue;
      bool mine_a = a == q;
      size_t s = mine_a ? as : bs, e = mine_a ? ae : be;
      fprintf(out, "%s{\"kind\":\"%s\",\"start\":%zu,\"end\":%zu,\"text\":", diffs++ ? "," : "",
              nm_diff_kind_name(kind), s, e);
      nm_compare_render__string(out, nm_doc_text(in[d].doc) + s, e - s);
      fputs(",\"other\":", out);
      nm_compare_render__ref(out, cmp, in, mine_a ? b : a, mine_a ? bs : as, mine_a ? be : ae);
      fputc('}', out);
    }
    fputs("]}", out);
  }
  fputc(']', out);
}

/* Each variant member gets a `variant` marker: the reader sees it in every view. */
static int nm_compare_render__markers(const nm_compare *cmp, const nm_compare_render__input *in) {
  for (size_t q = 0; q < nm_compare_quote_count(cmp); q++) {
    long g = nm_compare_quote_group(cmp, q);
    if (g < 0 || !nm_compare_group_variant(cmp, (size_t)g)) continue;
    size_t qs, qe, d = nm_compare_quote_doc(cmp, q), other = q;
    nm_compare_quote_span(cmp, q, &qs, &qe);
    for (size_t m = 0; m < nm_compare_group_size(cmp, (size_t)g) && other == q; m++)
      other = nm_compare_group_member(cmp, (size_t)g, m);
    char message[512];
    size_t od = nm_compare_quote_doc(cmp, other);
    if (od == d) snprintf(message, sizeof message, "Quoted differently elsewhere in this text (quote %ld, group %ld)",
                          nm_compare_quote_id(cmp, other), g);
    else snprintf(message, sizeof message, "Quoted differently in %s (quote %ld, group %ld)", in[od].name,
                  nm_compare_quote_id(cmp, other), g);
    if (nm_doc_add_marker(in[d].doc, "variant", "compare.variant", qs, qe, message, NM_SEVERITY_WARNING) != NM_OK)
      return -1;
  }
  return 0;
}

static int nm_compare_render__json(FILE *out, const nm_compare *cmp, const nm_compare_render__input *in, size_t n,
                                   bool several, int format) {
  if (nm_compare_render__markers(cmp, in) != 0) return -1;
  size_t written = 0;
  bool array = format == NM_COMPARE_JSON && several; /* as annotate --format=json does */
  for (size_t i = 0; i < n; i++) {
    size_t len;
    char *json = nm_doc_to_json(in[i].doc, in[i].name, &len);
    if (!json || len == 0 || json[len - 1] != '}') {
      nm_free(json);
      errno = ENOMEM;
      return -1;
    }
    if (array) fputs(written ? ",\n" : "[\n", out);
    fwrite(json, 1, len - 1, out); /* the object, open: "variants" goes in before its brace */
    nm_free(json);
    nm_compare_render__variants(out, cmp, in, i);
    fputc('}', out);
    if (!array) fputc('\n', out);
    written++;
  }
  if (array) fputs(written ? "\n]\n" : "[]\n", out);
  return 0;
}

/* ---- public -------------------------------------------------------------- */

int nm_compare_render(FILE *out, FILE *errs, nm_engine *engine, const char *const *paths, size_t npaths, int format,
                      bool color, int input) {
  static const char *const stdin_only[] = {NULL};
  if (!npaths) paths = stdin_only, npaths = 1;
  int status = 0;
  nm_compare_render__input *in = calloc(npaths, sizeof *in);
  char err[256];
  nm_compare *cmp = nm_compare_new(err, sizeof err);
  if (!in || !cmp) {
    fprintf(errs, "annotate: --compare: out of memory\n");
    free(in);
    nm_compare_delete(cmp);
    return 2;
  }
  /* in[] holds the documents analysed, so its index is the comparison's document number. */
  size_t nin = 0;
  for (size_t i = 0; i < npaths; i++) {
    const char *name = paths[i] && strcmp(paths[i], "-") ? paths[i] : "<stdin>";
    nm_doc *doc = nm_compare_render__load(errs, engine, paths[i], input);
    nm_status st = doc ? nm_compare_add(cmp, doc, name) : NM_OK;
    if (st != NM_OK) {
      fprintf(errs, "annotate: %s: %s\n", name, nm_status_name(st));
      nm_doc_delete(doc);
      doc = NULL;
    }
    if (!doc) {
      status = 2;
      continue;
    }
    in[nin].name = name;
    in[nin++].doc = doc;
  }
  int rc = 0;
  if (nm_compare_run(cmp) != NM_OK) {
    fprintf(errs, "annotate: --compare: out of memory\n");
    status = 2;
  } else if (format == NM_COMPARE_ANSI) {
    nm_compare_render__ansi(out, cmp, in, color);
  } else {
    rc = nm_compare_render__json(out, cmp, in, nin, npaths > 1, format);
  }
  if (rc == 0 && (fflush(out) != 0 || ferror(out))) rc = -1;
  int saved = errno;
  for (size_t i = 0; i < nin; i++) nm_doc_delete(in[i].doc);
  free(in);
  nm_compare_delete(cmp);
  errno = saved;
  return rc < 0 ? -1 : status;
}
