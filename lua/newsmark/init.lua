--- newsmark: quotes, their sources and fact-checking markers in news text.
--
-- One API on two runtimes:
--   Lua 5.4  through newsmark.core, the C module (src/lua_newsmark.c);
--   LuaJIT   (Neovim) through the FFI on libnewsmark.so (newsmark/ffi.lua).
-- A rule file written once runs on both, and in `annotate --rules`.
--
--   local nm = require("newsmark")
--   local engine = assert(nm.engine({ rules = assert(nm.load_rules("house.lua")) }))
--   local doc = assert(engine:analyse(text, { input = "plain" }))
--   for _, q in ipairs(doc.quotes) do print(q.kind, q.text, q.speaker and q.speaker.text) end
--
-- Spans are 1-based and inclusive: `first` and `last`, so that
-- text:sub(first, last) is the span, as with string.find. (The C library and
-- `annotate --format=json` use 0-based end-exclusive byte offsets; each
-- backend converts once, at its boundary.) Quote and entity `id`s are their
-- positions in doc.quotes and doc.entities.
--
-- Errors: an expected failure (a bad rule file, a pattern that does not
-- compile, text the library rejects) returns nil and a message; misuse (a
-- wrong argument type) raises.

local rules_lib = require("newsmark.rules")

local function load_backend()
  if type(jit) == "table" then return require("newsmark.ffi") end
  return require("newsmark.core")
end

local backend = load_backend()

local M = {
  version = backend.version,
  backend = backend.backend,
}

local INPUTS = { plain = true, markdown = true, html = true }

local function argerror(n, fname, msg)
  error(string.format("bad argument #%d to '%s' (%s)", n, fname, msg), 3)
end

local function list_of_strings(v, n, fname, field)
  if v == nil then return {} end
  if type(v) == "string" then return { v } end
  if type(v) ~= "table" then argerror(n, fname, field .. " must be a string or a list of strings") end
  for i, s in ipairs(v) do
    if type(s) ~= "string" then argerror(n, fname, string.format("%s[%d] must be a string", field, i)) end
  end
  return v
end

--- Load a rule file: a list of rule tables, each with .origin = "path:line",
-- or nil and "path:line: message". See newsmark/rules.lua for the format.
function M.load_rules(path)
  return rules_lib.load(path)
end

---------------------------------------------------------------------------
-- Engine
---------------------------------------------------------------------------

local Engine = {}
Engine.__index = Engine

-- Strip a leading "rule ID: " the C library may have put on its message,
-- since ours says it already.
local function c_message(message, id)
  local plain = id:gsub("%p", "%%%0")
  return (message:gsub("^rule \"?" .. plain .. "\"?:%s*", ""))
end

--- Add user rules to a backend engine handle. Returns the Engine, or nil
-- and a message naming the rule's origin and id. Used by M.engine and by
-- annotate (M._host), so both read rules the same way.
local function attach(handle, rules, opts)
  local self = setmetatable({
    _handle = handle,
    _functions = {},
    _instructions = rules_lib.default_instructions,
  }, Engine)
  local limits = opts.limits or {}
  if limits.instructions ~= nil then self._instructions = limits.instructions end
  if limits.match ~= nil or limits.depth ~= nil then
    local ok, err = handle:set_limits(limits.match or 0, limits.depth or 0)
    if not ok then return nil, err end
  end
  local first_origin = {}
  for _, r in ipairs(handle:rules()) do first_origin[r.id] = r.origin or "built-in" end
  for i, rule in ipairs(rules) do
    local origin = type(rule) == "table" and type(rule.origin) == "string" and rule.origin
      or string.format("rules[%d]", i)
    local err = rules_lib.validate(rule, origin, "rule " .. i)
    if err then return nil, err end
    if first_origin[rule.id] then
      return nil, string.format("%s: rule %q: duplicate id (first at %s)", origin, rule.id, first_origin[rule.id])
    end
    first_origin[rule.id] = origin
    local severity, inside = rule.severity or "info", rule.inside or "any"
    local ok
    if rule.pattern then
      ok, err = handle:add_pattern(rule.id, rule.kind, rule.pattern, rule.message, severity, inside, origin)
    elseif rule.words then
      ok, err = handle:add_words(rule.id, rule.kind, rule.words, rule.message, severity, inside, origin)
    else
      rules_lib.no_jit(rule.check)
      self._functions[#self._functions + 1] = {
        id = rule.id, kind = rule.kind, message = rule.message, severity = severity,
        origin = origin, check = rule.check, enabled = true,
      }
      ok = true
    end
    if not ok then
      return nil, string.format("%s: rule %q: %s", origin, rule.id, c_message(tostring(err), rule.id))
    end
  end
  return self
end

-- Apply `only` (kinds) and `disable` (rule ids) to the C rules and ours.
local function narrow(self, only, disable)
  local handle = self._handle
  if #only > 0 then
    local wanted = {}
    for _, kind in ipairs(only) do
      wanted[kind] = true
      local ok, err = handle:only_kind(kind)
      if not ok then return nil, err end
    end
    for _, f in ipairs(self._functions) do f.enabled = f.enabled and wanted[f.kind] == true end
  end
  for _, id in ipairs(disable) do
    local found = false
    for _, f in ipairs(self._functions) do
      if f.id == id then f.enabled, found = false, true end
    end
    if not found then
      local ok, err = handle:disable_rule(id)
      if not ok then return nil, err end
    end
  end
  return true
end

--- Create an engine: the built-in rules plus opts.rules (a list of rule
-- tables, as nm.load_rules returns; several files' lists may be joined).
-- opts.only: kinds to run (a string or a list); opts.disable: rule ids to
-- turn off; opts.limits: { match =, depth = } for user patterns (PCRE2),
-- { instructions = } for function rules. Returns the engine or nil, message.
function M.engine(opts)
  if opts ~= nil and type(opts) ~= "table" then argerror(1, "engine", "table expected, got " .. type(opts)) end
  opts = opts or {}
  if opts.rules ~= nil and type(opts.rules) ~= "table" then argerror(1, "engine", "rules must be a list of rules") end
  if opts.limits ~= nil and type(opts.limits) ~= "table" then argerror(1, "engine", "limits must be a table") end
  local only = list_of_strings(opts.only, 1, "engine", "only")
  local disable = list_of_strings(opts.disable, 1, "engine", "disable")
  local handle, err = backend.engine_new()
  if not handle then return nil, err end
  local self
  self, err = attach(handle, opts.rules or {}, opts)
  if not self then handle:close(); return nil, err end
  local ok
  ok, err = narrow(self, only, disable)
  if ok then ok, err = handle:compile() end
  if not ok then handle:close(); return nil, err end
  return self
end

--- Every rule, built-in and user: { {id=, kind=, origin=, enabled=}, ... }.
function Engine:rules()
  local list = self._handle:rules()
  for _, f in ipairs(self._functions) do
    list[#list + 1] = { id = f.id, kind = f.kind, origin = f.origin, enabled = f.enabled }
  end
  return list
end

-- Run the function rules over doc (the table) and add their markers to
-- the C document behind it (dh), so renderers show them too. A rule that
-- fails adds its error to doc.errors; the others still run.
local function run_functions(self, dh, doc)
  for _, f in ipairs(self._functions) do
    if f.enabled then
      local ok, result = rules_lib.guarded_call(self._instructions, f.check, doc)
      local prefix = string.format("%s: rule %q", f.origin, f.id)
      if not ok then
        doc.errors[#doc.errors + 1] = prefix .. " failed: " .. result
      elseif result ~= nil and type(result) ~= "table" then
        doc.errors[#doc.errors + 1] = string.format("%s returned a %s, not a list of markers", prefix, type(result))
      elseif result ~= nil then
        local added = false
        for i, m in ipairs(result) do
          local problem
          if type(m) ~= "table" then
            problem = "is not a table"
          elseif type(m.first) ~= "number" or type(m.last) ~= "number"
            or m.first % 1 ~= 0 or m.last % 1 ~= 0 then
            problem = "needs integer first and last"
          elseif m.message ~= nil and type(m.message) ~= "string" then
            problem = "has a message that is not a string"
          end
          local err
          if not problem then
            local done
            done, err = dh:add_marker(f.kind, f.id, m.first, m.last, m.message or f.message, f.severity)
            added = added or done
          end
          if problem or not done and err then
            doc.errors[#doc.errors + 1] = string.format("%s: marker %d %s", prefix, i, problem or err)
          end
        end
        if added then doc.markers = dh:markers() end
      end
    end
  end
end

--- Analyse text. opts.input: "plain" (default), "markdown" or "html".
-- Returns the document table, or nil and a message:
--   doc.text, doc.quotes, doc.entities, doc.markers, doc.errors (strings:
--   rules that hit a limit or failed).
function Engine:analyse(text, opts)
  if type(text) ~= "string" then argerror(1, "analyse", "string expected, got " .. type(text)) end
  if opts ~= nil and type(opts) ~= "table" then argerror(2, "analyse", "table expected, got " .. type(opts)) end
  local input = opts and opts.input or "plain"
  if not INPUTS[input] then
    argerror(2, "analyse", "input must be \"plain\", \"markdown\" or \"html\", not " .. tostring(input))
  end
  local dh, err = self._handle:analyse(text, input)
  if not dh then return nil, err end
  local ok, doc = pcall(dh.table, dh)
  if ok and #self._functions > 0 then ok, err = pcall(run_functions, self, dh, doc) end
  dh:close()
  if not ok then error(doc or err, 0) end
  return doc
end

--- Free the engine now rather than at garbage collection.
function Engine:close()
  self._handle:close()
end

---------------------------------------------------------------------------
-- For annotate (src/annotate_lua.c): load rule files into the engine the
-- filter made, and return a function that runs the function rules over one
-- document handle, returning the list of error messages, and the number of
-- function rules. Not part of the public API.
---------------------------------------------------------------------------
function M._host(handle, files)
  local all = {}
  for _, path in ipairs(files) do
    local list, err = rules_lib.load(path)
    if not list then return nil, err end
    for _, r in ipairs(list) do all[#all + 1] = r end
  end
  local self, err = attach(handle, all, {})
  if not self then return nil, err end
  local functions = {}
  for i, f in ipairs(self._functions) do
    functions[i] = { id = f.id, kind = f.kind, origin = f.origin }
  end
  -- enabled: id -> true for the function rules --only and --disable left on.
  local function run(dh, enabled)
    local doc = dh:table()
    for _, f in ipairs(self._functions) do f.enabled = enabled[f.id] == true end
    local before = #doc.errors
    run_functions(self, dh, doc)
    local errors = {}
    for i = before + 1, #doc.errors do errors[#errors + 1] = doc.errors[i] end
    return errors
  end
  return run, functions
end

---------------------------------------------------------------------------
-- Editor functions (setup, enable, ...) are not part of this file: they live
-- in newsmark.plugin (lua/newsmark/plugin.lua), looked up on first use, so
-- scripts and annotate never load editor code. In Neovim,
-- require("newsmark").setup() therefore works as users expect; elsewhere an
-- unknown field is simply nil.
---------------------------------------------------------------------------
local EDITOR_MODULE = "newsmark.plugin"
-- Neovim finds modules on 'runtimepath' with its own loader, not through
-- package.path, so in Neovim the plugin module is simply required (it ships
-- beside this file); outside Neovim there are no editor functions.
local function editor_module_exists()
  return rawget(_G, "vim") ~= nil
end
setmetatable(M, {
  __index = function(self, key)
    if type(key) ~= "string" or key:sub(1, 1) == "_" or not editor_module_exists() then return nil end
    local plugin = require(EDITOR_MODULE)
    local value = type(plugin) == "table" and plugin[key] or nil
    if value ~= nil then rawset(self, key, value) end
    return value
  end,
})

return M
