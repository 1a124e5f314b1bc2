/*
 * probe.c: look at what markup.c made of a file, for tests/test_markup.sh.
 *   probe prose  plain|markdown|html FILE   the prose as the segmenter sees it
 *   probe quotes plain|markdown|html FILE   one line per quote
 *   probe mask   markdown|html FILE         the mask itself, one byte per input byte
 *   probe entity TEXT                       what nm__html_entity reads at TEXT
 *   probe scan   markdown|html FILE         time the markup stage alone (MB/s)
 * "prose" prints prose bytes, drops skipped markup, writes one '|' for each
 * run of paragraph-breaking bytes, and wraps heading prose in <h>...</h> and
 * boilerplate prose in <b>...</b>. Exit 3 (with the message) when the
 * library refuses the input.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *probe_read(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  size_t cap = 1 << 16, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  if (!buf) { fputs("probe: out of memory\n", stderr); exit(2); }
  fclose(f);
  *len = n;
  return buf;
}

static void probe_prose(const nm_doc *d) {
  int in_break = 0, heading = 0, boiler = 0;
  for (uint32_t i = 0; i < d->len; i++) {
    uint8_t m = d->mask ? d->mask[i] : 0;
    uint8_t cls = m & 3;
    int h = cls == NM_MASK_PROSE && (m & NM_MASK_HEADING);
    int b = cls == NM_MASK_PROSE && (m & NM_MASK_BOILER);
    if (cls == NM_MASK_SKIP) continue;
    if (cls == NM_MASK_BREAK) { in_break = 1; continue; }
    if (in_break) { if (heading) fputs("</h>", stdout); if (boiler) fputs("</b>", stdout);
      heading = boiler = 0; putchar('|'); in_break = 0; }
    if (h != heading) fputs(h ? "<h>" : "</h>", stdout), heading = h;
    if (b != boiler) fputs(b ? "<b>" : "</b>", stdout), boiler = b;
    putchar(d->text[i] == '\n' ? ' ' : d->text[i]);
  }
  if (heading) fputs("</h>", stdout);
  if (boiler) fputs("</b>", stdout);
  if (in_break) putchar('|');
  putchar('\n');
}

static void probe_quotes(const nm_doc *d) {
  for (size_t i = 0; i < nm_doc_quote_count(d); i++) {
    size_t s, e, ss, se;
    nm_doc_quote_part(d, i, NM_PART_QUOTE, &s, &e);
    printf("%s %zu %zu", nm_quote_kind_name(nm_doc_quote_kind(d, i)), s, e);
    if (nm_doc_quote_part(d, i, NM_PART_SPEAKER, &ss, &se))
      printf(" %.*s", (int)(se - ss), d->text + ss);
    putchar('\n');
  }
}

/* The markup stage alone, on a bare document: its own speed, apart from the
   stages after it. Prints the best of three runs. */
static int probe_scan(nm_engine *e, const char *text, size_t len, int input) {
  nm_doc d;
  memset(&d, 0, sizeof d);
  d.engine = e;
  d.text = (char *)text;
  d.len = (uint32_t)len;
  d.input = input;
  double best = 1e30;
  for (int run = 0; run < 3; run++) {
    char err[512];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    nm_status st = nm__markup_scan(&d, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    free(d.mask);
    d.mask = NULL;
    if (st != NM_OK) { printf("error: %s: %s\n", nm_status_name(st), err); return 3; }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs < best) best = secs;
  }
  printf("%.1f MB/s (%zu bytes in %.3f s)\n", (double)len / 1e6 / best, len, best);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "entity")) {
    uint32_t len = 0, cp = nm__html_entity(argv[2], strlen(argv[2]), &len);
    if (cp) printf("U+%04X %u\n", cp, len);
    else puts("none");
    return 0;
  }
  if (argc != 4) { fputs("usage: probe prose|quotes|mask|scan plain|markdown|html FILE | probe entity TEXT\n", stderr); return 2; }
  int input = nm_input_from_name(argv[2]);
  size_t len;
  char *text = probe_read(argv[3], &len);
  char err[512];
  nm_engine *e = nm_engine_new(err, sizeof err);
  if (!e) { fprintf(stderr, "probe: %s\n", err); return 2; }
  if (!strcmp(argv[1], "scan")) {
    int rc = probe_scan(e, text, len, input);
    nm_engine_delete(e);
    free(text);
    return rc;
  }
  nm_status st;
  nm_doc *d = nm_doc_new(e, text, len, input, &st, err, sizeof err);
  if (!d) {
    printf("error: %s: %s\n", nm_status_name(st), err);
    nm_engine_delete(e);
    free(text);
    return 3;
  }
  if (!strcmp(argv[1], "prose")) probe_prose(d);
  else if (!strcmp(argv[1], "mask")) {
    if (d->mask) fwrite(d->mask, 1, d->len, stdout);
  } else probe_quotes(d);
  nm_doc_delete(d);
  nm_engine_delete(e);
  free(text);
  return 0;
}
