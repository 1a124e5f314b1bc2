/*
 * tests/compare/bench.c: the time to group N quotes (default 100000) with
 * nm_compare on one core, for `make bench` (tests/compare/bench.sh).
 *
 *   bench [-n N] [DIR]
 *
 * With DIR (PolNeAR train's text/), the quotes are its sentences of 6 to 60
 * words; without, sentences of made-up words with a Zipf-like spread. A
 * third of the quotes are edited copies of earlier ones, the way outlets
 * re-quote: a word replaced, a stretch elided with "…", a word added, the
 * case or the punctuation changed. Prints one line:
 *   compare: N quotes, G groups (V variant), add A s, run R s, peak RSS M MB
 */
#include "newsmark.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct bench__buf {
  char *p;
  size_t len, cap;
} bench__buf;

static void bench__put(bench__buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1 << 20;
    while (cap < b->len + n + 1) cap *= 2;
    char *grown = realloc(b->p, cap);
    if (!grown) {
      fprintf(stderr, "bench: out of memory\n");
      exit(2);
    }
    b->p = grown;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static uint64_t bench__state = 0x9E3779B97F4A7C15ull;
static uint32_t bench__rand(void) { /* xorshift64*: the same quotes on every run */
  bench__state ^= bench__state >> 12;
  bench__state ^= bench__state << 25;
  bench__state ^= bench__state >> 27;
  return (uint32_t)((bench__state * 0x2545F4914F6CDD1Dull) >> 32);
}

static double bench__now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sentences of DIR's .txt files, 6 to 60 words, one per line in out. */
static size_t bench__sentences(const char *dir, bench__buf *out) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  size_t n = 0;
  struct dirent *e;
  char path[4096];
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 4, ".txt")) continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) continue;
    char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
      char *s = line;
      for (char *p = line;; p++) {
        if (*p == '\0' || *p == '\n' || ((*p == '.' || *p == '?' || *p == '!') && p[1] == ' ')) {
          size_t words = 0;
          for (char *q = s; q < p; q++)
            if (*q == ' ' && q + 1 < p && q[1] != ' ') words++;
          if (words >= 5 && words < 60) {
            bench__put(out, s, (size_t)(p - s));
            bench__put(out, "\n", 1);
            n++;
          }
          if (*p == '\0' || *p == '\n') break;
          s = p + 2;
        }
      }
    }
    fclose(f);
  }
  closedir(d);
  return n;
}

/* Made-up sentences: words "w<rank>" with small ranks far more common. */
static size_t bench__synthetic(size_t n, bench__buf *out) {
  char word[32];
  for (size_t i = 0; i < n; i++) {
    size_t len = 6 + bench__rand() % 30;
    for (size_t k = 0; k < len; k++) {
      uint32_t r = bench__rand() % 20000;
      uint32_t rank = r < 10000 ? r % 50 : r < 15000 ? r % 1000 : r;
      int w = snprintf(word, sizeof word, "%sw%u", k ? " " : "", rank);
      bench__put(out, word, (size_t)w);
    }
    bench__put(out, "\n", 1);
  }
  return n;
}

/* An edited copy of sentence s (n bytes) into out, as one outlet re-quotes another. */
static void bench__edit(const char *s, size_t n, bench__buf *out) {
  size_t spaces[128], ns = 0;
  for (size_t i = 0; i < n && ns < 128; i++)
    if (s[i] == ' ') spaces[ns++] = i;
  if (ns < 4) {
    bench__put(out, s, n);
    return;
  }
  size_t at = spaces[bench__rand() % (ns - 2)];
  switch (bench__rand() % 5) {
  case 0: { /* one word replaced */
    size_t end = at + 1;
    while (end < n && s[end] != ' ') end++;
    bench__put(out, s, at + 1);
    bench__put(out, "altered", 7);
    bench__put(out, s + end, n - end);
    break;
  }
  case 1: { /* a stretch elided */
    size_t k = 0, end = at + 1;
    while (end < n && k < 3)
      if (s[end++] == ' ') k++;
    bench__put(out, s, at);
    bench__put(out, " \xe2\x80\xa6 ", 5);
    bench__put(out, s + end, n - end);
    break;
  }
  case 2: /* a word added */
    bench__put(out, s, at);
    bench__put(out, " very", 5);
    bench__put(out, s + at, n - at);
    break;
  case 3: /* upper case */
    for (size_t i = 0; i < n; i++) {
      char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
      bench__put(out, &c, 1);
    }
    break;
  default: /* punctuation */
    bench__put(out, s, at);
    bench__put(out, ";", 1);
    bench__put(out, s + at, n - at);
    bench__put(out, "!", 1);
  }
}

int main(int argc, char **argv) {
  size_t want = 100000;
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) want = strtoul(argv[++i], NULL, 10);
    else dir = argv[i];
  }
  bench__buf sentences = {0}, texts = {0};
  size_t nsent = dir ? bench__sentences(dir, &sentences) : 0;
  const char *source = "PolNeAR train sentences";
  if (!nsent) {
    nsent = bench__synthetic(want, &sentences);
    source = "synthetic sentences";
  }
  /* Index the sentences, then build the quotes: two thirds drawn, one third edited copies. */
  size_t *line = malloc((nsent + 1) * sizeof *line), *qoff = malloc((want + 1) * sizeof *qoff);
  if (!line || !qoff) return 2;
  size_t k = 0;
  line[k++] = 0;
  for (size_t i = 0; i < sentences.len && k <= nsent; i++)
    if (sentences.p[i] == '\n') line[k++] = i + 1;
  for (size_t q = 0; q < want; q++) {
    qoff[q] = texts.len;
    bench__put(&texts, "\xe2\x80\x9c", 3);
    if (q % 3 == 2) {
      size_t from = qoff[bench__rand() % q] + 3, to = from;
      while (texts.p[to] != '\n') to++;
      to -= 3; /* the closing mark */
      char *copy = malloc(to - from);
      if (!copy) return 2;
      memcpy(copy, texts.p + from, to - from);
      bench__edit(copy, to - from, &texts);
      free(copy);
    } else {
      size_t s = bench__rand() % nsent;
      bench__put(&texts, sentences.p + line[s], line[s + 1] - line[s] - 1);
    }
    bench__put(&texts, "\xe2\x80\x9d\n", 4);
  }
  qoff[want] = texts.len;

  char err[256], file[32];
  nm_compare *cmp = nm_compare_new(err, sizeof err);
  if (!cmp) return 2;
  double t0 = bench__now();
  for (size_t q = 0; q < want; q++) {
    snprintf(file, sizeof file, "q%zu", q);
    size_t len = qoff[q + 1] - qoff[q] - 1;
    if (nm_compare_add_quote(cmp, file, texts.p + qoff[q], len, (long)q, 0, len, NULL, 0, 0, 0) != NM_OK) return 2;
  }
  double t1 = bench__now();
  if (nm_compare_run(cmp) != NM_OK) return 2;
  double t2 = bench__now();
  size_t variants = 0;
  for (size_t g = 0; g < nm_compare_group_count(cmp); g++) variants += (size_t)nm_compare_group_variant(cmp, g);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("compare: %zu quotes (%s), %zu groups (%zu variant), add %.2f s, run %.2f s, peak RSS %ld MB\n", want,
         source, nm_compare_group_count(cmp), variants, t1 - t0, t2 - t1, ru.ru_maxrss / 1024);
  nm_compare_delete(cmp);
  free(line);
  free(qoff);
  free(sentences.p);
  free(texts.p);
  return 0;
}
