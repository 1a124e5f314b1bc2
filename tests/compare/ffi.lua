-- tests/compare/ffi.lua LIBNEWSMARK FILE...: the compare API through the
-- plugin's own LuaJIT FFI layer (lua/newsmark/ffi.lua, opaque pointers and
-- accessors only), as :Newsmark compare calls it; test_compare.sh runs it on
-- the plain and the sanitized library. Prints one line per member of a
-- variant group, with 0-based byte spans like annotate's JSON:
--   FILE QUOTE-ID START END group=G kinds=K,K
local root = arg[0]:match("^(.*)/tests/compare/ffi%.lua$") or "."
package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
-- newsmark.ffi loads the library named by $NEWSMARK_LIB first; take ours.
local lib = arg[1]
local getenv = os.getenv
os.getenv = function(name) return name == "NEWSMARK_LIB" and lib or getenv(name) end
local nm = require("newsmark.ffi")

local engine = assert(nm.engine_new())
local docs, files = {}, {}
for i = 2, #arg do
  local f = assert(io.open(arg[i], "rb"))
  local text = f:read("*a")
  f:close()
  docs[#docs + 1] = assert(engine:analyse(text))
  files[#files + 1] = arg[i]:gsub(".*/", "")
end
local result = assert(nm.compare(docs))
local group_of = {}
for g, group in ipairs(result.groups) do
  for _, q in ipairs(group.members) do group_of[q] = g end
end
for q, quote in ipairs(result.quotes) do
  local g = group_of[q]
  local group = g and result.groups[g]
  if group and group.variant then
    local kinds = {}
    for _, d in ipairs(group.diffs) do
      if d.a == q or d.b == q then kinds[#kinds + 1] = d.kind end
    end
    print(string.format("%s %d %d %d group=%d kinds=%s", files[quote.doc], quote.id - 1, quote.first - 1, quote.last,
      g - 1, table.concat(kinds, ",")))
  end
end
