/*
 * probe.c: one analysis through the C API, for tests/test_hard.sh.
 *
 *   probe [-i plain|markdown|html] [-m MATCH_LIMIT] [-r ID PATTERN]... FILE
 *
 * Adds each -r pattern as a user rule (kind "hard"), analyses FILE and runs
 * every check of tests/fuzz/fuzz.h on the answer (spans inside the text,
 * order, valid one-line JSON whose "length" is the byte count); a failed
 * check aborts with its reason. Then prints
 *   length=N quotes=Q markers=M errors=E
 * and one "error: ..." line per analysis error. Exit status: 0 when the
 * document was analysed, 1 when nm_doc_new refused it (its message on
 * stderr), 2 on usage or rule errors.
 */
#include "../fuzz/fuzz.h"

#include <errno.h>

static char *nm_probe__read(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 20, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    char *bigger = realloc(buf, cap * 2);
    if (!bigger) free(buf);
    buf = bigger;
    cap *= 2;
  }
  if (buf && ferror(f)) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  char err[512];
  nm_engine *engine = nm_engine_new(err, sizeof err);
  if (!engine) {
    fprintf(stderr, "probe: %s\n", err);
    return 2;
  }
  int input = NM_INPUT_PLAIN, i = 1;
  for (; i < argc - 1 && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-i") == 0 && i + 2 < argc) {
      input = nm_input_from_name(argv[++i]);
      if (input < 0) break;
    } else if (strcmp(argv[i], "-m") == 0 && i + 2 < argc) {
      nm_engine_set_limits(engine, (uint32_t)strtoul(argv[++i], NULL, 10), 0);
    } else if (strcmp(argv[i], "-r") == 0 && i + 3 < argc) {
      const char *id = argv[i + 1], *pattern = argv[i + 2];
      i += 2;
      if (nm_engine_add_pattern(engine, id, "hard", pattern, strlen(pattern), NULL, NM_SEVERITY_INFO,
                                NM_INSIDE_ANY, "probe", err, sizeof err) != NM_OK) {
        fprintf(stderr, "probe: %s\n", err);
        nm_engine_delete(engine);
        return 2;
      }
    } else {
      break;
    }
  }
  if (i != argc - 1 || input < 0) {
    fprintf(stderr, "usage: probe [-i plain|markdown|html] [-m MATCH_LIMIT] [-r ID PATTERN]... FILE\n");
    nm_engine_delete(engine);
    return 2;
  }
  size_t len = 0;
  char *text = nm_probe__read(argv[i], &len);
  if (!text) {
    fprintf(stderr, "probe: %s: %s\n", argv[i], strerror(errno));
    nm_engine_delete(engine);
    return 2;
  }
  nm_status status;
  nm_doc *doc = nm_doc_new(engine, text, len, input, &status, err, sizeof err);
  free(text);
  if (!doc) {
    fprintf(stderr, "probe: %s: %s (%s)\n", argv[i], err, nm_status_name(status));
    nm_engine_delete(engine);
    return 1;
  }
  nm_fuzz_check_doc(doc, len);
  nm_fuzz_check_json(doc, argv[i], len);
  printf("length=%zu quotes=%zu markers=%zu errors=%zu\n", nm_doc_length(doc), nm_doc_quote_count(doc),
         nm_doc_marker_count(doc), nm_doc_error_count(doc));
  for (size_t e = 0; e < nm_doc_error_count(doc); e++) printf("error: %s\n", nm_doc_error(doc, e));
  nm_doc_delete(doc);
  nm_engine_delete(engine);
  return 0;
}
