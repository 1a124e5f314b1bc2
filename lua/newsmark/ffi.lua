--- newsmark.ffi: the LuaJIT backend of require("newsmark"), over libnewsmark.so.
--
-- Neovim's LuaJIT cannot load a Lua 5.4 C module, so here the shared library
-- is loaded through the FFI instead. This file offers exactly the handle
-- methods that newsmark.core (src/lua_newsmark.c) offers, so init.lua runs
-- the same code on both runtimes.
--
-- Offsets: the library speaks 0-based end-exclusive byte offsets
-- [start, end); Lua speaks 1-based inclusive {first, last}. This file is the
-- one place on the LuaJIT side that converts:
--   first = start + 1, last = end;   start = first - 1, end = last.
--
-- Finding the library, first found wins:
--   1. $NEWSMARK_LIB, or vim.g.newsmark_lib in Neovim: a path to the .so;
--   2. <repo>/build/libnewsmark.so, the repo being three levels above this
--      file (lua/newsmark/ffi.lua), as telescope-fzf-native finds its build;
--   3. <prefix>/lib/libnewsmark.so for an installed <prefix>/share/lua/5.x/newsmark/ffi.lua;
--   4. "newsmark", left to the system's library search path.

local ffi = require("ffi")

-- Only opaque handles and plain-valued accessors: no struct layout to mirror.
-- Declared once per LuaJIT state, even if this module is loaded again.
if not pcall(ffi.typeof, "nm_doc") then
  ffi.cdef([[
typedef struct nm_engine nm_engine;
typedef struct nm_doc nm_doc;
const char *nm_version(void);
int nm_version_number(void);
const char *nm_quote_kind_name(int kind);
const char *nm_entity_type_name(int type);
const char *nm_severity_name(int severity);
const char *nm_status_name(int status);
nm_engine *nm_engine_new(char *err, size_t errlen);
void nm_engine_delete(nm_engine *self);
int nm_engine_add_pattern(nm_engine *self, const char *id, const char *kind, const char *pattern,
                          size_t pattern_len, const char *message, int severity, int inside,
                          const char *origin, char *err, size_t errlen);
int nm_engine_add_words(nm_engine *self, const char *id, const char *kind, const char *const *words,
                        size_t nwords, const char *message, int severity, int inside,
                        const char *origin, char *err, size_t errlen);
int nm_engine_only_kind(nm_engine *self, const char *kind);
int nm_engine_disable_rule(nm_engine *self, const char *id);
int nm_engine_set_limits(nm_engine *self, uint32_t match_limit, uint32_t depth_limit);
int nm_engine_compile(nm_engine *self, char *err, size_t errlen);
size_t nm_engine_rule_count(const nm_engine *self);
const char *nm_engine_rule_id(const nm_engine *self, size_t i);
const char *nm_engine_rule_kind(const nm_engine *self, size_t i);
const char *nm_engine_rule_origin(const nm_engine *self, size_t i);
int nm_engine_rule_enabled(const nm_engine *self, size_t i);
nm_doc *nm_doc_new(nm_engine *engine, const char *text, size_t len, int input, int *status,
                   char *err, size_t errlen);
void nm_doc_delete(nm_doc *self);
const char *nm_doc_text(const nm_doc *self);
size_t nm_doc_length(const nm_doc *self);
size_t nm_doc_quote_count(const nm_doc *self);
int nm_doc_quote_kind(const nm_doc *self, size_t i);
int nm_doc_quote_part(const nm_doc *self, size_t i, int part, size_t *start, size_t *end);
long nm_doc_quote_entity(const nm_doc *self, size_t i);
long nm_doc_quote_parent(const nm_doc *self, size_t i);
size_t nm_doc_entity_count(const nm_doc *self);
const char *nm_doc_entity_name(const nm_doc *self, size_t i);
const char *nm_doc_entity_title(const nm_doc *self, size_t i);
int nm_doc_entity_type(const nm_doc *self, size_t i);
int nm_doc_entity_anonymous(const nm_doc *self, size_t i);
size_t nm_doc_entity_mention_count(const nm_doc *self, size_t i);
int nm_doc_entity_mention(const nm_doc *self, size_t i, size_t j, size_t *start, size_t *end);
size_t nm_doc_marker_count(const nm_doc *self);
int nm_doc_marker_span(const nm_doc *self, size_t i, size_t *start, size_t *end);
const char *nm_doc_marker_kind(const nm_doc *self, size_t i);
const char *nm_doc_marker_rule(const nm_doc *self, size_t i);
const char *nm_doc_marker_message(const nm_doc *self, size_t i);
int nm_doc_marker_severity(const nm_doc *self, size_t i);
int nm_doc_add_marker(nm_doc *self, const char *kind, const char *rule, size_t start, size_t end,
                      const char *message, int severity);
size_t nm_doc_error_count(const nm_doc *self);
const char *nm_doc_error(const nm_doc *self, size_t i);
]])
end

-- The compare API (newsmark.h, "Compare"), declared apart so that a library
-- built before it still loads for everything else.
if not pcall(ffi.typeof, "nm_compare") then
  ffi.cdef([[
typedef struct nm_compare nm_compare;
const char *nm_diff_kind_name(int kind);
nm_compare *nm_compare_new(char *err, size_t errlen);
void nm_compare_delete(nm_compare *self);
int nm_compare_add(nm_compare *self, const nm_doc *doc, const char *file);
int nm_compare_run(nm_compare *self);
size_t nm_compare_quote_count(const nm_compare *self);
size_t nm_compare_quote_doc(const nm_compare *self, size_t q);
long nm_compare_quote_id(const nm_compare *self, size_t q);
int nm_compare_quote_span(const nm_compare *self, size_t q, size_t *start, size_t *end);
const char *nm_compare_quote_speaker(const nm_compare *self, size_t q);
size_t nm_compare_group_count(const nm_compare *self);
size_t nm_compare_group_size(const nm_compare *self, size_t g);
size_t nm_compare_group_member(const nm_compare *self, size_t g, size_t m);
long nm_compare_group_parent(const nm_compare *self, size_t g, size_t m);
int nm_compare_group_variant(const nm_compare *self, size_t g);
size_t nm_compare_group_diff_count(const nm_compare *self, size_t g);
int nm_compare_group_diff(const nm_compare *self, size_t g, size_t k, size_t *a, size_t *a_start, size_t *a_end,
                          size_t *b, size_t *b_start, size_t *b_end);
]])
end

-- nm_part, nm_severity, nm_inside and nm_input of newsmark.h.
local PART_QUOTE, PART_SPEAKER, PART_CUE, PART_VIA = 0, 1, 2, 3
local SEVERITY = { info = 0, warning = 1 }
local INSIDE = { any = 0, prose = 1, quote = 2 }
local INPUT = { plain = 0, markdown = 1, html = 2 }
local ERRLEN = 512

local function this_dir()
  local source = debug.getinfo(1, "S").source
  if source:sub(1, 1) ~= "@" then return nil end
  return source:sub(2):match("^(.*)/[^/]*$") or "."
end

local function candidates()
  local list = {}
  local env = os.getenv("NEWSMARK_LIB")
  if env and env ~= "" then list[#list + 1] = env end
  local g = rawget(_G, "vim") and vim.g and vim.g.newsmark_lib
  if type(g) == "string" and g ~= "" then list[#list + 1] = g end
  local dir = this_dir()
  if dir then
    list[#list + 1] = dir .. "/../../build/libnewsmark.so"
    list[#list + 1] = dir .. "/../../../../lib/libnewsmark.so"
  end
  list[#list + 1] = "newsmark"
  return list
end

local function load_library()
  local tried = {}
  for _, path in ipairs(candidates()) do
    local is_name = not path:find("/", 1, true)
    local f = not is_name and io.open(path, "rb")
    if f then f:close() end
    if is_name or f then
      local ok, lib = pcall(ffi.load, path)
      if ok then return lib, path end
      tried[#tried + 1] = path .. " (" .. tostring(lib) .. ")"
    else
      tried[#tried + 1] = path .. " (no such file)"
    end
  end
  error("newsmark: cannot load libnewsmark.so; build it with `make`, or set NEWSMARK_LIB. Tried: "
    .. table.concat(tried, "; "), 0)
end

local C, lib_path = load_library()

local function cstring(p)
  if p == nil then return nil end
  return ffi.string(p)
end

local function fail(err)
  return nil, ffi.string(err)
end

local M = {
  backend = "ffi",
  version = ffi.string(C.nm_version()),
  version_number = C.nm_version_number(),
  library = lib_path,
}

local Engine = {}
Engine.__index = Engine
local Doc = {}
Doc.__index = Doc

local function engine_ptr(self)
  if self._ptr == nil then error("newsmark: the engine is closed", 3) end
  return self._ptr
end

local function status_result(st, err, what)
  if st == 0 then return true end
  local msg = err and ffi.string(err) or ""
  if msg == "" then msg = what .. ": " .. cstring(C.nm_status_name(st)) end
  return nil, msg
end

local function check_string(v, n, fname)
  if type(v) ~= "string" then
    error(string.format("bad argument #%d to '%s' (string expected, got %s)", n, fname, type(v)), 3)
  end
end

local function option(v, map, default, n, fname)
  if v == nil then v = default end
  local x = map[v]
  if x == nil then error(string.format("bad argument #%d to '%s' (invalid option '%s')", n, fname, tostring(v)), 3) end
  return x
end

--- engine_new() -> engine | nil, message
function M.engine_new()
  local err = ffi.new("char[?]", ERRLEN)
  local p = C.nm_engine_new(err, ERRLEN)
  if p == nil then return fail(err) end
  return setmetatable({ _ptr = ffi.gc(p, C.nm_engine_delete) }, Engine)
end

function Engine:add_pattern(id, kind, pattern, message, severity, inside, origin)
  local e = engine_ptr(self)
  check_string(id, 1, "add_pattern"); check_string(kind, 2, "add_pattern"); check_string(pattern, 3, "add_pattern")
  local err = ffi.new("char[?]", ERRLEN)
  local st = C.nm_engine_add_pattern(e, id, kind, pattern, #pattern, message,
    option(severity, SEVERITY, "info", 5, "add_pattern"), option(inside, INSIDE, "any", 6, "add_pattern"),
    origin, err, ERRLEN)
  return status_result(st, err, id)
end

function Engine:add_words(id, kind, words, message, severity, inside, origin)
  local e = engine_ptr(self)
  check_string(id, 1, "add_words"); check_string(kind, 2, "add_words")
  if type(words) ~= "table" then error("bad argument #3 to 'add_words' (table expected, got " .. type(words) .. ")", 2) end
  local n = #words
  -- The Lua strings in `words` stay alive through the call: the table holds them.
  local arr = ffi.new("const char *[?]", n + 1)
  for i = 1, n do
    if type(words[i]) ~= "string" then error("bad argument #3 to 'add_words' (word " .. i .. " is not a string)", 2) end
    arr[i - 1] = words[i]
  end
  local err = ffi.new("char[?]", ERRLEN)
  local st = C.nm_engine_add_words(e, id, kind, arr, n, message,
    option(severity, SEVERITY, "info", 5, "add_words"), option(inside, INSIDE, "any", 6, "add_words"),
    origin, err, ERRLEN)
  return status_result(st, err, id)
end

function Engine:only_kind(kind)
  local e = engine_ptr(self)
  check_string(kind, 1, "only_kind")
  local st = C.nm_engine_only_kind(e, kind)
  if st ~= 0 then return nil, "only kind " .. kind .. ": " .. cstring(C.nm_status_name(st)) end
  return true
end

function Engine:disable_rule(id)
  local e = engine_ptr(self)
  check_string(id, 1, "disable_rule")
  local st = C.nm_engine_disable_rule(e, id)
  if st == 2 then return nil, "no rule has the id " .. id end -- NM_ERR_ARGUMENT
  if st ~= 0 then return nil, "disable " .. id .. ": " .. cstring(C.nm_status_name(st)) end
  return true
end

function Engine:set_limits(match_limit, depth_limit)
  local st = C.nm_engine_set_limits(engine_ptr(self), match_limit or 0, depth_limit or 0)
  return status_result(st, nil, "set_limits")
end

function Engine:compile()
  local err = ffi.new("char[?]", ERRLEN)
  return status_result(C.nm_engine_compile(engine_ptr(self), err, ERRLEN), err, "compile")
end

function Engine:rules()
  local e = engine_ptr(self)
  local list = {}
  for i = 0, tonumber(C.nm_engine_rule_count(e)) - 1 do
    list[i + 1] = {
      id = cstring(C.nm_engine_rule_id(e, i)),
      kind = cstring(C.nm_engine_rule_kind(e, i)),
      origin = cstring(C.nm_engine_rule_origin(e, i)),
      enabled = C.nm_engine_rule_enabled(e, i) ~= 0,
    }
  end
  return list
end

function Engine:analyse(text, input)
  local e = engine_ptr(self)
  check_string(text, 1, "analyse")
  local err = ffi.new("char[?]", ERRLEN)
  local status = ffi.new("int[1]")
  local p = C.nm_doc_new(e, text, #text, option(input, INPUT, "plain", 2, "analyse"), status, err, ERRLEN)
  if p == nil then
    local msg = ffi.string(err)
    if msg == "" then msg = cstring(C.nm_status_name(status[0])) end
    return nil, msg
  end
  -- The doc keeps its engine alive: markers may point at strings it owns.
  return setmetatable({ _ptr = ffi.gc(p, C.nm_doc_delete), _engine = self }, Doc)
end

function Engine:close()
  if self._ptr ~= nil then
    ffi.gc(self._ptr, nil)
    C.nm_engine_delete(self._ptr)
    self._ptr = nil
  end
end

local function doc_ptr(self)
  if self._ptr == nil then error("newsmark: the document is closed", 3) end
  if self._engine._ptr == nil then error("newsmark: the document's engine is closed", 3) end
  return self._ptr
end

local s_out, e_out = ffi.new("size_t[1]"), ffi.new("size_t[1]")

-- {first, last, text} for the part, or nil when the quote has none.
local function part_span(d, text, i, part)
  if C.nm_doc_quote_part(d, i, part, s_out, e_out) == 0 then return nil end
  local s, e = tonumber(s_out[0]), tonumber(e_out[0])
  return { first = s + 1, last = e, text = text:sub(s + 1, e) }
end

local function markers_of(d, text)
  local list = {}
  for i = 0, tonumber(C.nm_doc_marker_count(d)) - 1 do
    C.nm_doc_marker_span(d, i, s_out, e_out)
    local s, e = tonumber(s_out[0]), tonumber(e_out[0])
    list[i + 1] = {
      first = s + 1, last = e, text = text:sub(s + 1, e),
      kind = cstring(C.nm_doc_marker_kind(d, i)),
      rule = cstring(C.nm_doc_marker_rule(d, i)),
      message = cstring(C.nm_doc_marker_message(d, i)),
      severity = cstring(C.nm_severity_name(C.nm_doc_marker_severity(d, i))),
    }
  end
  return list
end

function Doc:markers()
  local d = doc_ptr(self)
  return markers_of(d, ffi.string(C.nm_doc_text(d), C.nm_doc_length(d)))
end

function Doc:table()
  local d = doc_ptr(self)
  local text = ffi.string(C.nm_doc_text(d), C.nm_doc_length(d))
  local entities = {}
  for i = 0, tonumber(C.nm_doc_entity_count(d)) - 1 do
    local mentions = {}
    for j = 0, tonumber(C.nm_doc_entity_mention_count(d, i)) - 1 do
      C.nm_doc_entity_mention(d, i, j, s_out, e_out)
      mentions[j + 1] = { first = tonumber(s_out[0]) + 1, last = tonumber(e_out[0]) }
    end
    entities[i + 1] = {
      id = i + 1,
      name = cstring(C.nm_doc_entity_name(d, i)),
      type = cstring(C.nm_entity_type_name(C.nm_doc_entity_type(d, i))),
      title = cstring(C.nm_doc_entity_title(d, i)),
      anonymous = C.nm_doc_entity_anonymous(d, i) ~= 0,
      mentions = mentions,
      quotes = {},
    }
  end
  local quotes = {}
  local nquotes = tonumber(C.nm_doc_quote_count(d))
  for i = 0, nquotes - 1 do
    local q = part_span(d, text, i, PART_QUOTE)
    q.id = i + 1
    q.kind = cstring(C.nm_quote_kind_name(C.nm_doc_quote_kind(d, i)))
    q.speaker = part_span(d, text, i, PART_SPEAKER)
    q.cue = part_span(d, text, i, PART_CUE)
    q.via = part_span(d, text, i, PART_VIA)
    local entity = entities[tonumber(C.nm_doc_quote_entity(d, i)) + 1]
    if entity then
      if q.speaker then q.speaker.entity = entity end
      entity.quotes[#entity.quotes + 1] = q
    end
    quotes[i + 1] = q
  end
  for i = 0, nquotes - 1 do
    local parent = tonumber(C.nm_doc_quote_parent(d, i))
    if parent >= 0 then quotes[i + 1].parent = quotes[parent + 1] end
  end
  local errors = {}
  for i = 0, tonumber(C.nm_doc_error_count(d)) - 1 do errors[i + 1] = cstring(C.nm_doc_error(d, i)) end
  return { text = text, quotes = quotes, entities = entities, markers = markers_of(d, text), errors = errors }
end

function Doc:add_marker(kind, rule, first, last, message, severity)
  local d = doc_ptr(self)
  check_string(kind, 1, "add_marker"); check_string(rule, 2, "add_marker")
  if type(first) ~= "number" or type(last) ~= "number" then
    error("bad argument to 'add_marker' (first and last must be integers)", 2)
  end
  local len = tonumber(C.nm_doc_length(d))
  if first < 1 or last < first - 1 or last > len then
    return nil, string.format("span %d..%d is outside the text (1..%d)", first, last, len)
  end
  local st = C.nm_doc_add_marker(d, kind, rule, first - 1, last, message,
    option(severity, SEVERITY, "info", 6, "add_marker"))
  return status_result(st, nil, rule)
end

--- compare(docs) -> result | nil, message: group the quotes of docs (a list
-- of documents from Engine:analyse) that report the same words. Quote
-- numbers q and document numbers are 1-based here; spans are the usual
-- {first, last} in each quote's own document (first = last + 1: an empty
-- span, where that side has nothing). The result:
--   quotes[q] = { doc =, id = (the quote's index in its doc, 1-based), first =, last =, speaker = }
--   groups[g] = { variant = bool, members = { q, ... }, parents = { [q] = parent q or nil },
--                 diffs = { { kind =, a =, a_first =, a_last =, b =, b_first =, b_last = }, ... } }
function M.compare(docs)
  local ok, missing = pcall(function() return C.nm_compare_new end)
  if not ok then
    return nil, "this libnewsmark.so has no compare API (rebuild it with `make`): " .. tostring(missing)
  end
  local err = ffi.new("char[?]", ERRLEN)
  local p = C.nm_compare_new(err, ERRLEN)
  if p == nil then return fail(err) end
  local cmp = ffi.gc(p, C.nm_compare_delete)
  for i, doc in ipairs(docs) do
    local st = C.nm_compare_add(cmp, doc_ptr(doc), nil)
    if st ~= 0 then return nil, "compare: document " .. i .. ": " .. cstring(C.nm_status_name(st)) end
  end
  local st = C.nm_compare_run(cmp)
  if st ~= 0 then return nil, "compare: " .. cstring(C.nm_status_name(st)) end
  local quotes = {}
  for q = 0, tonumber(C.nm_compare_quote_count(cmp)) - 1 do
    C.nm_compare_quote_span(cmp, q, s_out, e_out)
    quotes[q + 1] = {
      doc = tonumber(C.nm_compare_quote_doc(cmp, q)) + 1,
      id = tonumber(C.nm_compare_quote_id(cmp, q)) + 1,
      first = tonumber(s_out[0]) + 1, last = tonumber(e_out[0]),
      speaker = cstring(C.nm_compare_quote_speaker(cmp, q)),
    }
  end
  local groups = {}
  local a, b = ffi.new("size_t[1]"), ffi.new("size_t[1]")
  local as, ae, bs, be = ffi.new("size_t[1]"), ffi.new("size_t[1]"), ffi.new("size_t[1]"), ffi.new("size_t[1]")
  for g = 0, tonumber(C.nm_compare_group_count(cmp)) - 1 do
    local members, parents, diffs = {}, {}, {}
    for m = 0, tonumber(C.nm_compare_group_size(cmp, g)) - 1 do
      members[m + 1] = tonumber(C.nm_compare_group_member(cmp, g, m)) + 1
    end
    for m = 0, #members - 1 do
      local parent = tonumber(C.nm_compare_group_parent(cmp, g, m))
      if parent >= 0 then parents[members[m + 1]] = members[parent + 1] end
    end
    for k = 0, tonumber(C.nm_compare_group_diff_count(cmp, g)) - 1 do
      local kind = C.nm_compare_group_diff(cmp, g, k, a, as, ae, b, bs, be)
      diffs[k + 1] = {
        kind = cstring(C.nm_diff_kind_name(kind)),
        a = tonumber(a[0]) + 1, a_first = tonumber(as[0]) + 1, a_last = tonumber(ae[0]),
        b = tonumber(b[0]) + 1, b_first = tonumber(bs[0]) + 1, b_last = tonumber(be[0]),
      }
    end
    groups[g + 1] = { variant = C.nm_compare_group_variant(cmp, g) == 1, members = members, parents = parents, diffs = diffs }
  end
  return { quotes = quotes, groups = groups }
end

function Doc:close()
  if self._ptr ~= nil then
    ffi.gc(self._ptr, nil)
    C.nm_doc_delete(self._ptr)
    self._ptr = nil
  end
end

return M
