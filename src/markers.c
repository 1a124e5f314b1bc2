/* markers.c: built-in fact-checking markers and user pattern rules. (Placeholder.) */
#include "internal.h"

nm_status nm__find_markers(nm_doc *doc, char *err, size_t errlen) {
  (void)doc; (void)err; (void)errlen;
  return NM_OK;
}

uint32_t nm__classify_line(const nm_doc *doc, uint32_t start, uint32_t end) {
  (void)doc; (void)start; (void)end;
  return 0;
}
