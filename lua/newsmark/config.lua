-- newsmark.config: the plugin's options, their defaults and their checks.
--
-- setup(opts) merges the user's options over a fresh copy of the defaults,
-- so calling it twice starts from the defaults each time.

local M = {}

M.defaults = {
  -- Buffers of these filetypes are annotated as they open when auto_enable
  -- is on; :Newsmark enable works in any buffer.
  filetypes = { "text", "markdown", "mail", "html" },
  -- Off by default: without setup() nothing runs until :Newsmark enable.
  auto_enable = false,
  -- How the buffer's bytes are read, by filetype; any other filetype is plain.
  input = { markdown = "markdown", html = "html", xhtml = "html" },
  -- Only run marker rules of these kinds (nil: every kind).
  markers = nil,
  -- Rule ids to turn off ("hedge.reportedly").
  disable = {},
  -- Rule files, in the format of `annotate --rules FILE.lua`.
  rules = {},
  -- Show the resolved speaker at each quote's end.
  virtual_text = true,
  -- "auto": inline where Neovim has it (0.10+), else end of line.
  virtual_text_pos = "auto",
  -- Markers as vim.diagnostic entries.
  diagnostics = true,
  -- Idle time after an edit before re-annotating.
  debounce_ms = 200,
  -- Above this many bytes only the visible lines +- margin_lines are analysed.
  max_bytes = 2 * 1024 * 1024,
  margin_lines = 200,
  -- Per-entity quote colours: a highlight group name to link to, or a table
  -- of nvim_set_hl attributes. NewsmarkQuote1..N take them in order.
  palette = { "String", "Identifier", "Constant", "Type", "Special", "PreProc", "Function", "Statement" },
  -- Overrides for any Newsmark* group: { NewsmarkCue = { underline = true } }.
  highlights = {},
  -- :Newsmark compare: the severity of its diagnostics, the list that gets
  -- the other texts' quotes ("quickfix", "loclist" or "none"), and in a
  -- directory, how many files at most and which extensions are text.
  compare_severity = "warning",
  compare_list = "quickfix",
  compare_max_files = 200,
  compare_extensions = { "txt", "text", "md", "markdown", "html", "htm", "xhtml", "eml" },
}

local function is_list_of(value, kind)
  if type(value) ~= "table" then return false end
  for i, v in ipairs(value) do
    if type(v) ~= kind and not (kind == "entry" and (type(v) == "string" or type(v) == "table")) then
      return false, i
    end
  end
  return true
end

-- Checks: option name -> function(value) returning ok, "what was expected".
local checks = {
  filetypes = function(v) return is_list_of(v, "string"), "a list of filetype names" end,
  auto_enable = function(v) return type(v) == "boolean", "true or false" end,
  input = function(v)
    if type(v) ~= "table" then return false, "a table filetype -> input" end
    for ft, kind in pairs(v) do
      if type(ft) ~= "string" or (kind ~= "plain" and kind ~= "markdown" and kind ~= "html") then
        return false, 'a table filetype -> "plain" | "markdown" | "html"'
      end
    end
    return true
  end,
  markers = function(v) return v == nil or is_list_of(v, "string"), "nil or a list of marker kinds" end,
  disable = function(v) return is_list_of(v, "string"), "a list of rule ids" end,
  rules = function(v) return is_list_of(v, "string"), "a list of rule file paths" end,
  virtual_text = function(v) return type(v) == "boolean", "true or false" end,
  virtual_text_pos = function(v)
    return v == "auto" or v == "inline" or v == "eol", '"auto", "inline" or "eol"'
  end,
  diagnostics = function(v) return type(v) == "boolean", "true or false" end,
  debounce_ms = function(v)
    return type(v) == "number" and v >= 0 and v == math.floor(v), "a whole number of milliseconds >= 0"
  end,
  max_bytes = function(v) return type(v) == "number" and v > 0, "a positive number of bytes" end,
  margin_lines = function(v) return type(v) == "number" and v >= 0, "a number of lines >= 0" end,
  palette = function(v) return is_list_of(v, "entry") and #v > 0, "a non-empty list of group names or highlight tables" end,
  compare_severity = function(v)
    return v == "error" or v == "warning" or v == "info" or v == "hint", '"error", "warning", "info" or "hint"'
  end,
  compare_list = function(v)
    return v == "quickfix" or v == "loclist" or v == "none", '"quickfix", "loclist" or "none"'
  end,
  compare_max_files = function(v)
    return type(v) == "number" and v >= 1 and v == math.floor(v), "a whole number of files >= 1"
  end,
  compare_extensions = function(v) return is_list_of(v, "string") and #v > 0, "a non-empty list of file extensions" end,
  highlights = function(v)
    if type(v) ~= "table" then return false, "a table group name -> highlight attributes" end
    for name, attrs in pairs(v) do
      if type(name) ~= "string" or not name:match("^Newsmark") or type(attrs) ~= "table" then
        return false, "a table Newsmark* group name -> highlight attributes"
      end
    end
    return true
  end,
}

-- Merge opts over the defaults and check every option. Returns the merged
-- table, or nil and a message naming the first bad option.
function M.build(opts)
  if opts ~= nil and type(opts) ~= "table" then
    return nil, "newsmark: setup() takes a table of options, got " .. type(opts)
  end
  opts = opts or {}
  for name in pairs(opts) do
    if checks[name] == nil then
      return nil, "newsmark: unknown option '" .. tostring(name) .. "'"
    end
  end
  local merged = vim.deepcopy(M.defaults)
  for name, value in pairs(opts) do
    if (name == "input" or name == "highlights") and type(value) == "table" then
      -- Maps add to the defaults.
      merged[name] = vim.tbl_deep_extend("force", merged[name], value)
    else
      -- Lists and values replace the default: tbl_deep_extend would merge
      -- two lists index by index.
      merged[name] = vim.deepcopy(value)
    end
  end
  for name, check in pairs(checks) do
    local ok, want = check(merged[name])
    if not ok then
      return nil, string.format("newsmark: option '%s' should be %s, got %s", name, want, vim.inspect(merged[name]))
    end
  end
  return merged
end

return M
