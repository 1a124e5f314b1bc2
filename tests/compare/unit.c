/*
 * tests/compare/unit.c: the comparison's rules on hand-made quotes, one
 * `ok - NAME` / `not ok - NAME: why` line per case (tests/test_compare.sh).
 * Each case builds a comparison from a few (text, quote, speaker) triples
 * and asserts the exact groups and differences.
 */
#include "newsmark.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit__failures;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void unit__check(int cond, const char *name, const char *why, ...) {
  if (cond) {
    printf("ok - %s\n", name);
    return;
  }
  va_list ap;
  va_start(ap, why);
  printf("not ok - %s: ", name);
  vprintf(why, ap);
  printf("\n");
  va_end(ap);
  unit__failures++;
}

typedef struct unit__quote {
  const char *file, *text, *quote, *speaker;
  int anonymous;
} unit__quote;

/* Build and run a comparison; the quote is found in its text by its words. */
static nm_compare *unit__run(const unit__quote *qs, size_t n) {
  char err[128];
  nm_compare *cmp = nm_compare_new(err, sizeof err);
  if (!cmp) return NULL;
  for (size_t i = 0; i < n; i++) {
    const char *at = strstr(qs[i].text, qs[i].quote);
    if (!at) {
      fprintf(stderr, "unit: quote not in its text: %s\n", qs[i].quote);
      exit(2);
    }
    size_t s = (size_t)(at - qs[i].text), e = s + strlen(qs[i].quote);
    const char *sp = qs[i].speaker ? strstr(qs[i].text, qs[i].speaker) : NULL;
    size_t ss = sp ? (size_t)(sp - qs[i].text) : 0, se = sp ? ss + strlen(qs[i].speaker) : ss;
    if (nm_compare_add_quote(cmp, qs[i].file, qs[i].text, strlen(qs[i].text), (long)i, s, e, qs[i].speaker,
                             qs[i].anonymous, ss, se) != NM_OK) {
      fprintf(stderr, "unit: add failed\n");
      exit(2);
    }
  }
  if (nm_compare_run(cmp) != NM_OK) {
    fprintf(stderr, "unit: run failed\n");
    exit(2);
  }
  return cmp;
}

/* "kind A-TEXT|B-TEXT;..." for group g, texts cut from the quotes given. */
static void unit__diffs(const nm_compare *cmp, const unit__quote *qs, size_t g, char *out, size_t cap) {
  size_t o = 0;
  out[0] = '\0';
  for (size_t k = 0; k < nm_compare_group_diff_count(cmp, g); k++) {
    size_t a, as, ae, b, bs, be;
    int kind = nm_compare_group_diff(cmp, g, k, &a, &as, &ae, &b, &bs, &be);
    const char *ta = qs[nm_compare_quote_id(cmp, a)].text, *tb = qs[nm_compare_quote_id(cmp, b)].text;
    int w = snprintf(out + o, cap - o, "%s%s %.*s|%.*s", k ? ";" : "", nm_diff_kind_name(kind), (int)(ae - as),
                     ta + as, (int)(be - bs), tb + bs);
    if (w < 0 || (size_t)w >= cap - o) return;
    o += (size_t)w;
  }
}

/* One group of all the quotes given (each difference from the longer, parent quote to the other), variant or not, with these differences. */
static void unit__expect_group(const char *name, const unit__quote *qs, size_t n, int variant, const char *diffs) {
  nm_compare *cmp = unit__run(qs, n);
  char got[1024];
  size_t groups = nm_compare_group_count(cmp);
  if (groups != 1) {
    unit__check(0, name, "expected 1 group, got %zu", groups);
  } else if (nm_compare_group_size(cmp, 0) != n) {
    unit__check(0, name, "expected %zu members, got %zu", n, nm_compare_group_size(cmp, 0));
  } else {
    unit__diffs(cmp, qs, 0, got, sizeof got);
    unit__check(nm_compare_group_variant(cmp, 0) == variant && !strcmp(got, diffs), name,
                "expected variant=%d [%s], got variant=%d [%s]", variant, diffs, nm_compare_group_variant(cmp, 0),
                got);
  }
  nm_compare_delete(cmp);
}

static void unit__expect_none(const char *name, const unit__quote *qs, size_t n) {
  nm_compare *cmp = unit__run(qs, n);
  size_t groups = nm_compare_group_count(cmp);
  unit__check(groups == 0, name, "expected no group, got %zu (first of %zu members)", groups,
              groups ? nm_compare_group_size(cmp, 0) : 0);
  nm_compare_delete(cmp);
}

#define N(a) (sizeof(a) / sizeof *(a))

int main(void) {
  static const unit__quote punct[] = {
      {"a.txt", "“We will never give up, not now, not ever,” she said.", "“We will never give up, not now, not ever,”", "Maria Lopez", 0},
      {"b.txt", "She said: \"We will never give up; not now -- not ever!\"", "\"We will never give up; not now -- not ever!\"", "Maria Lopez", 0}};
  unit__expect_group("punctuation-only difference: grouped, not a variant", punct, N(punct), 0, "");

  static const unit__quote caseq[] = {
      {"a.txt", "Tom Reed wrote: “THE BORDER WILL STAY CLOSED UNTIL MARCH.”", "“THE BORDER WILL STAY CLOSED UNTIL MARCH.”", "Tom Reed", 0},
      {"b.txt", "“The border will stay closed until March,” Reed wrote.", "“The border will stay closed until March,”", "Reed", 0}};
  unit__expect_group("case difference: not a variant", caseq, N(caseq), 0, "");

  static const unit__quote marks[] = {
      {"a.txt", "“The country’s future isn’t for sale,” he said.", "“The country’s future isn’t for sale,”", "Tom Reed", 0},
      {"b.txt", "\"The country's future isn't for sale,\" he said.", "\"The country's future isn't for sale,\"", "Tom Reed", 0}};
  unit__expect_group("curly against straight marks and apostrophes: not a variant", marks, N(marks), 0, "");

  static const unit__quote one_word[] = {
      {"a.txt", "“The economy grew faster than at any time in the past decade,” the minister said.",
       "The economy grew faster than at any time in the past decade", "the minister", 0},
      {"b.txt", "The minister said “the economy grew faster than at any point in the past decade.”",
       "the economy grew faster than at any point in the past decade", "The minister", 0}};
  unit__expect_group("one-word change in a long quote: a substitution", one_word, N(one_word), 1,
                     "substitution time|point");

  static const unit__quote scare[] = {
      {"a.txt", "Smith called the plan “madness” on Monday.", "“madness”", "Smith", 0},
      {"b.txt", "Jones called the vote “madness” in a speech.", "“madness”", "Jones", 0}};
  unit__expect_none("two short scare quotes of the same word by different speakers: no group", scare, N(scare));

  static const unit__quote three[] = {
      {"a.txt", "Smith said it was “a total disaster” for farmers.", "“a total disaster”", "Smith", 0},
      {"b.txt", "Jones said the film was “a total disaster” at the box office.", "“a total disaster”", "Jones", 0}};
  unit__expect_none("three-word quotes: never grouped", three, N(three));

  static const unit__quote four_apart[] = {
      {"a.txt", "Smith called the tax rise “a threat to democracy” during the debate.", "“a threat to democracy”", "Smith", 0},
      {"b.txt", "Jones said the court ruling was “a threat to democracy” as he left.", "“a threat to democracy”", "Jones", 0}};
  unit__expect_none("same four words, different named speakers and contexts: no group", four_apart, N(four_apart));

  static const unit__quote four_same[] = {
      {"a.txt", "An official spoke of a “stupid attempt to justify” the shipment of heavy weapons to the region.",
       "“stupid attempt to justify”", "An official", 1},
      {"b.txt", "A spokesman spoke of a “foolish attempt to justify” the shipment of heavy weapons to the region.",
       "“foolish attempt to justify”", "A spokesman", 1}};
  unit__expect_group("four-word translations with shared context: a substitution", four_same, N(four_same), 1,
                     "substitution stupid|foolish");

  static const unit__quote spelling[] = {
      {"a.txt", "“It shows its true colours as a defender of the old order,” she said.",
       "“It shows its true colours as a defender of the old order,”", "she", 0},
      {"b.txt", "“It shows its true colors as a defender of the old order,” she said.",
       "“It shows its true colors as a defender of the old order,”", "she", 0}};
  unit__expect_group("colours against colors: a spelling variant", spelling, N(spelling), 1, "spelling colours|colors");

  static const unit__quote omission[] = {
      {"a.txt", "“We will rebuild the bridge … and open it to traffic next spring,” the mayor said.",
       "“We will rebuild the bridge … and open it to traffic next spring,”", NULL, 0},
      {"b.txt", "“We will rebuild the bridge with money from the state and open it to traffic next spring,” the mayor said.",
       "“We will rebuild the bridge with money from the state and open it to traffic next spring,”", NULL, 0}};
  unit__expect_group("an ellipsis where the other quotes in full: an omission", omission, N(omission), 1,
                     "omission with money from the state|…");

  static const unit__quote addition[] = {
      {"a.txt", "“The talks will resume in Geneva after the summer holidays,” Ana Ruiz said.",
       "“The talks will resume in Geneva after the summer holidays,”", "Ana Ruiz", 0},
      {"b.txt", "“The talks will certainly resume in Geneva after the summer holidays,” Ruiz said.",
       "“The talks will certainly resume in Geneva after the summer holidays,”", "Ruiz", 0}};
  unit__expect_group("a word more without an ellipsis: an addition", addition, N(addition), 1, "addition certainly|");

  static const unit__quote speaker[] = {
      {"a.txt", "“We have secured the funding for every public school in the state this year,” Joe Biden said.",
       "“We have secured the funding for every public school in the state this year,”", "Joe Biden", 0},
      {"b.txt", "“We have secured the funding for every public school in the state this year,” Kamala Harris said.",
       "“We have secured the funding for every public school in the state this year,”", "Kamala Harris", 0}};
  unit__expect_group("the same words from different named speakers: a speaker difference", speaker, N(speaker), 1,
                     "speaker Joe Biden|Kamala Harris");

  static const unit__quote surname[] = {
      {"a.txt", "“We have secured the funding for every school in the state,” Joe Biden said.",
       "“We have secured the funding for every school in the state,”", "Joe Biden", 0},
      {"b.txt", "“We have secured the funding for every school in the state,” Biden said.",
       "“We have secured the funding for every school in the state,”", "Biden", 0}};
  unit__expect_group("a surname and the full name are one speaker", surname, N(surname), 0, "");

  static const unit__quote different[] = {
      {"a.txt", "“The United States will not accept any attack on its allies in the region,” he said.",
       "“The United States will not accept any attack on its allies in the region,”", NULL, 0},
      {"b.txt", "“The United States will send more troops to the region by the end of the year,” she said.",
       "“The United States will send more troops to the region by the end of the year,”", NULL, 0}};
  unit__expect_none("quotes that share a few words but say different things: no group", different, N(different));

  static const unit__quote excerpt[] = {
      {"a.txt", "“We are ready to talk at any time and in any place without preconditions,” Ana Ruiz said.",
       "“We are ready to talk at any time and in any place without preconditions,”", "Ana Ruiz", 0},
      {"b.txt", "Ruiz said they were “ready to talk at any time” with the rebels.", "“ready to talk at any time”", "Ruiz", 0}};
  unit__expect_group("a shorter excerpt of the same words by the same speaker: grouped, not a variant", excerpt, N(excerpt), 0, "");

  static const unit__quote pronouns[] = {
      {"a.txt", "“We have secured the funding for every public school in the state this year,” he said.",
       "“We have secured the funding for every public school in the state this year,”", "he", 0},
      {"b.txt", "“We have secured the funding for every public school in the state this year,” she said.",
       "“We have secured the funding for every public school in the state this year,”", "she", 0}};
  unit__expect_group("speakers known only as he and she are not different speakers", pronouns, N(pronouns), 0, "");

  /* Quotes longer than the alignment bound (2048 words) still group by their starts. */
  size_t words = 5000, cap = words * 12 + 64;
  char *long_a = malloc(cap), *long_b = malloc(cap);
  if (!long_a || !long_b) return 2;
  size_t la = 0, lb = 0;
  la += (size_t)snprintf(long_a + la, cap - la, "\"");
  lb += (size_t)snprintf(long_b + lb, cap - lb, "\"");
  for (size_t i = 0; i < words; i++) {
    la += (size_t)snprintf(long_a + la, cap - la, "%sw%zu", i ? " " : "", i % 997);
    lb += (size_t)snprintf(long_b + lb, cap - lb, "%s%s", i ? " " : "", i == 40 ? "changed" : "");
    if (i != 40) lb += (size_t)snprintf(long_b + lb, cap - lb, "w%zu", i % 997);
  }
  snprintf(long_a + la, cap - la, "\"");
  snprintf(long_b + lb, cap - lb, "\"");
  const unit__quote longq[] = {{"a.txt", long_a, long_a, NULL, 0}, {"b.txt", long_b, long_b, NULL, 0}};
  unit__expect_group("a 5000-word quote with one word changed: grouped by its aligned start", longq, N(longq), 1,
                     "substitution w40|changed");
  free(long_a);
  free(long_b);

  static const unit__quote generic[] = {
      {"a.txt", "“We always run a lean campaign and will continue to do so,” spokeswoman Haley Morris said.",
       "“We always run a lean campaign and will continue to do so,”", "Haley Morris", 0},
      {"b.txt", "“And I will continue to do so,” Hillary Clinton said.", "“And I will continue to do so,”",
       "Hillary Clinton", 0}};
  unit__expect_none("a few common words inside another speaker's longer quote: no group", generic, N(generic));

  static const unit__quote unnamed_excerpt[] = {
      {"a.txt", "“I can say with confidence there has never been a man or a woman more qualified to serve as President of the United States of America,” he said.",
       "“I can say with confidence there has never been a man or a woman more qualified to serve as President of the United States of America,”", "he", 0},
      {"b.txt", "Carson: ‘Not Fit To Serve As President Of The United States.’", "‘Not Fit To Serve As President Of The United States.’", "Carson", 0}};
  unit__expect_none("a short phrase inside a longer quote with no name to match: no group", unnamed_excerpt,
                    N(unnamed_excerpt));

  static const unit__quote accents[] = {
      {"a.txt", "“We are not going to pay a single cent for such a wall,” Calderon said.",
       "“We are not going to pay a single cent for such a wall,”", "Calderon", 0},
      {"b.txt", "“We are not going to pay a single cent for such a wall,” Calderón said.",
       "“We are not going to pay a single cent for such a wall,”", "Felipe Calderón", 0}};
  unit__expect_group("Calderon and Felipe Calderón are one speaker", accents, N(accents), 0, "");

  static const unit__quote roles[] = {
      {"a.txt", "“There is a special place in hell for women who do not help each other,” the former secretary said.",
       "“There is a special place in hell for women who do not help each other,”", "the former secretary", 0},
      {"b.txt", "“There is a special place in hell for women who do not help each other,” Madeleine Albright said.",
       "“There is a special place in hell for women who do not help each other,”", "Madeleine Albright", 0}};
  unit__expect_group("a role (the former secretary) is no name to contradict Madeleine Albright", roles, N(roles), 0, "");

  static const unit__quote side_by_side[] = {
      {"a.txt", "Some people said “This has nothing to do with Islam” while others said “This has everything to do with Islam.”",
       "“This has nothing to do with Islam”", NULL, 0},
      {"a.txt", "Some people said “This has nothing to do with Islam” while others said “This has everything to do with Islam.”",
       "“This has everything to do with Islam.”", NULL, 0}};
  unit__expect_none("two short quotes side by side are not each other's context: no group", side_by_side,
                    N(side_by_side));

  static const unit__quote unnamed_medium[] = {
      {"a.txt", "Annamaria Schifano remembered: “There was a lot of combustion.”", "“There was a lot of combustion.”", "Annamaria Schifano", 0},
      {"b.txt", "“There was a lot of activism on campus,” she said of the year.", "“There was a lot of activism on campus,”", "she", 0}};
  unit__expect_none("a medium quote with no name to match and nothing around it in common: no group", unnamed_medium,
                    N(unnamed_medium));

  /* Misuse and bad input: clear statuses, nothing lost. */
  char err[128];
  nm_compare *cmp = nm_compare_new(err, sizeof err);
  const char *t = "short text";
  int bad = nm_compare_add_quote(cmp, "x", t, strlen(t), 0, 3, 99, NULL, 0, 0, 0) == NM_ERR_ARGUMENT;
  bad &= nm_compare_add_quote(cmp, "x", t, strlen(t), 0, 5, 3, NULL, 0, 0, 0) == NM_ERR_ARGUMENT;
  bad &= nm_compare_run(cmp) == NM_OK && nm_compare_run(cmp) == NM_ERR_ARGUMENT;
  bad &= nm_compare_add_quote(cmp, "x", t, strlen(t), 0, 0, 5, NULL, 0, 0, 0) == NM_ERR_ARGUMENT;
  bad &= nm_compare_group_count(cmp) == 0 && nm_compare_group_diff(cmp, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL) == -1;
  bad &= nm_compare_quote_group(cmp, 7) == -1 && nm_diff_kind_name(99) == NULL;
  nm_compare_delete(cmp);
  nm_compare_delete(NULL);
  unit__check(bad, "bad spans, a second run and out-of-range accessors give clear statuses", "%s", "a status was wrong");

  static const char invalid_named[] = "Ana Ruiz: \xff\xfe “We will \xc3 rebuild the \x80 bridge and open it next spring,” \xe2\x80";
  static const unit__quote broken_named[] = {
      {"a.txt", invalid_named, "“We will \xc3 rebuild the \x80 bridge and open it next spring,”", "Ana Ruiz", 0},
      {"b.txt", "“We will rebuild the bridge and open it next spring,” Ruiz said.",
       "“We will rebuild the bridge and open it next spring,”", "Ruiz", 0}};
  unit__expect_group("invalid UTF-8 inside a quote is not a word", broken_named, N(broken_named), 0, "");
  return unit__failures ? 1 : 0;
}
