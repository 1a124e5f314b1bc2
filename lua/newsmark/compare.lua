-- newsmark.compare: :Newsmark compare, the same quote given differently.
--
-- The current buffer is compared with the other loaded, listed buffers, or
-- with the text files of a directory. Each text is analysed through the FFI
-- (newsmark.ffi), the compare API of libnewsmark groups the quotes that
-- report the same words, and every quote of the current buffer that another
-- member gives differently gets a diagnostic in its own namespace, naming
-- the other text and line and saying how the words differ. The other
-- members go to the quickfix (or location) list, so :cnext visits them, and
-- M.jump opens the other text of the variant under the cursor.
--
-- The work is synchronous but bounded: at most compare_max_files files, each
-- at most max_bytes, and all together at most MAX_TOTAL_FACTOR * max_bytes.
-- Works on Neovim 0.7.2 and on current releases.

local M = {}

local api = vim.api
local uv = vim.uv or vim.loop

M.ns = api.nvim_create_namespace("newsmark.compare")
-- The other buffers' targets (extmarks), so a jump follows their edits.
M.ns_targets = api.nvim_create_namespace("newsmark.compare.targets")

-- All the files of a directory together stay under this many max_bytes.
local MAX_TOTAL_FACTOR = 4
-- Words shown per difference, in characters.
local MAX_WORDS = 60
-- Differences spelt out per message; the rest are counted.
local MAX_DIFFS = 3

-- How each nm_diff_kind reads in a message.
local KIND_LABELS = {
  spelling = "spelling",
  substitution = "other words",
  omission = "omission",
  addition = "addition",
  speaker = "other speaker",
}

local SEVERITIES = {
  error = vim.diagnostic.severity.ERROR,
  warning = vim.diagnostic.severity.WARN,
  info = vim.diagnostic.severity.INFO,
  hint = vim.diagnostic.severity.HINT,
}

local function notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO, { title = "newsmark" })
end

local function options()
  return require("newsmark.plugin").options()
end

-- ---- the texts ---------------------------------------------------------------

-- How a buffer or a file is named in messages: relative to the working
-- directory where it can be.
local function display_name(path, buf)
  if path and path ~= "" then return vim.fn.fnamemodify(path, ":~:.") end
  return "[buffer " .. buf .. "]"
end

local function buffer_size(buf)
  return api.nvim_buf_get_offset(buf, api.nvim_buf_line_count(buf))
end

local function size(bytes)
  if bytes >= 1048576 then return string.format("%.1f MB", bytes / 1048576) end
  if bytes >= 1024 then return string.format("%.1f KB", bytes / 1024) end
  return bytes .. " bytes"
end

-- A loaded buffer as a text to compare: { name, buf, file, text, input }.
local function buffer_source(buf, opts)
  local path = api.nvim_buf_get_name(buf)
  local size = buffer_size(buf)
  local name = display_name(path, buf)
  if size > opts.max_bytes then
    return nil, string.format("%s (%s, over max_bytes)", name, size(size))
  end
  return {
    name = name,
    buf = buf,
    file = path ~= "" and path or nil,
    text = table.concat(api.nvim_buf_get_lines(buf, 0, -1, false), "\n"),
    input = opts.input[vim.bo[buf].filetype] or "plain",
  }
end

-- Buffers that hold no article: help, quickfix, terminals, our own scratch
-- buffers.
local function is_text_buffer(buf)
  local buftype = vim.bo[buf].buftype
  if buftype ~= "" and buftype ~= "nofile" and buftype ~= "acwrite" then return false end
  return not api.nvim_buf_get_name(buf):match("^newsmark://")
end

-- The other loaded, listed text buffers, in buffer-number order.
local function other_buffers(current)
  local list = {}
  for _, buf in ipairs(api.nvim_list_bufs()) do
    if buf ~= current and api.nvim_buf_is_loaded(buf) and vim.bo[buf].buflisted and is_text_buffer(buf)
      and buffer_size(buf) > 0 then
      list[#list + 1] = buf
    end
  end
  return list
end

local INPUT_BY_EXTENSION = { md = "markdown", markdown = "markdown", html = "html", htm = "html", xhtml = "html" }

local function extension(name)
  return (name:match("%.([^./]+)$") or ""):lower()
end

local function realpath(path)
  return uv.fs_realpath(path) or path
end

-- The text files of dir, sorted by name: { paths }, and the notes on what
-- was left out, or nil and a message when dir is not a readable directory.
local function directory_files(dir, opts, exclude)
  local handle, err = uv.fs_scandir(dir)
  if not handle then return nil, "cannot read the directory " .. dir .. ": " .. tostring(err) end
  local wanted = {}
  for _, ext in ipairs(opts.compare_extensions) do wanted[ext:lower()] = true end
  local names = {}
  while true do
    local name, kind = uv.fs_scandir_next(handle)
    if not name then break end
    -- Hidden files are editor and tool state, not articles.
    if name:sub(1, 1) ~= "." and wanted[extension(name)] and (kind == "file" or kind == "link") then
      names[#names + 1] = name
    end
  end
  table.sort(names)
  local paths = {}
  for _, name in ipairs(names) do
    local path = dir .. "/" .. name
    if realpath(path) ~= exclude then paths[#paths + 1] = path end
  end
  return paths
end

-- A file as a text to compare, or nil and why it was left out.
local function file_source(path, opts, budget)
  local name = display_name(path)
  local stat = uv.fs_stat(path)
  if not stat then return nil, name .. " (unreadable)" end
  if stat.type ~= "file" then return nil, name .. " (not a regular file)" end
  if stat.size > opts.max_bytes then
    return nil, string.format("%s (%s, over max_bytes)", name, size(stat.size))
  end
  if stat.size > budget then return nil, name .. " (over the total size budget)", true end
  local f, err = io.open(path, "rb")
  if not f then return nil, string.format("%s (unreadable: %s)", name, tostring(err):gsub("^[^:]*: ", "")) end
  local text = f:read("*a")
  f:close()
  if not text then return nil, name .. " (unreadable)" end
  if text:find("\0", 1, true) then return nil, name .. " (binary)" end
  return {
    name = name,
    file = path,
    text = text,
    input = INPUT_BY_EXTENSION[extension(path)] or "plain",
  }
end

-- ---- positions ---------------------------------------------------------------

local function line_starts(text)
  local starts, pos = { 0 }, 1
  while true do
    local nl = text:find("\n", pos, true)
    if not nl then break end
    starts[#starts + 1] = nl
    pos = nl + 1
  end
  return starts
end

-- 0-based byte offset -> 0-based row and byte column.
local function to_pos(starts, offset)
  local lo, hi = 1, #starts
  while lo < hi do
    local mid = math.floor((lo + hi + 1) / 2)
    if starts[mid] <= offset then lo = mid else hi = mid - 1 end
  end
  return lo - 1, offset - starts[lo]
end

-- ---- what differs --------------------------------------------------------------

local function words(text, first, last)
  if last < first then return "nothing" end
  local s = text:sub(first, last):gsub("%s+", " ")
  if vim.fn.strchars(s) > MAX_WORDS then s = vim.fn.strcharpart(s, 0, MAX_WORDS - 1) .. "…" end
  return '"' .. s .. '"'
end

-- The path between members q and o in the group's tree (each member was
-- aligned with its parent), as edges { child, parent, toward_o }. toward_o
-- is true for the edges on o's side, walked from parent to child.
local function tree_path(group, q, o)
  local up_q, depth = {}, {}
  local node, d = q, 0
  while node do
    depth[node], d = d, d + 1
    up_q[#up_q + 1] = node
    node = group.parents[node]
  end
  local up_o = {}
  node = o
  while node and depth[node] == nil do
    up_o[#up_o + 1] = node
    node = group.parents[node]
  end
  if not node then return nil end
  local edges = {}
  for i = 1, depth[node] do
    edges[#edges + 1] = { child = up_q[i], parent = up_q[i + 1], toward_o = false }
  end
  for i = #up_o, 1, -1 do
    edges[#edges + 1] = { child = up_o[i], parent = group.parents[up_o[i]], toward_o = true }
  end
  return edges
end

-- How o gives quote q differently, as { { kind, here, there }, ... } with the
-- words of each side, or nil when there is nothing to say. Only the members
-- aligned with each other count, directly or through exact copies: two
-- parts of one long quote are both aligned with it, but not with each other.
local function differences(result, texts, group, q, o)
  local edges = tree_path(group, q, o)
  if not edges then return nil end
  local found, edges_with_diffs = {}, 0
  for _, edge in ipairs(edges) do
    local n = 0
    for _, d in ipairs(group.diffs) do
      if d.a == edge.parent and d.b == edge.child then
        n = n + 1
        -- a is the parent; "here" is the side nearer q.
        local near, far
        if edge.toward_o then
          near = { q = d.a, first = d.a_first, last = d.a_last }
          far = { q = d.b, first = d.b_first, last = d.b_last }
        else
          near = { q = d.b, first = d.b_first, last = d.b_last }
          far = { q = d.a, first = d.a_first, last = d.a_last }
        end
        found[#found + 1] = {
          kind = d.kind,
          here = words(texts[result.quotes[near.q].doc], near.first, near.last),
          there = words(texts[result.quotes[far.q].doc], far.first, far.last),
        }
      end
    end
    if n > 0 then edges_with_diffs = edges_with_diffs + 1 end
  end
  if edges_with_diffs ~= 1 then return nil end
  return found
end

local function describe(found)
  local parts = {}
  for i, f in ipairs(found) do
    if i > MAX_DIFFS then
      parts[#parts + 1] = string.format("and %d more", #found - MAX_DIFFS)
      break
    end
    parts[#parts + 1] = string.format("%s: %s here, %s there", KIND_LABELS[f.kind] or tostring(f.kind), f.here, f.there)
  end
  return table.concat(parts, "; ")
end

-- ---- running a comparison --------------------------------------------------------

local engine
local function get_engine()
  if engine then return engine end
  local ok, nm = pcall(require, "newsmark.ffi")
  if not ok then return nil, "cannot load the library (:checkhealth newsmark): " .. tostring(nm) end
  local e, err = nm.engine_new()
  if not e then return nil, err end
  local compiled
  compiled, err = e:compile()
  if not compiled then return nil, err end
  engine = e
  return engine
end

-- Show progress when a comparison takes long enough to notice.
local function progress(t0, last_shown, i, n)
  local now = uv.hrtime()
  if now - t0 < 5e8 or now - last_shown < 2e8 then return last_shown end
  api.nvim_echo({ { string.format("newsmark: compare: analysing %d/%d texts…", i, n) } }, false, {})
  vim.cmd("redraw")
  return now
end

-- Left-out texts, named (a few) and counted.
local function skipped_message(skipped)
  local shown = {}
  for i = 1, math.min(#skipped, 5) do shown[i] = skipped[i] end
  local msg = string.format("newsmark: compare: left out %d %s: %s", #skipped, #skipped == 1 and "text" or "texts",
    table.concat(shown, ", "))
  if #skipped > 5 then msg = msg .. string.format(", and %d more", #skipped - 5) end
  return msg
end

local function collect_sources(current, opts, dir)
  local skipped = {}
  local here, why = buffer_source(current, opts)
  if not here then return nil, "newsmark: compare: the current buffer is too large: " .. why end
  local sources = { here }
  if dir then
    local paths, err = directory_files(dir, opts, here.file and realpath(here.file))
    if not paths then return nil, "newsmark: compare: " .. err end
    if #paths > opts.compare_max_files then
      skipped[#skipped + 1] = string.format("%d files past compare_max_files (%d)", #paths - opts.compare_max_files,
        opts.compare_max_files)
      for i = #paths, opts.compare_max_files + 1, -1 do paths[i] = nil end
    end
    local budget = MAX_TOTAL_FACTOR * opts.max_bytes
    for _, path in ipairs(paths) do
      local source, reason, over_budget = file_source(path, opts, budget)
      if source then
        sources[#sources + 1] = source
        budget = budget - #source.text
      else
        skipped[#skipped + 1] = reason
        if over_budget then
          skipped[#skipped] = string.format("the files from %s on (together over %s)", display_name(path),
            size(MAX_TOTAL_FACTOR * opts.max_bytes))
          break
        end
      end
    end
    if #sources == 1 and #skipped == 0 then
      return nil, string.format("newsmark: compare: no text files (%s) in %s",
        table.concat(opts.compare_extensions, ", "), display_name(dir))
    end
  else
    for _, buf in ipairs(other_buffers(current)) do
      local source, reason = buffer_source(buf, opts)
      if source then sources[#sources + 1] = source else skipped[#skipped + 1] = reason end
    end
    if #sources == 1 and #skipped == 0 then
      return nil, "newsmark: compare: no other buffer to compare with (open some, or :Newsmark compare {dir})"
    end
  end
  return sources, skipped
end

-- Compare the current buffer with others (dir nil) or with the text files
-- of dir. Sets the diagnostics and the list; returns a summary table for
-- tests: { diagnostics = n, items = n, texts = n, skipped = { ... } }, or
-- nil and the message it showed.
function M.run(dir)
  local opts = options()
  local current = api.nvim_get_current_buf()
  if not is_text_buffer(current) then
    local msg = "newsmark: compare: run it from the buffer of a text, not from this " .. vim.bo[current].buftype .. " buffer"
    notify(msg, vim.log.levels.WARN)
    return nil, msg
  end
  if dir then
    dir = dir:gsub("\\(%s)", "%1")
    if dir:match("^[~$]") then dir = vim.fn.expand(dir) end
    dir = dir:gsub("(.)/+$", "%1")
    if vim.fn.isdirectory(dir) ~= 1 then
      local msg = "newsmark: compare: no such directory: " .. dir
      notify(msg, vim.log.levels.ERROR)
      return nil, msg
    end
    -- Named as buffers are: absolute, without "..".
    dir = vim.fn.simplify(vim.fn.fnamemodify(dir, ":p")):gsub("(.)/+$", "%1")
  end
  local t0 = uv.hrtime()
  local sources, skipped = collect_sources(current, opts, dir)
  if not sources then
    notify(skipped, vim.log.levels.WARN)
    return nil, skipped
  end
  local e, err = get_engine()
  if not e then
    local msg = "newsmark: compare: " .. tostring(err)
    notify(msg, vim.log.levels.ERROR)
    return nil, msg
  end

  -- Analyse each text; a text the library refuses is left out, by name.
  local docs, kept, texts, last_shown = {}, {}, {}, t0
  for i, source in ipairs(sources) do
    local doc, analyse_err = e:analyse(source.text, source.input)
    if doc then
      docs[#docs + 1] = doc
      kept[#kept + 1] = source
      texts[#kept] = source.text
    elseif i == 1 then
      local msg = "newsmark: compare: cannot analyse the current buffer: " .. tostring(analyse_err)
      notify(msg, vim.log.levels.ERROR)
      return nil, msg
    else
      skipped[#skipped + 1] = source.name .. " (" .. tostring(analyse_err) .. ")"
    end
    last_shown = progress(t0, last_shown, i, #sources)
  end
  local result
  result, err = require("newsmark.ffi").compare(docs)
  for _, doc in ipairs(docs) do doc:close() end
  if not result then
    local msg = "newsmark: compare: " .. tostring(err)
    notify(msg, vim.log.levels.ERROR)
    return nil, msg
  end

  local starts = {}
  local function position(doc, offset)
    starts[doc] = starts[doc] or line_starts(texts[doc])
    return to_pos(starts[doc], offset)
  end

  -- Clear what an earlier comparison left in other buffers' targets.
  for _, buf in ipairs(api.nvim_list_bufs()) do
    if api.nvim_buf_is_loaded(buf) then api.nvim_buf_clear_namespace(buf, M.ns_targets, 0, -1) end
  end

  local severity = SEVERITIES[opts.compare_severity]
  local diagnostics, items, others_seen, quotes_seen = {}, {}, {}, {}
  for _, group in ipairs(result.groups) do
    if group.variant then
      for _, q in ipairs(group.members) do
        local qq = result.quotes[q]
        if qq.doc == 1 then
          local row, col = position(1, qq.first - 1)
          local end_row, end_col = position(1, qq.last)
          for _, o in ipairs(group.members) do
            local found = o ~= q and differences(result, texts, group, q, o)
            if found and #found > 0 then
              local oq = result.quotes[o]
              local other = kept[oq.doc]
              local o_row, o_col = position(oq.doc, oq.first - 1)
              local o_end_row, o_end_col = position(oq.doc, oq.last)
              local target = {
                name = other.name, file = other.file, buf = other.buf,
                lnum = o_row, col = o_col, end_lnum = o_end_row, end_col = o_end_col,
              }
              if other.buf then
                target.mark = api.nvim_buf_set_extmark(other.buf, M.ns_targets, o_row, o_col, {})
              end
              diagnostics[#diagnostics + 1] = {
                lnum = row, col = col, end_lnum = end_row, end_col = end_col,
                severity = severity,
                message = string.format("Quoted differently in %s:%d: %s", other.name, o_row + 1, describe(found)),
                source = "newsmark",
                code = "compare.variant",
                user_data = { newsmark_compare = target },
              }
              -- The list entry is at the other text, and reads from there.
              local back = differences(result, texts, group, o, q) or {}
              local item = {
                lnum = o_row + 1, col = o_col + 1, type = "W",
                text = string.format("Quoted differently in %s:%d: %s", kept[1].name, row + 1, describe(back)),
              }
              if other.buf then item.bufnr = other.buf else item.filename = other.file end
              items[#items + 1] = item
              others_seen[oq.doc] = true
              quotes_seen[q] = true
            end
          end
        end
      end
    end
  end

  vim.diagnostic.reset(M.ns, current)
  vim.diagnostic.set(M.ns, current, diagnostics)
  local title = "newsmark compare: " .. kept[1].name
  if #items > 0 then
    if opts.compare_list == "quickfix" then
      vim.fn.setqflist({}, " ", { title = title, items = items })
    elseif opts.compare_list == "loclist" then
      vim.fn.setloclist(0, {}, " ", { title = title, items = items })
    end
  end

  local elapsed = (uv.hrtime() - t0) / 1e9
  local n_quotes, n_others = vim.tbl_count(quotes_seen), vim.tbl_count(others_seen)
  local summary
  if #diagnostics == 0 then
    summary = string.format("newsmark: compare: no quote here is given differently in the %d other %s",
      #kept - 1, #kept == 2 and "text" or "texts")
  else
    summary = string.format("newsmark: compare: %d %s here given differently in %d of %d other %s",
      n_quotes, n_quotes == 1 and "quote" or "quotes", n_others, #kept - 1, #kept == 2 and "text" or "texts")
    if opts.compare_list == "quickfix" then
      summary = summary .. " (:cnext visits them)"
    elseif opts.compare_list == "loclist" then
      summary = summary .. " (:lnext visits them)"
    end
  end
  if elapsed >= 1 then
    summary = summary .. string.format("; took %.1f s for %d texts", elapsed, #sources)
  end
  notify(summary)
  if #skipped > 0 then notify(skipped_message(skipped), vim.log.levels.WARN) end
  return {
    diagnostics = #diagnostics, items = #items, texts = #kept, skipped = skipped,
    summary = summary, seconds = elapsed,
  }
end

-- ---- jumping to the other text ----------------------------------------------------

local function contains(d, row, col)
  local end_lnum = d.end_lnum or d.lnum
  local end_col = d.end_col or d.col
  local after_start = d.lnum < row or (d.lnum == row and d.col <= col)
  local before_end = end_lnum > row or (end_lnum == row and end_col > col)
  return after_start and before_end
end

-- The compare diagnostics under the cursor: those whose span holds it, or
-- else those that start on its line.
local function diagnostics_at(buf, row, col)
  local all = vim.diagnostic.get(buf, { namespace = M.ns })
  table.sort(all, function(a, b)
    if a.lnum ~= b.lnum then return a.lnum < b.lnum end
    return a.col < b.col
  end)
  local inside, on_line = {}, {}
  for _, d in ipairs(all) do
    local target = d.user_data and d.user_data.newsmark_compare
    if target then
      if contains(d, row, col) then inside[#inside + 1] = d end
      if d.lnum == row then on_line[#on_line + 1] = d end
    end
  end
  return #inside > 0 and inside or on_line
end

local function window_in_tab(buf)
  for _, win in ipairs(api.nvim_tabpage_list_wins(0)) do
    if api.nvim_win_get_buf(win) == buf then return win end
  end
  return nil
end

-- Open the other text of the count-th variant diagnostic under the cursor,
-- at its quote. Returns the target, or nil and the message it showed.
function M.jump(count)
  local buf = api.nvim_get_current_buf()
  local cursor = api.nvim_win_get_cursor(0)
  local list = diagnostics_at(buf, cursor[1] - 1, cursor[2])
  if #list == 0 then
    local msg = "newsmark: no compare variant under the cursor (:Newsmark compare first)"
    notify(msg, vim.log.levels.INFO)
    return nil, msg
  end
  local target = list[math.min(math.max(count or 1, 1), #list)].user_data.newsmark_compare
  local row, col = target.lnum, target.col
  local dest = target.buf
  if dest and api.nvim_buf_is_valid(dest) then
    local pos = target.mark and api.nvim_buf_get_extmark_by_id(dest, M.ns_targets, target.mark, {})
    if pos and pos[1] then row, col = pos[1], pos[2] end
  elseif target.file then
    dest = nil
  else
    local msg = "newsmark: compare: " .. target.name .. " is no longer open"
    notify(msg, vim.log.levels.WARN)
    return nil, msg
  end
  vim.cmd("normal! m'")
  local ok, err = pcall(function()
    local win = dest and window_in_tab(dest)
    if win then
      api.nvim_set_current_win(win)
    elseif dest then
      vim.cmd("buffer " .. dest)
    else
      vim.cmd("edit " .. vim.fn.fnameescape(target.file))
    end
  end)
  if not ok then
    local msg = "newsmark: compare: cannot open " .. target.name .. ": " .. tostring(err)
    notify(msg, vim.log.levels.ERROR)
    return nil, msg
  end
  local lines = api.nvim_buf_line_count(0)
  row = math.min(row, lines - 1)
  api.nvim_win_set_cursor(0, { row + 1, col })
  return target
end

-- Remove the compare diagnostics from every buffer.
function M.clear()
  for _, buf in ipairs(api.nvim_list_bufs()) do
    vim.diagnostic.reset(M.ns, buf)
    if api.nvim_buf_is_loaded(buf) then api.nvim_buf_clear_namespace(buf, M.ns_targets, 0, -1) end
  end
end

-- Directory names for :Newsmark compare {dir}.
function M.complete_dir(lead)
  return vim.fn.getcompletion(lead, "dir")
end

return M
