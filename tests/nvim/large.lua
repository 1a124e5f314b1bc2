-- A 5 MB buffer: over max_bytes, only the visible lines (plus a margin,
-- widened to paragraph breaks) are analysed, so opening, scrolling and
-- typing stay responsive. Prints the times it measures.
local H = dofile(vim.g.newsmark_test_root .. "/tests/nvim/harness.lua")
local api = vim.api

H.run(function()
  local plugin = require("newsmark.plugin")
  local messages = {}
  vim.notify = function(msg) messages[#messages + 1] = msg end
  plugin.setup({ debounce_ms = 30 })
  local unit = vim.split(H.read(H.root .. "/tests/nvim/fixture.txt"), "\n", { plain = true })
  if unit[#unit] == "" then unit[#unit] = nil end
  unit[#unit + 1] = ""
  local lines = {}
  local bytes = 0
  while bytes < 5 * 1024 * 1024 do
    for _, l in ipairs(unit) do
      lines[#lines + 1] = l
      bytes = bytes + #l + 1
    end
  end
  local buf = H.buffer(lines, "text")
  local per_unit = #unit
  local now = (vim.uv or vim.loop).hrtime

  plugin._engine() -- built once per session: not part of opening a buffer
  local t0 = now()
  plugin.enable(buf)
  local enable_ms = (now() - t0) / 1e6
  local b = plugin._buffer(buf)

  local function quote_rows()
    local rows = {}
    for _, m in ipairs(H.marks(buf, "quote")) do rows[#rows + 1] = m[1] end
    return rows
  end

  H.case(string.format("5 MB buffer: annotating the visible part on enable takes %.1f ms (< 250)", enable_ms), function()
    H.eq(b.windowed, true, "windowed: " .. vim.inspect(messages))
    H.truthy(enable_ms < 250, "too slow")
    local rows = quote_rows()
    H.truthy(#rows > 0, "no quotes marked")
    local margin = plugin.options().margin_lines
    for _, r in ipairs(rows) do
      H.truthy(r < vim.fn.line("w$") + margin + 100, "a quote marked far below the screen, row " .. r)
    end
    H.eq(#messages, 1, "notifications")
    H.truthy(messages[1]:find("over max_bytes"), "message: " .. messages[1])
  end)

  H.case("5 MB buffer: scrolling to the middle annotates what is shown there", function()
    local middle = math.floor(#lines / 2)
    middle = middle - (middle % per_unit) + 3
    api.nvim_win_set_cursor(0, { middle, 0 })
    vim.cmd("normal! zz")
    local tick = b.tick
    vim.cmd("doautocmd <nomodeline> WinScrolled " .. api.nvim_get_current_win())
    H.truthy(H.wait(2000, function() return b.tick ~= tick or #quote_rows() > 0 and quote_rows()[1] > 1000 end),
      "not re-annotated after scrolling")
    H.truthy(H.wait(2000, function() local r = quote_rows(); return #r > 0 and r[1] > 1000 end), "no marks near the middle")
    local rows = quote_rows()
    local found = false
    for _, r in ipairs(rows) do
      if r == middle - 1 then found = true end
      H.truthy(math.abs(r - middle) < plugin.options().margin_lines + 200, "a mark far from the screen at row " .. r)
    end
    H.truthy(found, "no quote mark on the cursor's line " .. (middle - 1))
    H.eq(#messages, 1, "notifications (the size message is not repeated)")
  end)

  H.case("5 MB buffer: an edit returns at once and the update after the debounce is quick", function()
    local row = api.nvim_win_get_cursor(0)[1] - 1
    local times = {}
    local edits = {}
    for i = 1, 10 do
      local tick = b.tick
      local t = now()
      -- Type an "x" at the line's start, then delete it.
      if i % 2 == 1 then
        api.nvim_buf_set_text(buf, row, 0, row, 0, { "x" })
      else
        api.nvim_buf_set_text(buf, row, 0, row, 1, { "" })
      end
      edits[#edits + 1] = (now() - t) / 1e6
      H.truthy(H.wait(2000, function() return b.tick ~= tick end), "edit " .. i .. " not re-annotated")
      t = now()
      plugin.annotate(buf)
      times[#times + 1] = (now() - t) / 1e6
    end
    table.sort(times)
    table.sort(edits)
    local median = times[math.floor(#times / 2) + 1]
    local edit_median = edits[math.floor(#edits / 2) + 1]
    io.stdout:write(string.format("# 5 MB buffer: an edit returns in %.2f ms (median; max %.2f); re-annotation of the visible part: median %.1f ms, max %.1f ms\n",
      edit_median, edits[#edits], median, times[#times]))
    H.truthy(edit_median < 5, string.format("an edit took %.2f ms", edit_median))
    H.truthy(median < 50, string.format("re-annotation median %.1f ms", median))
  end)
end)
