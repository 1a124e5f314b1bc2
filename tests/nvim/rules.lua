-- House rules in Neovim: a good file's markers become diagnostics with the
-- rule id; a broken file gives exactly one notification naming the file,
-- the line and the rule, however many edits follow; :Newsmark reload.
local H = dofile(vim.g.newsmark_test_root .. "/tests/nvim/harness.lua")
local api = vim.api

H.run(function()
  local plugin = require("newsmark.plugin")
  local dir = H.root .. "/tests/nvim/rules"
  local messages = {}
  vim.notify = function(msg, level) messages[#messages + 1] = { msg = msg, level = level } end

  local function article()
    local buf = H.buffer({ "Anna Berg said the city of Kiev spent $2 million.", "", "More to come." }, "text")
    return buf
  end

  -- Five edits, each waited out past the debounce.
  local function type_five_edits(buf)
    local b = plugin._buffer(buf)
    for i = 1, 5 do
      local tick = b.tick
      api.nvim_buf_set_lines(buf, 2, 3, false, { "More to come " .. i .. "." })
      H.truthy(H.wait(2000, function() return b.tick ~= tick end), "edit " .. i .. " not re-annotated")
    end
  end

  local function codes(buf)
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(buf, { namespace = plugin.ns_diagnostics })) do
      list[#list + 1] = d.code
    end
    table.sort(list)
    return list
  end

  H.case("a good rule file: its markers are diagnostics with the rule's id", function()
    messages = {}
    H.eq(plugin.setup({ rules = { dir .. "/house.lua" }, debounce_ms = 30 }), true, "setup")
    local buf = article()
    plugin.enable(buf)
    H.eq(messages, {}, "notifications")
    H.eq(codes(buf), { "figure.money", "house.kyiv", "house.million" }, "diagnostic codes")
    local kyiv = vim.tbl_filter(function(d) return d.code == "house.kyiv" end,
      vim.diagnostic.get(buf, { namespace = plugin.ns_diagnostics }))[1]
    H.eq({ kyiv.lnum, kyiv.col, kyiv.end_col, kyiv.severity, kyiv.message, kyiv.user_data.newsmark.kind },
      { 0, 27, 31, vim.diagnostic.severity.WARN, "House style: Kyiv", "style" }, "house.kyiv")
    vim.cmd("Newsmark rules")
    local listed = table.concat(api.nvim_buf_get_lines(0, 0, -1, false), "\n")
    vim.cmd("close")
    H.truthy(listed:find("house%.kyiv%s+style%s+yes%s+[^\n]*tests/nvim/rules/house%.lua:3"), "rules list: " .. listed)
    plugin.disable(buf)
  end)

  local broken = {
    { "bad_pattern.lua", "a pattern that does not compile", 'bad_pattern%.lua:4: rule "house%.broken"' },
    { "syntax.lua", "a Lua syntax error", "syntax%.lua:4:" },
  }
  for _, case in ipairs(broken) do
    H.case(string.format("a rule file with %s: exactly one notification, naming file, line and rule", case[2]), function()
      messages = {}
      H.eq(plugin.setup({ rules = { dir .. "/" .. case[1], dir .. "/house.lua" }, debounce_ms = 30 }), true, "setup")
      local buf = article()
      plugin.enable(buf)
      type_five_edits(buf)
      local other = article()
      plugin.enable(other)
      H.eq(#messages, 1, "notifications: " .. vim.inspect(messages))
      H.truthy(messages[1].msg:find(case[3]), "message does not name it: " .. messages[1].msg)
      H.eq(messages[1].level, vim.log.levels.ERROR, "level")
      -- The good file and the built-in rules still run.
      H.eq(codes(buf), { "figure.money", "house.kyiv", "house.million" }, "diagnostic codes")
      plugin.disable(buf)
      plugin.disable(other)
    end)
  end

  H.case("a function rule that fails on every edit: one notification naming file, line and rule", function()
    messages = {}
    H.eq(plugin.setup({ rules = { dir .. "/raise.lua" }, debounce_ms = 30 }), true, "setup")
    local buf = article()
    plugin.enable(buf)
    type_five_edits(buf)
    H.eq(#messages, 1, "notifications: " .. vim.inspect(messages))
    H.truthy(messages[1].msg:find('raise%.lua:3: rule "house%.raise" failed'), "message: " .. messages[1].msg)
    H.eq(codes(buf), { "figure.money" }, "the built-in rules still run")
    plugin.disable(buf)
  end)

  H.case(":Newsmark reload reads the rule files again", function()
    local path = vim.fn.tempname() .. ".lua"
    local function write(text)
      local f = assert(io.open(path, "w"))
      f:write(text)
      f:close()
    end
    write('return { { id = "house.more", kind = "style", words = { "More" } } }\n')
    messages = {}
    H.eq(plugin.setup({ rules = { path }, debounce_ms = 30 }), true, "setup")
    local buf = article()
    plugin.enable(buf)
    H.eq(codes(buf), { "figure.money", "house.more" }, "before reload")
    write('return { { id = "house.city", kind = "style", words = { "city" } } }\n')
    vim.cmd("Newsmark reload")
    H.eq(codes(buf), { "figure.money", "house.city" }, "after reload")
    H.eq(#messages, 1, "notifications")
    H.truthy(messages[1].msg:find("rules loaded"), "message: " .. messages[1].msg)
    plugin.disable(buf)
    os.remove(path)
  end)

  H.case("a missing library: one notification, no error per edit", function()
    messages = {}
    local saved = package.loaded["newsmark"]
    package.loaded["newsmark"] = nil
    package.preload["newsmark"] = function() error("cannot load libnewsmark.so (test)") end
    plugin.setup({ debounce_ms = 30 })
    local buf = article()
    plugin.enable(buf)
    for i = 1, 5 do
      api.nvim_buf_set_lines(buf, 2, 3, false, { "More to come " .. i .. "." })
      vim.wait(80)
    end
    package.preload["newsmark"] = nil
    package.loaded["newsmark"] = saved
    H.eq(#messages, 1, "notifications: " .. vim.inspect(messages))
    H.truthy(messages[1].msg:find("run `make`", 1, true), "message: " .. messages[1].msg)
    H.eq(#api.nvim_buf_get_extmarks(buf, plugin.ns, 0, -1, {}), 0, "extmarks")
    plugin.disable(buf)
    plugin.setup({})
  end)
end)
