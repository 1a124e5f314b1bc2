/*
 * fuzz_json.c: the JSON writer, fed the strings it trusts least.
 *
 * The input is   FILE '\n' KIND '\n' RULE '\n' MESSAGE '\n' S S E E TEXT
 * TEXT is analysed as plain text; then a marker with the given strings is
 * added over [S, E) (two bytes each, big-endian), as a Lua function rule
 * would, and the document is written as JSON under the name FILE. Control
 * bytes, quotes, backslashes and invalid UTF-8 in any of these must still
 * give one line of valid JSON whose "length" is the text's byte count.
 */
#include "fuzz.h"

static char *nm_fuzz_json__line(const uint8_t **p, const uint8_t *end) {
  const uint8_t *start = *p, *nl = memchr(start, '\n', (size_t)(end - start));
  size_t n = (size_t)((nl ? nl : end) - start);
  *p = nl ? nl + 1 : end;
  char *s = malloc(n + 1);
  NM_FUZZ_REQUIRE(s, "out of memory");
  memcpy(s, start, n);
  s[n] = '\0'; /* a NUL inside cuts the string short, as it would in C */
  return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *p = data, *end = data + size;
  char *file = nm_fuzz_json__line(&p, end);
  char *kind = nm_fuzz_json__line(&p, end);
  char *rule = nm_fuzz_json__line(&p, end);
  char *message = nm_fuzz_json__line(&p, end);
  size_t start = 0, stop = 0;
  if (end - p >= 4) {
    start = (size_t)p[0] << 8 | p[1];
    stop = (size_t)p[2] << 8 | p[3];
    p += 4;
  }
  size_t len = (size_t)(end - p);
  char err[256] = "";
  nm_status status;
  nm_doc *doc = nm_doc_new(nm_fuzz_engine(), (const char *)p, len, NM_INPUT_PLAIN, &status, err, sizeof err);
  if (doc) {
    size_t before = nm_doc_marker_count(doc);
    nm_status st = nm_doc_add_marker(doc, kind, rule, start, stop, message, (int)(start & 1u));
    if (start <= stop && stop <= len && kind[0] && rule[0])
      NM_FUZZ_REQUIRE(st == NM_OK, "add marker [%zu, %zu) to %zu bytes: status %s", start, stop, len,
                      nm_status_name(st));
    if (start > stop || stop > len)
      NM_FUZZ_REQUIRE(st == NM_ERR_ARGUMENT, "marker [%zu, %zu) outside %zu bytes was accepted", start, stop, len);
    NM_FUZZ_REQUIRE(nm_doc_marker_count(doc) == before + (st == NM_OK), "marker count %zu after adding to %zu",
                    nm_doc_marker_count(doc), before);
    nm_fuzz_check_doc(doc, len);
    nm_fuzz_check_json(doc, file[0] ? file : NULL, len);
    nm_doc_delete(doc);
  } else {
    NM_FUZZ_REQUIRE(status != NM_OK && err[0], "nm_doc_new failed with status %s and message '%s'",
                    nm_status_name(status), err);
  }
  free(file);
  free(kind);
  free(rule);
  free(message);
  return 0;
}
