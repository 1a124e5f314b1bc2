/*
 * compare_render.h: `annotate --compare FILE...` (src/compare_render.c),
 * linked into annotate only; the library side is nm_compare_* in newsmark.h.
 */
#ifndef NM_COMPARE_RENDER_H
#define NM_COMPARE_RENDER_H

#include "newsmark.h"

#include <stdbool.h>
#include <stdio.h>

/* What nm_compare_render writes. */
enum nm_compare_render_format { NM_COMPARE_ANSI = 0, NM_COMPARE_JSON, NM_COMPARE_JSONL };

/*
 * Analyse each path ("-" or NULL is stdin) with engine, compare the quotes
 * of all of them, and write the groups that differ to out: the ANSI view
 * (colour or brackets), or each document's JSON with `variant` markers and
 * a "variants" field (README "Comparing outlets"). input is an nm_input, or
 * -1 for "from each file's extension". A file that cannot be read or
 * analysed is reported on errs as "annotate: FILE: reason" and left out.
 * Returns 0, or 2 when some input was left out, or -1 when writing to out
 * failed (errno says why: EPIPE when the reader went away).
 */
int nm_compare_render(FILE *out, FILE *errs, nm_engine *engine, const char *const *paths, size_t npaths, int format,
                      bool color, int input);

#endif
