/*
 * tests/compare/groups.c: analyse the files named on the command line,
 * compare their quotes, and print every group, one line a member and one
 * line a difference, in a fixed plain form the tests compare exactly:
 *   group G variant|same
 *     member FILE#QUOTE [START,END) (SPEAKER)
 *     KIND FILE#QUOTE [START,END) | FILE#QUOTE [START,END)
 * With -t first, each span is followed by its text in double quotes (the
 * expected output in tests/ has offsets only: no publisher text).
 * Exit status 2 on any failure.
 */
#include "newsmark.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *groups__read(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    char *grown = realloc(buf, cap *= 2);
    if (!grown) free(buf);
    buf = grown;
  }
  fclose(f);
  *len = n;
  return buf;
}

static const char *groups__base(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int main(int argc, char **argv) {
  int with_text = argc > 1 && !strcmp(argv[1], "-t");
  if (with_text) argv++, argc--;
  char err[256];
  nm_engine *engine = nm_engine_new(err, sizeof err);
  nm_compare *cmp = nm_compare_new(err, sizeof err);
  if (!engine || !cmp) {
    fprintf(stderr, "groups: %s\n", err);
    return 2;
  }
  int nfiles = argc - 1;
  char **texts = calloc((size_t)(nfiles > 0 ? nfiles : 1), sizeof *texts);
  for (int i = 0; i < nfiles; i++) {
    size_t len;
    texts[i] = groups__read(argv[i + 1], &len);
    if (!texts[i]) {
      fprintf(stderr, "groups: cannot read %s\n", argv[i + 1]);
      return 2;
    }
    nm_doc *doc = nm_doc_new(engine, texts[i], len, NM_INPUT_PLAIN, NULL, err, sizeof err);
    if (!doc || nm_compare_add(cmp, doc, groups__base(argv[i + 1])) != NM_OK) {
      fprintf(stderr, "groups: %s: %s\n", argv[i + 1], doc ? "compare_add failed" : err);
      return 2;
    }
    nm_doc_delete(doc);
  }
  if (nm_compare_run(cmp) != NM_OK) {
    fprintf(stderr, "groups: run failed\n");
    return 2;
  }
  for (size_t g = 0; g < nm_compare_group_count(cmp); g++) {
    printf("group %zu %s\n", g, nm_compare_group_variant(cmp, g) ? "variant" : "same");
    for (size_t m = 0; m < nm_compare_group_size(cmp, g); m++) {
      size_t q = nm_compare_group_member(cmp, g, m), s, e, d = nm_compare_quote_doc(cmp, q);
      nm_compare_quote_span(cmp, q, &s, &e);
      const char *sp = nm_compare_quote_speaker(cmp, q);
      printf("  member %s#%ld [%zu,%zu)", nm_compare_doc_file(cmp, d), nm_compare_quote_id(cmp, q), s, e);
      if (with_text) printf(" \"%.*s\"", (int)(e - s), texts[d] + s);
      printf(" (%s)\n", sp ? sp : "-");
    }
    for (size_t k = 0; k < nm_compare_group_diff_count(cmp, g); k++) {
      size_t a, as, ae, b, bs, be;
      int kind = nm_compare_group_diff(cmp, g, k, &a, &as, &ae, &b, &bs, &be);
      size_t da = nm_compare_quote_doc(cmp, a), db = nm_compare_quote_doc(cmp, b);
      printf("  %s %s#%ld [%zu,%zu)", nm_diff_kind_name(kind), nm_compare_doc_file(cmp, da), nm_compare_quote_id(cmp, a),
             as, ae);
      if (with_text) printf(" \"%.*s\"", (int)(ae - as), texts[da] + as);
      printf(" | %s#%ld [%zu,%zu)", nm_compare_doc_file(cmp, db), nm_compare_quote_id(cmp, b), bs, be);
      if (with_text) printf(" \"%.*s\"", (int)(be - bs), texts[db] + bs);
      printf("\n");
    }
  }
  for (int i = 0; i < nfiles; i++) free(texts[i]);
  free(texts);
  nm_compare_delete(cmp);
  nm_engine_delete(engine);
  return 0;
}
