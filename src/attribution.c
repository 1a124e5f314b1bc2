/* attribution.c: (in progress) */
#include "internal.h"

nm_status nm__attribute(nm_doc *doc, char *err, size_t errlen) {
  (void)doc; (void)err; (void)errlen;
  return NM_OK;
}
