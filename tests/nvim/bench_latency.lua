-- Bench: time from an edit to updated extmarks on a 60 KB article.
--   nvim --headless -u tests/minimal_init.lua -c "luafile tests/nvim/bench_latency.lua"
-- The article is the seed articles repeated to 60 KB (or, without
-- ../shared, our fixture repeated). Each round types one character, then
-- re-annotates as the debounce timer would, and times both together; the
-- debounce wait itself (debounce_ms, an idle pause by design) is not
-- counted. Prints one summary line; exits non-zero if it cannot run.
local root = vim.g.newsmark_test_root
local api = vim.api
local now = (vim.uv or vim.loop).hrtime
local target = tonumber(vim.env.NM_BENCH_BYTES) or 60 * 1024
local rounds = tonumber(vim.env.NM_BENCH_ROUNDS) or 100

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local ok, err = pcall(function()
  local sources = vim.fn.glob((vim.env.NM_SHARED or (root .. "/../shared")) .. "/corpus/seeds/*.txt", false, true)
  local what = "seed articles"
  if #sources == 0 then
    sources, what = { root .. "/tests/nvim/fixture.txt" }, "tests/nvim/fixture.txt"
  end
  table.sort(sources)
  local parts, size = {}, 0
  while size < target do
    for _, path in ipairs(sources) do
      local text = read(path)
      parts[#parts + 1] = text
      size = size + #text + 2
      if size >= target then break end
    end
  end
  local lines = vim.split(table.concat(parts, "\n\n"), "\n", { plain = true })
  vim.cmd("enew!")
  local buf = api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].filetype = "text"

  local plugin = require("newsmark.plugin")
  plugin.setup({ debounce_ms = 1000000 }) -- the timer never fires: we annotate ourselves
  plugin.enable(buf)
  local b = assert(plugin._buffer(buf), "not enabled")
  assert(b.doc, "no analysis")
  -- A row in the middle of the article, to type at.
  local row = math.floor(#lines / 2)
  local times, cpu, parts_ms = {}, {}, { analyse = {}, marks = {}, wanted = {}, diagnostics = {} }
  for i = 1, rounds + 10 do
    local t, c = now(), os.clock()
    if i % 2 == 1 then
      api.nvim_buf_set_text(buf, row, 0, row, 0, { "x" })
    else
      api.nvim_buf_set_text(buf, row, 0, row, 1, { "" })
    end
    plugin.annotate(buf)
    local ms = (now() - t) / 1e6
    local cpu_ms = (os.clock() - c) * 1000
    if i > 10 then -- the first rounds warm up LuaJIT's traces
      times[#times + 1] = ms
      cpu[#cpu + 1] = cpu_ms
      for k, list in pairs(parts_ms) do list[#list + 1] = b.timing[k] end
    end
  end
  local function median(list)
    table.sort(list)
    return list[math.floor(#list / 2) + 1]
  end
  local function pct(list, p)
    table.sort(list)
    return list[math.min(#list, math.floor(#list * p) + 1)]
  end
  local quotes, markers = #b.doc.quotes, #b.doc.markers
  local line = string.format(
    "nvim edit-to-extmarks on a %.1f KB article (%s; %d quotes, %d markers): median %.2f ms, p95 %.2f ms, CPU median %.2f ms "
      .. "(analyse %.2f, marks %.2f of which computing them %.2f, diagnostics %.2f ms); frame budget 16 ms",
    b.timing.bytes / 1024, what, quotes, markers, median(times), pct(times, 0.95), median(cpu),
    median(parts_ms.analyse), median(parts_ms.marks), median(parts_ms.wanted), median(parts_ms.diagnostics))
  io.stdout:write(line .. "\n")
end)
if not ok then
  io.stdout:write("bench_latency: failed: " .. tostring(err) .. "\n")
  vim.cmd("cquit 1")
end
vim.cmd("qall!")
