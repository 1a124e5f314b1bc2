-- :checkhealth newsmark, run for real. $NM_HEALTH_EXPECT says which case:
--   pass    the library loads and answers right: OK lines, no ERROR or WARNING;
--   missing no library anywhere: an ERROR that says to run `make`;
--   stale   a library older than its sources and of another version.
local H = dofile(vim.g.newsmark_test_root .. "/tests/nvim/harness.lua")

H.run(function()
  local expect = vim.env.NM_HEALTH_EXPECT or "pass"
  vim.cmd("silent checkhealth newsmark")
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local text = table.concat(lines, "\n")
  local function count(word)
    local n = 0
    for _, l in ipairs(lines) do
      if l:find(word, 1, true) then n = n + 1 end
    end
    return n
  end
  local root = vim.g.newsmark_test_root

  if expect == "pass" then
    H.case("health: passes with the library built", function()
      H.eq(count("ERROR"), 0, "ERROR lines in:\n" .. text)
      H.eq(count("WARNING"), 0, "WARNING lines in:\n" .. text)
      H.truthy(text:find("libnewsmark %d+%.%d+%.%d+ loaded through the ffi backend"), "no library line in:\n" .. text)
      H.truthy(text:find("“We will win,” the mayor said. -> a direct quote", 1, true), "no analysis line in:\n" .. text)
    end)
  elseif expect == "missing" then
    H.case("health: fails when the library is absent, and says to run make", function()
      H.truthy(text:find("ERROR[^\n]*libnewsmark could not be loaded"), "no ERROR for the library in:\n" .. text)
      H.truthy(text:find("run `make` in " .. root, 1, true), "no fix in:\n" .. text)
      H.truthy(not text:find("newsmark: analysis", 1, true), "went on to analyse without a library:\n" .. text)
    end)
  elseif expect == "stale" then
    H.case("health: a stale library is reported with the fix", function()
      H.truthy(text:find("ERROR[^\n]*the library is version %d+%.%d+%.%d+ but the plugin's source is 9%.9%.9"),
        "no version ERROR in:\n" .. text)
      H.truthy(text:find("WARNING[^\n]*libnewsmark%.so is older than [^\n]*src/doc%.c"), "no age WARNING in:\n" .. text)
      H.truthy(text:find("run `make` in " .. root, 1, true), "no fix in:\n" .. text)
    end)
  end
end)
