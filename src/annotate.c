/*
 * annotate.c: the command-line filter over libnewsmark.
 *
 *   annotate [OPTIONS] [FILE...]      (stdin when no FILE, or for "-")
 *
 * Each input is one document: read whole, analysed, rendered in one of the
 * formats below, freed. With --lines each line is one (a pipeline's record). doc/annotate.1 is the user's manual; the decisions
 * worth knowing when reading this file:
 *  - Output keeps the input's bytes, invalid UTF-8 included: the ANSI and
 *    bracket views only insert escapes and brackets, at character
 *    boundaries. (JSON is the library's, which writes U+FFFD for bad bytes.)
 *  - A broken pipe (`annotate big.txt | head`) ends the run quietly: SIGPIPE
 *    is ignored and EPIPE on stdout exits with the status so far.
 *  - Ctrl-C keeps its default meaning (exit by SIGINT, status 130 in the
 *    shell); the handler only resets the terminal colours first.
 */
#include "internal.h" /* nm_render_html (annotate_html.c), nm_lua_rules_* (annotate_lua.c) */
#include "compare_render.h" /* --compare (issue 7) */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum nm_annotate_format { NM_FORMAT_ANSI, NM_FORMAT_JSON, NM_FORMAT_JSONL, NM_FORMAT_VIMGREP, NM_FORMAT_HTML };

typedef struct nm_annotate_opts {
  int format;
  bool color;
  bool sources;
  bool list_rules;
  bool lines; /* each input line is one document (for cluster pipelines) */
  bool compare; /* --compare: group the quotes of all inputs (compare_render.c) */
  bool no_tagger; /* --no-tagger: the rules alone */
  int input; /* -1: from the file name's extension */
  size_t window; /* bytes of a long input analysed at a time; 0: all */
  const char **rule_files, **only_kinds, **disabled, **fail_kinds;
  size_t nrule_files, nonly_kinds, ndisabled, nfail_kinds;
} nm_annotate_opts;

/* One run over all the inputs. */
typedef struct nm_annotate_run {
  const nm_annotate_opts *opts;
  nm_engine *engine;
  void *lua_rules; /* nm_lua_rules *, when built with Lua */
  size_t nfiles;   /* inputs named on the command line (stdin counts as 1) */
  size_t ndone;    /* documents written so far (for the JSON array) */
  bool any_failed;
  bool fail_matched;
  const char *current; /* the input being rendered, for messages */
  size_t notes;        /* markers of the last document (numbering windows) */
} nm_annotate_run;

/*
 * Where one window of a long stream sits in it. A document read whole has
 * none (NULL). Windows continue the footnote numbers and line numbers of
 * the ones before, so the views read as one text.
 */
typedef struct nm_annotate_window {
  size_t index;      /* 0 for the first window */
  size_t offset;     /* byte offset of the window in the stream */
  size_t first_line; /* 1-based line number of its first byte */
  size_t first_note; /* footnotes already numbered */
  bool last;
} nm_annotate_window;

/* The exit status if a broken pipe ends the run now; the colour state the
   Ctrl-C handler must undo. These are the only globals, both for signals. */
static int nm_annotate__status_so_far;
static volatile sig_atomic_t nm_annotate__colour_dirty;

/* The first bytes looked at to tell a binary file from text. */
#define NM_ANNOTATE_SNIFF 8192

/* ---- output ------------------------------------------------------------ */

static void nm_annotate__write_failed(void) {
  if (errno == EPIPE) exit(nm_annotate__status_so_far); /* the reader left: quietly */
  int saved = errno;
  fprintf(stderr, "annotate: write error: %s\n", strerror(saved));
  exit(2);
}

static void nm_annotate__write(const void *p, size_t n) {
  if (n && fwrite(p, 1, n, stdout) != n) nm_annotate__write_failed();
}

static void nm_annotate__puts(const char *s) { nm_annotate__write(s, strlen(s)); }

typedef struct nm_annotate__json_sink_state {
  const nm_annotate_window *window; /* when the input is cut in windows */
  bool first;
} nm_annotate__json_sink_state;

static void nm_annotate__printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Writes the library's JSON pieces; in window mode the first piece gains a
   "window" field, since the offsets are the window's. */
static int nm_annotate__json_sink(void *ud, const char *data, size_t len) {
  nm_annotate__json_sink_state *js = ud;
  if (js->first && js->window && len && data[0] == '{') {
    nm_annotate__printf("{\"window\":{\"index\":%zu,\"offset\":%zu,\"last\":%s},", js->window->index,
                        js->window->offset, js->window->last ? "true" : "false");
    data++;
    len--;
  }
  js->first = false;
  nm_annotate__write(data, len);
  return 0;
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void nm_annotate__printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfprintf(stdout, fmt, ap);
  va_end(ap);
  if (n < 0) nm_annotate__write_failed();
}

static void nm_annotate__flush(void) {
  if (fflush(stdout) != 0) nm_annotate__write_failed();
}

static void nm_annotate__on_signal(int sig) {
  if (nm_annotate__colour_dirty) {
    ssize_t ignored = write(STDOUT_FILENO, "\033[0m", 4);
    (void)ignored;
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

/* Catch a signal only when it is not ignored: a background job that the
   shell told to ignore Ctrl-C keeps ignoring it. */
static void nm_annotate__catch(int sig) {
  struct sigaction old;
  if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = nm_annotate__on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

/* ---- input ------------------------------------------------------------- */

/*
 * Binary, for annotate: the first 8 KB hold a NUL byte and more than 1 in 20
 * of them are control bytes (C0 other than tab, LF, VT, FF, CR, ESC, and
 * DEL). Text with a stray NUL or two is still text (SPEC tolerates NULs);
 * executables, images, archives and UTF-16 are not.
 */
static bool nm_annotate__looks_binary(const char *buf, size_t len) {
  size_t n = len < NM_ANNOTATE_SNIFF ? len : NM_ANNOTATE_SNIFF;
  /* Text has no NUL byte: memchr settles the usual case at once. */
  if (!memchr(buf, 0, n)) return false;
  size_t nul = 0, control = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c == 0) nul++;
    if ((c < 0x20 && !(c >= '\t' && c <= '\r') && c != 0x1B) || c == 0x7F) control++;
  }
  return nul > 0 && control * 20 > n;
}

/*
 * Read one whole document from fd into *buf (malloc'd, caller frees).
 * Returns 0, or an errno value. A later streaming reader hands out bounded
 * windows of stdin through the same shape.
 */
static int nm_annotate__read_all(int fd, char **buf, size_t *len) {
  struct stat st;
  size_t cap = 65536;
  if (fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return EISDIR;
    if (S_ISREG(st.st_mode) && st.st_size > 0) cap = (size_t)st.st_size + 1;
  }
  char *data = malloc(cap);
  if (!data) return ENOMEM;
  size_t n = 0;
  for (;;) {
    if (n == cap) {
      size_t grown = cap * 2;
      char *bigger = grown > cap ? realloc(data, grown) : NULL;
      if (!bigger) {
        free(data);
        return ENOMEM;
      }
      data = bigger;
      cap = grown;
    }
    ssize_t got = read(fd, data + n, cap - n);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      free(data);
      return saved;
    }
    n += (size_t)got;
  }
  *buf = data;
  *len = n;
  return 0;
}

static int nm_annotate__input_from_path(const char *path) {
  const char *dot = path ? strrchr(path, '.') : NULL;
  if (!dot || strchr(dot, '/')) return NM_INPUT_PLAIN;
  if (!strcmp(dot, ".md") || !strcmp(dot, ".markdown")) return NM_INPUT_MARKDOWN;
  if (!strcmp(dot, ".html") || !strcmp(dot, ".htm")) return NM_INPUT_HTML;
  return NM_INPUT_PLAIN;
}

/* ---- the ANSI and bracket views ---------------------------------------- */

/* Span roles, in the order closes are emitted at one position. */
enum { NM_ROLE_QUOTE, NM_ROLE_SPEAKER, NM_ROLE_CUE, NM_ROLE_VIA, NM_ROLE_MARKER };

typedef struct nm_annotate_event {
  uint32_t pos;
  uint8_t open; /* 1 opens a span, 0 closes one */
  uint8_t role;
  uint32_t index;     /* quote or marker index */
  uint32_t other_end; /* the span's other end, to nest at equal positions */
} nm_annotate_event;

/* Entity colours: foreground SGR codes, stable per entity id. Red is kept
   for quotes with no speaker, which a fact-checker wants to see. */
static const int nm_annotate__palette[] = {36, 32, 35, 33, 34, 96, 92, 95, 93, 94};
#define NM_ANNOTATE_UNATTRIBUTED_FG 31

typedef struct nm_annotate_style {
  int fg; /* 0: default */
  bool bold, underline, italic, dim;
} nm_annotate_style;

static const nm_annotate_style nm_annotate__plain = {0, false, false, false, false};

typedef struct nm_annotate_view {
  const nm_doc *doc;
  const char *text;
  size_t len;
  bool color;
  uint32_t *quote_stack; /* open quotes, innermost last */
  size_t nquotes_open;
  int speakers_open, cues_open, vias_open;
  long speaker_quote;     /* quote whose speaker opened last */
  nm_annotate_style shown; /* what the terminal has now */
  uint32_t *pending;       /* markers referenced, not yet listed */
  size_t npending;
  size_t note_base;        /* footnotes numbered by earlier windows */
} nm_annotate_view;

static int nm_annotate__event_cmp(const void *a, const void *b) {
  const nm_annotate_event *x = a, *y = b;
  if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
  if (x->open != y->open) return x->open ? 1 : -1; /* closes first */
  /* Closes: the span that opened last closes first; opens: the span that
     closes last opens first. So spans nest like brackets. */
  if (x->other_end != y->other_end) return x->other_end > y->other_end ? -1 : 1;
  /* The same extent: a quote opens first and closes last, and a marker's
     footnote comes after everything, the speaker's name included. */
  int xr = x->open ? x->role : x->role == NM_ROLE_MARKER ? 100 : -x->role;
  int yr = y->open ? y->role : y->role == NM_ROLE_MARKER ? 100 : -y->role;
  if (xr != yr) return xr < yr ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int nm_annotate__entity_fg(long entity) {
  size_t n = sizeof nm_annotate__palette / sizeof nm_annotate__palette[0];
  return entity < 0 ? NM_ANNOTATE_UNATTRIBUTED_FG : nm_annotate__palette[(size_t)entity % n];
}

static nm_annotate_style nm_annotate__style_now(const nm_annotate_view *v) {
  nm_annotate_style s = nm_annotate__plain;
  if (v->nquotes_open)
    s.fg = nm_annotate__entity_fg(nm_doc_quote_entity(v->doc, v->quote_stack[v->nquotes_open - 1]));
  if (v->speakers_open) {
    s.fg = nm_annotate__entity_fg(nm_doc_quote_entity(v->doc, (size_t)v->speaker_quote));
    s.bold = s.underline = true;
  }
  if (v->cues_open) s.underline = true;
  if (v->vias_open) s.italic = true;
  return s;
}

static bool nm_annotate__style_eq(nm_annotate_style a, nm_annotate_style b) {
  return a.fg == b.fg && a.bold == b.bold && a.underline == b.underline && a.italic == b.italic &&
         a.dim == b.dim;
}

/* Put the terminal in style s: one reset-and-set SGR, only when it changes. */
static void nm_annotate__style_show(nm_annotate_view *v, nm_annotate_style s) {
  if (!v->color || nm_annotate__style_eq(s, v->shown)) return;
  char sgr[48];
  int n = snprintf(sgr, sizeof sgr, "\033[0%s%s%s%s", s.dim ? ";2" : "", s.bold ? ";1" : "",
                   s.underline ? ";4" : "", s.italic ? ";3" : "");
  if (s.fg) n += snprintf(sgr + n, sizeof sgr - (size_t)n, ";%d", s.fg);
  snprintf(sgr + n, sizeof sgr - (size_t)n, "m");
  nm_annotate__puts(sgr);
  v->shown = s;
  nm_annotate__colour_dirty = !nm_annotate__style_eq(s, nm_annotate__plain);
}

static void nm_annotate__style_reset(nm_annotate_view *v) {
  if (!v->color || nm_annotate__style_eq(v->shown, nm_annotate__plain)) return;
  nm_annotate__puts("\033[0m");
  v->shown = nm_annotate__plain;
  nm_annotate__colour_dirty = 0;
}

/* Move pos forward off UTF-8 continuation bytes, so nothing is inserted
   inside a character (the library's spans never are; this is a guard). */
static size_t nm_annotate__char_boundary(const char *text, size_t len, size_t pos) {
  for (int k = 0; k < 3 && pos < len && ((unsigned char)text[pos] & 0xC0) == 0x80; k++) pos++;
  return pos;
}

static void nm_annotate__list_pending(nm_annotate_view *v) {
  for (size_t k = 0; k < v->npending; k++) {
    size_t m = v->pending[k];
    nm_annotate__puts("   ");
    nm_annotate__style_show(v, (nm_annotate_style){0, false, false, false, true});
    nm_annotate__printf("[%zu] %s (%s): %s", v->note_base + m + 1, nm_doc_marker_kind(v->doc, m),
                        nm_doc_marker_rule(v->doc, m), nm_doc_marker_message(v->doc, m));
    nm_annotate__style_reset(v);
    nm_annotate__puts("\n");
  }
  v->npending = 0;
}

/*
 * Footnotes are listed at the end of a paragraph: before a blank line, at
 * the end of the text, or after a line that ends a sentence (so text with
 * one paragraph per line and no blank lines still gets them nearby).
 */
static bool nm_annotate__ends_paragraph(const char *text, size_t len, size_t nl) {
  size_t k = nl + 1;
  while (k < len && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r')) k++;
  if (k >= len || text[k] == '\n') return true;
  size_t j = nl;
  while (j > 0 && (text[j - 1] == '\r' || text[j - 1] == ' ' || text[j - 1] == '\t')) j--;
  if (j == 0) return false;
  unsigned char c = (unsigned char)text[j - 1];
  if (c == '.' || c == '!' || c == '?' || c == '"' || c == '\'' || c == ')') return true;
  /* ” and ’ (E2 80 9D, E2 80 99): a paragraph ending in a closing quote */
  return j >= 3 && (unsigned char)text[j - 3] == 0xE2 && (unsigned char)text[j - 2] == 0x80 &&
         (c == 0x9D || c == 0x99);
}

/* Copy text[from, to) with the current style; colours never cross a line end. */
static void nm_annotate__copy_text(nm_annotate_view *v, size_t from, size_t to) {
  while (from < to) {
    const char *nl = memchr(v->text + from, '\n', to - from);
    size_t stop = nl ? (size_t)(nl - v->text) : to;
    if (stop > from) {
      nm_annotate__style_show(v, nm_annotate__style_now(v));
      nm_annotate__write(v->text + from, stop - from);
    }
    if (!nl) break;
    nm_annotate__style_reset(v);
    nm_annotate__write("\n", 1);
    if (v->npending && nm_annotate__ends_paragraph(v->text, v->len, stop)) nm_annotate__list_pending(v);
    from = stop + 1;
  }
}

/* Text that is not the input's (a name, a footnote number), in style s. */
static void nm_annotate__insert(nm_annotate_view *v, nm_annotate_style s, const char *str) {
  nm_annotate__style_show(v, s);
  nm_annotate__puts(str);
}

static void nm_annotate__speaker_suffix(nm_annotate_view *v, size_t q) {
  if (nm_doc_quote_parent(v->doc, q) >= 0) { /* a fragment: its mixed quote names the speaker */
    if (!v->color) nm_annotate__puts("]");
    return;
  }
  long e = nm_doc_quote_entity(v->doc, q);
  const char *name = e >= 0 ? nm_doc_entity_name(v->doc, (size_t)e) : NULL;
  if (!name) name = "(no speaker)";
  if (v->color) {
    nm_annotate__insert(v, (nm_annotate_style){nm_annotate__entity_fg(e), false, false, false, true}, " — ");
    nm_annotate__puts(name);
  } else {
    nm_annotate__printf("]{— %s}", name);
  }
}

static void nm_annotate__apply_event(nm_annotate_view *v, const nm_annotate_event *ev) {
  static const char *const brackets[] = {"[", "*", "_", "/"};
  if (ev->role == NM_ROLE_MARKER) {
    if (ev->open) return;
    char ref[32];
    snprintf(ref, sizeof ref, "[%zu]", v->note_base + ev->index + 1);
    bool warning = nm_doc_marker_severity(v->doc, ev->index) == NM_SEVERITY_WARNING;
    nm_annotate__insert(v, (nm_annotate_style){warning ? 31 : 0, true, false, false, false}, ref);
    v->pending[v->npending++] = ev->index;
    return;
  }
  if (ev->open) {
    if (!v->color) nm_annotate__puts(brackets[ev->role]);
    if (ev->role == NM_ROLE_QUOTE) v->quote_stack[v->nquotes_open++] = ev->index;
    if (ev->role == NM_ROLE_SPEAKER) v->speakers_open++, v->speaker_quote = ev->index;
    if (ev->role == NM_ROLE_CUE) v->cues_open++;
    if (ev->role == NM_ROLE_VIA) v->vias_open++;
    return;
  }
  if (ev->role == NM_ROLE_QUOTE) {
    for (size_t k = v->nquotes_open; k-- > 0;)
      if (v->quote_stack[k] == ev->index) {
        memmove(v->quote_stack + k, v->quote_stack + k + 1, (v->nquotes_open - k - 1) * sizeof *v->quote_stack);
        v->nquotes_open--;
        break;
      }
    nm_annotate__speaker_suffix(v, ev->index);
    return;
  }
  if (!v->color) nm_annotate__puts(brackets[ev->role]);
  if (ev->role == NM_ROLE_SPEAKER) v->speakers_open--;
  if (ev->role == NM_ROLE_CUE) v->cues_open--;
  if (ev->role == NM_ROLE_VIA) v->vias_open--;
}

static bool nm_annotate__push_span(nm_annotate_event *evs, size_t *n, const nm_annotate_view *v, size_t start,
                                   size_t end, int role, size_t index) {
  start = nm_annotate__char_boundary(v->text, v->len, start);
  end = nm_annotate__char_boundary(v->text, v->len, end);
  if (end <= start || end > v->len) return false;
  evs[(*n)++] = (nm_annotate_event){(uint32_t)start, 1, (uint8_t)role, (uint32_t)index, (uint32_t)end};
  evs[(*n)++] = (nm_annotate_event){(uint32_t)end, 0, (uint8_t)role, (uint32_t)index, (uint32_t)start};
  return true;
}

/* Returns 0, or ENOMEM. */
static int nm_annotate__render_ansi(const nm_doc *doc, bool color, const nm_annotate_window *w) {
  nm_annotate_view v;
  memset(&v, 0, sizeof v);
  v.doc = doc;
  v.text = nm_doc_text(doc);
  v.len = nm_doc_length(doc);
  v.color = color;
  v.note_base = w ? w->first_note : 0;
  size_t nq = nm_doc_quote_count(doc), nm = nm_doc_marker_count(doc);
  nm_annotate_event *evs = malloc((nq * 8 + nm * 2 + 1) * sizeof *evs);
  v.quote_stack = malloc((nq + 1) * sizeof *v.quote_stack);
  v.pending = malloc((nm + 1) * sizeof *v.pending);
  if (!evs || !v.quote_stack || !v.pending) {
    free(evs);
    free(v.quote_stack);
    free(v.pending);
    return ENOMEM;
  }
  size_t n = 0, s, e;
  for (size_t q = 0; q < nq; q++) {
    if (nm_doc_quote_kind(doc, q) == NM_QUOTE_TERM) continue; /* quotes no one */
    if (!nm_doc_quote_part(doc, q, NM_PART_QUOTE, &s, &e) ||
        !nm_annotate__push_span(evs, &n, &v, s, e, NM_ROLE_QUOTE, q))
      continue;
    if (nm_doc_quote_part(doc, q, NM_PART_SPEAKER, &s, &e)) nm_annotate__push_span(evs, &n, &v, s, e, NM_ROLE_SPEAKER, q);
    if (nm_doc_quote_part(doc, q, NM_PART_CUE, &s, &e)) nm_annotate__push_span(evs, &n, &v, s, e, NM_ROLE_CUE, q);
    if (nm_doc_quote_part(doc, q, NM_PART_VIA, &s, &e)) nm_annotate__push_span(evs, &n, &v, s, e, NM_ROLE_VIA, q);
  }
  /* A marker needs only its footnote, after its end. */
  for (size_t m = 0; m < nm; m++)
    if (nm_doc_marker_span(doc, m, &s, &e) && s <= e && e <= v.len)
      evs[n++] = (nm_annotate_event){(uint32_t)nm_annotate__char_boundary(v.text, v.len, e), 0, NM_ROLE_MARKER,
                                     (uint32_t)m, (uint32_t)s};
  qsort(evs, n, sizeof *evs, nm_annotate__event_cmp);

  size_t at = 0;
  for (size_t k = 0; k < n; k++) {
    /* Quotes that share a speaker or cue (a mixed quote and its fragments,
       "A," he said. "B.") mark that span once. */
    const nm_annotate_event *prev = k ? &evs[k - 1] : NULL;
    if (prev && evs[k].role != NM_ROLE_QUOTE && evs[k].role != NM_ROLE_MARKER && prev->pos == evs[k].pos &&
        prev->open == evs[k].open && prev->role == evs[k].role && prev->other_end == evs[k].other_end)
      continue;
    nm_annotate__copy_text(&v, at, evs[k].pos);
    at = evs[k].pos;
    nm_annotate__apply_event(&v, &evs[k]);
  }
  nm_annotate__copy_text(&v, at, v.len);
  nm_annotate__style_reset(&v);
  /* A window cut inside a long line goes on in the next one. */
  if (v.len && v.text[v.len - 1] != '\n' && (!w || w->last || v.npending)) nm_annotate__puts("\n");
  nm_annotate__list_pending(&v);
  free(evs);
  free(v.quote_stack);
  free(v.pending);
  return 0;
}

/* ---- vimgrep ----------------------------------------------------------- */

/* A short one-line excerpt of text[s, e): whitespace runs become one space,
   cut after about 60 characters (never inside one). */
static void nm_annotate__excerpt(const char *text, size_t s, size_t e, char *out, size_t cap) {
  size_t n = 0, chars = 0;
  bool space = false;
  for (size_t i = s; i < e && n + 8 < cap; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      continue;
    }
    if ((c & 0xC0) != 0x80) { /* a new character starts */
      if (chars == 60) {
        memcpy(out + n, "…", 3);
        n += 3;
        break;
      }
      if (space && n) out[n++] = ' ', chars++;
      chars++;
    }
    space = false;
    out[n++] = (char)c;
  }
  out[n] = '\0';
}

typedef struct nm_annotate_item {
  size_t start;
  int is_marker;
  size_t index;
} nm_annotate_item;

static int nm_annotate__item_cmp(const void *a, const void *b) {
  const nm_annotate_item *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->is_marker != y->is_marker) return x->is_marker - y->is_marker;
  return x->index < y->index ? -1 : x->index > y->index;
}

static int nm_annotate__render_vimgrep(const nm_doc *doc, const char *name, const nm_annotate_window *w) {
  const char *text = nm_doc_text(doc);
  size_t len = nm_doc_length(doc), nq = nm_doc_quote_count(doc), nm = nm_doc_marker_count(doc);
  nm_annotate_item *items = malloc((nq + nm + 1) * sizeof *items);
  if (!items) return ENOMEM;
  size_t n = 0, s, e;
  for (size_t q = 0; q < nq; q++)
    if (nm_doc_quote_kind(doc, q) != NM_QUOTE_TERM && nm_doc_quote_parent(doc, q) < 0 &&
        nm_doc_quote_part(doc, q, NM_PART_QUOTE, &s, &e))
      items[n++] = (nm_annotate_item){s, 0, q};
  for (size_t m = 0; m < nm; m++)
    if (nm_doc_marker_span(doc, m, &s, &e)) items[n++] = (nm_annotate_item){s, 1, m};
  qsort(items, n, sizeof *items, nm_annotate__item_cmp);

  size_t line = w ? w->first_line : 1, line_start = 0, scanned = 0;
  for (size_t k = 0; k < n; k++) {
    size_t pos = items[k].start < len ? items[k].start : len;
    for (const char *nl; scanned < pos && (nl = memchr(text + scanned, '\n', pos - scanned));) {
      line++;
      scanned = (size_t)(nl - text) + 1;
      line_start = scanned;
    }
    scanned = pos;
    nm_annotate__printf("%s:%zu:%zu: ", name, line, pos - line_start + 1);
    if (items[k].is_marker) {
      size_t m = items[k].index;
      nm_annotate__printf("%s: %s [%s]\n", nm_doc_marker_kind(doc, m), nm_doc_marker_message(doc, m),
                          nm_doc_marker_rule(doc, m));
    } else {
      size_t q = items[k].index;
      char excerpt[256];
      nm_doc_quote_part(doc, q, NM_PART_QUOTE, &s, &e);
      nm_annotate__excerpt(text, s, e, excerpt, sizeof excerpt);
      long ent = nm_doc_quote_entity(doc, q);
      nm_annotate__printf("quote: %s — %s (%s)\n", excerpt,
                          ent >= 0 ? nm_doc_entity_name(doc, (size_t)ent) : "(no speaker)",
                          nm_quote_kind_name(nm_doc_quote_kind(doc, q)));
    }
  }
  free(items);
  return 0;
}

/* ---- the sources table ------------------------------------------------- */

static size_t nm_annotate__width(const char *s) {
  size_t w = 0;
  for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

static void nm_annotate__pad(const char *s, size_t width) {
  nm_annotate__puts(s);
  for (size_t w = nm_annotate__width(s); w < width; w++) nm_annotate__puts(" ");
}

/* Most-quoted first; ties in the order the text first mentions them. */
typedef struct nm_annotate_source {
  size_t entity, quotes;
} nm_annotate_source;

static int nm_annotate__source_cmp(const void *a, const void *b) {
  const nm_annotate_source *x = a, *y = b;
  if (x->quotes != y->quotes) return x->quotes > y->quotes ? -1 : 1;
  return x->entity < y->entity ? -1 : x->entity > y->entity;
}

static int nm_annotate__render_sources(const nm_doc *doc, const char *name) {
  size_t ne = nm_doc_entity_count(doc), nq = nm_doc_quote_count(doc), unattributed = 0, total = 0;
  nm_annotate_source *rows = calloc(ne + 1, sizeof *rows);
  if (!rows) return ENOMEM;
  for (size_t i = 0; i < ne; i++) rows[i].entity = i;
  for (size_t q = 0; q < nq; q++) {
    if (nm_doc_quote_kind(doc, q) == NM_QUOTE_TERM || nm_doc_quote_parent(doc, q) >= 0) continue;
    long e = nm_doc_quote_entity(doc, q);
    total++;
    if (e >= 0 && (size_t)e < ne) rows[e].quotes++;
    else unattributed++;
  }
  qsort(rows, ne, sizeof *rows, nm_annotate__source_cmp);
  size_t name_w = unattributed ? strlen("(no speaker)") : strlen("SOURCE");
  for (size_t i = 0; i < ne; i++) {
    size_t w = nm_annotate__width(nm_doc_entity_name(doc, i));
    if (w > name_w) name_w = w;
  }
  nm_annotate__printf("%s: %zu source%s, %zu quote%s\n", name, ne, ne == 1 ? "" : "s", total,
                      total == 1 ? "" : "s");
  if (ne == 0 && unattributed == 0) {
    free(rows);
    return 0;
  }
  nm_annotate__puts("QUOTES  MENTIONS  ");
  nm_annotate__pad("SOURCE", name_w + 2);
  nm_annotate__puts("TYPE          NAMED  ");
  nm_annotate__puts("TITLE\n");
  for (size_t i = 0; i < ne; i++) {
    size_t ent = rows[i].entity;
    const char *title = nm_doc_entity_title(doc, ent);
    nm_annotate__printf("%6zu  %8zu  ", rows[i].quotes, nm_doc_entity_mention_count(doc, ent));
    nm_annotate__pad(nm_doc_entity_name(doc, ent), name_w + 2);
    nm_annotate__pad(nm_entity_type_name(nm_doc_entity_type(doc, ent)), 14);
    nm_annotate__pad(nm_doc_entity_anonymous(doc, ent) ? "no" : "yes", 7);
    nm_annotate__printf("%s\n", title ? title : "-");
  }
  if (unattributed) {
    nm_annotate__printf("%6zu  %8s  ", unattributed, "-");
    nm_annotate__pad("(no speaker)", name_w + 2);
    nm_annotate__pad("-", 14);
    nm_annotate__pad("-", 7);
    nm_annotate__puts("-\n");
  }
  free(rows);
  return 0;
}

/* ---- one document -------------------------------------------------------- */

static void nm_annotate__report(nm_annotate_run *run, const char *name, const char *reason) {
  nm_annotate__flush(); /* keep stdout and stderr in order on a terminal */
  fprintf(stderr, "annotate: %s: %s\n", name, reason);
  run->any_failed = true;
  nm_annotate__status_so_far = 2;
}

#ifdef NM_ANNOTATE_LUA
static void nm_annotate__on_rule_error(void *ud, const char *message) {
  nm_annotate_run *run = ud;
  nm_annotate__report(run, run->current, message);
}
#endif

/*
 * Analyse one document and write it out. `name` is for messages and views,
 * `file` for the JSON "file" field (NULL for stdin). Failures are reported.
 * With `owned` (buf itself, from nm_annotate__read_all) the document takes
 * the buffer instead of a copy, and frees it: a big file is not held twice.
 */
static void nm_annotate__document(nm_annotate_run *run, const char *name, const char *file, const char *buf,
                                  size_t len, int input, const nm_annotate_window *w, char *owned) {
  const nm_annotate_opts *o = run->opts;
  int rc;
  run->notes = 0;
  if ((!w || w->index == 0) && nm_annotate__looks_binary(buf, len)) {
    nm_annotate__report(run, name, "binary file (NUL and control bytes), not annotated");
    free(owned);
    return;
  }
  char err[512];
  nm_status st;
  nm_doc *doc = owned ? nm__doc_new_owned(run->engine, owned, len, input, &st, err, sizeof err)
                      : nm_doc_new(run->engine, buf, len, input, &st, err, sizeof err);
  if (!doc) {
    nm_annotate__report(run, name, err);
    return;
  }
  run->current = name;
#ifdef NM_ANNOTATE_LUA
  if (run->lua_rules) nm_lua_rules_run(run->lua_rules, doc, nm_annotate__on_rule_error, run);
#endif
  for (size_t i = 0; i < nm_doc_error_count(doc); i++) nm_annotate__report(run, name, nm_doc_error(doc, i));

  rc = 0;
  if (o->sources) {
    rc = nm_annotate__render_sources(doc, name);
  } else if (o->format == NM_FORMAT_ANSI) {
    if (run->nfiles > 1 && (!w || w->index == 0)) {
      if (o->color) nm_annotate__printf("\033[1m==> %s <==\033[0m\n", name);
      else nm_annotate__printf("==> %s <==\n", name);
    }
    rc = nm_annotate__render_ansi(doc, o->color, w);
  } else if (o->format == NM_FORMAT_VIMGREP) {
    rc = nm_annotate__render_vimgrep(doc, name, w);
  } else if (o->format == NM_FORMAT_HTML) {
    if (nm_render_html(stdout, doc, file) != 0) nm_annotate__write_failed();
  } else {
    bool array = o->format == NM_FORMAT_JSON && (run->nfiles > 1 || o->lines);
    if (array) nm_annotate__puts(run->ndone ? ",\n" : "[\n");
    /* Streamed in pieces: the JSON of a document can be several times its size. */
    nm_annotate__json_sink_state js = {w, true};
    if (nm_doc_write_json(doc, file, nm_annotate__json_sink, &js) == NM_ERR_NOMEM) rc = ENOMEM;
    if (!array) nm_annotate__puts("\n");
  }
  for (size_t m = 0; m < nm_doc_marker_count(doc) && o->nfail_kinds; m++)
    for (size_t k = 0; k < o->nfail_kinds; k++)
      if (!strcmp(nm_doc_marker_kind(doc, m), o->fail_kinds[k])) run->fail_matched = true;
  run->notes = nm_doc_marker_count(doc);
  nm_doc_delete(doc);
  if (rc) nm_annotate__report(run, name, strerror(rc));
  else run->ndone++;
  if (!o->lines) nm_annotate__flush(); /* a line's document is small: let stdio batch them */
}

/* --lines: every line of f is a document named "NAME:LINE". Memory is
   bounded by the longest line, however long the stream. */
static void nm_annotate__each_line(nm_annotate_run *run, FILE *f, const char *name, const char *file, int input) {
  char *line = NULL, label[4096];
  size_t cap = 0, lineno = 0;
  ssize_t n;
  errno = 0;
  while ((n = getline(&line, &cap, f)) >= 0) {
    size_t len = (size_t)n;
    lineno++;
    if (len && line[len - 1] == '\n') len--;
    if (len && line[len - 1] == '\r') len--;
    snprintf(label, sizeof label, "%s:%zu", file ? file : name, lineno);
    nm_annotate__document(run, label, label, line, len, input, NULL, NULL);
  }
  if (ferror(f)) nm_annotate__report(run, name, strerror(errno ? errno : EIO));
  free(line);
}

/*
 * Where to end a window of a long stream, in buf[0, len): after the last
 * paragraph break (a blank line) at which no double quote is open, so a
 * quote and the paragraphs it continues into stay together; failing that
 * after the last blank line, then the last line end, then at the last
 * character boundary (a single huge line).
 */
static size_t nm_annotate__window_cut(const char *buf, size_t len) {
  size_t balanced = 0, any_break = 0, any_line = 0;
  bool open = false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c == '"') {
      open = !open;
    } else if (c == 0xE2 && i + 2 < len && (unsigned char)buf[i + 1] == 0x80) {
      if ((unsigned char)buf[i + 2] == 0x9C) open = true;       /* “ */
      else if ((unsigned char)buf[i + 2] == 0x9D) open = false; /* ” */
    } else if (c == '\n') {
      any_line = i + 1;
      size_t k = i + 1;
      while (k < len && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r')) k++;
      if (k < len && buf[k] == '\n') {
        any_break = k + 1;
        if (!open) balanced = k + 1;
      }
    }
  }
  if (balanced) return balanced;
  if (any_break) return any_break;
  if (any_line) return any_line;
  size_t cut = len;
  while (cut > 0 && len - cut < 4 && ((unsigned char)buf[cut - 1] & 0xC0) == 0x80) cut--;
  if (cut > 0 && cut < len && (unsigned char)buf[cut - 1] >= 0xC0) cut--; /* the lead byte goes too */
  return cut ? cut : len;
}

static size_t nm_annotate__count_lines(const char *buf, size_t len) {
  size_t n = 0;
  for (const char *p = buf, *end = buf + len; p < end && (p = memchr(p, '\n', (size_t)(end - p))); p++) n++;
  return n;
}

/*
 * Read fd and annotate it: whole when it fits in the window, else window
 * by window, so memory stays bounded however long the stream. Returns 0,
 * or an errno value from reading.
 */
static int nm_annotate__stream(nm_annotate_run *run, int fd, const char *name, const char *path, int input) {
  size_t window = run->opts->window, len = 0;
  char *buf = malloc(window);
  if (!buf) return ENOMEM;
  nm_annotate_window w = {0, 0, 1, 0, false};
  bool eof = false;
  for (;;) {
    while (!eof && len < window) {
      ssize_t got = read(fd, buf + len, window - len);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        int saved = errno;
        free(buf);
        return saved;
      }
      if (got == 0) eof = true;
      len += (size_t)got;
    }
    if (eof && w.index == 0) { /* it all fit: one document, as without windows */
      nm_annotate__document(run, name, path, buf, len, input, NULL, NULL);
      break;
    }
    size_t cut = eof ? len : nm_annotate__window_cut(buf, len);
    w.last = eof && cut == len;
    nm_annotate__document(run, name, path, buf, cut, input, &w, NULL);
    w.index++;
    w.offset += cut;
    w.first_line += nm_annotate__count_lines(buf, cut);
    w.first_note += run->notes;
    memmove(buf, buf + cut, len - cut);
    len -= cut;
    if (w.last) break;
  }
  free(buf);
  return 0;
}

/* path NULL is stdin. Every failure is reported; the run goes on. */
static void nm_annotate__one(nm_annotate_run *run, const char *path) {
  const nm_annotate_opts *o = run->opts;
  const char *name = path ? path : "<stdin>";
  int input = o->input >= 0 ? o->input : nm_annotate__input_from_path(path);
  int fd = STDIN_FILENO;
  if (path && (fd = open(path, O_RDONLY)) < 0) {
    nm_annotate__report(run, name, strerror(errno));
    return;
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    nm_annotate__report(run, name, strerror(EISDIR));
    if (path) close(fd);
    return;
  }
  if (o->lines) {
    FILE *f = path ? fdopen(fd, "rb") : stdin;
    if (!f) {
      nm_annotate__report(run, name, strerror(errno));
      close(fd);
      return;
    }
    nm_annotate__each_line(run, f, name, path, input);
    if (path) fclose(f);
    return;
  }
  /* Windows only where the output can be cut: not one JSON value, not a
     table of a whole document's sources, not one HTML page. */
  bool windows = o->window && !o->sources &&
                 (o->format == NM_FORMAT_ANSI || o->format == NM_FORMAT_JSONL || o->format == NM_FORMAT_VIMGREP);
  if (windows && !(S_ISREG(st.st_mode) && (size_t)st.st_size <= o->window)) {
    int rc = nm_annotate__stream(run, fd, name, path, input);
    if (path) close(fd);
    if (rc) nm_annotate__report(run, name, strerror(rc));
    return;
  }
  char *buf = NULL;
  size_t len = 0;
  int rc = nm_annotate__read_all(fd, &buf, &len);
  if (path) close(fd);
  if (rc) {
    nm_annotate__report(run, name, strerror(rc));
    return;
  }
  nm_annotate__document(run, name, path, buf, len, input, NULL, buf);
}

/* ---- options ----------------------------------------------------------- */

static const char nm_annotate__usage[] =
    "Usage: annotate [OPTION]... [FILE]...\n"
    "Mark quotes, their sources and fact-checking markers in news text.\n"
    "With no FILE, or when FILE is -, read standard input.\n"
    "\n"
    "  -f, --format=FORMAT  ansi (default), json, jsonl, vimgrep or html\n"
    "      --color[=WHEN]   colour the ansi view: auto (default), always, never\n"
    "  -s, --sources        print a table of the sources instead of the text\n"
    "      --no-tagger      attribute by the rules alone, without the learned\n"
    "                       tagger (on when this build has a model)\n"
    "      --only=KIND      run only marker rules of KIND (repeatable)\n"
    "      --disable=RULE   turn off the rule with id RULE (repeatable)\n"
    "  -r, --rules=FILE     load Lua rules from FILE (repeatable)\n"
    "      --list-rules     list the rules and exit\n"
    "      --fail-on=KIND   exit with status 1 when a marker of KIND is found\n"
    "                       (repeatable)\n"
    "      --input=TYPE     plain, markdown or html (default: from the file's\n"
    "                       extension: .md .markdown .html .htm, else plain)\n"
    "      --lines          each input line is one document, named FILE:LINE\n"
    "                       (for Hadoop Streaming and Spark's RDD.pipe)\n"
    "      --window=SIZE    analyse a longer input SIZE bytes at a time, cut at\n"
    "                       paragraph breaks (K, M suffixes; default 4M; 0: whole)\n"
    "      --compare        compare the quotes of all FILEs: show the same words\n"
    "                       quoted differently (ansi), or add variant markers\n"
    "                       and \"variants\" to each document (json, jsonl)\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "Without colour the ansi view uses brackets: [quote]{— Speaker}, *speaker*,\n"
    "_cue_, /channel/, and [N] after a marked span, listed after its paragraph.\n"
    "With several files, --format=json prints one JSON array; jsonl prints one\n"
    "object a line.\n"
    "\n"
    "Exit status: 0 if all went well, 1 if --fail-on matched, 2 on a usage\n"
    "error or when any input could not be annotated.\n"
    "See annotate(1).\n";

static void nm_annotate__usage_error(const char *fmt, const char *arg) {
  fputs("annotate: ", stderr);
  fprintf(stderr, fmt, arg);
  fputs("\nUsage: annotate [OPTION]... [FILE]...\nTry 'annotate --help' for more information.\n", stderr);
  exit(2);
}

static void nm_annotate__append(const char ***list, size_t *n, const char *item) {
  const char **grown = realloc(*list, (*n + 1) * sizeof **list);
  if (!grown) {
    fputs("annotate: out of memory\n", stderr);
    exit(2);
  }
  grown[(*n)++] = item;
  *list = grown;
}

static void nm_annotate__parse(int argc, char **argv, nm_annotate_opts *o) {
  enum { OPT_COLOR = 256, OPT_ONLY, OPT_DISABLE, OPT_LIST_RULES, OPT_FAIL_ON, OPT_INPUT, OPT_LINES, OPT_COMPARE,
         OPT_WINDOW, OPT_NO_TAGGER };
  static const struct option longopts[] = {
      {"format", required_argument, NULL, 'f'},     {"color", optional_argument, NULL, OPT_COLOR},
      {"colour", optional_argument, NULL, OPT_COLOR}, {"sources", no_argument, NULL, 's'},
      {"only", required_argument, NULL, OPT_ONLY},   {"disable", required_argument, NULL, OPT_DISABLE},
      {"rules", required_argument, NULL, 'r'},       {"list-rules", no_argument, NULL, OPT_LIST_RULES},
      {"fail-on", required_argument, NULL, OPT_FAIL_ON}, {"input", required_argument, NULL, OPT_INPUT},
      {"lines", no_argument, NULL, OPT_LINES},       {"compare", no_argument, NULL, OPT_COMPARE},
      {"window", required_argument, NULL, OPT_WINDOW}, {"no-tagger", no_argument, NULL, OPT_NO_TAGGER},
            {"help", no_argument, NULL, 'h'},              {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  const char *color = "auto";
  opterr = 0; /* our own messages, in one form */
  int c;
  while ((c = getopt_long(argc, argv, ":f:sr:hV", longopts, NULL)) != -1) {
    switch (c) {
    case 'f':
      if (!strcmp(optarg, "ansi")) o->format = NM_FORMAT_ANSI;
      else if (!strcmp(optarg, "json")) o->format = NM_FORMAT_JSON;
      else if (!strcmp(optarg, "jsonl")) o->format = NM_FORMAT_JSONL;
      else if (!strcmp(optarg, "vimgrep")) o->format = NM_FORMAT_VIMGREP;
      else if (!strcmp(optarg, "html")) o->format = NM_FORMAT_HTML;
      else nm_annotate__usage_error("unknown format '%s' (ansi, json, jsonl, vimgrep, html)", optarg);
      break;
    case OPT_COLOR:
      color = optarg ? optarg : "always";
      if (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never"))
        nm_annotate__usage_error("unknown --color value '%s' (auto, always, never)", color);
      break;
    case 's': o->sources = true; break;
    case OPT_ONLY: nm_annotate__append(&o->only_kinds, &o->nonly_kinds, optarg); break;
    case OPT_DISABLE: nm_annotate__append(&o->disabled, &o->ndisabled, optarg); break;
    case 'r': nm_annotate__append(&o->rule_files, &o->nrule_files, optarg); break;
    case OPT_LIST_RULES: o->list_rules = true; break;
    case OPT_LINES: o->lines = true; break;
    case OPT_WINDOW: {
      char *end;
      errno = 0;
      unsigned long long n = strtoull(optarg, &end, 10);
      unsigned long long unit = *end == 'K' || *end == 'k' ? 1024ull : *end == 'M' || *end == 'm' ? 1ull << 20 : 1;
      if (unit > 1) end++;
      if (errno || end == optarg || *end || optarg[0] == '-' || n > (1ull << 31) / unit)
        nm_annotate__usage_error("bad --window size '%s' (bytes, or with K or M; at most 2048M)", optarg);
      o->window = (size_t)(n * unit);
      break;
    }
    case OPT_COMPARE: o->compare = true; break;
    case OPT_NO_TAGGER: o->no_tagger = true; break;
    case OPT_FAIL_ON: nm_annotate__append(&o->fail_kinds, &o->nfail_kinds, optarg); break;
    case OPT_INPUT:
      if ((o->input = nm_input_from_name(optarg)) < 0)
        nm_annotate__usage_error("unknown input type '%s' (plain, markdown, html)", optarg);
      break;
    case 'h':
      fputs(nm_annotate__usage, stdout);
      if (fflush(stdout) != 0 && errno != EPIPE) exit(2);
      exit(0);
    case 'V':
      printf("annotate (newsmark) %s\n", nm_version());
      exit(fflush(stdout) != 0 && errno != EPIPE ? 2 : 0);
    case ':': nm_annotate__usage_error("option '%s' needs a value", argv[optind - 1]); break;
    default:
      if (optopt && optopt < 256) {
        char opt[3] = {'-', (char)optopt, '\0'};
        nm_annotate__usage_error("unknown option '%s'", opt);
      }
      nm_annotate__usage_error("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (!strcmp(color, "always")) o->color = true;
  else if (!strcmp(color, "never")) o->color = false;
  else {
    const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");
    o->color = isatty(STDOUT_FILENO) && !(term && !strcmp(term, "dumb")) && !(no_color && *no_color);
  }
}

/* Load rules, apply --only and --disable, compile. Exits 2 on error. */
static nm_engine *nm_annotate__engine(const nm_annotate_opts *o, void **lua_rules) {
  char err[512];
  nm_engine *engine = nm_engine_new(err, sizeof err);
  if (!engine) {
    fprintf(stderr, "annotate: %s\n", err);
    exit(2);
  }
  *lua_rules = NULL;
  if (o->nrule_files) {
#ifdef NM_ANNOTATE_LUA
    *lua_rules = nm_lua_rules_new(engine, o->rule_files, o->nrule_files, err, sizeof err);
    if (!*lua_rules) {
      fprintf(stderr, "annotate: %s\n", err);
      exit(2);
    }
#else
    fprintf(stderr, "annotate: --rules: this annotate was built without Lua rules\n");
    exit(2);
#endif
  }
  if (o->no_tagger) nm_engine_set_tagger(engine, 0);
  for (size_t i = 0; i < o->nonly_kinds; i++)
    if (nm_engine_only_kind(engine, o->only_kinds[i]) != NM_OK)
      nm_annotate__usage_error("--only: cannot select kind '%s'", o->only_kinds[i]);
  for (size_t i = 0; i < o->ndisabled; i++)
    if (nm_engine_disable_rule(engine, o->disabled[i]) != NM_OK)
      nm_annotate__usage_error("--disable: no rule has the id '%s' (see --list-rules)", o->disabled[i]);
  if (nm_engine_compile(engine, err, sizeof err) != NM_OK) {
    fprintf(stderr, "annotate: %s\n", err);
    exit(2);
  }
  return engine;
}

static void nm_annotate__list_rules(const nm_engine *engine) {
  for (size_t i = 0; i < nm_engine_rule_count(engine); i++)
    nm_annotate__printf("%-32s %-20s %s%s\n", nm_engine_rule_id(engine, i), nm_engine_rule_kind(engine, i),
                        nm_engine_rule_origin(engine, i), nm_engine_rule_enabled(engine, i) ? "" : " (disabled)");
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN); /* EPIPE comes back from write instead */
  nm_annotate__catch(SIGINT);
  nm_annotate__catch(SIGTERM);

  nm_annotate_opts o;
  memset(&o, 0, sizeof o);
  o.input = -1;
  o.window = 4u << 20;
  nm_annotate__parse(argc, argv, &o);

  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

  nm_annotate_run run;
  memset(&run, 0, sizeof run);
  run.opts = &o;
  run.engine = nm_annotate__engine(&o, &run.lua_rules);
  if (o.list_rules) {
    nm_annotate__list_rules(run.engine);
  } else if (o.compare) { /* issue 7: one comparison over every input */
    if (o.sources || o.lines || (o.format != NM_FORMAT_ANSI && o.format != NM_FORMAT_JSON && o.format != NM_FORMAT_JSONL))
      nm_annotate__usage_error("--compare writes ansi, json or jsonl, %s", "without --sources or --lines");
    int format = o.format == NM_FORMAT_JSON ? NM_COMPARE_JSON : o.format == NM_FORMAT_JSONL ? NM_COMPARE_JSONL : NM_COMPARE_ANSI;
    int rc = nm_compare_render(stdout, stderr, run.engine, (const char *const *)argv + optind, (size_t)(argc - optind),
                               format, o.color, o.input);
    if (rc < 0) nm_annotate__write_failed();
    if (rc) run.any_failed = true;
  } else {
    run.nfiles = optind < argc ? (size_t)(argc - optind) : 1;
    if (o.format == NM_FORMAT_HTML && (run.nfiles > 1 || o.lines) && !o.sources)
      nm_annotate__usage_error("--format=html writes one page: give it one %s", "file");
    if (optind == argc) nm_annotate__one(&run, NULL);
    for (int i = optind; i < argc; i++) nm_annotate__one(&run, strcmp(argv[i], "-") ? argv[i] : NULL);
    if (o.format == NM_FORMAT_JSON && (run.nfiles > 1 || o.lines) && !o.sources) nm_annotate__puts(run.ndone ? "\n]\n" : "[]\n");
  }
  nm_annotate__flush();
#ifdef NM_ANNOTATE_LUA
  nm_lua_rules_delete(run.lua_rules);
#endif
  nm_engine_delete(run.engine);
  free(o.rule_files);
  free(o.only_kinds);
  free(o.disabled);
  free(o.fail_kinds);
  if (run.any_failed) return 2;
  return run.fail_matched ? 1 : 0;
}
