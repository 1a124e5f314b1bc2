/*
 * check.h: the little harness the marker tests share. Each case prints
 * "ok - NAME" or "not ok - NAME: WHY"; main returns non-zero when any failed.
 */
#ifndef NM_TEST_CHECK_H
#define NM_TEST_CHECK_H

#include "newsmark.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

static void check_ok(const char *name) { printf("ok - %s\n", name); }

static void check_fail(const char *name, const char *fmt, ...) {
  va_list ap;
  printf("not ok - %s: ", name);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  check_failures++;
}

static void check(const char *name, int cond, const char *why) {
  if (cond) check_ok(name);
  else check_fail(name, "%s", why);
}

/* Analyse text with engine e (plain text); exits the test on failure. */
static nm_doc *check_doc(nm_engine *e, const char *text) {
  char err[256] = "";
  nm_status st;
  nm_doc *d = nm_doc_new(e, text, strlen(text), NM_INPUT_PLAIN, &st, err, sizeof err);
  if (!d) {
    printf("not ok - analyse: %s (%s)\n", err, nm_status_name(st));
    exit(1);
  }
  return d;
}

/* The markers of a doc as one line, for messages. */
static const char *check_markers(const nm_doc *d) {
  static char buf[4096];
  size_t o = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < nm_doc_marker_count(d) && o + 200 < sizeof buf; i++) {
    size_t s, e;
    nm_doc_marker_span(d, i, &s, &e);
    o += (size_t)snprintf(buf + o, sizeof buf - o, "%s[%.*s] ", nm_doc_marker_rule(d, i), (int)(e - s),
                          nm_doc_text(d) + s);
  }
  return o ? buf : "(no markers)";
}

/* The index of a marker of rule `rule` exactly over `span` (the nth occurrence, from 1), or -1. */
static long check_find(const nm_doc *d, const char *rule, const char *span, int nth) {
  const char *text = nm_doc_text(d), *at = text;
  for (int k = 0; k < nth; k++) {
    at = strstr(k ? at + 1 : at, span);
    if (!at) return -2;
  }
  size_t want_s = (size_t)(at - text), want_e = want_s + strlen(span);
  for (size_t i = 0; i < nm_doc_marker_count(d); i++) {
    size_t s, e;
    nm_doc_marker_span(d, i, &s, &e);
    if (s == want_s && e == want_e && strcmp(nm_doc_marker_rule(d, i), rule) == 0) return (long)i;
  }
  return -1;
}

/* Does any marker of kind `kind` overlap `span` (first occurrence)? */
static int check_kind_over(const nm_doc *d, const char *kind, const char *span) {
  const char *text = nm_doc_text(d), *at = strstr(text, span);
  if (!at) return 0;
  size_t s0 = (size_t)(at - text), e0 = s0 + strlen(span);
  for (size_t i = 0; i < nm_doc_marker_count(d); i++) {
    size_t s, e;
    nm_doc_marker_span(d, i, &s, &e);
    if (s < e0 && s0 < e && strcmp(nm_doc_marker_kind(d, i), kind) == 0) return 1;
  }
  return 0;
}

/* A case: `rule` must mark exactly `span` in `text`. */
static void expect_marker(nm_engine *e, const char *name, const char *text, const char *rule, const char *span) {
  nm_doc *d = check_doc(e, text);
  long i = check_find(d, rule, span, 1);
  if (i >= 0) check_ok(name);
  else if (i == -2) check_fail(name, "the test's span [%s] is not in its text", span);
  else check_fail(name, "want %s[%s], got %s", rule, span, check_markers(d));
  nm_doc_delete(d);
}

/* A case: no marker of kind `kind` may overlap `span` in `text`. */
static void expect_none(nm_engine *e, const char *name, const char *text, const char *kind, const char *span) {
  nm_doc *d = check_doc(e, text);
  if (!strstr(text, span)) check_fail(name, "the test's span [%s] is not in its text", span);
  else if (check_kind_over(d, kind, span)) check_fail(name, "no %s wanted over [%s], got %s", kind, span, check_markers(d));
  else check_ok(name);
  nm_doc_delete(d);
}

#endif
