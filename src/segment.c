/* segment.c: (in progress) */
#include "internal.h"

nm_status nm__segment(nm_doc *doc, char *err, size_t errlen) {
  (void)doc; (void)err; (void)errlen;
  return NM_OK;
}

uint32_t nm__decode(const nm_doc *doc, uint32_t pos, uint32_t *len) {
  *len = 1;
  return (unsigned char)doc->text[pos];
}
