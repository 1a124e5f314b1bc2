-- A small test harness for headless Neovim: one line per case on stdout
-- (`ok - name`, `not ok - name: why`, `skip - name: why`), then Neovim
-- exits, non-zero when a case failed.
local H = {}

local failed = false
local root = vim.g.newsmark_test_root or vim.fn.getcwd()
H.root = root
H.shared = vim.env.NM_SHARED or (root .. "/../shared")

local started = false
local function out(line)
  -- Start on a fresh line: Neovim may have echoed a message to stdout.
  if not started then io.stdout:write("\n") end
  started = true
  io.stdout:write((line:gsub("\n", " ")) .. "\n")
  io.stdout:flush()
end

function H.case(name, fn)
  local ok, err = xpcall(fn, function(e)
    -- Where in the test file, not where in the harness.
    local where = debug.traceback("", 2):match("\n%s*([^\n]*tests/nvim/[^\n]*)") or ""
    return tostring(e) .. (where ~= "" and (" [" .. where:gsub("^%s+", "") .. "]") or "")
  end)
  if ok then
    out("ok - " .. name)
  else
    failed = true
    out("not ok - " .. name .. ": " .. tostring(err))
  end
end

function H.skip(name, why)
  out("skip - " .. name .. ": " .. why)
end

function H.fail(msg)
  error(msg, 2)
end

function H.eq(got, want, what)
  if not vim.deep_equal(got, want) then
    error(string.format("%s: got %s, want %s", what or "value", vim.inspect(got, { newline = " ", indent = "" }),
      vim.inspect(want, { newline = " ", indent = "" })), 2)
  end
end

function H.truthy(v, what)
  if not v then error((what or "expected a true value"), 2) end
  return v
end

function H.finish()
  io.stdout:flush()
  vim.cmd(failed and "cquit 1" or "qall!")
end

-- Run the test body; a crash outside any case is a failure too.
function H.run(body)
  local ok, err = xpcall(body, debug.traceback)
  if not ok then
    failed = true
    out("not ok - " .. (vim.fn.expand("%:t") ~= "" and vim.fn.expand("%:t") or "test file") .. ": crashed: " .. tostring(err))
  end
  H.finish()
end

-- A file's bytes.
function H.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local data = f:read("*a")
  f:close()
  return data
end

-- 0-based byte offset into text -> 0-based row, byte column.
function H.pos(text, offset)
  local row, line_start = 0, 0
  local i = 1
  while true do
    local nl = text:find("\n", i, true)
    if not nl or nl > offset then break end
    row, line_start, i = row + 1, nl, nl + 1
  end
  return row, offset - line_start
end

-- A scratch buffer in the current window holding lines, with a filetype.
function H.buffer(lines, filetype)
  vim.cmd("enew!")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  if filetype then vim.bo[buf].filetype = filetype end
  return buf
end

-- The plugin's extmarks of one role ("quote", "speaker", "cue", "via",
-- "label"), as { row, col, end_row, end_col, hl_group or label text, id }.
function H.marks(buf, role)
  local plugin = require("newsmark.plugin")
  local b = plugin._buffer(buf)
  local list = {}
  for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, plugin.ns, 0, -1, { details = true })) do
    local info = b and b.marks[m[1]]
    if info and (role == nil or info.role == role) then
      local d = m[4]
      local what = d.hl_group
      if d.virt_text then
        what = ""
        for _, chunk in ipairs(d.virt_text) do what = what .. chunk[1] end
      end
      list[#list + 1] = { m[2], m[3], d.end_row, d.end_col, what, id = m[1] }
    end
  end
  return list
end

-- The diagnostics of one namespace as comparable rows,
-- { lnum, col, end_lnum, end_col, message }, sorted by line then message.
function H.diagnostics(buf, ns)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf, { namespace = ns })) do
    list[#list + 1] = { d.lnum, d.col, d.end_lnum, d.end_col, d.message }
  end
  table.sort(list, function(x, y) return x[1] < y[1] or (x[1] == y[1] and x[5] < y[5]) end)
  return list
end

-- Wait until cond() holds (processing timers and scheduled callbacks).
function H.wait(ms, cond)
  return vim.wait(ms, cond, 10)
end

return H
