-- The plugin on a fixture of our own (tests/nvim/fixture.txt): exact marks,
-- labels, diagnostics, the debounced update after an edit, enable/disable,
-- :Newsmark sources/explain/rules, quote jumps, highlights and setup().
local H = dofile(vim.g.newsmark_test_root .. "/tests/nvim/harness.lua")
local api = vim.api

H.run(function()
  local plugin = require("newsmark.plugin")
  H.case("setup() with defaults", function()
    H.eq({ plugin.setup({ debounce_ms = 50 }) }, { true }, "setup")
  end)

  H.case("require('newsmark').setup and .enable are the plugin's", function()
    local nm = require("newsmark")
    H.eq(type(nm.setup), "function", "type of require('newsmark').setup")
    H.eq({ nm.setup({ debounce_ms = 50 }) }, { true }, "setup through require('newsmark')")
    H.truthy(nm.enable == plugin.enable, "require('newsmark').enable is not the plugin's")
  end)

  vim.cmd("edit! " .. vim.fn.fnameescape(H.root .. "/tests/nvim/fixture.txt"))
  local buf = api.nvim_get_current_buf()
  H.case("not enabled until asked (auto_enable is off by default)", function()
    H.eq(plugin.is_enabled(buf), false, "enabled")
    H.eq(#api.nvim_buf_get_extmarks(buf, plugin.ns, 0, -1, {}), 0, "extmarks")
  end)
  vim.cmd("Newsmark enable")

  local function spans(role)
    return vim.tbl_map(function(m) return { m[1], m[2], m[3], m[4] } end, H.marks(buf, role))
  end
  local function label_rows()
    local out = {}
    for _, m in ipairs(H.marks(buf, "label")) do out[#out + 1] = { m[1], m[2], (m[5]:gsub("^ ", "")) } end
    return out
  end

  H.case(":Newsmark enable: quote extmarks at exact positions", function()
    H.eq(plugin.is_enabled(buf), true, "enabled")
    H.eq(spans("quote"), { { 2, 0, 2, 18 }, { 4, 0, 4, 63 }, { 6, 0, 6, 21 }, { 6, 37, 6, 58 } }, "quote spans")
  end)

  H.case("speaker, cue highlights", function()
    local speakers = H.marks(buf, "speaker")
    H.eq(speakers[1], { 2, 19, 2, 28, "NewsmarkSpeaker", id = speakers[1].id }, "the mayor")
    local cues = vim.tbl_map(function(m) return { m[1], m[2], m[3], m[4], m[5] } end, H.marks(buf, "cue"))
    H.eq(cues, { { 2, 29, 2, 33, "NewsmarkCue" }, { 4, 77, 4, 81, "NewsmarkCue" }, { 6, 22, 6, 26, "NewsmarkCue" } }, "cues")
  end)

  H.case("virtual text names the speaker at each quote's end", function()
    local labels = label_rows()
    H.eq(#labels, 4, "labels")
    H.eq({ labels[1][1], labels[1][2] }, { 2, 18 }, "first label's place")
    H.truthy(labels[1][3]:match("^— .*mayor$"), "first label is " .. labels[1][3])
    H.eq(labels[2], { 4, 63, "— a spokesman" }, "second label")
    H.eq(labels[3], { 6, 21, "— Jane Doe" }, "third label")
    H.eq(labels[4], { 6, 58, "— Jane Doe" }, "fourth label")
    local pos = H.marks(buf, "label")[1]
    local details = api.nvim_buf_get_extmark_by_id(buf, plugin.ns, pos.id, { details = true })[3]
    H.eq(details.virt_text_pos, plugin.has_inline and "inline" or "eol", "virt_text_pos")
  end)

  H.case("one colour per speaker, stable within the buffer", function()
    local quotes = H.marks(buf, "quote")
    H.truthy(quotes[1][5]:match("^NewsmarkQuote%d$"), "colour group " .. quotes[1][5])
    H.eq(quotes[3][5], quotes[4][5], "Jane Doe's two quotes")
    H.truthy(quotes[1][5] ~= quotes[3][5] and quotes[2][5] ~= quotes[3][5], "different speakers, different colours")
  end)

  H.case("markers are diagnostics: source, kind, rule id, severity", function()
    local got = {}
    for _, d in ipairs(vim.diagnostic.get(buf, { namespace = plugin.ns_diagnostics })) do
      got[#got + 1] = { d.lnum, d.col, d.end_lnum, d.end_col, d.source, d.code, d.user_data.newsmark.kind, d.severity }
    end
    table.sort(got, function(a, b) return a[2] < b[2] end)
    local W, I = vim.diagnostic.severity.WARN, vim.diagnostic.severity.INFO
    H.eq(got, {
      { 4, 12, 4, 22, "newsmark", "hedge.word", "hedge", W },
      { 4, 29, 4, 39, "newsmark", "figure.money", "figure", I },
      { 4, 54, 4, 63, "newsmark", "date.relative", "date", I },
      { 4, 65, 4, 76, "newsmark", "source.anonymous", "anonymous-source", W },
    }, "diagnostics")
  end)

  H.case(":Newsmark sources lists each source with its quotes", function()
    vim.cmd("Newsmark sources")
    local lines = api.nvim_buf_get_lines(0, 0, -1, false)
    local mayor = lines[7]
    H.eq(lines, {
      "newsmark sources: fixture.txt  (3 sources, 4 quotes)",
      "",
      "Jane Doe  [person, 2 quotes]",
      "  7:1      direct    “It is not over,”",
      "  7:38     direct    “We will appeal.”",
      "",
      mayor,
      "  3:1      direct    “We will win,”",
      "",
      "a spokesman  [person, anonymous, 1 quote]",
      "  5:1      indirect  The council reportedly spent $2 million on the bridge last week",
    }, "sources")
    H.truthy(mayor:match("mayor  %[person, 1 quote%]$"), "mayor's line: " .. mayor)
    H.eq(vim.bo.filetype, "newsmark-sources", "filetype")
    -- <CR> on a quote jumps to it in the article's window.
    api.nvim_win_set_cursor(0, { 5, 0 })
    api.nvim_feedkeys(api.nvim_replace_termcodes("<CR>", true, false, true), "x", false)
    H.eq(api.nvim_get_current_buf(), buf, "buffer after <CR>")
    H.eq(api.nvim_win_get_cursor(0), { 7, 37 }, "cursor after <CR>")
    vim.cmd("only")
  end)

  H.case(":Newsmark explain shows quote, speaker, cue and markers", function()
    H.eq(plugin.explain_lines(buf, 4, 5), {
      "indirect quote",
      "  The council reportedly spent $2 million on the bridge last week",
      "Speaker: a spokesman  [person, anonymous]",
      "Cue: said",
      "Markers:",
      "  hedge (hedge.word): Hedge: who holds this view, and on what evidence?",
      "  figure (figure.money): Amount: check it against the source",
      "  date (date.relative): Relative date: check it against the dateline",
      "  anonymous-source (source.anonymous): Anonymous source: the reader cannot check who said it",
    }, "explain at 5:6")
    api.nvim_win_set_cursor(0, { 7, 40 })
    local win, fbuf = plugin.explain()
    H.truthy(win and api.nvim_win_is_valid(win), "no float window")
    H.truthy(api.nvim_win_get_config(win).relative ~= "", "not a float")
    local lines = api.nvim_buf_get_lines(fbuf, 0, -1, false)
    H.eq({ lines[1], lines[2], lines[3], lines[4] },
      { "direct quote", "  “We will appeal.”", "Speaker: Jane Doe  [person]", "Cue: said" }, "float")
    api.nvim_win_set_cursor(0, { 1, 0 })
    vim.cmd("doautocmd CursorMoved")
    H.eq(api.nvim_win_is_valid(win), false, "float closed when the cursor moves")
  end)

  H.case("<Plug>(newsmark-next-quote) and prev jump between quotes, wrapping", function()
    api.nvim_win_set_cursor(0, { 1, 0 })
    local seen = {}
    local next_key = api.nvim_replace_termcodes("<Plug>(newsmark-next-quote)", true, false, true)
    local prev_key = api.nvim_replace_termcodes("<Plug>(newsmark-prev-quote)", true, false, true)
    for _ = 1, 5 do
      api.nvim_feedkeys(next_key, "x", false)
      seen[#seen + 1] = api.nvim_win_get_cursor(0)
    end
    H.eq(seen, { { 3, 0 }, { 5, 0 }, { 7, 0 }, { 7, 37 }, { 3, 0 } }, "next")
    api.nvim_feedkeys(prev_key, "x", false)
    H.eq(api.nvim_win_get_cursor(0), { 7, 37 }, "prev wraps to the last quote")
    api.nvim_feedkeys("2" .. prev_key, "x", false)
    H.eq(api.nvim_win_get_cursor(0), { 5, 0 }, "2 prev")
  end)

  H.case("an edit that removes an attribution updates the marks after the debounce, touching only those", function()
    local b = plugin._buffer(buf)
    local kept = vim.tbl_map(function(m) return m.id end, H.marks(buf, "quote"))
    local before_tick = b.tick
    api.nvim_buf_set_lines(buf, 2, 3, false, { "“We will win.”" })
    -- Typing never waits: nothing is analysed inside the edit.
    H.eq(b.tick, before_tick, "analysed inside the edit")
    H.truthy(H.wait(2000, function() return b.tick ~= before_tick end), "not re-annotated within 2 s")
    H.eq(spans("quote")[1], { 2, 0, 2, 18 }, "the quote is still marked")
    H.eq(H.marks(buf, "quote")[1][5], "NewsmarkUnattributed", "its highlight")
    for _, l in ipairs(label_rows()) do H.truthy(l[1] ~= 2, "a label is left on row 2: " .. l[3]) end
    for _, s in ipairs(spans("speaker")) do H.truthy(s[1] ~= 2, "a speaker mark is left on row 2") end
    local unattributed = vim.tbl_filter(function(d) return d.code == "quote.unattributed" end,
      vim.diagnostic.get(buf, { namespace = plugin.ns_diagnostics }))
    H.eq(#unattributed, 1, "unattributed-quote diagnostics")
    H.eq({ unattributed[1].lnum, unattributed[1].col }, { 2, 0 }, "its place")
    -- The other quotes' marks were left alone: same ids, no flicker.
    local now = vim.tbl_map(function(m) return m.id end, H.marks(buf, "quote"))
    H.eq({ now[2], now[3], now[4] }, { kept[2], kept[3], kept[4] }, "ids of untouched quotes")
    -- Added: the recoloured quote; removed: its old mark, label, speaker and cue.
    H.eq({ b.last_added, b.last_removed }, { 1, 4 }, "marks added, removed")
  end)

  H.case("an edit that adds an attribution back", function()
    local b = plugin._buffer(buf)
    local tick = b.tick
    api.nvim_buf_set_lines(buf, 2, 3, false, { "“We will win,” said Anna Berg." })
    H.truthy(H.wait(2000, function() return b.tick ~= tick end), "not re-annotated within 2 s")
    local labels = label_rows()
    H.eq(labels[1], { 2, 18, "— Anna Berg" }, "label")
  end)

  H.case(":Newsmark disable removes marks and diagnostics; edits stay unannotated", function()
    vim.cmd("Newsmark disable")
    H.eq(plugin.is_enabled(buf), false, "enabled")
    H.eq(#api.nvim_buf_get_extmarks(buf, plugin.ns, 0, -1, {}), 0, "extmarks")
    H.eq(#vim.diagnostic.get(buf, { namespace = plugin.ns_diagnostics }), 0, "diagnostics")
    api.nvim_buf_set_lines(buf, 0, 1, false, { "“Quiet,” she said." })
    vim.wait(200)
    H.eq(#api.nvim_buf_get_extmarks(buf, plugin.ns, 0, -1, {}), 0, "extmarks after an edit")
  end)

  H.case(":Newsmark toggle turns it back on", function()
    vim.cmd("Newsmark toggle")
    H.eq(plugin.is_enabled(buf), true, "enabled")
    H.eq(spans("quote")[1], { 0, 0, 0, 12 }, "first quote")
    vim.cmd("Newsmark toggle")
    H.eq(plugin.is_enabled(buf), false, "enabled after the second toggle")
  end)

  H.case(":Newsmark rules lists the built-in rules and their origin", function()
    vim.cmd("Newsmark rules")
    local lines = api.nvim_buf_get_lines(0, 0, -1, false)
    H.truthy(lines[1]:match("^rule%s+kind%s+enabled%s+origin$"), "header: " .. lines[1])
    H.truthy(#lines > 10, "only " .. #lines .. " lines")
    local found = false
    for _, l in ipairs(lines) do
      if l:match("^figure%.money%s+figure%s+yes%s+built%-in$") then found = true end
    end
    H.truthy(found, "no figure.money line")
    vim.cmd("close")
  end)

  H.case("highlight groups are linked by default and survive :colorscheme", function()
    local function link(name)
      return vim.fn.execute("highlight " .. name):match("links to (%w+)")
    end
    H.eq(link("NewsmarkSpeakerVirt"), "Comment", "NewsmarkSpeakerVirt")
    vim.cmd("highlight clear")
    vim.cmd("colorscheme default")
    H.eq(link("NewsmarkSpeakerVirt"), "Comment", "after :colorscheme")
    H.eq(link("NewsmarkQuote1"), "String", "NewsmarkQuote1")
    -- default = true: a colour scheme's own definition wins.
    vim.cmd("highlight NewsmarkCue ctermfg=1 guifg=#ff0000")
    plugin.setup({ debounce_ms = 50 })
    H.truthy(vim.fn.execute("highlight NewsmarkCue"):find("guifg=#ff0000", 1, true), "user's NewsmarkCue lost: "
      .. vim.fn.execute("highlight NewsmarkCue"))
  end)

  H.case("setup() rejects a bad option with one message and keeps the old options", function()
    local messages = {}
    local notify = vim.notify
    vim.notify = function(msg) messages[#messages + 1] = msg end
    local ok, err = plugin.setup({ debounce_ms = "soon" })
    vim.notify = notify
    H.eq(ok, false, "setup's result")
    H.eq(err, "newsmark: option 'debounce_ms' should be a whole number of milliseconds >= 0, got \"soon\"", "message")
    H.eq(messages, { err }, "notifications")
    H.eq(plugin.options().debounce_ms, 50, "debounce_ms kept")
    vim.notify = function() end
    ok, err = plugin.setup({ colour = "red" })
    vim.notify = notify
    H.eq(err, "newsmark: unknown option 'colour'", "unknown option")
  end)

  H.case("auto_enable annotates buffers of the listed filetypes as they open", function()
    H.eq(plugin.setup({ auto_enable = true, filetypes = { "markdown" }, debounce_ms = 50 }), true, "setup")
    local md = H.buffer({ "“Yes,” she said.", "", "```", "“No,” he said.", "```" }, "markdown")
    H.eq(plugin.is_enabled(md), true, "markdown buffer enabled")
    -- Markdown input: the quote in the code block is not prose.
    H.eq(spans and vim.tbl_map(function(m) return { m[1], m[2], m[3], m[4] } end, H.marks(md, "quote")),
      { { 0, 0, 0, 10 } }, "quotes in the markdown buffer")
    local txt = H.buffer({ "“Yes,” she said." }, "text")
    H.eq(plugin.is_enabled(txt), false, "text buffer (not listed)")
    vim.b[md].newsmark_disable = true
    plugin.disable(md)
    vim.bo[md].filetype = "markdown"
    H.eq(plugin.is_enabled(md), false, "b:newsmark_disable is respected")
    plugin.setup({ debounce_ms = 50 })
  end)
end)
