/*
 * bench.c: what the marker pass costs. Analyses one file (e.g. PolNeAR
 * train concatenated) several times with: the full built-in rules; no
 * built-in marker kind (--only a kind nothing has), so the difference is
 * the marker pass; and the built-ins plus 50 user word and pattern rules.
 *   cc ... tests/markers/bench.c build/libnewsmark.a ... && ./bench FILE [ROUNDS]
 */
#include "newsmark.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); /* CPU time: other jobs on the machine do not count */
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void run(const char *label, nm_engine *e, const char *text, size_t len, int rounds) {
  char err[256];
  if (nm_engine_compile(e, err, sizeof err) != NM_OK) {
    fprintf(stderr, "bench: %s\n", err);
    exit(1);
  }
  double best = 1e9;
  size_t markers = 0;
  for (int r = 0; r < rounds; r++) {
    double t0 = now();
    nm_doc *d = nm_doc_new(e, text, len, NM_INPUT_PLAIN, NULL, err, sizeof err);
    double t = now() - t0;
    if (!d) {
      fprintf(stderr, "bench: %s\n", err);
      exit(1);
    }
    markers = nm_doc_marker_count(d);
    nm_doc_delete(d);
    if (t < best) best = t;
  }
  printf("%-28s %8.1f MB/s  %7.1f ms  %zu markers\n", label, (double)len / best / 1e6, best * 1e3, markers);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench FILE [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)n + 1);
  if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) return 2;
  fclose(f);
  char err[256];

  nm_engine *e = nm_engine_new(err, sizeof err);
  run("built-in rules", e, text, (size_t)n, rounds);
  nm_engine_delete(e);

  e = nm_engine_new(err, sizeof err);
  nm_engine_only_kind(e, "no-such-kind");
  run("no built-in markers", e, text, (size_t)n, rounds);
  nm_engine_delete(e);

  e = nm_engine_new(err, sizeof err);
  for (int i = 0; i < 50; i++) {
    char id[32];
    snprintf(id, sizeof id, "bench.rule%d", i);
    if (i % 2 == 0) {
      static const char *const words[][3] = {{"Kiev", "Peking", "Bombay"}, {"very unique", "irregardless", "alot"},
                                             {"slammed", "blasted", "ripped"}, {"Trump", "Clinton", "Sanders"},
                                             {"email", "e-mail", "emails"}};
      nm_engine_add_words(e, id, "style", words[i / 2 % 5], 3, NULL, 0, 0, NULL, err, sizeof err);
    } else {
      static const char *const pats[] = {"\\b[A-Z]{2,}\\b", "\\$\\d[\\d,.]*\\s+(?:million|billion)",
                                         "\\b(?:very|really|quite)\\s+\\w+", "\\b\\d{1,2}:\\d\\d\\b",
                                         "(?i)\\bsources?\\s+(?:said|say)\\b"};
      const char *p = pats[i / 2 % 5];
      nm_engine_add_pattern(e, id, "style", p, strlen(p), NULL, 0, 0, NULL, err, sizeof err);
    }
  }
  run("built-ins + 50 user rules", e, text, (size_t)n, rounds);
  nm_engine_delete(e);
  free(text);
  return 0;
}
