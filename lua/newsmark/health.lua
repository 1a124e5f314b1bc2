-- :checkhealth newsmark: loads libnewsmark through the FFI, runs a real
-- analysis of a fixed sentence and checks the answer, and says how to fix
-- a missing or stale library.

local M = {}

-- vim.health.start/ok/... on 0.10+; vim.health.report_* on 0.8 and 0.9;
-- require("health").report_* on 0.7.
local function reporter()
  local h = vim.health
  if h == nil or (h.start == nil and h.report_start == nil) then
    h = require("health")
  end
  return {
    start = h.start or h.report_start,
    ok = h.ok or h.report_ok,
    info = h.info or h.report_info,
    warn = h.warn or h.report_warn,
    error = h.error or h.report_error,
  }
end

-- The plugin's root: three levels above this file (lua/newsmark/health.lua).
local function plugin_root()
  local source = debug.getinfo(1, "S").source:sub(2)
  return vim.fn.fnamemodify(source, ":p:h:h:h")
end

local function mtime(path)
  local stat = (vim.uv or vim.loop).fs_stat(path)
  return stat and stat.mtime.sec + stat.mtime.nsec / 1e9
end

-- "MAJOR.MINOR.PATCH" from the header next to the plugin, when it is a checkout.
local function header_version(root)
  local f = io.open(root .. "/src/newsmark.h", "r")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  local major = text:match("#define NM_VERSION_MAJOR (%d+)")
  local minor = text:match("#define NM_VERSION_MINOR (%d+)")
  local patch = text:match("#define NM_VERSION_PATCH (%d+)")
  if not (major and minor and patch) then return nil end
  return major .. "." .. minor .. "." .. patch
end

-- The files the library is built from: the Makefile's LIB_SRC, the
-- headers, the lexicons and the prose queries. (Not annotate's own sources:
-- `make` does not relink the library when only they change.)
local function library_sources(root)
  local files = {}
  local f = io.open(root .. "/Makefile", "r")
  local makefile = f and f:read("*a") or ""
  if f then f:close() end
  local list = makefile:match("\nLIB_SRC%s*:=(.-[^\\])\n")
  for file in (list or ""):gmatch("src/[%w_%-]+%.c") do files[#files + 1] = root .. "/" .. file end
  if #files == 0 then
    for _, file in ipairs(vim.fn.glob(root .. "/src/*.c", false, true)) do
      local name = vim.fn.fnamemodify(file, ":t")
      if not name:match("^annotate") and not name:match("^lua_") then files[#files + 1] = file end
    end
  end
  for _, pattern in ipairs({ "/src/*.h", "/src/lexicon/*.txt", "/queries/*/*.scm" }) do
    for _, file in ipairs(vim.fn.glob(root .. pattern, false, true)) do
      local name = vim.fn.fnamemodify(file, ":t")
      if not name:match("^annotate") and not name:match("^lua_") then files[#files + 1] = file end
    end
  end
  return files
end

-- The newest of the library's source files, and its time.
local function newest_source(root)
  local newest, newest_time
  for _, file in ipairs(library_sources(root)) do
    local t = mtime(file)
    if t and (not newest_time or t > newest_time) then newest, newest_time = file, t end
  end
  return newest, newest_time
end

M.sentence = "“We will win,” the mayor said."

-- What the analysis of M.sentence must give. Returns nil when right, or
-- what is wrong.
function M.check_answer(doc)
  local q = doc.quotes[1]
  if #doc.quotes ~= 1 or not q then
    return string.format("expected 1 quote, got %d", #doc.quotes)
  end
  local got = string.format("%s %d..%d speaker %s cue %s", q.kind, q.first, q.last,
    q.speaker and q.speaker.text or "none", q.cue and q.cue.text or "none")
  local want = "direct 1..18 speaker the mayor cue said"
  if got ~= want then return "expected " .. want .. ", got " .. got end
  return nil
end

function M.check()
  local report = reporter()
  local root = plugin_root()
  local fix = string.format("Build it: run `make` in %s (lazy.nvim: build = \"make\"; packer: run = \"make\")", root)

  report.start("newsmark: Neovim")
  if type(jit) ~= "table" then
    report.error("Neovim is not running LuaJIT: the plugin loads libnewsmark through LuaJIT's FFI")
    return
  end
  report.ok(string.format("Neovim %s, %s", tostring(vim.version and vim.version() and
    (vim.version().major .. "." .. vim.version().minor .. "." .. vim.version().patch) or "?"), jit.version))
  local plugin = require("newsmark.plugin")
  if plugin.has_inline then
    report.ok("inline virtual text: speakers appear right after each quote")
  else
    report.info("no inline virtual text before Neovim 0.10: speakers appear at the end of the line")
  end

  report.start("newsmark: library")
  local ok, nm = pcall(require, "newsmark")
  if not ok then
    report.error("libnewsmark could not be loaded: " .. tostring(nm), { fix, "or point $NEWSMARK_LIB (or g:newsmark_lib) at libnewsmark.so" })
    return
  end
  local ffi_ok, backend = pcall(require, "newsmark.ffi")
  local path = ffi_ok and backend.library or "?"
  report.ok(string.format("libnewsmark %s loaded through the %s backend from %s", tostring(nm.version), tostring(nm.backend), path))
  local want = header_version(root)
  if want and want ~= nm.version then
    report.error(string.format("the library is version %s but the plugin's source is %s: the library is stale", nm.version, want), { fix })
  end
  local lib_time = path ~= "?" and mtime(path)
  local newest, newest_time = newest_source(root)
  if lib_time and newest_time and newest_time > lib_time then
    report.warn(string.format("%s is older than %s: the library is stale", path, newest), { fix })
  end

  report.start("newsmark: analysis")
  local engine, err = nm.engine({})
  if not engine then
    report.error("the built-in engine does not compile: " .. tostring(err), { fix })
    return
  end
  local doc
  doc, err = engine:analyse(M.sentence, { input = "plain" })
  if not doc then
    report.error("analysing a test sentence failed: " .. tostring(err), { fix })
    return
  end
  local wrong = M.check_answer(doc)
  if wrong then
    report.error(string.format("wrong answer for %s: %s", M.sentence, wrong), { fix })
  else
    report.ok(string.format("%s -> a direct quote, speaker \"the mayor\", cue \"said\" (%d rules)", M.sentence, #engine:rules()))
  end

  report.start("newsmark: options and rules")
  local opts = plugin.options()
  report.ok(string.format("filetypes: %s; auto_enable: %s; debounce: %d ms; max_bytes: %d",
    table.concat(opts.filetypes, ", "), tostring(opts.auto_enable), opts.debounce_ms, opts.max_bytes))
  local narrowed, narrow_err = nm.engine({ only = opts.markers, disable = opts.disable })
  if not narrowed then
    report.error("the markers/disable options do not apply: " .. tostring(narrow_err))
    return
  end
  if #opts.rules == 0 then
    report.info("no rule files (setup({ rules = { \"house.lua\" } }) adds some)")
  end
  local all = {}
  for _, file in ipairs(opts.rules) do
    local list, load_err = nm.load_rules(vim.fn.expand(file))
    if not list then
      report.error("rule file not loaded: " .. tostring(load_err))
    else
      local candidate = vim.list_extend(vim.list_extend({}, all), list)
      local e, engine_err = nm.engine({ rules = candidate, only = opts.markers, disable = opts.disable })
      if e then
        all = candidate
        report.ok(string.format("%s: %d rules", file, #list))
      else
        report.error("rule file not loaded: " .. tostring(engine_err))
      end
    end
  end
end

return M
