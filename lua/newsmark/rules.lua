--- newsmark.rules: load and check rule files, and run function rules safely.
--
-- The rules of a rule file mean the same everywhere: in `annotate --rules`
-- (Lua 5.4 inside the filter), in a Lua 5.4 script (newsmark.core) and in
-- Neovim (LuaJIT, FFI). This file is the one place that decides what a rule
-- may hold and what an error about it says. It uses plain Lua only, so it
-- runs on Lua 5.4 and LuaJIT alike.
--
-- Every error names where the rule came from, as "FILE:LINE", and the rule
-- id when it has one:  house.lua:7: rule "house.kyiv": unknown field "colour"

local M = {}

-- The fields a rule may have, and what each must be.
M.fields = {
  id = true, kind = true, words = true, pattern = true, check = true,
  message = true, severity = true, inside = true, origin = true,
}

-- A function rule is stopped after this many Lua VM instructions, so a rule
-- that loops forever cannot hang the filter or the editor.
M.default_instructions = 100000000

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "string" or ta == "number" then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

local function is_list_of_strings(t)
  if type(t) ~= "table" or #t == 0 then return false end
  local n = 0
  for k, v in pairs(t) do
    n = n + 1
    if type(k) ~= "number" or type(v) ~= "string" or v == "" then return false end
  end
  return n == #t
end

--- Check one rule table. Returns nil when it is good, else "ORIGIN: message".
-- `where` names the rule when it has no usable id ("rule 3").
function M.validate(rule, origin, where)
  local function fail(fmt, ...)
    return string.format("%s: " .. fmt, origin, ...)
  end
  if type(rule) ~= "table" then
    return fail("%s is a %s, not a table", where, type(rule))
  end
  local id = rule.id
  if id == nil then return fail("%s has no id", where) end
  if type(id) ~= "string" or not id:match("^[%w_][%w_.%-]*$") then
    return fail("%s: id must be a string of letters, digits, '.', '_' and '-' (got %s)",
      where, type(id) == "string" and string.format("%q", id) or type(id))
  end
  local function bad(fmt, ...)
    return string.format("%s: rule %q: " .. fmt, origin, id, ...)
  end
  for _, key in ipairs(sorted_keys(rule)) do
    if not M.fields[key] then
      local keys = sorted_keys(M.fields)
      for i = #keys, 1, -1 do if keys[i] == "origin" then table.remove(keys, i) end end
      return bad("unknown field %s (a rule has %s)",
        type(key) == "string" and string.format("%q", key) or "[" .. tostring(key) .. "]",
        table.concat(keys, ", "))
    end
  end
  if type(rule.kind) ~= "string" or not rule.kind:match("^[%w_][%w_.%-]*$") then
    return bad("kind must be a word such as \"style\" (got %s)",
      type(rule.kind) == "string" and string.format("%q", rule.kind) or type(rule.kind))
  end
  local given = {}
  for _, f in ipairs({ "pattern", "words", "check" }) do
    if rule[f] ~= nil then given[#given + 1] = f end
  end
  if #given == 0 then return bad("needs one of pattern, words or check") end
  if #given > 1 then
    return bad("has both %s and %s; give only one", given[1], given[2])
  end
  if rule.pattern ~= nil and (type(rule.pattern) ~= "string" or rule.pattern == "") then
    return bad("pattern must be a non-empty string")
  end
  if rule.words ~= nil and not is_list_of_strings(rule.words) then
    return bad("words must be a non-empty list of non-empty strings")
  end
  if rule.check ~= nil and type(rule.check) ~= "function" then
    return bad("check must be a function")
  end
  if rule.message ~= nil and type(rule.message) ~= "string" then
    return bad("message must be a string")
  end
  if rule.severity ~= nil and rule.severity ~= "info" and rule.severity ~= "warning" then
    return bad("severity must be \"info\" or \"warning\" (got %s)",
      type(rule.severity) == "string" and string.format("%q", rule.severity) or type(rule.severity))
  end
  if rule.inside ~= nil then
    if rule.inside ~= "quote" and rule.inside ~= "prose" and rule.inside ~= "any" then
      return bad("inside must be \"quote\", \"prose\" or \"any\" (got %s)",
        type(rule.inside) == "string" and string.format("%q", rule.inside) or type(rule.inside))
    end
    if rule.check ~= nil then return bad("inside applies to pattern and words rules only") end
  end
  if rule.origin ~= nil and type(rule.origin) ~= "string" then
    return bad("origin must be a string")
  end
  return nil
end

---------------------------------------------------------------------------
-- Where each rule is written.
--
-- A rule file is plain Lua: `return { {...}, {...} }`. Lua cannot tell us
-- the line of a table constructor, so we read the source: skip comments and
-- strings, track brace depth, and record the line of every `{` directly
-- inside the constructor that follows the file's last top-level `return`.
-- When that does not account for every rule (the file built its list some
-- other way), a rule's line is that of its `id = "..."`, then that of its
-- check function, then that of the `return`.
---------------------------------------------------------------------------

local function count_newlines(s, i, j)
  local n = 0
  for _ in s:sub(i, j):gmatch("\n") do n = n + 1 end
  return n
end

function M.scan_lines(src)
  local i, n, line, depth = 1, #src, 1, 0
  local after_return, return_line = false, 1
  local current -- lines of the rule constructors after the latest return
  local result
  while i <= n do
    local j = src:find("[\n%-\"'%[{}%a_]", i)
    if not j then break end
    if j > i then after_return = after_return and not src:sub(i, j - 1):find("%S") end
    i = j
    local c = src:sub(i, i)
    if c == "\n" then
      line, i = line + 1, i + 1
    elseif c == "-" then
      if src:sub(i + 1, i + 1) == "-" then
        local eq = src:match("^%[(=*)%[", i + 2)
        local stop
        if eq then
          local close = "]" .. eq .. "]"
          local k = src:find(close, i + 4 + #eq, true)
          stop = k and k + #close - 1 or n
        else
          stop = (src:find("\n", i, true) or n + 1) - 1
        end
        line = line + count_newlines(src, i, stop)
        i = stop + 1
      else
        after_return, i = false, i + 1
      end
    elseif c == '"' or c == "'" then
      local k = i + 1
      while k <= n do
        local d = src:sub(k, k)
        if d == "\\" then
          if src:sub(k + 1, k + 1) == "\n" then line = line + 1 end
          k = k + 2
        elseif d == c or d == "\n" then
          break
        else
          k = k + 1
        end
      end
      after_return, i = false, k + 1
    elseif c == "[" then
      local eq = src:match("^%[(=*)%[", i)
      if eq then
        local close = "]" .. eq .. "]"
        local k = src:find(close, i + 2 + #eq, true)
        local stop = k and k + #close - 1 or n
        line = line + count_newlines(src, i, stop)
        i = stop + 1
      else
        i = i + 1
      end
      after_return = false
    elseif c == "{" then
      if depth == 0 then
        current = after_return and {} or nil
        if current then result = { lines = current, return_line = return_line } end
      elseif depth == 1 and current then
        current[#current + 1] = line
      end
      depth, after_return, i = depth + 1, false, i + 1
    elseif c == "}" then
      depth = depth > 0 and depth - 1 or 0
      after_return, i = false, i + 1
    else
      local word = src:match("^[%w_]+", i)
      if word == "return" and depth == 0 then
        after_return, return_line = true, line
      else
        after_return = false
      end
      i = i + #word
    end
  end
  return result or { lines = {}, return_line = return_line }
end

-- The line of the nth `id = "ID"` in the source, or nil.
local function id_line(src, id, nth)
  local pat = "id%s*=%s*([\"'])" .. id:gsub("%p", "%%%0") .. "%1"
  local pos, seen = 1, 0
  while true do
    local s, e = src:find(pat, pos)
    if not s then return nil end
    seen = seen + 1
    if seen == nth then return 1 + count_newlines(src, 1, s) end
    pos = e + 1
  end
end

---------------------------------------------------------------------------
-- Running untrusted-by-accident code: rule files and function rules.
---------------------------------------------------------------------------

local STOP = setmetatable({}, { __tostring = function() return "instruction limit" end })

--- Call fn(...) under pcall, stopped after `budget` VM instructions.
-- Returns true and fn's first result, or false, a message, and whether the
-- budget stopped it. Any hook the host had (a profiler) is put back.
-- In Lua 5.4 a hook set from Lua belongs to one thread: a coroutine a rule
-- creates would run without it. While a guard runs, coroutine.create and
-- coroutine.wrap are swapped for versions that hook the new thread too;
-- outside a guard they behave as usual (a rule may have kept a reference).
local raw_create, raw_wrap = coroutine.create, coroutine.wrap
local current -- { hook =, count = } while a guard runs
local function hooked_create(fn)
  local co = raw_create(fn)
  if current then debug.sethook(co, current.hook, "", current.count) end
  return co
end
local function wrap_result(ok, ...)
  if not ok then error((...), 0) end
  return ...
end
local function hooked_wrap(fn)
  local co = hooked_create(fn)
  return function(...) return wrap_result(coroutine.resume(co, ...)) end
end

local guarded_call
function guarded_call(budget, fn, ...)
  local old_hook, old_mask, old_count = debug.gethook()
  local stopped = false
  local function hook()
    -- Never stop the guard itself: once pcall has returned, it must be
    -- able to put the old hook back.
    local running = debug.getinfo(2, "f")
    if running and running.func == guarded_call then return end
    stopped = true
    -- From now on every instruction raises, so a pcall inside the rule
    -- cannot swallow the stop and carry on looping.
    debug.sethook(hook, "", 1)
    error(STOP, 0)
  end
  local outer = current
  current = { hook = hook, count = budget }
  coroutine.create, coroutine.wrap = hooked_create, hooked_wrap
  debug.sethook(hook, "", budget)
  local ok, result = pcall(fn, ...)
  if old_hook then debug.sethook(old_hook, old_mask, old_count) else debug.sethook() end
  current = outer
  if not current then coroutine.create, coroutine.wrap = raw_create, raw_wrap end
  if stopped then
    return false, string.format("stopped after %d instructions (an endless loop?)", budget), true
  end
  if not ok then
    -- Not tostring(): an error object's __tostring is rule code too, and
    -- would run with no hook to stop it.
    local t = type(result)
    if t == "string" then return false, result, false end
    if t == "number" then return false, string.format("%.14g", result), false end
    return false, "it raised a " .. t .. " value, not a message", false
  end
  return true, result
end
M.guarded_call = guarded_call

-- LuaJIT only: compile none of a rule file's functions. Instruction hooks
-- do not fire inside JIT-compiled traces, so a looping rule could not be
-- stopped otherwise. The rules run in the interpreter, which is plenty.
local function no_jit(fn)
  if type(jit) == "table" and jit.off then jit.off(fn, true) end
end
M.no_jit = no_jit

---------------------------------------------------------------------------
-- Loading a rule file.
---------------------------------------------------------------------------

-- "…/long/path.lua:3: message" (Lua shortens long chunk names) -> "path:3: message"
local function with_full_path(message, path)
  local rest = message:match("^.-:(%d+: .*)$")
  if rest then return path .. ":" .. rest end
  return path .. ": " .. message
end

--- Load the rule file at `path`. Returns the list of rules, each a copy of
-- the file's table with `origin = "path:line"`, or nil and "path:line: message".
-- opts.env: the environment of the rule file (default: a fresh table that
-- reads globals from _G); opts.instructions: the budget of the file's own
-- top-level code.
function M.load(path, opts)
  if type(path) ~= "string" then
    error("bad argument #1 to 'load_rules' (string expected, got " .. type(path) .. ")", 2)
  end
  opts = opts or {}
  local f, open_err = io.open(path, "rb")
  if not f then return nil, open_err end
  local src, read_err = f:read("*a")
  f:close()
  if not src then return nil, path .. ": " .. tostring(read_err) end
  local env = opts.env or setmetatable({}, { __index = _G })
  local chunk, syntax_err = load(src, "@" .. path, "t", env)
  if not chunk then return nil, with_full_path(syntax_err, path) end
  no_jit(chunk)
  local ok, list, stopped = M.guarded_call(opts.instructions or M.default_instructions, chunk)
  if not ok then
    if stopped then return nil, path .. ":1: the file's own code " .. list end
    return nil, with_full_path(list, path)
  end
  local scan = M.scan_lines(src)
  if type(list) ~= "table" or (list.id ~= nil and list[1] == nil) then
    return nil, string.format("%s:%d: a rule file must return a list of rules, { {id = ...}, ... } (got %s)",
      path, scan.return_line, type(list) == "table" and "one rule" or type(list))
  end
  local n = #list
  for k in pairs(list) do
    if type(k) ~= "number" or k < 1 or k > n or k % 1 ~= 0 then
      return nil, string.format("%s:%d: the list of rules has a stray field %s",
        path, scan.return_line, type(k) == "string" and string.format("%q", k) or tostring(k))
    end
  end
  local by_constructor = #scan.lines == n
  local id_seen = {}
  local rules, first_origin = {}, {}
  for i = 1, n do
    local rule = list[i]
    local line
    if by_constructor then line = scan.lines[i] end
    if not line and type(rule) == "table" and type(rule.id) == "string" then
      id_seen[rule.id] = (id_seen[rule.id] or 0) + 1
      line = id_line(src, rule.id, id_seen[rule.id])
    end
    if not line and type(rule) == "table" and type(rule.check) == "function" then
      local info = debug.getinfo(rule.check, "S")
      if info and info.short_src and info.linedefined and info.linedefined > 0 then line = info.linedefined end
    end
    local origin = string.format("%s:%d", path, line or scan.return_line)
    local err = M.validate(rule, origin, "rule " .. i)
    if err then return nil, err end
    if first_origin[rule.id] then
      return nil, string.format("%s: rule %q: duplicate id (first at %s)", origin, rule.id, first_origin[rule.id])
    end
    first_origin[rule.id] = origin
    local copy = {}
    for k, v in pairs(rule) do copy[k] = v end
    copy.origin = origin
    if copy.check then no_jit(copy.check) end
    rules[i] = copy
  end
  return rules
end

return M
