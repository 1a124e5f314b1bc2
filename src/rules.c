/* rules.c: compiles built-in and user pattern rules. (Placeholder.) */
#include "internal.h"

nm_status nm__rules_builtin(nm_engine *engine, char *err, size_t errlen) {
  (void)engine; (void)err; (void)errlen;
  return NM_OK;
}
nm_status nm__rules_compile(nm_engine *engine, char *err, size_t errlen) {
  (void)engine; (void)err; (void)errlen;
  return NM_OK;
}
void nm__rules_free(nm_engine *engine) { (void)engine; }

nm_status nm_engine_add_pattern(nm_engine *self, const char *id, const char *kind, const char *pattern,
                                size_t pattern_len, const char *message, int severity, int inside,
                                const char *origin, char *err, size_t errlen) {
  (void)self; (void)id; (void)kind; (void)pattern; (void)pattern_len; (void)message; (void)severity;
  (void)inside; (void)origin;
  nm__errorf(err, errlen, "pattern rules are not supported yet");
  return NM_ERR_RULE;
}
nm_status nm_engine_add_words(nm_engine *self, const char *id, const char *kind, const char *const *words,
                              size_t nwords, const char *message, int severity, int inside,
                              const char *origin, char *err, size_t errlen) {
  (void)self; (void)id; (void)kind; (void)words; (void)nwords; (void)message; (void)severity;
  (void)inside; (void)origin;
  nm__errorf(err, errlen, "word rules are not supported yet");
  return NM_ERR_RULE;
}
nm_status nm_engine_only_kind(nm_engine *self, const char *kind) { (void)self; (void)kind; return NM_OK; }
nm_status nm_engine_disable_rule(nm_engine *self, const char *id) { (void)self; (void)id; return NM_ERR_ARGUMENT; }
nm_status nm_engine_set_limits(nm_engine *self, uint32_t m, uint32_t d) {
  if (!self) return NM_ERR_ARGUMENT;
  if (m) self->match_limit = m;
  if (d) self->depth_limit = d;
  return NM_OK;
}
size_t nm_engine_rule_count(const nm_engine *self) { (void)self; return 0; }
const char *nm_engine_rule_id(const nm_engine *self, size_t i) { (void)self; (void)i; return NULL; }
const char *nm_engine_rule_kind(const nm_engine *self, size_t i) { (void)self; (void)i; return NULL; }
const char *nm_engine_rule_origin(const nm_engine *self, size_t i) { (void)self; (void)i; return NULL; }
int nm_engine_rule_enabled(const nm_engine *self, size_t i) { (void)self; (void)i; return 0; }
