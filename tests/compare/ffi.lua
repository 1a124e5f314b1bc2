-- tests/compare/ffi.lua LIBNEWSMARK FILE...: the nm_compare_* calls through
-- LuaJIT's FFI, as the Neovim plugin would make them (opaque pointers and
-- accessors only). Prints one line per variant group member:
--   FILE QUOTE-ID START END group=G kinds=K,K
local ffi = require("ffi")
ffi.cdef([[
typedef struct nm_engine nm_engine;
typedef struct nm_doc nm_doc;
typedef struct nm_compare nm_compare;
nm_engine *nm_engine_new(char *err, size_t errlen);
void nm_engine_delete(nm_engine *self);
nm_doc *nm_doc_new(nm_engine *engine, const char *text, size_t len, int input, int *status, char *err, size_t errlen);
void nm_doc_delete(nm_doc *self);
nm_compare *nm_compare_new(char *err, size_t errlen);
void nm_compare_delete(nm_compare *self);
int nm_compare_add(nm_compare *self, const nm_doc *doc, const char *file);
int nm_compare_run(nm_compare *self);
size_t nm_compare_quote_count(const nm_compare *self);
size_t nm_compare_quote_doc(const nm_compare *self, size_t q);
long nm_compare_quote_id(const nm_compare *self, size_t q);
int nm_compare_quote_span(const nm_compare *self, size_t q, size_t *start, size_t *end);
long nm_compare_quote_group(const nm_compare *self, size_t q);
int nm_compare_group_variant(const nm_compare *self, size_t g);
size_t nm_compare_group_diff_count(const nm_compare *self, size_t g);
int nm_compare_group_diff(const nm_compare *self, size_t g, size_t k, size_t *a, size_t *a_start, size_t *a_end,
                          size_t *b, size_t *b_start, size_t *b_end);
const char *nm_diff_kind_name(int kind);
const char *nm_compare_doc_file(const nm_compare *self, size_t doc);
]])

local lib = ffi.load(arg[1])
local err = ffi.new("char[256]")
local engine = ffi.gc(lib.nm_engine_new(err, 256), lib.nm_engine_delete)
local cmp = ffi.gc(lib.nm_compare_new(err, 256), lib.nm_compare_delete)
assert(engine ~= nil and cmp ~= nil, ffi.string(err))
local docs = {}
for i = 2, #arg do
  local f = assert(io.open(arg[i], "rb"))
  local text = f:read("*a")
  f:close()
  local doc = lib.nm_doc_new(engine, text, #text, 0, nil, err, 256)
  assert(doc ~= nil, ffi.string(err))
  docs[#docs + 1] = ffi.gc(doc, lib.nm_doc_delete)
  assert(lib.nm_compare_add(cmp, doc, (arg[i]:gsub(".*/", ""))) == 0)
end
assert(lib.nm_compare_run(cmp) == 0)
local s, e = ffi.new("size_t[1]"), ffi.new("size_t[1]")
local a, b = ffi.new("size_t[1]"), ffi.new("size_t[1]")
for q = 0, tonumber(lib.nm_compare_quote_count(cmp)) - 1 do
  local g = lib.nm_compare_quote_group(cmp, q)
  if g >= 0 and lib.nm_compare_group_variant(cmp, g) == 1 then
    lib.nm_compare_quote_span(cmp, q, s, e)
    local kinds = {}
    for k = 0, tonumber(lib.nm_compare_group_diff_count(cmp, g)) - 1 do
      local kind = lib.nm_compare_group_diff(cmp, g, k, a, nil, nil, b, nil, nil)
      if a[0] == q or b[0] == q then kinds[#kinds + 1] = ffi.string(lib.nm_diff_kind_name(kind)) end
    end
    print(string.format("%s %d %d %d group=%d kinds=%s", ffi.string(lib.nm_compare_doc_file(cmp, lib.nm_compare_quote_doc(cmp, q))),
      tonumber(lib.nm_compare_quote_id(cmp, q)), tonumber(s[0]), tonumber(e[0]), tonumber(g), table.concat(kinds, ",")))
  end
end
