/* annotate.c: the command-line filter. (Minimal until the full CLI lands.) */
#include "newsmark.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *path = NULL;
  for (int i = 1; i < argc; i++)
    if (argv[i][0] != '-') path = argv[i];
  FILE *f = path ? fopen(path, "rb") : stdin;
  if (!f) { perror(path); return 2; }
  char *buf = NULL; size_t len = 0, cap = 0, n;
  char chunk[65536];
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (len + n > cap) { cap = (len + n) * 2; buf = realloc(buf, cap); if (!buf) return 2; }
    memcpy(buf + len, chunk, n); len += n;
  }
  char err[256];
  nm_engine *e = nm_engine_new(err, sizeof err);
  if (!e) { fprintf(stderr, "annotate: %s\n", err); return 2; }
  nm_doc *d = nm_doc_new(e, buf, len, NM_INPUT_PLAIN, NULL, err, sizeof err);
  if (!d) { fprintf(stderr, "annotate: %s\n", err); return 2; }
  size_t jl; char *j = nm_doc_to_json(d, path, &jl);
  fwrite(j, 1, jl, stdout); putchar('\n');
  nm_free(j); nm_doc_delete(d); nm_engine_delete(e); free(buf);
  return 0;
}
