/*
 * replay.c: run a fuzz target over saved inputs without libFuzzer.
 *
 *   replay FILE|DIR...
 *
 * Linked with one fuzz_*.c, it feeds each file (each file of a directory,
 * in name order) to LLVMFuzzerTestOneInput once, in a child process, so
 * one failing input does not hide the next. That is how the regressions in
 * tests/fuzz/regressions/ and the seeds stay tested by tests/test_hard.sh
 * with any compiler, with or without sanitizers. A failing check prints
 * its reason; a "replay: FAILED" line names the input. Exit status 1 when
 * any input failed.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int nm_replay__count, nm_replay__failed;

static int nm_replay__file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return 1;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (!buf) {
      fprintf(stderr, "replay: %s: out of memory\n", path);
      fclose(f);
      return 1;
    }
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    uint8_t *bigger = realloc(buf, cap * 2);
    if (!bigger) free(buf);
    buf = bigger;
    cap *= 2;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    fprintf(stderr, "replay: %s: read error\n", path);
    free(buf);
    return 1;
  }
  fflush(NULL);
  pid_t child = fork();
  if (child == 0) {
    LLVMFuzzerTestOneInput(buf, n);
    _exit(0);
  }
  int status = 0;
  bool ok = child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  free(buf);
  nm_replay__count++;
  if (!ok) {
    nm_replay__failed++;
    fprintf(stderr, "replay: FAILED %s (%zu bytes)\n", path, n);
  }
  return 0;
}

static int nm_replay__name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int nm_replay__path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    perror(path);
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) return nm_replay__file(path);
  DIR *dir = opendir(path);
  if (!dir) {
    perror(path);
    return 1;
  }
  char **names = NULL;
  size_t count = 0, cap = 0;
  int rc = 0;
  for (struct dirent *e; (e = readdir(dir));) {
    if (e->d_name[0] == '.') continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 64;
      char **more = realloc(names, cap * sizeof *names);
      if (!more) {
        rc = 1;
        break;
      }
      names = more;
    }
    size_t len = strlen(path) + strlen(e->d_name) + 2;
    if (!(names[count] = malloc(len))) {
      rc = 1;
      break;
    }
    snprintf(names[count++], len, "%s/%s", path, e->d_name);
  }
  closedir(dir);
  if (rc) fprintf(stderr, "replay: %s: out of memory\n", path);
  if (count) qsort(names, count, sizeof *names, nm_replay__name_cmp);
  for (size_t i = 0; i < count; i++) {
    if (!rc) rc = nm_replay__path(names[i]);
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  int rc = 0;
  for (int i = 1; i < argc && !rc; i++) rc = nm_replay__path(argv[i]);
  fprintf(stderr, "replay: %d inputs, %d failed\n", nm_replay__count, nm_replay__failed);
  return rc || nm_replay__failed ? 1 : 0;
}
