/*
 * abi.c: the engine refuses a grammar whose language ABI this tree-sitter
 * runtime cannot read, with a message naming both. The grammar's own
 * parser.h gives the TSLanguage layout, so a copy can claim another ABI.
 * Prints one line per check: "ok" or what went wrong.
 */
#include "internal.h"
#include "tree_sitter/parser.h"
#include <tree_sitter/api.h>

#include <stdio.h>
#include <string.h>

const TSLanguage *tree_sitter_html(void);

static int abi_check(uint32_t version, nm_status want) {
  char want_msg[256] = "";
  if (want != NM_OK)
    snprintf(want_msg, sizeof want_msg,
             "the html grammar has language ABI %u; this tree-sitter runtime reads ABI %u to %u "
             "(pin a grammar version built for it)",
             version, (unsigned)TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION,
             (unsigned)TREE_SITTER_LANGUAGE_VERSION);
  TSLanguage fake = *tree_sitter_html();
  if (version) fake.version = version;
  char err[512] = "";
  nm_status got = nm__markup_check_abi(&fake, "html", err, sizeof err);
  if (got != want || strcmp(err, want_msg) != 0) {
    printf("ABI %u: status %d, message \"%s\"\n", version, (int)got, err);
    return 1;
  }
  return 0;
}

int main(void) {
  int bad = 0;
  bad += abi_check(0, NM_OK);
  bad += abi_check(TREE_SITTER_LANGUAGE_VERSION + 1, NM_ERR_ABI);
  bad += abi_check(TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION - 1, NM_ERR_ABI);
  if (!bad) puts("ok");
  return bad != 0;
}
