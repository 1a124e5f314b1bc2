-- :Newsmark compare on the five seed articles (../shared/corpus/seeds):
-- exactly the known variant pairs of tests/compare/seeds.expected, as
-- diagnostics on each seed, with the buffers open and from the directory.
-- The expected spans are offsets only; the words come from the files.
local H = dofile(vim.g.newsmark_test_root .. "/tests/nvim/harness.lua")
local api = vim.api

H.run(function()
  local seeds = H.shared .. "/corpus/seeds"
  if vim.fn.isdirectory(seeds) == 0 then
    H.skip("compare seeds", seeds .. " is absent (the shared corpus is not checked out beside the repo)")
    return
  end
  local compare = require("newsmark.compare")
  local messages = {}
  vim.notify = function(msg) messages[#messages + 1] = msg end
  require("newsmark.plugin").setup({})

  local S = { "000_fcc97c8298ce44a5.txt", "001_bac4e253c7f67eec.txt", "002_d3467f05018df99c.txt",
    "003_a1e5eb76e5b56e61.txt", "004_0a3c761c568d2a88.txt" }
  local path, text = {}, {}
  for i, name in ipairs(S) do
    path[i] = vim.fn.simplify(vim.fn.fnamemodify(seeds .. "/" .. name, ":p"))
    text[i] = H.read(path[i])
    if not text[i] then error("cannot read " .. path[i]) end
  end

  local function words(i, s, e)
    local w = text[i]:sub(s + 1, e):gsub("%s+", " ")
    if vim.fn.strchars(w) > 60 then w = vim.fn.strcharpart(w, 0, 59) .. "…" end
    return '"' .. w .. '"'
  end
  -- The diagnostic expected on seed i's quote [qs, qe) against seed j's
  -- quote starting at js, for one difference: here [hs, he) in i, there
  -- [ts, te) in j.
  local function want(i, qs, qe, j, js, label, hs, he, ts, te)
    local r, c = H.pos(text[i], qs)
    local er, ec = H.pos(text[i], qe)
    local jr = H.pos(text[j], js)
    return { r, c, er, ec, string.format("Quoted differently in %s:%d: %s: %s here, %s there",
      vim.fn.fnamemodify(path[j], ":~:."), jr + 1, label, words(i, hs, he), words(j, ts, te)) }
  end
  local expected = {
    -- 000 elides with … what 001 quotes in full, and spells colours.
    [1] = {
      want(1, 1034, 1237, 2, 524, "omission", 1079, 1082, 569, 620),
      want(1, 1034, 1237, 2, 829, "spelling", 1125, 1132, 868, 874),
    },
    -- 001 quotes 000's one long quote in two parts: each part is compared
    -- with 000, not with the other part.
    [2] = {
      want(2, 524, 624, 1, 1034, "omission", 569, 620, 1079, 1082),
      want(2, 829, 978, 1, 1034, "spelling", 868, 874, 1125, 1132),
    },
    [3] = {},
    [4] = {},
    -- 004 gives one remark twice: stupid and foolish.
    [5] = {
      want(5, 121, 152, 5, 1037, "other words", 124, 130, 1040, 1047),
      want(5, 1037, 1069, 5, 121, "other words", 1040, 1047, 124, 130),
    },
  }

  local function diags(buf) return H.diagnostics(buf, compare.ns) end

  for i = #S, 1, -1 do vim.cmd("edit " .. vim.fn.fnameescape(path[i])) end
  for i, name in ipairs(S) do
    H.case(string.format("compare seeds, open buffers: seed %s gets exactly its %d variant diagnostics",
      name:sub(1, 3), #expected[i]), function()
      vim.cmd("buffer " .. vim.fn.bufnr(path[i]))
      messages = {}
      local result = compare.run()
      H.truthy(result, "run failed: " .. vim.inspect(messages))
      H.eq(diags(0), expected[i], "diagnostics")
      H.eq(result.texts, 5, "texts compared")
    end)
  end

  H.case("compare seeds, open buffers: the jump from 000's quote opens 001 at the full version", function()
    vim.cmd("buffer " .. vim.fn.bufnr(path[1]))
    compare.run()
    local r, c = H.pos(text[1], 1079)
    api.nvim_win_set_cursor(0, { r + 1, c })
    compare.jump(1)
    local jr, jc = H.pos(text[2], 524)
    H.eq({ api.nvim_buf_get_name(0), api.nvim_win_get_cursor(0) }, { path[2], { jr + 1, jc } }, "file and cursor")
  end)

  H.case("compare seeds, directory: 000 against its folder gives the same diagnostics; the .tsv files are not texts", function()
    vim.cmd("silent! %bwipeout!")
    vim.cmd("edit " .. vim.fn.fnameescape(path[1]))
    messages = {}
    local result = compare.run(seeds)
    H.truthy(result, "run failed: " .. vim.inspect(messages))
    H.eq(diags(0), expected[1], "diagnostics")
    H.eq({ result.texts, result.skipped }, { 5, {} }, "texts compared, left out")
    io.stdout:write(string.format("# compare seeds, directory: %.0f ms for 5 texts\n", result.seconds * 1000))
  end)
end)
