/*
 * fuzz_plain.c: analyse any bytes as plain text; see fuzz.h for what is
 * checked. Also a property: a CR is a line end as an LF is, and both are
 * one byte, so a text without CRs and the same text with every LF turned
 * into a CR must give the very same quotes and markers at the same offsets.
 */
#include "fuzz.h"

static bool nm_fuzz_plain__same(const nm_doc *a, const nm_doc *b, char *why, size_t whylen) {
  if (nm_doc_quote_count(a) != nm_doc_quote_count(b)) {
    snprintf(why, whylen, "%zu quotes with LF, %zu with CR", nm_doc_quote_count(a), nm_doc_quote_count(b));
    return false;
  }
  for (size_t i = 0; i < nm_doc_quote_count(a); i++) {
    if (nm_doc_quote_kind(a, i) != nm_doc_quote_kind(b, i)) {
      snprintf(why, whylen, "quote %zu: kind %s with LF, %s with CR", i, nm_quote_kind_name(nm_doc_quote_kind(a, i)),
               nm_quote_kind_name(nm_doc_quote_kind(b, i)));
      return false;
    }
    for (int part = NM_PART_QUOTE; part <= NM_PART_VIA; part++) {
      size_t as = 0, ae = 0, bs = 0, be = 0;
      int ha = nm_doc_quote_part(a, i, part, &as, &ae), hb = nm_doc_quote_part(b, i, part, &bs, &be);
      if (ha != hb || as != bs || ae != be) {
        snprintf(why, whylen, "quote %zu part %d: [%zu, %zu) with LF, [%zu, %zu) with CR", i, part, as, ae, bs, be);
        return false;
      }
    }
  }
  if (nm_doc_marker_count(a) != nm_doc_marker_count(b)) {
    snprintf(why, whylen, "%zu markers with LF, %zu with CR", nm_doc_marker_count(a), nm_doc_marker_count(b));
    return false;
  }
  for (size_t i = 0; i < nm_doc_marker_count(a); i++) {
    size_t as, ae, bs, be;
    nm_doc_marker_span(a, i, &as, &ae);
    nm_doc_marker_span(b, i, &bs, &be);
    if (as != bs || ae != be || strcmp(nm_doc_marker_rule(a, i), nm_doc_marker_rule(b, i)) != 0) {
      snprintf(why, whylen, "marker %zu: %s [%zu, %zu) with LF, %s [%zu, %zu) with CR", i, nm_doc_marker_rule(a, i),
               as, ae, nm_doc_marker_rule(b, i), bs, be);
      return false;
    }
  }
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nm_engine *engine = nm_fuzz_engine();
  nm_fuzz_analyse(engine, data, size, NM_INPUT_PLAIN);
  if (!memchr(data, '\n', size) || memchr(data, '\r', size)) return 0;
  char *cr = malloc(size);
  NM_FUZZ_REQUIRE(cr, "out of memory");
  for (size_t i = 0; i < size; i++) cr[i] = data[i] == '\n' ? '\r' : (char)data[i];
  char err[256];
  nm_doc *a = nm_doc_new(engine, (const char *)data, size, NM_INPUT_PLAIN, NULL, err, sizeof err);
  nm_doc *b = nm_doc_new(engine, cr, size, NM_INPUT_PLAIN, NULL, err, sizeof err);
  if (a && b) {
    char why[256];
    NM_FUZZ_REQUIRE(nm_fuzz_plain__same(a, b, why, sizeof why), "LF and CR line ends differ: %s", why);
  }
  nm_doc_delete(a);
  nm_doc_delete(b);
  free(cr);
  return 0;
}
