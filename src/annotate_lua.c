/*
 * annotate_lua.c: Lua rule files for `annotate --rules` (the nm_lua_rules_*
 * functions of internal.h). Linked into annotate only.
 *
 * One lua_State holds the rules of the run. newsmark.core (lua_newsmark.c)
 * and the pure-Lua modules of lua/newsmark/ are compiled in and preloaded,
 * so a rule file is read, checked and run by the same Lua code as in a Lua
 * script or in Neovim; this file only lends annotate's engine and each
 * document to that code.
 *
 * Function rules are also registered in the engine as rules with no
 * pattern, so --list-rules shows them and --only / --disable apply to them
 * like to any rule; the library's matching pass skips them (see
 * nm_lua_rules__claim), and nm_lua_rules_run runs the ones still enabled.
 */
#include "internal.h"
#include "lua_newsmark.h"
#include "rules.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

struct nm_lua_rules {
  lua_State *L;
  nm_engine *engine;
  int run_ref;      /* the Lua function that runs the function rules over a doc */
  int enabled_ref;  /* table id -> true of the function rules that run */
  size_t first, n;  /* the function rules are engine rules [first, first + n) */
  int claimed;      /* 1 once taken out of the library's matching pass */
};

/* ---- private ------------------------------------------------------------ */

typedef struct nm_lua_rules__reader {
  const char *const *line;
} nm_lua_rules__reader;

static const char *nm_lua_rules__read(lua_State *L, void *ud, size_t *size) {
  (void)L;
  nm_lua_rules__reader *r = ud;
  if (!*r->line) return NULL;
  const char *s = *r->line++;
  *size = strlen(s);
  return s;
}

/* package.preload loader for one embedded module (upvalue: its entry). */
static int nm_lua_rules__load_embedded(lua_State *L) {
  const nm_lua_embedded *m = lua_touserdata(L, lua_upvalueindex(1));
  nm_lua_rules__reader reader = {m->lines};
  lua_pushfstring(L, "@%s", m->path);
  if (lua_load(L, nm_lua_rules__read, &reader, lua_tostring(L, -1), "t") != LUA_OK) return lua_error(L);
  lua_pushstring(L, m->module);
  lua_call(L, 1, 1);
  return 1;
}

/* Register a function rule's id in the engine: a user rule with no pattern. */
static void nm_lua_rules__register(lua_State *L, nm_engine *engine, const char *id, const char *kind,
                                   const char *origin) {
  nm__rule *r = nm__arena_alloc(&engine->arena, sizeof *r);
  char *id_copy = nm__arena_strndup(&engine->arena, id, strlen(id));
  char *kind_copy = nm__arena_strndup(&engine->arena, kind, strlen(kind));
  char *origin_copy = nm__arena_strndup(&engine->arena, origin, strlen(origin));
  nm__rule **slot = r && id_copy && kind_copy && origin_copy ? nm__vec_push(&engine->rules) : NULL;
  if (!slot) luaL_error(L, "out of memory");
  memset(r, 0, sizeof *r);
  r->id = id_copy;
  r->kind = kind_copy;
  r->origin = origin_copy;
  r->message = "";
  r->severity = NM_SEVERITY_INFO;
  r->inside = NM_INSIDE_ANY;
  r->enabled = true;
  r->code = NULL;
  *slot = r;
}

/*
 * In protected mode: open the libraries, preload the modules, load the
 * rule files into the engine. Arguments: engine, files, nfiles (light
 * userdata / integer), rules struct.
 */
static int nm_lua_rules__setup(lua_State *L) {
  nm_engine *engine = lua_touserdata(L, 1);
  const char *const *files = lua_touserdata(L, 2);
  size_t nfiles = (size_t)lua_tointeger(L, 3);
  nm_lua_rules *self = lua_touserdata(L, 4);
  luaL_openlibs(L);

  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_newsmark_core);
  lua_setfield(L, -2, "newsmark.core");
  for (const nm_lua_embedded *m = nm_lua_embedded_modules; m->module; m++) {
    lua_pushlightuserdata(L, (void *)m);
    lua_pushcclosure(L, nm_lua_rules__load_embedded, 1);
    lua_setfield(L, -2, m->module);
  }
  lua_pop(L, 1);

  lua_getglobal(L, "require");
  lua_pushliteral(L, "newsmark");
  lua_call(L, 1, 1);
  nm_lua_engine_push_borrowed(L, engine);
  int handle = lua_gettop(L);
  lua_getfield(L, handle - 1, "_host");
  lua_pushvalue(L, handle);
  lua_createtable(L, (int)nfiles, 0);
  for (size_t i = 0; i < nfiles; i++) {
    lua_pushstring(L, files[i]);
    lua_seti(L, -2, (lua_Integer)i + 1);
  }
  lua_call(L, 2, 2); /* run, functions | nil, message */
  /* The rules are in; nothing in Lua may touch the engine after this. */
  nm_lua_handle_revoke(L, handle);
  if (lua_isnil(L, -2)) return lua_error(L); /* the message is on top */

  /* functions: { {id=, kind=, origin=}, ... } */
  self->first = nm_engine_rule_count(engine);
  self->n = (size_t)luaL_len(L, -1);
  for (size_t i = 1; i <= self->n; i++) {
    lua_geti(L, -1, (lua_Integer)i);
    lua_getfield(L, -1, "id");
    lua_getfield(L, -2, "kind");
    lua_getfield(L, -3, "origin");
    nm_lua_rules__register(L, engine, lua_tostring(L, -3), lua_tostring(L, -2), lua_tostring(L, -1));
    lua_pop(L, 4);
  }
  lua_pop(L, 1);
  self->run_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

/*
 * Once the engine is compiled: note which function rules --only and
 * --disable left on, and take all of them out of the library's matching
 * pass (they have no pattern: Lua runs them). `active` means "the library
 * runs this rule"; nm_engine_rule_enabled still reports the user's choice.
 */
static int nm_lua_rules__claim(lua_State *L) {
  nm_lua_rules *self = lua_touserdata(L, 1);
  lua_createtable(L, 0, (int)self->n);
  for (size_t i = self->first; i < self->first + self->n && i < self->engine->rules.count; i++) {
    nm__rule *r = NM_AT(self->engine->rules, nm__rule *, i);
    if (nm_engine_rule_enabled(self->engine, i)) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, r->id);
    }
    r->active = false;
  }
  self->enabled_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

/* In protected mode: run the function rules over the borrowed doc at 1. */
static int nm_lua_rules__run(lua_State *L) {
  nm_lua_rules *self = lua_touserdata(L, 2);
  lua_rawgeti(L, LUA_REGISTRYINDEX, self->run_ref);
  lua_pushvalue(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, self->enabled_ref);
  lua_call(L, 2, 1);
  return 1;
}

static int nm_lua_rules__push_doc(lua_State *L) {
  nm_lua_doc_push_borrowed(L, lua_touserdata(L, 1));
  return 1;
}

static void nm_lua_rules__message(lua_State *L, char *err, size_t errlen) {
  const char *msg = lua_tostring(L, -1);
  nm__errorf(err, errlen, "%s", msg ? msg : "error in a Lua rule (not a string)");
}

/* ---- internal API ------------------------------------------------------- */

nm_lua_rules *nm_lua_rules_new(nm_engine *engine, const char *const *files, size_t nfiles, char *err,
                               size_t errlen) {
  if (!engine || (!files && nfiles)) {
    nm__errorf(err, errlen, "nm_lua_rules_new: no engine or no files");
    return NULL;
  }
  nm_lua_rules *self = calloc(1, sizeof *self);
  lua_State *L = self ? luaL_newstate() : NULL;
  if (!L) {
    free(self);
    nm__errorf(err, errlen, "out of memory while starting Lua");
    return NULL;
  }
  self->L = L;
  self->engine = engine;
  self->run_ref = self->enabled_ref = LUA_NOREF;
  lua_pushcfunction(L, nm_lua_rules__setup);
  lua_pushlightuserdata(L, engine);
  lua_pushlightuserdata(L, (void *)files);
  lua_pushinteger(L, (lua_Integer)nfiles);
  lua_pushlightuserdata(L, self);
  if (lua_pcall(L, 4, 0, 0) != LUA_OK) {
    nm_lua_rules__message(L, err, errlen);
    nm_lua_rules_delete(self);
    return NULL;
  }
  return self;
}

nm_status nm_lua_rules_run(nm_lua_rules *self, nm_doc *doc, void (*on_error)(void *ud, const char *message),
                           void *ud) {
  if (!self || !doc) return NM_ERR_ARGUMENT;
  lua_State *L = self->L;
  if (!self->claimed) {
    lua_pushcfunction(L, nm_lua_rules__claim);
    lua_pushlightuserdata(L, self);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
      if (on_error) on_error(ud, lua_tostring(L, -1));
      lua_pop(L, 1);
      return NM_ERR_NOMEM;
    }
    self->claimed = 1;
  }
  if (self->n == 0) return NM_OK;
  int top = lua_gettop(L);
  lua_pushcfunction(L, nm_lua_rules__push_doc);
  lua_pushlightuserdata(L, doc);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    if (on_error) on_error(ud, lua_tostring(L, -1));
    lua_settop(L, top);
    return NM_ERR_NOMEM;
  }
  int handle = lua_gettop(L);
  lua_pushcfunction(L, nm_lua_rules__run);
  lua_pushvalue(L, handle);
  lua_pushlightuserdata(L, self);
  int rc = lua_pcall(L, 2, 1, 0);
  /* Whatever a rule kept of the handle, it must not reach the doc after this. */
  nm_lua_handle_revoke(L, handle);
  nm_status st = NM_OK;
  if (rc != LUA_OK) {
    if (on_error) on_error(ud, lua_tostring(L, -1));
    st = rc == LUA_ERRMEM ? NM_ERR_NOMEM : NM_ERR_RULE;
  } else if (lua_istable(L, -1)) {
    for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
      if (on_error) on_error(ud, lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }
  lua_settop(L, top);
  /* One document's tables are garbage now; collect them at the pace of the input. */
  lua_gc(L, LUA_GCSTEP, 0);
  return st;
}

void nm_lua_rules_delete(nm_lua_rules *self) {
  if (!self) return;
  if (self->L) lua_close(self->L);
  free(self);
}
