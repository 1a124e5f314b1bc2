/*
 * lua_newsmark.c: newsmark.core, the Lua 5.4 C module over libnewsmark.
 *
 * It is deliberately thin: engine and document handles, and one function
 * that turns an analysed document into plain Lua tables. The rule-file
 * logic, function rules and the public API live in the Lua modules of
 * lua/newsmark/, shared with the LuaJIT FFI backend (lua/newsmark/ffi.lua).
 *
 * Offsets: the C library speaks 0-based, end-exclusive byte offsets
 * [start, end). Lua speaks 1-based inclusive spans {first, last}, so that
 * text:sub(first, last) is the span. This file converts, in both
 * directions, and is the only place on the Lua 5.4 side that does:
 *   first = start + 1, last = end;   start = first - 1, end = last.
 * An empty span has last = first - 1.
 * Quote and entity ids are their 1-based positions in doc.quotes and
 * doc.entities.
 */
#include "lua_newsmark.h"

#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#if defined(__GNUC__)
#define NM_LUA_EXPORT __attribute__((visibility("default")))
#else
#define NM_LUA_EXPORT
#endif

#define NM_LUA_ENGINE "newsmark.engine"
#define NM_LUA_DOC "newsmark.doc"

/* A handle owns its object unless a host lent it (see lua_newsmark.h). */
typedef struct nm_lua__engine {
  nm_engine *engine;
  int owned;
} nm_lua__engine;

typedef struct nm_lua__doc {
  nm_doc *doc;
  int owned;
} nm_lua__doc;

/* ---- private ------------------------------------------------------------ */

static nm_engine *nm_lua__engine_check(lua_State *L, int idx) {
  nm_lua__engine *h = luaL_checkudata(L, idx, NM_LUA_ENGINE);
  if (!h->engine) luaL_error(L, "newsmark: the engine is closed");
  return h->engine;
}

/*
 * A document's markers may point at strings its engine owns, so a doc
 * created here keeps its engine userdata as its user value, and refuses to
 * be read once that engine was closed.
 */
static nm_doc *nm_lua__doc_check(lua_State *L, int idx) {
  nm_lua__doc *h = luaL_checkudata(L, idx, NM_LUA_DOC);
  if (!h->doc) luaL_error(L, "newsmark: the document is closed");
  if (lua_getiuservalue(L, idx, 1) == LUA_TUSERDATA) {
    nm_lua__engine *e = lua_touserdata(L, -1);
    if (!e->engine) luaL_error(L, "newsmark: the document's engine is closed");
  }
  lua_pop(L, 1);
  return h->doc;
}

static void nm_lua__set_int(lua_State *L, const char *key, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, key);
}

static void nm_lua__set_str(lua_State *L, const char *key, const char *s) {
  if (!s) return; /* an absent string stays nil */
  lua_pushstring(L, s);
  lua_setfield(L, -2, key);
}

/* Push {first, last, text} for the 0-based span [start, end). */
static void nm_lua__push_span(lua_State *L, const char *text, size_t start, size_t end, int extra) {
  lua_createtable(L, 0, 3 + extra);
  nm_lua__set_int(L, "first", (lua_Integer)start + 1);
  nm_lua__set_int(L, "last", (lua_Integer)end);
  lua_pushlstring(L, text + start, end - start);
  lua_setfield(L, -2, "text");
}

/* Map a severity or inside name to the library's enum value. */
static const char *const nm_lua__severities[] = {"info", "warning", NULL};
static const char *const nm_lua__insides[] = {"any", "prose", "quote", NULL};
static const char *const nm_lua__inputs[] = {"plain", "markdown", "html", NULL};

static int nm_lua__fail(lua_State *L, const char *message) {
  luaL_pushfail(L);
  lua_pushstring(L, message);
  return 2;
}

/* ---- engine methods ----------------------------------------------------- */

/* core.engine_new() -> engine | nil, message */
static int nm_lua__engine_new(lua_State *L) {
  /* Userdata first, pointer NULL, metatable, then allocate: an error at
     any step leaves nothing that __gc cannot handle. */
  nm_lua__engine *h = lua_newuserdatauv(L, sizeof *h, 0);
  h->engine = NULL;
  h->owned = 1;
  luaL_setmetatable(L, NM_LUA_ENGINE);
  char err[512] = "";
  h->engine = nm_engine_new(err, sizeof err);
  if (!h->engine) return nm_lua__fail(L, err);
  return 1;
}

static int nm_lua__engine_close(lua_State *L) {
  nm_lua__engine *h = luaL_checkudata(L, 1, NM_LUA_ENGINE);
  if (h->engine && h->owned) nm_engine_delete(h->engine);
  h->engine = NULL;
  return 0;
}

static int nm_lua__status_result(lua_State *L, nm_status st, const char *err, const char *what) {
  if (st == NM_OK) {
    lua_pushboolean(L, 1);
    return 1;
  }
  luaL_pushfail(L);
  if (err && *err) lua_pushstring(L, err);
  else lua_pushfstring(L, "%s: %s", what, nm_status_name(st));
  return 2;
}

/* engine:add_pattern(id, kind, pattern [, message, severity, inside, origin]) */
static int nm_lua__engine_add_pattern(lua_State *L) {
  nm_engine *e = nm_lua__engine_check(L, 1);
  const char *id = luaL_checkstring(L, 2);
  const char *kind = luaL_checkstring(L, 3);
  size_t plen;
  const char *pattern = luaL_checklstring(L, 4, &plen);
  const char *message = luaL_optstring(L, 5, NULL);
  int severity = luaL_checkoption(L, 6, "info", nm_lua__severities);
  int inside = luaL_checkoption(L, 7, "any", nm_lua__insides);
  const char *origin = luaL_optstring(L, 8, NULL);
  char err[512] = "";
  nm_status st = nm_engine_add_pattern(e, id, kind, pattern, plen, message, severity, inside,
                                       origin, err, sizeof err);
  return nm_lua__status_result(L, st, err, id);
}

/* engine:add_words(id, kind, {word, ...} [, message, severity, inside, origin]) */
static int nm_lua__engine_add_words(lua_State *L) {
  nm_engine *e = nm_lua__engine_check(L, 1);
  const char *id = luaL_checkstring(L, 2);
  const char *kind = luaL_checkstring(L, 3);
  luaL_checktype(L, 4, LUA_TTABLE);
  const char *message = luaL_optstring(L, 5, NULL);
  int severity = luaL_checkoption(L, 6, "info", nm_lua__severities);
  int inside = luaL_checkoption(L, 7, "any", nm_lua__insides);
  const char *origin = luaL_optstring(L, 8, NULL);
  lua_Integer n = luaL_len(L, 4);
  luaL_argcheck(L, n >= 0 && (lua_Unsigned)n < (size_t)-1 / sizeof(char *), 4, "too many words");
  /* The word array is a userdata: the GC frees it whatever happens next.
     The strings stay alive because the table at 4 holds them. */
  const char **words = lua_newuserdatauv(L, (size_t)n * sizeof *words + 1, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    if (lua_geti(L, 4, i) != LUA_TSTRING)
      return luaL_argerror(L, 4, lua_pushfstring(L, "word %I is not a string", i));
    words[i - 1] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  char err[512] = "";
  nm_status st = nm_engine_add_words(e, id, kind, words, (size_t)n, message, severity, inside,
                                     origin, err, sizeof err);
  return nm_lua__status_result(L, st, err, id);
}

static int nm_lua__engine_only_kind(lua_State *L) {
  nm_engine *e = nm_lua__engine_check(L, 1);
  const char *kind = luaL_checkstring(L, 2);
  nm_status st = nm_engine_only_kind(e, kind);
  if (st != NM_OK) return nm_lua__fail(L, lua_pushfstring(L, "only kind %s: %s", kind, nm_status_name(st)));
  lua_pushboolean(L, 1);
  return 1;
}

static int nm_lua__engine_disable_rule(lua_State *L) {
  nm_engine *e = nm_lua__engine_check(L, 1);
  const char *id = luaL_checkstring(L, 2);
  nm_status st = nm_engine_disable_rule(e, id);
  if (st == NM_ERR_ARGUMENT) return nm_lua__fail(L, lua_pushfstring(L, "no rule has the id %s", id));
  if (st != NM_OK) return nm_lua__fail(L, lua_pushfstring(L, "disable %s: %s", id, nm_status_name(st)));
  lua_pushboolean(L, 1);
  return 1;
}

/* engine:set_limits(match_limit, depth_limit); 0 or nil keeps a default. */
static int nm_lua__engine_set_limits(lua_State *L) {
  nm_engine *e = nm_lua__engine_check(L, 1);
  lua_Integer m = luaL_optinteger(L, 2, 0), d = luaL_optinteger(L, 3, 0);
  luaL_argcheck(L, m >= 0 && m <= UINT32_MAX, 2, "match limit out of range");
  luaL_argcheck(L, d >= 0 && d <= UINT32_MAX, 3, "depth limit out of range");
  nm_status st = nm_engine_set_limits(e, (uint32_t)m, (uint32_t)d);
  return nm_lua__status_result(L, st, NULL, "set_limits");
}

static int nm_lua__engine_compile(lua_State *L) {
  nm_engine *e = nm_lua__engine_check(L, 1);
  char err[512] = "";
  nm_status st = nm_engine_compile(e, err, sizeof err);
  return nm_lua__status_result(L, st, err, "compile");
}

/* engine:rules() -> { {id=, kind=, origin=, enabled=}, ... } */
static int nm_lua__engine_rules(lua_State *L) {
  nm_engine *e = nm_lua__engine_check(L, 1);
  size_t n = nm_engine_rule_count(e);
  lua_createtable(L, (int)(n < 1000000 ? n : 0), 0);
  for (size_t i = 0; i < n; i++) {
    lua_createtable(L, 0, 4);
    nm_lua__set_str(L, "id", nm_engine_rule_id(e, i));
    nm_lua__set_str(L, "kind", nm_engine_rule_kind(e, i));
    nm_lua__set_str(L, "origin", nm_engine_rule_origin(e, i));
    lua_pushboolean(L, nm_engine_rule_enabled(e, i));
    lua_setfield(L, -2, "enabled");
    lua_seti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* engine:analyse(text [, input]) -> doc | nil, message */
static int nm_lua__engine_analyse(lua_State *L) {
  nm_engine *e = nm_lua__engine_check(L, 1);
  size_t len;
  const char *text = luaL_checklstring(L, 2, &len);
  int input = luaL_checkoption(L, 3, "plain", nm_lua__inputs);
  nm_lua__doc *h = lua_newuserdatauv(L, sizeof *h, 1);
  h->doc = NULL;
  h->owned = 1;
  luaL_setmetatable(L, NM_LUA_DOC);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  char err[512] = "";
  nm_status st;
  h->doc = nm_doc_new(e, text, len, input, &st, err, sizeof err);
  if (!h->doc) return nm_lua__fail(L, *err ? err : nm_status_name(st));
  return 1;
}

static int nm_lua__engine_tostring(lua_State *L) {
  nm_lua__engine *h = luaL_checkudata(L, 1, NM_LUA_ENGINE);
  if (h->engine) lua_pushfstring(L, "newsmark.engine (%p)", (void *)h->engine);
  else lua_pushliteral(L, "newsmark.engine (closed)");
  return 1;
}

/* ---- document methods --------------------------------------------------- */

static int nm_lua__doc_close(lua_State *L) {
  nm_lua__doc *h = luaL_checkudata(L, 1, NM_LUA_DOC);
  if (h->doc && h->owned) nm_doc_delete(h->doc);
  h->doc = NULL;
  return 0;
}

/* Push the markers list. */
static void nm_lua__push_markers(lua_State *L, const nm_doc *d) {
  const char *text = nm_doc_text(d);
  size_t n = nm_doc_marker_count(d);
  lua_createtable(L, (int)(n < 1000000 ? n : 0), 0);
  for (size_t i = 0; i < n; i++) {
    size_t s = 0, e = 0;
    nm_doc_marker_span(d, i, &s, &e);
    nm_lua__push_span(L, text, s, e, 4);
    nm_lua__set_str(L, "kind", nm_doc_marker_kind(d, i));
    nm_lua__set_str(L, "rule", nm_doc_marker_rule(d, i));
    nm_lua__set_str(L, "message", nm_doc_marker_message(d, i));
    nm_lua__set_str(L, "severity", nm_severity_name(nm_doc_marker_severity(d, i)));
    lua_seti(L, -2, (lua_Integer)i + 1);
  }
}

static int nm_lua__doc_markers(lua_State *L) {
  nm_doc *d = nm_lua__doc_check(L, 1);
  nm_lua__push_markers(L, d);
  return 1;
}

/* Push entities (with empty quote lists) at the top of the stack. */
static void nm_lua__push_entities(lua_State *L, const nm_doc *d) {
  size_t n = nm_doc_entity_count(d);
  lua_createtable(L, (int)(n < 1000000 ? n : 0), 0);
  for (size_t i = 0; i < n; i++) {
    lua_createtable(L, 0, 8);
    nm_lua__set_int(L, "id", (lua_Integer)i + 1);
    nm_lua__set_str(L, "name", nm_doc_entity_name(d, i));
    nm_lua__set_str(L, "type", nm_entity_type_name(nm_doc_entity_type(d, i)));
    nm_lua__set_str(L, "title", nm_doc_entity_title(d, i));
    lua_pushboolean(L, nm_doc_entity_anonymous(d, i));
    lua_setfield(L, -2, "anonymous");
    size_t m = nm_doc_entity_mention_count(d, i);
    lua_createtable(L, (int)(m < 1000000 ? m : 0), 0);
    for (size_t j = 0; j < m; j++) {
      size_t s = 0, e = 0;
      nm_doc_entity_mention(d, i, j, &s, &e);
      lua_createtable(L, 0, 2);
      nm_lua__set_int(L, "first", (lua_Integer)s + 1);
      nm_lua__set_int(L, "last", (lua_Integer)e);
      lua_seti(L, -2, (lua_Integer)j + 1);
    }
    lua_setfield(L, -2, "mentions");
    lua_newtable(L);
    lua_setfield(L, -2, "quotes");
    lua_seti(L, -2, (lua_Integer)i + 1);
  }
}

/*
 * Push quotes at the top of the stack; entities is the absolute index of the
 * entities list, whose tables the quotes link to and vice versa.
 */
static void nm_lua__push_quotes(lua_State *L, const nm_doc *d, int entities) {
  const char *text = nm_doc_text(d);
  size_t n = nm_doc_quote_count(d), n_entities = nm_doc_entity_count(d);
  lua_createtable(L, (int)(n < 1000000 ? n : 0), 0);
  int quotes = lua_gettop(L);
  static const struct {
    int part;
    const char *name;
  } parts[] = {{NM_PART_SPEAKER, "speaker"}, {NM_PART_CUE, "cue"}, {NM_PART_VIA, "via"}};
  for (size_t i = 0; i < n; i++) {
    size_t s = 0, e = 0;
    nm_doc_quote_part(d, i, NM_PART_QUOTE, &s, &e);
    nm_lua__push_span(L, text, s, e, 6);
    nm_lua__set_int(L, "id", (lua_Integer)i + 1);
    nm_lua__set_str(L, "kind", nm_quote_kind_name(nm_doc_quote_kind(d, i)));
    long entity = nm_doc_quote_entity(d, i);
    int has_entity = entity >= 0 && (size_t)entity < n_entities;
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
      if (!nm_doc_quote_part(d, i, parts[p].part, &s, &e)) continue;
      nm_lua__push_span(L, text, s, e, 1);
      if (parts[p].part == NM_PART_SPEAKER && has_entity) {
        lua_geti(L, entities, (lua_Integer)entity + 1);
        lua_setfield(L, -2, "entity");
      }
      lua_setfield(L, -2, parts[p].name);
    }
    if (has_entity) { /* entity.quotes[#entity.quotes + 1] = quote */
      lua_geti(L, entities, (lua_Integer)entity + 1);
      lua_getfield(L, -1, "quotes");
      lua_pushvalue(L, -3);
      lua_seti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
      lua_pop(L, 2);
    }
    lua_seti(L, quotes, (lua_Integer)i + 1);
  }
  /* Parents may come after their fragments in start order: link last. */
  for (size_t i = 0; i < n; i++) {
    long parent = nm_doc_quote_parent(d, i);
    if (parent < 0 || (size_t)parent >= n) continue;
    lua_geti(L, quotes, (lua_Integer)i + 1);
    lua_geti(L, quotes, (lua_Integer)parent + 1);
    lua_setfield(L, -2, "parent");
    lua_pop(L, 1);
  }
}

/* doc:table() -> { text, input?, quotes, entities, markers, errors } */
static int nm_lua__doc_table(lua_State *L) {
  nm_doc *d = nm_lua__doc_check(L, 1);
  luaL_checkstack(L, 12, "newsmark: building the document table");
  lua_createtable(L, 0, 5);
  int doc = lua_gettop(L);
  lua_pushlstring(L, nm_doc_text(d), nm_doc_length(d));
  lua_setfield(L, doc, "text");
  nm_lua__push_entities(L, d);
  int entities = lua_gettop(L);
  nm_lua__push_quotes(L, d, entities);
  lua_setfield(L, doc, "quotes");
  lua_setfield(L, doc, "entities");
  nm_lua__push_markers(L, d);
  lua_setfield(L, doc, "markers");
  size_t n = nm_doc_error_count(d);
  lua_createtable(L, (int)(n < 1000000 ? n : 0), 0);
  for (size_t i = 0; i < n; i++) {
    lua_pushstring(L, nm_doc_error(d, i));
    lua_seti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, doc, "errors");
  return 1;
}

/* doc:add_marker(kind, rule, first, last [, message, severity]) -> true | nil, message */
static int nm_lua__doc_add_marker(lua_State *L) {
  nm_doc *d = nm_lua__doc_check(L, 1);
  const char *kind = luaL_checkstring(L, 2);
  const char *rule = luaL_checkstring(L, 3);
  lua_Integer first = luaL_checkinteger(L, 4), last = luaL_checkinteger(L, 5);
  const char *message = luaL_optstring(L, 6, NULL);
  int severity = luaL_checkoption(L, 7, "info", nm_lua__severities);
  lua_Integer len = (lua_Integer)nm_doc_length(d);
  if (first < 1 || last < first - 1 || last > len)
    return nm_lua__fail(L, lua_pushfstring(L, "span %I..%I is outside the text (1..%I)", first, last, len));
  nm_status st = nm_doc_add_marker(d, kind, rule, (size_t)(first - 1), (size_t)last, message, severity);
  return nm_lua__status_result(L, st, NULL, rule);
}

static int nm_lua__doc_tostring(lua_State *L) {
  nm_lua__doc *h = luaL_checkudata(L, 1, NM_LUA_DOC);
  if (h->doc) lua_pushfstring(L, "newsmark.doc (%p)", (void *)h->doc);
  else lua_pushliteral(L, "newsmark.doc (closed)");
  return 1;
}

/* ---- module ------------------------------------------------------------- */

static const luaL_Reg nm_lua__engine_methods[] = {
    {"add_pattern", nm_lua__engine_add_pattern},
    {"add_words", nm_lua__engine_add_words},
    {"only_kind", nm_lua__engine_only_kind},
    {"disable_rule", nm_lua__engine_disable_rule},
    {"set_limits", nm_lua__engine_set_limits},
    {"compile", nm_lua__engine_compile},
    {"rules", nm_lua__engine_rules},
    {"analyse", nm_lua__engine_analyse},
    {"close", nm_lua__engine_close},
    {NULL, NULL}};

static const luaL_Reg nm_lua__engine_meta[] = {
    {"__gc", nm_lua__engine_close},
    {"__close", nm_lua__engine_close},
    {"__tostring", nm_lua__engine_tostring},
    {"__index", NULL},
    {NULL, NULL}};

static const luaL_Reg nm_lua__doc_methods[] = {
    {"table", nm_lua__doc_table},
    {"markers", nm_lua__doc_markers},
    {"add_marker", nm_lua__doc_add_marker},
    {"close", nm_lua__doc_close},
    {NULL, NULL}};

static const luaL_Reg nm_lua__doc_meta[] = {
    {"__gc", nm_lua__doc_close},
    {"__close", nm_lua__doc_close},
    {"__tostring", nm_lua__doc_tostring},
    {"__index", NULL},
    {NULL, NULL}};

static void nm_lua__create_meta(lua_State *L, const char *name, const luaL_Reg *meta,
                                const luaL_Reg *methods, int nmethods) {
  luaL_newmetatable(L, name);
  luaL_setfuncs(L, meta, 0);
  lua_createtable(L, 0, nmethods);
  luaL_setfuncs(L, methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

static const luaL_Reg nm_lua__functions[] = {
    {"engine_new", nm_lua__engine_new},
    {NULL, NULL}};

/* ---- public ------------------------------------------------------------- */

NM_LUA_EXPORT int luaopen_newsmark_core(lua_State *L) {
  nm_lua__create_meta(L, NM_LUA_ENGINE, nm_lua__engine_meta, nm_lua__engine_methods,
                      (int)(sizeof nm_lua__engine_methods / sizeof nm_lua__engine_methods[0] - 1));
  nm_lua__create_meta(L, NM_LUA_DOC, nm_lua__doc_meta, nm_lua__doc_methods,
                      (int)(sizeof nm_lua__doc_methods / sizeof nm_lua__doc_methods[0] - 1));
  luaL_newlib(L, nm_lua__functions);
  lua_pushstring(L, nm_version());
  lua_setfield(L, -2, "version");
  lua_pushinteger(L, nm_version_number());
  lua_setfield(L, -2, "version_number");
  lua_pushliteral(L, "core");
  lua_setfield(L, -2, "backend");
  return 1;
}

void nm_lua_engine_push_borrowed(lua_State *L, nm_engine *engine) {
  nm_lua__engine *h = lua_newuserdatauv(L, sizeof *h, 0);
  h->engine = NULL;
  h->owned = 0;
  luaL_setmetatable(L, NM_LUA_ENGINE);
  h->engine = engine;
}

void nm_lua_doc_push_borrowed(lua_State *L, nm_doc *doc) {
  nm_lua__doc *h = lua_newuserdatauv(L, sizeof *h, 1);
  h->doc = NULL;
  h->owned = 0;
  luaL_setmetatable(L, NM_LUA_DOC);
  h->doc = doc;
}

void nm_lua_handle_revoke(lua_State *L, int idx) {
  void *p;
  if ((p = luaL_testudata(L, idx, NM_LUA_ENGINE)) != NULL) ((nm_lua__engine *)p)->engine = NULL;
  else if ((p = luaL_testudata(L, idx, NM_LUA_DOC)) != NULL) ((nm_lua__doc *)p)->doc = NULL;
}
