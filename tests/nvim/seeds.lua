-- The seed articles in Neovim: quote extmarks at the gold spans, the
-- speaker labels, and diagnostics by kind and rule id.
local H = dofile(vim.g.newsmark_test_root .. "/tests/nvim/harness.lua")

H.run(function()
  local seeds = H.shared .. "/corpus/seeds"
  if vim.fn.isdirectory(seeds) == 0 then
    H.skip("seeds", seeds .. " is absent (the shared corpus is not checked out beside the repo)")
    return
  end
  local plugin = require("newsmark.plugin")
  local nm = require("newsmark")
  local engine = assert(nm.engine({}))

  local function read_tsv(name)
    local rows = {}
    for line in (H.read(seeds .. "/" .. name) or ""):gmatch("[^\n]+") do
      if not line:match("^#") then rows[#rows + 1] = vim.split(line, "\t", { plain = true }) end
    end
    return rows
  end
  local gold_quotes, gold_markers = read_tsv("quotes.gold.tsv"), read_tsv("markers.gold.tsv")

  -- (row, col) a before or at b.
  local function le(r1, c1, r2, c2) return r1 < r2 or (r1 == r2 and c1 <= c2) end

  local files = vim.fn.glob(seeds .. "/*.txt", false, true)
  table.sort(files)
  for _, path in ipairs(files) do
    local file = vim.fn.fnamemodify(path, ":t")
    local tag = "seed " .. file:sub(1, 3)
    local text = H.read(path)
    vim.cmd("edit! " .. vim.fn.fnameescape(path))
    local buf = vim.api.nvim_get_current_buf()
    plugin.enable(buf)
    local quote_marks = H.marks(buf, "quote")
    local labels = H.marks(buf, "label")
    local function quote_mark_at(r, c, er, ec)
      for _, m in ipairs(quote_marks) do
        if m[1] == r and m[2] == c and m[3] == er and m[4] == ec then return m end
      end
    end
    local function label_at(r, c)
      for _, m in ipairs(labels) do
        -- Inline labels (Neovim 0.10+) start with a space.
        if m[1] == r and m[2] == c then return (m[5]:gsub("^ ", "")) end
      end
    end

    local golds = vim.tbl_filter(function(g) return g[1] == file end, gold_quotes)
    H.case(string.format("%s: a quote extmark at each of the %d gold spans", tag, #golds), function()
      local missing = {}
      for _, g in ipairs(golds) do
        local r, c = H.pos(text, tonumber(g[2]))
        local er, ec = H.pos(text, tonumber(g[3]))
        if not quote_mark_at(r, c, er, ec) then
          missing[#missing + 1] = string.format("%s@%s (%d:%d-%d:%d)", g[4], g[2], r, c, er, ec)
        end
      end
      H.eq(missing, {}, "gold quotes without an extmark")
    end)

    -- Each quote the library finds has its mark at exactly its bytes.
    local doc = assert(engine:analyse(text, { input = "plain" }))
    H.case(string.format("%s: an extmark for each of the %d quotes the library finds", tag, #doc.quotes), function()
      local want, got = {}, {}
      for _, q in ipairs(doc.quotes) do
        local r, c = H.pos(text, q.first - 1)
        local er, ec = H.pos(text, q.last)
        want[#want + 1] = string.format("%d:%d-%d:%d", r, c, er, ec)
      end
      for _, m in ipairs(quote_marks) do got[#got + 1] = string.format("%d:%d-%d:%d", m[1], m[2], m[3], m[4]) end
      table.sort(want)
      table.sort(got)
      H.eq(got, want, "quote extmarks")
    end)

    H.case(string.format("%s: speaker labels show the library's speakers", tag), function()
      local bad = {}
      for _, q in ipairs(doc.quotes) do
        if q.kind ~= "term" and not q.parent and q.speaker then
          local name = q.speaker.entity and q.speaker.entity.name or q.speaker.text
          local r, c = H.pos(text, q.last)
          local label = label_at(r, c)
          if not label or not label:find(name, 1, true) then
            bad[#bad + 1] = string.format("%d:%d want '— %s' got %s", r, c, name, tostring(label))
          end
        end
      end
      H.eq(bad, {}, "labels")
    end)

    local direct = vim.tbl_filter(function(g) return g[4] == "direct" and g[5] ~= "-" end, golds)
    H.case(string.format("%s: the %d gold direct quotes are labelled with their speaker", tag, #direct), function()
      local bad = {}
      for _, g in ipairs(direct) do
        -- A fragment of a mixed quote is labelled at the mixed quote's end.
        local last = tonumber(g[3])
        for _, q in ipairs(doc.quotes) do
          if q.first == tonumber(g[2]) + 1 and q.last == last and q.parent then last = q.parent.last end
        end
        local r, c = H.pos(text, last)
        local label = (label_at(r, c) or ""):lower()
        local found = false
        for _, name in ipairs(vim.split(g[5], "|", { plain = true })) do
          if label:find(name:lower(), 1, true) then found = true end
        end
        if not found then bad[#bad + 1] = string.format("@%s want %s got '%s'", g[2], g[5], label) end
      end
      H.eq(bad, {}, "labels")
    end)

    local diagnostics = vim.diagnostic.get(buf, { namespace = plugin.ns_diagnostics })
    H.case(string.format("%s: %d diagnostics, one per marker, with kind, rule id and severity", tag, #doc.markers), function()
      local want, got = {}, {}
      local sev = { warning = vim.diagnostic.severity.WARN, info = vim.diagnostic.severity.INFO }
      for _, m in ipairs(doc.markers) do
        local r, c = H.pos(text, m.first - 1)
        local er, ec = H.pos(text, m.last)
        want[#want + 1] = table.concat({ r, c, er, ec, m.kind, m.rule, sev[m.severity], m.message }, " ")
      end
      for _, d in ipairs(diagnostics) do
        H.eq(d.source, "newsmark", "source")
        got[#got + 1] = table.concat({ d.lnum, d.col, d.end_lnum, d.end_col, d.user_data.newsmark.kind, d.code,
          d.severity, d.message }, " ")
      end
      table.sort(want)
      table.sort(got)
      H.eq(got, want, "diagnostics")
    end)

    local gm = vim.tbl_filter(function(g) return g[1] == file end, gold_markers)
    H.case(string.format("%s: a diagnostic of the right kind over each of the %d gold markers", tag, #gm), function()
      local missing = {}
      local aliases = {
        ["source-state-media"] = { "state-media", "agency" },
        ["source-agency"] = { "state-media", "agency" },
        ["ellipsis-in-quote"] = { "edited-quote" },
      }
      for _, g in ipairs(gm) do
        local kinds = aliases[g[4]] or { g[4] }
        local r, c = H.pos(text, tonumber(g[2]))
        local er, ec = H.pos(text, tonumber(g[3]))
        local hit = false
        for _, d in ipairs(diagnostics) do
          local kind = d.user_data.newsmark.kind
          if vim.tbl_contains(kinds, kind) and le(d.lnum, d.col, er, ec) and not le(d.end_lnum, d.end_col, r, c)
            and not (d.lnum == er and d.col == ec) then
            hit = true
          end
        end
        if not hit then missing[#missing + 1] = g[4] .. "@" .. g[2] end
      end
      H.eq(missing, {}, "gold markers without a diagnostic")
    end)

    if file:sub(1, 3) == "000" then
      H.case("seed 000: the direct quote at byte 539 is labelled '— Choe Son Hui (North Korean Foreign Minister)'", function()
        local r, c = H.pos(text, 803)
        H.eq(label_at(r, c), "— Choe Son Hui (North Korean Foreign Minister)", "label at the quote's end")
        local r0, c0 = H.pos(text, 539)
        local m = H.truthy(quote_mark_at(r0, c0, r, c), "no quote extmark over bytes 539..803")
        H.truthy(m[5]:match("^NewsmarkQuote%d+$"), "quote highlight " .. tostring(m[5]) .. " is not a per-speaker colour")
      end)
    end
    plugin.disable(buf)
  end
end)
