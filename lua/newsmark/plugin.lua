-- newsmark.plugin: quotes, sources and markers inline in Neovim.
--
-- One namespace holds the extmarks (quote, speaker, cue and channel
-- highlights, and the speaker's name as virtual text); a second one holds
-- the markers as vim.diagnostic entries. Buffers are re-annotated on a
-- timer after edits, so typing never waits on analysis, and only the
-- extmarks that changed are touched, so nothing flickers.
--
-- Everything here works on Neovim 0.7.2 and on current releases: each newer
-- feature (inline virtual text, vim.uv) is detected before use.

local M = {}

local api = vim.api
local config = require("newsmark.config")
local uv = vim.uv or vim.loop

M.ns = api.nvim_create_namespace("newsmark")
M.ns_diagnostics = api.nvim_create_namespace("newsmark.diagnostics")
M.augroup = api.nvim_create_augroup("newsmark", { clear = true })

-- Inline virtual text arrived in Neovim 0.10.
M.has_inline = vim.fn.has("nvim-0.10") == 1

local state = {
  opts = assert(config.build(nil)),
  -- The compiled engine, built lazily once per setup() or :Newsmark reload.
  engine = nil,
  engine_failed = false,
  buffers = {}, -- bufnr -> per-buffer state, see buffer_state()
  notified = {}, -- messages already shown, so none repeats on every edit
}

-- ---- messages ---------------------------------------------------------------

local function notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO, { title = "newsmark" })
end

-- Show a message once until the next setup() or reload: errors that stem
-- from the configuration would otherwise come back on every keystroke.
local function notify_once(msg, level)
  if state.notified[msg] then return end
  state.notified[msg] = true
  notify(msg, level)
end

-- ---- highlights -------------------------------------------------------------

-- Default links, all to groups every colour scheme defines.
M.highlight_links = {
  NewsmarkQuote = "String",
  NewsmarkSpeaker = "Title",
  NewsmarkCue = "Statement",
  NewsmarkVia = "Underlined",
  NewsmarkSpeakerVirt = "Comment",
  NewsmarkUnattributed = "WarningMsg",
  NewsmarkTerm = "SpecialComment",
  NewsmarkSourcesName = "Title",
  NewsmarkSourcesAnonymous = "WarningMsg",
  NewsmarkSourcesLocation = "LineNr",
}

local function apply_highlights()
  local opts = state.opts
  for name, target in pairs(M.highlight_links) do
    api.nvim_set_hl(0, name, { link = target, default = true })
  end
  for i, entry in ipairs(opts.palette) do
    local attrs
    if type(entry) == "string" then
      attrs = { link = entry }
    else
      attrs = vim.deepcopy(entry)
    end
    attrs.default = true
    api.nvim_set_hl(0, "NewsmarkQuote" .. i, attrs)
  end
  -- The user's own overrides win over a colour scheme's defaults.
  for name, attrs in pairs(opts.highlights) do
    api.nvim_set_hl(0, name, attrs)
  end
end

-- ---- the engine -------------------------------------------------------------

local function load_api()
  local ok, nm = pcall(require, "newsmark")
  if not ok then
    return nil, "newsmark: cannot load the library (run `make` in the plugin's folder; :checkhealth newsmark): "
      .. tostring(nm)
  end
  if type(nm) ~= "table" or type(nm.engine) ~= "function" then
    return nil, "newsmark: require('newsmark') did not return the newsmark API"
  end
  return nm
end

local function make_engine(nm, rules)
  local opts = state.opts
  local ok, engine, err = pcall(nm.engine, { rules = rules, only = opts.markers, disable = opts.disable })
  if not ok then return nil, tostring(engine) end
  return engine, err
end

-- Build the engine from the built-in rules and the rule files. A broken
-- file is reported once, by name, and left out; the other rules still run.
local function build_engine()
  local nm, err = load_api()
  if not nm then return nil, err end
  local rules = {}
  for _, path in ipairs(state.opts.rules) do
    local file = vim.fn.expand(path)
    local ok, list, load_err = pcall(nm.load_rules, file)
    if not ok then list, load_err = nil, tostring(list) end
    if not list then
      notify_once("newsmark: rule file left out (fix it, then :Newsmark reload): " .. tostring(load_err), vim.log.levels.ERROR)
    else
      -- A file that loads may still hold a rule that does not compile:
      -- try the engine with it before keeping it.
      local candidate = vim.list_extend(vim.list_extend({}, rules), list)
      local engine, engine_err = make_engine(nm, candidate)
      if engine then
        rules = candidate
      else
        notify_once("newsmark: rule file left out (fix it, then :Newsmark reload): " .. tostring(engine_err), vim.log.levels.ERROR)
      end
    end
  end
  return make_engine(nm, rules)
end

local function get_engine()
  if state.engine then return state.engine end
  if state.engine_failed then return nil end
  local engine, err = build_engine()
  if not engine then
    state.engine_failed = true
    notify_once(err or "newsmark: the engine could not be built", vim.log.levels.ERROR)
    return nil
  end
  state.engine = engine
  return engine
end

-- ---- positions ----------------------------------------------------------------

-- Byte offset (0-based, into text) of the start of each line, 1-based by line.
local function line_starts(lines)
  local starts, pos = {}, 0
  for i, line in ipairs(lines) do
    starts[i] = pos
    pos = pos + #line + 1
  end
  return starts
end

-- 0-based byte offset -> 0-based row and byte column.
local function to_pos(starts, base_row, offset)
  local lo, hi = 1, #starts
  while lo < hi do
    local mid = math.floor((lo + hi + 1) / 2)
    if starts[mid] <= offset then lo = mid else hi = mid - 1 end
  end
  return base_row + lo - 1, offset - starts[lo]
end

-- A Lua span (1-based, inclusive) -> extmark range (0-based, end-exclusive).
local function span_range(starts, base_row, first, last)
  local row, col = to_pos(starts, base_row, first - 1)
  local end_row, end_col = to_pos(starts, base_row, last)
  return row, col, end_row, end_col
end

-- ---- per-buffer state ---------------------------------------------------------

local function buffer_state(buf)
  local b = state.buffers[buf]
  if not b then
    b = {
      enabled = false,
      token = 0, -- which nvim_buf_attach is current (older ones detach)
      timer = nil,
      marks = {}, -- extmark id -> { content = key, role = "quote"|..., quote = index }
      quotes = {}, -- the last analysis' quotes, each with its extmark id
      doc = nil,
      colors = {}, -- entity key -> palette index, stable for the buffer's life
      next_color = 1,
      windowed = false,
      diagnostics_key = nil,
    }
    state.buffers[buf] = b
  end
  return b
end

local function input_for(buf)
  return state.opts.input[vim.bo[buf].filetype] or "plain"
end

local function entity_key(entity)
  return (entity.anonymous and "anonymous:" or "named:") .. tostring(entity.name):lower()
end

local function color_for(b, entity)
  local key = entity_key(entity)
  local n = b.colors[key]
  if not n then
    n = b.next_color
    b.colors[key] = n
    b.next_color = n % #state.opts.palette + 1
  end
  return "NewsmarkQuote" .. n
end

-- "Choe Son Hui (North Korean Foreign Minister)": the speaker as the label
-- shows it, computed once per entity (or unresolved mention) per analysis.
local function speaker_name(quote, cache)
  local speaker = quote.speaker
  if not speaker then return nil end
  local entity = speaker.entity
  local key = entity or speaker.text
  if key == nil then return nil end
  local name = cache[key]
  if name ~= nil then return name end
  name = entity and entity.name or speaker.text
  if not name or name == "" then
    name = false
  else
    name = name:gsub("%s+", " ")
    if entity and entity.title and entity.title ~= "" and not name:find(entity.title, 1, true) then
      name = name .. " (" .. entity.title .. ")"
    end
  end
  cache[key] = name
  return name
end

local function virt_text_pos()
  local pos = state.opts.virtual_text_pos
  if pos == "auto" then return M.has_inline and "inline" or "eol" end
  if pos == "inline" and not M.has_inline then return "eol" end
  return pos
end

-- ---- marks: what the analysis wants, and the diff that applies it -------------

-- Each wanted mark: its position, its extmark options and a content key.
local function wanted_marks(b, doc, starts, base_row)
  local wanted = {}
  local labels, label_order, names = {}, {}, {}
  local pos_kind = virt_text_pos()
  local show_labels = state.opts.virtual_text

  local function add(role, index, first, last, opts, content)
    local row, col, end_row, end_col = span_range(starts, base_row, first, last)
    opts.end_row, opts.end_col = end_row, end_col
    wanted[#wanted + 1] = { row = row, col = col, opts = opts, role = role, quote = index, content = content }
  end

  for i, q in ipairs(doc.quotes) do
    local group
    if q.kind == "term" then
      group = "NewsmarkTerm"
    elseif q.speaker and q.speaker.entity then
      group = color_for(b, q.speaker.entity)
    elseif q.speaker then
      group = "NewsmarkQuote"
    else
      group = "NewsmarkUnattributed"
    end
    add("quote", i, q.first, q.last, { hl_group = group, priority = 110 }, "q:" .. group)
    if q.speaker and q.speaker.first then
      add("speaker", i, q.speaker.first, q.speaker.last, { hl_group = "NewsmarkSpeaker", priority = 120 }, "s")
    end
    if q.cue and q.cue.first then
      add("cue", i, q.cue.first, q.cue.last, { hl_group = "NewsmarkCue", priority = 120 }, "c")
    end
    if q.via and q.via.first then
      add("via", i, q.via.first, q.via.last, { hl_group = "NewsmarkVia", priority = 120 }, "v")
    end
    -- Fragments of a mixed quote share its speaker: one label is enough.
    local label = show_labels and q.kind ~= "term" and not q.parent and speaker_name(q, names)
    if label then
      local row, col = to_pos(starts, base_row, q.last)
      local key = row .. ":" .. col
      if not labels[key] then
        labels[key] = { row = row, col = col, quote = i, names = {} }
        label_order[#label_order + 1] = labels[key]
      end
      local l = labels[key]
      if l.names[1] ~= label and not vim.tbl_contains(l.names, label) then l.names[#l.names + 1] = label end
    end
  end
  -- Quotes that end at the same place (a reported clause inside another)
  -- share one label rather than print two run together.
  for _, l in ipairs(label_order) do
    local text = "— " .. table.concat(l.names, " / ")
    if pos_kind == "inline" then text = " " .. text end
    wanted[#wanted + 1] = {
      row = l.row, col = l.col, role = "label", quote = l.quote, content = "l:" .. pos_kind .. ":" .. text,
      opts = {
        virt_text = { { text, "NewsmarkSpeakerVirt" } },
        virt_text_pos = pos_kind,
        hl_mode = "combine",
        priority = 120,
      },
    }
  end
  return wanted
end

local function position_key(row, col, end_row, end_col, content)
  return row .. ":" .. col .. ":" .. (end_row or "") .. ":" .. (end_col or "") .. ":" .. content
end

-- Where a mark's end is now. Fetching every mark's details costs Neovim
-- about 10 us a mark, too much for thousands of marks on every pause, so
-- the end is worked out from the start, which Neovim reports cheaply: a
-- mark that no edit touched kept its shape (its rows, and its width on one
-- row). Only marks on rows edited since the last analysis (b.dirty) are
-- asked for their real end.
local function mark_end(buf, b, id, row, col, info)
  if info.rows == nil then return nil, nil end
  local dirty = b.dirty
  if dirty and (dirty == "all" or (row < dirty[2] and row + info.rows >= dirty[1])) then
    local pos = api.nvim_buf_get_extmark_by_id(buf, M.ns, id, { details = true })
    local details = pos and pos[3]
    if details and details.end_row then return details.end_row, details.end_col end
    return nil, nil
  end
  if info.rows == 0 then return row, col + info.width end
  return row + info.rows, info.end_col
end

-- Make the buffer's extmarks equal the wanted ones, touching only those
-- that differ, so that nothing flickers.
local function apply_marks(buf, b, wanted)
  local existing = {}
  for _, m in ipairs(api.nvim_buf_get_extmarks(buf, M.ns, 0, -1, {})) do
    local id, row, col = m[1], m[2], m[3]
    local info = b.marks[id]
    local key
    if info then
      local end_row, end_col = mark_end(buf, b, id, row, col, info)
      key = position_key(row, col, end_row, end_col, info.content)
    end
    if key and not existing[key] then
      existing[key] = id
    else
      api.nvim_buf_del_extmark(buf, M.ns, id)
    end
  end

  local marks, placed, added = {}, {}, 0
  for _, w in ipairs(wanted) do
    local opts = w.opts
    local key = position_key(w.row, w.col, opts.end_row, opts.end_col, w.content)
    -- A speaker or cue shared by several quotes is one mark, for the first.
    if not placed[key] then
      placed[key] = true
      local id = existing[key]
      if id then
        existing[key] = nil
      else
        id = api.nvim_buf_set_extmark(buf, M.ns, w.row, w.col, opts)
        added = added + 1
      end
      local info = { content = w.content, role = w.role, quote = w.quote }
      if opts.end_row then
        info.rows = opts.end_row - w.row
        info.width = opts.end_col - w.col
        info.end_col = opts.end_col
      end
      marks[id] = info
    end
  end
  local removed = 0
  for _, id in pairs(existing) do
    api.nvim_buf_del_extmark(buf, M.ns, id)
    removed = removed + 1
  end
  b.marks = marks
  b.dirty = nil
  return added, removed
end

-- Note rows [first, new_last) as edited, in today's row numbers, merged into
-- one range (larger than needed at worst, which only costs a little time).
local function note_edit(b, first, last, new_last)
  local hi = math.max(new_last, first + 1)
  local dirty = b.dirty
  if dirty == "all" then return end
  if dirty then
    local old_hi = dirty[2]
    if old_hi > first then old_hi = old_hi + (new_last - last) end
    b.dirty = { math.min(dirty[1], first), math.max(old_hi, hi) }
  else
    b.dirty = { first, hi }
  end
end

local severities = {
  warning = vim.diagnostic.severity.WARN,
  info = vim.diagnostic.severity.INFO,
}

local function apply_diagnostics(buf, b, doc, starts, base_row)
  if not state.opts.diagnostics then
    if b.diagnostics_key then vim.diagnostic.reset(M.ns_diagnostics, buf) end
    b.diagnostics_key = nil
    return
  end
  local list, keys = {}, {}
  for _, m in ipairs(doc.markers) do
    local row, col, end_row, end_col = span_range(starts, base_row, m.first, m.last)
    list[#list + 1] = {
      lnum = row,
      col = col,
      end_lnum = end_row,
      end_col = end_col,
      severity = severities[m.severity] or vim.diagnostic.severity.INFO,
      message = m.message or m.kind,
      source = "newsmark",
      code = m.rule,
      user_data = { newsmark = { kind = m.kind, rule = m.rule } },
    }
    keys[#keys + 1] = table.concat({ row, col, end_row, end_col, m.severity, m.kind, m.rule, m.message or "" }, "\31")
  end
  -- Setting the same list again would redraw every sign for nothing.
  local key = table.concat(keys, "\30")
  if key ~= b.diagnostics_key then
    vim.diagnostic.set(M.ns_diagnostics, buf, list)
    b.diagnostics_key = key
  end
end

-- ---- analysis ---------------------------------------------------------------

-- The rows to analyse: the whole buffer, or for a large one the lines that
-- windows show, plus a margin, widened to paragraph breaks so that a quote
-- is not cut in two.
local function rows_to_analyse(buf, b)
  local line_count = api.nvim_buf_line_count(buf)
  local size = api.nvim_buf_get_offset(buf, line_count)
  if size <= state.opts.max_bytes then
    b.windowed = false
    return 0, line_count
  end
  if not b.windowed then
    notify_once(string.format(
      "newsmark: buffer %d is %.1f MB, over max_bytes (%.1f MB): annotating the visible lines only",
      buf, size / 1048576, state.opts.max_bytes / 1048576))
  end
  b.windowed = true
  local top, bottom
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    -- nvim_win_call passes on one value only.
    local range = api.nvim_win_call(win, function()
      return { vim.fn.line("w0"), vim.fn.line("w$") }
    end)
    local w0, w1 = range[1], range[2]
    top = top and math.min(top, w0) or w0
    bottom = bottom and math.max(bottom, w1) or w1
  end
  if not top then return nil end
  local margin = state.opts.margin_lines
  local first = math.max(0, top - 1 - margin)
  local last = math.min(line_count, bottom + margin)
  -- Widen to blank lines, looking at most 100 lines further each way.
  local before = api.nvim_buf_get_lines(buf, math.max(0, first - 100), first, false)
  for i = #before, 1, -1 do
    if before[i]:match("^%s*$") then break end
    first = first - 1
  end
  local after = api.nvim_buf_get_lines(buf, last, math.min(line_count, last + 100), false)
  for _, line in ipairs(after) do
    if line:match("^%s*$") then break end
    last = last + 1
  end
  return first, last
end

-- A rule that fails while matching fails again on the next edit, maybe
-- with other details: say so once per rule ("FILE:LINE: rule "ID""), not
-- once per keystroke.
local function report_doc_error(message)
  local rule = message:match('^(.-: rule ".-")')
  local key = "doc-error:" .. (rule or message)
  if state.notified[key] then return end
  state.notified[key] = true
  notify("newsmark: " .. message .. " (shown once until :Newsmark reload)", vim.log.levels.WARN)
end

local function annotate_unsafe(buf)
  local b = state.buffers[buf]
  if not b or not b.enabled or not api.nvim_buf_is_loaded(buf) then return end
  local engine = get_engine()
  if not engine then return end
  local t0 = uv.hrtime()
  local first_row, last_row = rows_to_analyse(buf, b)
  if not first_row then return end
  local lines = api.nvim_buf_get_lines(buf, first_row, last_row, false)
  local text = table.concat(lines, "\n")
  local t1 = uv.hrtime()
  local doc, err = engine:analyse(text, { input = input_for(buf) })
  if not doc then
    notify_once("newsmark: " .. tostring(err), vim.log.levels.WARN)
    return
  end
  for _, e in ipairs(doc.errors or {}) do
    report_doc_error(tostring(e))
  end
  local t2 = uv.hrtime()
  local starts = line_starts(lines)
  local wanted = wanted_marks(b, doc, starts, first_row)
  local t2b = uv.hrtime()
  local added, removed = apply_marks(buf, b, wanted)
  local t3 = uv.hrtime()
  apply_diagnostics(buf, b, doc, starts, first_row)
  -- Keep each quote's extmark id: jumps and :Newsmark explain follow the
  -- mark as the text moves, where the analysed offsets would go stale.
  local quote_marks = {}
  for id, info in pairs(b.marks) do
    if info.role == "quote" then quote_marks[info.quote] = id end
  end
  b.doc, b.quotes = doc, {}
  for i, q in ipairs(doc.quotes) do
    b.quotes[i] = { quote = q, mark = quote_marks[i] }
  end
  b.tick = api.nvim_buf_get_changedtick(buf)
  b.last_added, b.last_removed = added, removed
  -- Where the time went, in ms (the bench and :checkhealth read it).
  local t4 = uv.hrtime()
  b.timing = { bytes = #text, read = (t1 - t0) / 1e6, analyse = (t2 - t1) / 1e6, marks = (t3 - t2) / 1e6, wanted = (t2b - t2) / 1e6,
    diagnostics = (t4 - t3) / 1e6, total = (t4 - t0) / 1e6 }
end

-- Annotate now. Errors are reported once each, never thrown at the user on
-- every edit.
function M.annotate(buf)
  buf = (buf == nil or buf == 0) and api.nvim_get_current_buf() or buf
  local ok, err = pcall(annotate_unsafe, buf)
  if not ok then
    notify_once("newsmark: annotation failed: " .. tostring(err), vim.log.levels.ERROR)
  end
end

-- Re-annotate after debounce_ms without an edit in between. Always through
-- the timer, even at 0 ms, so that the edit itself never waits.
local function schedule(buf)
  local b = state.buffers[buf]
  if not b or not b.enabled then return end
  if not b.timer then b.timer = uv.new_timer() end
  b.timer:stop()
  b.timer:start(state.opts.debounce_ms, 0, vim.schedule_wrap(function()
    M.annotate(buf)
  end))
end

-- ---- enable and disable -----------------------------------------------------

local function stop_timer(b)
  if b.timer then
    b.timer:stop()
    if not b.timer:is_closing() then b.timer:close() end
    b.timer = nil
  end
end

local function clear(buf, b)
  if api.nvim_buf_is_valid(buf) then
    api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
    vim.diagnostic.reset(M.ns_diagnostics, buf)
  end
  b.marks, b.quotes, b.doc, b.diagnostics_key = {}, {}, nil, nil
end

function M.is_enabled(buf)
  buf = (buf == nil or buf == 0) and api.nvim_get_current_buf() or buf
  local b = state.buffers[buf]
  return b ~= nil and b.enabled
end

function M.disable(buf)
  buf = (buf == nil or buf == 0) and api.nvim_get_current_buf() or buf
  local b = state.buffers[buf]
  if not b then return end
  b.enabled = false
  b.token = b.token + 1 -- the attachment detaches on its next call
  stop_timer(b)
  clear(buf, b)
  if api.nvim_buf_is_valid(buf) then
    pcall(api.nvim_clear_autocmds, { group = M.augroup, buffer = buf })
  end
  state.buffers[buf] = nil
end

function M.enable(buf)
  buf = (buf == nil or buf == 0) and api.nvim_get_current_buf() or buf
  if not api.nvim_buf_is_loaded(buf) then return end
  M.ensure_ready()
  local b = buffer_state(buf)
  if b.enabled then
    M.annotate(buf)
    return
  end
  b.enabled = true
  b.token = b.token + 1
  local token = b.token
  api.nvim_buf_attach(buf, false, {
    on_lines = function(_, _, _, first, last, new_last)
      local cur = state.buffers[buf]
      if not cur or cur.token ~= token then return true end
      note_edit(cur, first, last, new_last)
      schedule(buf)
    end,
    on_reload = function()
      local cur = state.buffers[buf]
      if cur and cur.token == token then
        cur.dirty = "all"
        schedule(buf)
      end
    end,
    on_detach = function()
      local cur = state.buffers[buf]
      if cur and cur.token == token then
        stop_timer(cur)
        state.buffers[buf] = nil
      end
    end,
  })
  -- A new filetype may mean a new input kind.
  api.nvim_create_autocmd("FileType", {
    group = M.augroup,
    buffer = buf,
    callback = function() schedule(buf) end,
  })
  -- A large buffer is analysed where windows show it.
  api.nvim_create_autocmd("BufWinEnter", {
    group = M.augroup,
    buffer = buf,
    callback = function()
      local cur = state.buffers[buf]
      if cur and cur.windowed then schedule(buf) end
    end,
  })
  M.annotate(buf)
end

function M.toggle(buf)
  if M.is_enabled(buf) then M.disable(buf) else M.enable(buf) end
end

-- ---- navigation -------------------------------------------------------------

local function quote_marks_in_order(buf)
  local b = state.buffers[buf]
  local out = {}
  if not b then return out end
  for _, m in ipairs(api.nvim_buf_get_extmarks(buf, M.ns, 0, -1, {})) do
    local info = b.marks[m[1]]
    if info and info.role == "quote" then out[#out + 1] = m end
  end
  return out
end

-- Move the cursor to the start of the next (or previous) quote, count times,
-- wrapping round the buffer as searches do.
function M.jump(direction, count)
  local buf = api.nvim_get_current_buf()
  local marks = quote_marks_in_order(buf)
  if #marks == 0 then
    notify("newsmark: no quotes in this buffer", vim.log.levels.INFO)
    return
  end
  local cursor = api.nvim_win_get_cursor(0)
  local row, col = cursor[1] - 1, cursor[2]
  local index
  for _ = 1, math.max(1, count or 1) do
    index = nil
    if direction > 0 then
      for i, m in ipairs(marks) do
        if m[2] > row or (m[2] == row and m[3] > col) then index = i break end
      end
      index = index or 1
    else
      for i = #marks, 1, -1 do
        local m = marks[i]
        if m[2] < row or (m[2] == row and m[3] < col) then index = i break end
      end
      index = index or #marks
    end
    row, col = marks[index][2], marks[index][3]
  end
  vim.cmd("normal! m'")
  api.nvim_win_set_cursor(0, { row + 1, col })
end

-- ---- :Newsmark sources, explain, rules ------------------------------------------

local function one_line(text, max)
  text = tostring(text or ""):gsub("%s+", " ")
  if vim.fn.strchars(text) > max then
    text = vim.fn.strcharpart(text, 0, max - 1) .. "…"
  end
  return text
end

-- A scratch buffer in a split below, wiped when closed.
local function open_scratch(name, lines, filetype)
  local old = vim.fn.bufnr(name)
  if old ~= -1 then pcall(api.nvim_buf_delete, old, { force = true }) end
  vim.cmd("botright " .. math.max(3, math.min(#lines, 15)) .. "new")
  local buf = api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  api.nvim_buf_set_name(buf, name)
  api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = filetype
  vim.keymap.set("n", "q", "<cmd>close<cr>", { buffer = buf, nowait = true, desc = "Close" })
  return buf
end

local function mark_position(buf, id)
  if not id then return nil end
  local pos = api.nvim_buf_get_extmark_by_id(buf, M.ns, id, {})
  if pos and pos[1] then return pos[1], pos[2] end
  return nil
end

-- The lines of :Newsmark sources for a buffer, and for each line the quote
-- (as an index into the buffer's quotes) that <CR> jumps to.
function M.sources_lines(buf)
  local b = state.buffers[buf]
  if not b or not b.doc then return nil end
  local groups, order = {}, {}
  for i, entry in ipairs(b.quotes) do
    local q = entry.quote
    -- Terms quote no one; quotes in page furniture (teasers for other
    -- stories) are not this story's sources.
    if q.kind ~= "term" and not q.boilerplate then
      local entity = q.speaker and q.speaker.entity
      local key = entity or (q.speaker and ("speaker:" .. tostring(q.speaker.text))) or "none"
      local g = groups[key]
      if not g then
        g = { entity = entity, speaker = q.speaker, quotes = {}, first = i }
        groups[key] = g
        order[#order + 1] = g
      end
      g.quotes[#g.quotes + 1] = i
    end
  end
  -- Most quoted first; unattributed quotes last.
  table.sort(order, function(a, c)
    local a_none, c_none = a.speaker == nil, c.speaker == nil
    if a_none ~= c_none then return c_none end
    if #a.quotes ~= #c.quotes then return #a.quotes > #c.quotes end
    return a.first < c.first
  end)
  local name = api.nvim_buf_get_name(buf)
  local lines, targets, styles = {}, {}, {}
  local nquotes = 0
  for _, g in ipairs(order) do nquotes = nquotes + #g.quotes end
  lines[1] = string.format("newsmark sources: %s  (%d sources, %d quotes)",
    name ~= "" and vim.fn.fnamemodify(name, ":t") or ("buffer " .. buf),
    #order - ((groups.none and 1) or 0), nquotes)
  for _, g in ipairs(order) do
    lines[#lines + 1] = ""
    local head, anonymous
    local count = #g.quotes == 1 and "1 quote" or (#g.quotes .. " quotes")
    if g.entity then
      local e = g.entity
      anonymous = e.anonymous
      head = e.name
      if e.title and e.title ~= "" and not tostring(e.name):find(e.title, 1, true) then
        head = head .. " (" .. e.title .. ")"
      end
      head = string.format("%s  [%s%s, %s]", head, e.type or "unknown", e.anonymous and ", anonymous" or "", count)
    elseif g.speaker then
      head = string.format("%s  [unresolved, %s]", tostring(g.speaker.text), count)
    else
      head = string.format("no speaker  [%s]", count)
      anonymous = true
    end
    lines[#lines + 1] = head
    styles[#lines] = anonymous and "NewsmarkSourcesAnonymous" or "NewsmarkSourcesName"
    for _, i in ipairs(g.quotes) do
      local entry = b.quotes[i]
      local row, col = mark_position(buf, entry.mark)
      local where = row and string.format("%d:%d", row + 1, col + 1) or "?"
      lines[#lines + 1] = string.format("  %-8s %-9s %s", where, entry.quote.kind, one_line(entry.quote.text, 72))
      targets[#lines] = i
    end
  end
  return lines, targets, styles
end

function M.sources(buf)
  buf = (buf == nil or buf == 0) and api.nvim_get_current_buf() or buf
  local lines, targets, styles = M.sources_lines(buf)
  if not lines then
    notify("newsmark: not enabled in this buffer (:Newsmark enable)", vim.log.levels.WARN)
    return
  end
  local source_win = api.nvim_get_current_win()
  local scratch = open_scratch("newsmark://sources/" .. buf, lines, "newsmark-sources")
  for row, group in pairs(styles) do
    api.nvim_buf_set_extmark(scratch, M.ns, row - 1, 0, { end_row = row - 1, end_col = #lines[row], hl_group = group })
  end
  for row in pairs(targets) do
    local where = lines[row]:match("^%s*%S+")
    api.nvim_buf_set_extmark(scratch, M.ns, row - 1, 0, { end_row = row - 1, end_col = #where, hl_group = "NewsmarkSourcesLocation" })
  end
  vim.keymap.set("n", "<CR>", function()
    local i = targets[api.nvim_win_get_cursor(0)[1]]
    if not i or not api.nvim_buf_is_valid(buf) then return end
    local b = state.buffers[buf]
    local row, col = mark_position(buf, b and b.quotes[i] and b.quotes[i].mark)
    if not row then return end
    local win = api.nvim_win_is_valid(source_win) and api.nvim_win_get_buf(source_win) == buf and source_win
      or vim.fn.win_findbuf(buf)[1]
    if not win then
      vim.cmd("wincmd p")
      api.nvim_win_set_buf(0, buf)
      win = api.nvim_get_current_win()
    end
    api.nvim_set_current_win(win)
    api.nvim_win_set_cursor(win, { row + 1, col })
  end, { buffer = scratch, desc = "Jump to this quote" })
  return scratch
end

-- The quote under the cursor: the innermost whose mark contains it, or the
-- one whose speaker, cue or channel the cursor is on.
function M.quote_at(buf, row, col)
  local b = state.buffers[buf]
  if not b then return nil end
  local best, best_size
  for _, m in ipairs(api.nvim_buf_get_extmarks(buf, M.ns, 0, -1, { details = true })) do
    local info = b.marks[m[1]]
    local d = m[4]
    if info and d.end_row then
      local after_start = m[2] < row or (m[2] == row and m[3] <= col)
      local before_end = d.end_row > row or (d.end_row == row and d.end_col > col)
      if after_start and before_end then
        local size = (d.end_row - m[2]) * 100000 + (d.end_col - m[3])
        -- Prefer the quote itself over the parts: a mixed quote's fragment
        -- is smaller than it, and chosen.
        if info.role ~= "quote" then size = size + 1e12 end
        if not best_size or size < best_size then best, best_size = info.quote, size end
      end
    end
  end
  return best and b.quotes[best] and b.quotes[best].quote, best
end

function M.explain_lines(buf, row, col)
  local b = state.buffers[buf]
  local q = M.quote_at(buf, row, col)
  if not q then return nil end
  local lines = {}
  lines[#lines + 1] = string.format("%s quote%s", q.kind, q.parent and " (a fragment of a mixed quote)" or "")
  lines[#lines + 1] = "  " .. one_line(q.text, 200)
  local s = q.speaker
  if s then
    local e = s.entity
    if e then
      local who = e.name
      if e.title and e.title ~= "" then who = who .. " (" .. e.title .. ")" end
      lines[#lines + 1] = string.format("Speaker: %s  [%s%s]", who, e.type or "unknown", e.anonymous and ", anonymous" or "")
      if s.text and s.text ~= e.name then lines[#lines + 1] = "  as written: " .. one_line(s.text, 80) end
    else
      lines[#lines + 1] = "Speaker: " .. one_line(s.text, 80) .. "  [unresolved]"
    end
  else
    lines[#lines + 1] = q.kind == "term" and "Speaker: none (quote marks around a term)" or "Speaker: none found"
  end
  if q.cue then lines[#lines + 1] = "Cue: " .. one_line(q.cue.text, 80) end
  if q.via then lines[#lines + 1] = "Channel: " .. one_line(q.via.text, 80) end
  -- Markers over the quote or any of its parts (an anonymous source flags
  -- the speaker, not the quote).
  local parts = { q, q.speaker, q.cue, q.via }
  local function overlaps(m)
    for _, part in pairs(parts) do
      if part.first and m.first <= part.last and part.first <= m.last then return true end
    end
    return false
  end
  local markers = {}
  for _, m in ipairs(b.doc and b.doc.markers or {}) do
    if overlaps(m) then
      markers[#markers + 1] = string.format("  %s (%s): %s", m.kind, m.rule, m.message or "")
    end
  end
  if #markers > 0 then
    lines[#lines + 1] = "Markers:"
    vim.list_extend(lines, markers)
  end
  return lines
end

function M.explain()
  local buf = api.nvim_get_current_buf()
  if not M.is_enabled(buf) then
    notify("newsmark: not enabled in this buffer (:Newsmark enable)", vim.log.levels.WARN)
    return
  end
  local cursor = api.nvim_win_get_cursor(0)
  local lines = M.explain_lines(buf, cursor[1] - 1, cursor[2])
  if not lines then
    notify("newsmark: no quote under the cursor", vim.log.levels.INFO)
    return
  end
  local width = 20
  for _, l in ipairs(lines) do width = math.max(width, vim.fn.strdisplaywidth(l)) end
  width = math.min(width, math.max(20, vim.o.columns - 4))
  local float_buf = api.nvim_create_buf(false, true)
  api.nvim_buf_set_lines(float_buf, 0, -1, false, lines)
  vim.bo[float_buf].modifiable = false
  vim.bo[float_buf].bufhidden = "wipe"
  local win = api.nvim_open_win(float_buf, false, {
    relative = "cursor", row = 1, col = 0, width = width, height = #lines,
    style = "minimal", border = "rounded", focusable = true,
  })
  vim.wo[win].wrap = true
  api.nvim_create_autocmd({ "CursorMoved", "CursorMovedI", "BufLeave", "InsertEnter" }, {
    group = M.augroup,
    buffer = buf,
    once = true,
    callback = function()
      if api.nvim_win_is_valid(win) then api.nvim_win_close(win, true) end
    end,
  })
  return win, float_buf
end

function M.rules_lines()
  local engine = get_engine()
  if not engine then return nil end
  local lines = { string.format("%-28s %-18s %-8s %s", "rule", "kind", "enabled", "origin") }
  for _, r in ipairs(engine:rules()) do
    lines[#lines + 1] = string.format("%-28s %-18s %-8s %s", r.id, r.kind, r.enabled and "yes" or "no", r.origin or "")
  end
  return lines
end

function M.rules()
  local lines = M.rules_lines()
  if not lines then return end
  return open_scratch("newsmark://rules", lines, "newsmark-rules")
end

-- Rebuild the engine from the rule files and annotate every enabled buffer.
function M.reload()
  state.engine, state.engine_failed, state.notified = nil, false, {}
  local engine = get_engine()
  for buf, b in pairs(state.buffers) do
    if b.enabled then M.annotate(buf) end
  end
  if engine then
    notify(string.format("newsmark: %d rules loaded", #engine:rules()))
  end
end

-- ---- setup and commands -----------------------------------------------------

local function auto_enable(buf)
  if vim.b[buf].newsmark_disable or vim.g.newsmark_disable then return end
  if vim.tbl_contains(state.opts.filetypes, vim.bo[buf].filetype) then M.enable(buf) end
end

local global_autocmds_done = false
local function create_global_autocmds()
  if global_autocmds_done then return end
  global_autocmds_done = true
  api.nvim_create_autocmd("ColorScheme", { group = M.augroup, callback = apply_highlights })
  -- Large buffers analyse what is on screen: follow the scrolling.
  api.nvim_create_autocmd("WinScrolled", {
    group = M.augroup,
    callback = function(args)
      local win = tonumber(args.match)
      if not win or not api.nvim_win_is_valid(win) then return end
      local buf = api.nvim_win_get_buf(win)
      local b = state.buffers[buf]
      if b and b.enabled and b.windowed then schedule(buf) end
    end,
  })
end

-- Merge and check options; safe to call again (each call starts from the
-- defaults). Returns true, or false and the message it showed.
function M.setup(opts)
  local merged, err = config.build(opts)
  if not merged then
    notify(err, vim.log.levels.ERROR)
    return false, err
  end
  state.opts = merged
  state.engine, state.engine_failed, state.notified = nil, false, {}
  apply_highlights()
  create_global_autocmds()
  api.nvim_clear_autocmds({ group = M.augroup, event = "FileType", pattern = "*" })
  if merged.auto_enable then
    api.nvim_create_autocmd("FileType", {
      group = M.augroup,
      pattern = "*",
      callback = function(args) auto_enable(args.buf) end,
    })
    for _, buf in ipairs(api.nvim_list_bufs()) do
      if api.nvim_buf_is_loaded(buf) and not M.is_enabled(buf) then auto_enable(buf) end
    end
  end
  for buf, b in pairs(state.buffers) do
    if b.enabled then M.annotate(buf) end
  end
  return true
end

-- The options in force (a copy).
function M.options()
  return vim.deepcopy(state.opts)
end

-- The highlight groups exist from the first use, setup() or not.
local highlights_ready = false
local function ensure_ready()
  if highlights_ready then return end
  highlights_ready = true
  apply_highlights()
  create_global_autocmds()
end

M.subcommands = {
  enable = function() M.enable(0) end,
  disable = function() M.disable(0) end,
  toggle = function() M.toggle(0) end,
  sources = function() M.sources(0) end,
  explain = function() M.explain() end,
  rules = function() M.rules() end,
  reload = function() M.reload() end,
  -- The rest of the command line is a directory: kept whole, spaces and all.
  compare = function(rest) require("newsmark.compare").run(rest ~= "" and rest or nil) end,
  ["compare-jump"] = function() require("newsmark.compare").jump(1) end,
  ["compare-clear"] = function() require("newsmark.compare").clear() end,
}
-- The subcommands that take an argument.
local takes_argument = { compare = true }

function M.command(args)
  ensure_ready()
  local name, rest = (args.args or ""):match("^%s*(%S*)%s*(.-)%s*$")
  local run = M.subcommands[name]
  if run and rest ~= "" and not takes_argument[name] then
    notify(string.format("newsmark: '%s' takes no argument", name), vim.log.levels.ERROR)
    return
  end
  if not run then
    local names = vim.tbl_keys(M.subcommands)
    table.sort(names)
    notify(string.format("newsmark: unknown subcommand '%s'; use one of: %s", tostring(name or ""), table.concat(names, ", ")),
      vim.log.levels.ERROR)
    return
  end
  run(rest)
end

function M.complete(lead, cmdline)
  -- After "compare ", directories.
  if cmdline and cmdline:match("^%s*%S+%s+compare%s") then
    return require("newsmark.compare").complete_dir(lead)
  end
  local names = vim.tbl_keys(M.subcommands)
  table.sort(names)
  return vim.tbl_filter(function(n) return n:sub(1, #lead) == lead end, names)
end

-- For tests and :checkhealth: the internal state of one buffer (read only).
function M._buffer(buf)
  return state.buffers[(buf == nil or buf == 0) and api.nvim_get_current_buf() or buf]
end

function M._engine()
  return get_engine()
end

M.ensure_ready = ensure_ready

return M
