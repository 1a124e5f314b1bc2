/* annotate_html.c: annotate --format=html (in progress). */
#include "internal.h"

int nm_render_html(FILE *out, const nm_doc *doc, const char *file) {
  (void)doc; (void)file;
  return fputs("<!DOCTYPE html>\n", out) < 0 ? -1 : 0;
}
