-- :Newsmark compare on our own fixtures (tests/compare/outlet_{a,b,c}.txt):
-- the diagnostics (spans, messages, severity), the quickfix entries, the
-- jump to the other text (also after that text was edited), directory mode
-- with the files it must leave out, the no-variant and error cases, and
-- the options.
local H = dofile(vim.g.newsmark_test_root .. "/tests/nvim/harness.lua")
local api = vim.api

H.run(function()
  local plugin = require("newsmark.plugin")
  local compare = require("newsmark.compare")
  local messages = {}
  vim.notify = function(msg, level) messages[#messages + 1] = { msg, level } end
  local function take_messages()
    local list = {}
    for i, m in ipairs(messages) do list[i] = m[1] end
    messages = {}
    return list
  end
  local levels = vim.log.levels

  local fixtures = "tests/compare"
  local a_path, b_path, c_path = fixtures .. "/outlet_a.txt", fixtures .. "/outlet_b.txt", fixtures .. "/outlet_c.txt"

  local function diags(buf) return H.diagnostics(buf, compare.ns) end
  local function qf_rows(info)
    local list = {}
    for _, item in ipairs(info.items) do
      list[#list + 1] = { vim.fn.fnamemodify(api.nvim_buf_get_name(item.bufnr), ":."), item.lnum, item.col, item.text }
    end
    return list
  end
  local function wipe_all()
    vim.cmd("silent! %bwipeout!")
    vim.fn.setqflist({}, "f")
    messages = {}
  end
  local function open(paths)
    for i = #paths, 1, -1 do vim.cmd("edit " .. vim.fn.fnameescape(paths[i])) end
    return api.nvim_get_current_buf()
  end

  local A1 = 'Quoted differently in tests/compare/outlet_b.txt:5: omission: "…" here, "with money from the state" there'
  local A2 = 'Quoted differently in tests/compare/outlet_b.txt:7: other words: "stupid" here, "foolish" there'

  plugin.setup({})
  wipe_all()
  local a = open({ a_path, b_path, c_path })
  vim.cmd("Newsmark compare")

  H.case("compare buffers: one diagnostic per variant quote, at the quote, naming the other file:line and the words", function()
    H.eq(diags(a), { { 4, 0, 4, 101, A1 }, { 6, 23, 6, 62, A2 } }, "diagnostics")
    for _, d in ipairs(vim.diagnostic.get(a, { namespace = compare.ns })) do
      H.eq({ d.severity, d.source, d.code }, { vim.diagnostic.severity.WARN, "newsmark", "compare.variant" }, "fields")
    end
    H.eq(take_messages(), { "newsmark: compare: 2 quotes here given differently in 1 of 2 other texts (:cnext visits them)" },
      "messages")
  end)

  H.case("compare buffers: the markers' own diagnostics are left alone (a namespace of its own)", function()
    H.eq(#vim.diagnostic.get(a, { namespace = plugin.ns_diagnostics }), 0, "marker diagnostics without :Newsmark enable")
    plugin.enable(a)
    H.truthy(#vim.diagnostic.get(a, { namespace = plugin.ns_diagnostics }) > 0, "markers once enabled")
    H.eq(#diags(a), 2, "compare diagnostics after enable")
    plugin.disable(a)
    H.eq(#diags(a), 2, "compare diagnostics after disable")
  end)

  H.case("compare buffers: the quickfix list holds the other members, read from there", function()
    local info = vim.fn.getqflist({ title = 1, items = 1 })
    H.eq(info.title, "newsmark compare: tests/compare/outlet_a.txt", "title")
    H.eq(qf_rows(info), {
      { b_path, 5, 1, 'Quoted differently in tests/compare/outlet_a.txt:5: omission: "with money from the state" here, "…" there' },
      { b_path, 7, 24, 'Quoted differently in tests/compare/outlet_a.txt:7: other words: "foolish" here, "stupid" there' },
    }, "items")
  end)

  H.case("compare-jump: on the second variant, opens outlet_b at its quote", function()
    api.nvim_win_set_cursor(0, { 7, 40 })
    vim.cmd("Newsmark compare-jump")
    H.eq({ vim.fn.expand("%:."), api.nvim_win_get_cursor(0) }, { b_path, { 7, 23 } }, "file and cursor")
    -- Back with the jumplist.
    vim.cmd([[execute "normal! \<C-o>"]])
    H.eq({ vim.fn.expand("%:."), api.nvim_win_get_cursor(0) }, { a_path, { 7, 40 } }, "after <C-o>")
  end)

  H.case("compare-jump: follows the other buffer's edits (two lines added above its quote)", function()
    local b = vim.fn.bufnr(b_path)
    api.nvim_buf_set_lines(b, 0, 0, false, { "Update:", "" })
    api.nvim_win_set_cursor(0, { 5, 10 })
    vim.cmd("Newsmark compare-jump")
    H.eq({ vim.fn.expand("%:."), api.nvim_win_get_cursor(0) }, { b_path, { 7, 0 } }, "file and cursor")
    api.nvim_buf_set_lines(b, 0, 2, false, {})
    vim.cmd("buffer " .. a)
  end)

  H.case("<Plug>(newsmark-compare-jump): the mapping jumps too, and goes to a window that shows the text", function()
    vim.keymap.set("n", "gV", "<Plug>(newsmark-compare-jump)", { remap = true })
    vim.cmd("vsplit " .. b_path)
    local b_win = api.nvim_get_current_win()
    vim.cmd("wincmd p")
    api.nvim_win_set_cursor(0, { 5, 0 })
    api.nvim_feedkeys("gV", "x", false)
    H.eq({ api.nvim_get_current_win(), vim.fn.expand("%:."), api.nvim_win_get_cursor(0) }, { b_win, b_path, { 5, 0 } },
      "window, file, cursor")
    vim.cmd("close")
  end)

  H.case("compare-jump: off any variant, it says so and stays", function()
    api.nvim_win_set_cursor(0, { 1, 0 })
    take_messages()
    vim.cmd("Newsmark compare-jump")
    H.eq({ vim.fn.expand("%:."), take_messages() },
      { a_path, { "newsmark: no compare variant under the cursor (:Newsmark compare first)" } }, "file and messages")
  end)

  H.case("compare: from the quickfix window it says to run it from a text", function()
    vim.cmd("copen")
    vim.cmd("Newsmark compare")
    H.eq(take_messages(), { "newsmark: compare: run it from the buffer of a text, not from this quickfix buffer" }, "messages")
    vim.cmd("cclose")
    H.eq(vim.fn.expand("%:."), a_path, "back in outlet_a")
  end)

  H.case("compare-clear: removes the compare diagnostics", function()
    vim.cmd("Newsmark compare-clear")
    H.eq(diags(a), {}, "diagnostics")
  end)

  H.case("compare buffers: a text with no variant gets no diagnostic and says so", function()
    vim.cmd("buffer " .. vim.fn.bufnr(c_path))
    vim.fn.setqflist({}, "f")
    vim.cmd("Newsmark compare")
    H.eq(diags(0), {}, "diagnostics")
    H.eq(take_messages(), { "newsmark: compare: no quote here is given differently in the 2 other texts" }, "messages")
    H.eq(#vim.fn.getqflist(), 0, "quickfix entries")
  end)

  H.case("compare buffers: with no other buffer open it says what to do", function()
    wipe_all()
    local only = open({ a_path })
    vim.cmd("Newsmark compare")
    H.eq(diags(only), {}, "diagnostics")
    H.eq(take_messages(), { "newsmark: compare: no other buffer to compare with (open some, or :Newsmark compare {dir})" },
      "messages")
  end)

  H.case("compare {dir}: a missing directory is an error naming it", function()
    vim.cmd("Newsmark compare tests/compare/no-such-dir")
    H.eq(messages, { { "newsmark: compare: no such directory: tests/compare/no-such-dir", levels.ERROR } }, "messages")
    messages = {}
  end)

  H.case("compare {dir}: a directory with no text file in it says which files it looked for", function()
    local empty = vim.fn.tempname()
    vim.fn.mkdir(empty, "p")
    local f = assert(io.open(empty .. "/notes.tsv", "wb"))
    f:write("a\tb\n")
    f:close()
    vim.cmd("Newsmark compare " .. vim.fn.fnameescape(empty))
    vim.fn.delete(empty, "rf")
    H.eq(take_messages(), { "newsmark: compare: no text files (txt, text, md, markdown, html, htm, xhtml, eml) in "
      .. vim.fn.fnamemodify(empty, ":~:.") }, "messages")
  end)

  -- A directory: outlet_b and outlet_c, the current file itself (not
  -- compared with itself), a binary .txt, a dangling link, a file over
  -- max_bytes, a hidden file and a .tsv (not text files by extension).
  local dir = vim.fn.tempname() .. "/outlets dir"
  vim.fn.mkdir(dir, "p")
  local function copy(from, to)
    local data = H.read(from)
    local f = assert(io.open(to, "wb"))
    f:write(data)
    f:close()
  end
  copy(a_path, dir .. "/a.txt")
  copy(b_path, dir .. "/b.txt")
  copy(c_path, dir .. "/c.md")
  copy(b_path, dir .. "/.hidden.txt")
  copy(b_path, dir .. "/gold.tsv")
  local f = assert(io.open(dir .. "/binary.txt", "wb"))
  f:write("\"We will rebuild the bridge\0\1\2")
  f:close()
  f = assert(io.open(dir .. "/big.txt", "wb"))
  f:write(string.rep("The harbour board met again. ", 100))
  f:close()
  local uv = vim.uv or vim.loop
  uv.fs_symlink(dir .. "/nowhere.txt", dir .. "/dangling.txt")

  H.case("compare {dir}: the text files, leaving out binary, unreadable and large ones by name", function()
    wipe_all()
    plugin.setup({ max_bytes = 2000 })
    vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/a.txt"))
    local buf = api.nvim_get_current_buf()
    vim.cmd("Newsmark compare " .. vim.fn.fnameescape(dir))
    local b_name = vim.fn.fnamemodify(dir .. "/b.txt", ":~:.")
    H.eq(diags(buf), {
      { 4, 0, 4, 101, "Quoted differently in " .. b_name .. ':5: omission: "…" here, "with money from the state" there' },
      { 6, 23, 6, 62, "Quoted differently in " .. b_name .. ':7: other words: "stupid" here, "foolish" there' },
    }, "diagnostics")
    local function short(name) return vim.fn.fnamemodify(dir .. "/" .. name, ":~:.") end
    H.eq(messages, {
      { "newsmark: compare: 2 quotes here given differently in 1 of 2 other texts (:cnext visits them)", levels.INFO },
      { "newsmark: compare: left out 3 texts: " .. short("big.txt") .. " (2.8 KB, over max_bytes), "
        .. short("binary.txt") .. " (binary), " .. short("dangling.txt") .. " (unreadable)", levels.WARN },
    }, "messages")
    messages = {}
    local items = vim.fn.getqflist()
    H.eq(#items, 2, "quickfix entries")
    H.eq({ api.nvim_buf_get_name(items[1].bufnr), items[1].lnum, items[1].col, items[2].lnum, items[2].col },
      { dir .. "/b.txt", 5, 1, 7, 24 }, "quickfix entries")
  end)

  H.case("compare {dir}: compare-jump opens the other file, not yet loaded, at its quote", function()
    api.nvim_win_set_cursor(0, { 7, 30 })
    vim.cmd("Newsmark compare-jump")
    H.eq({ api.nvim_buf_get_name(0), api.nvim_win_get_cursor(0) }, { dir .. "/b.txt", { 7, 23 } }, "file and cursor")
    vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/a.txt"))
  end)

  H.case("compare {dir}: at most compare_max_files files, in name order, the rest counted", function()
    plugin.setup({ compare_max_files = 1 })
    vim.cmd("Newsmark compare " .. vim.fn.fnameescape(dir))
    H.eq(#diags(0), 2, "diagnostics (b.txt comes first)")
    H.eq(take_messages(), {
      "newsmark: compare: 2 quotes here given differently in 1 of 1 other text (:cnext visits them)",
      "newsmark: compare: left out 1 text: 4 files past compare_max_files (1)",
    }, "messages")
    vim.fn.rename(dir .. "/b.txt", dir .. "/z.txt")
    vim.cmd("Newsmark compare " .. vim.fn.fnameescape(dir))
    vim.fn.rename(dir .. "/z.txt", dir .. "/b.txt")
    H.eq(diags(0), {}, "diagnostics (b.txt renamed z.txt: past the cap)")
    H.eq(take_messages(), {
      "newsmark: compare: no quote here is given differently in the 1 other text",
      "newsmark: compare: left out 1 text: 4 files past compare_max_files (1)",
    }, "messages")
  end)

  H.case("compare {dir}: files past the total size budget (4 x max_bytes) are left out from the first that does not fit", function()
    local many = vim.fn.tempname()
    vim.fn.mkdir(many, "p")
    for i = 1, 30 do copy(b_path, string.format("%s/b%02d.txt", many, i)) end
    plugin.setup({ max_bytes = 2000 })
    local result = compare.run(many)
    vim.fn.delete(many, "rf")
    -- outlet_b is 362 bytes: 22 fit in 8000.
    H.eq({ result.texts, #diags(0) }, { 23, 44 }, "texts compared, diagnostics")
    H.eq(take_messages()[2], "newsmark: compare: left out 1 text: the files from "
      .. vim.fn.fnamemodify(many .. "/b23.txt", ":~:.") .. " on (together over 7.8 KB)", "messages")
  end)

  H.case("compare {dir}: bounded: of 250 files, 200 are compared, in under 5 s", function()
    local many = vim.fn.tempname()
    vim.fn.mkdir(many, "p")
    for i = 1, 250 do copy(b_path, string.format("%s/b%03d.txt", many, i)) end
    plugin.setup({})
    local result = compare.run(many)
    vim.fn.delete(many, "rf")
    io.stdout:write(string.format("# compare {dir}: 200 files, %d diagnostics, %d quickfix entries: %.0f ms\n",
      result.diagnostics, result.items, result.seconds * 1000))
    H.eq({ result.texts, result.diagnostics, result.items }, { 201, 400, 400 }, "texts, diagnostics, entries")
    H.eq(result.skipped, { "50 files past compare_max_files (200)" }, "left out")
    H.truthy(result.seconds < 5, string.format("took %.1f s", result.seconds))
    take_messages()
  end)

  H.case("options: compare_severity and compare_list = loclist (the quickfix list is left alone)", function()
    plugin.setup({ max_bytes = 2000, compare_severity = "info", compare_list = "loclist" })
    vim.fn.setqflist({}, "f")
    vim.cmd("Newsmark compare " .. vim.fn.fnameescape(dir))
    local list = vim.diagnostic.get(0, { namespace = compare.ns })
    H.eq({ #list, list[1] and list[1].severity }, { 2, vim.diagnostic.severity.INFO }, "diagnostics")
    H.eq({ #vim.fn.getloclist(0), #vim.fn.getqflist() }, { 2, 0 }, "location and quickfix entries")
    H.eq(take_messages()[1], "newsmark: compare: 2 quotes here given differently in 1 of 2 other texts (:lnext visits them)",
      "message")
    vim.fn.setloclist(0, {}, "f")
  end)

  H.case("options: a bad compare option is refused by name", function()
    local ok, err = plugin.setup({ compare_list = "both" })
    H.eq({ ok, err }, { false, 'newsmark: option \'compare_list\' should be "quickfix", "loclist" or "none", got "both"' },
      "setup")
    take_messages()
  end)

  H.case(":Newsmark completes compare's subcommands and, after compare, directories", function()
    local names = vim.fn.getcompletion("Newsmark compare", "cmdline")
    H.eq(names, { "compare", "compare-clear", "compare-jump" }, "subcommands")
    H.eq(vim.fn.getcompletion("Newsmark compare tests/comp", "cmdline"), { "tests/compare/" }, "directories")
  end)

  H.case(":Newsmark enable with an argument says it takes none", function()
    vim.cmd("Newsmark enable now")
    H.eq(messages, { { "newsmark: 'enable' takes no argument", levels.ERROR } }, "messages")
    messages = {}
  end)

  vim.fn.delete(vim.fn.fnamemodify(dir, ":h"), "rf")
end)
