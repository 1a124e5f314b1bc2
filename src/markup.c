/* markup.c: which bytes of Markdown and HTML input are prose. (Placeholder
   until the tree-sitter stage lands: plain text only.) */
#include "internal.h"

nm_status nm__markup_scan(nm_doc *doc, char *err, size_t errlen) {
  if (doc->input == NM_INPUT_PLAIN) return NM_OK;
  nm__errorf(err, errlen, "%s input is not supported yet", doc->input == NM_INPUT_HTML ? "HTML" : "Markdown");
  return NM_ERR_MARKUP;
}
