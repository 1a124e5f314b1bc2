-- House style: spellings the desk has settled. Load with
--   annotate --rules lua/newsmark/rules/house_style.lua story.txt
-- A `words` rule matches whole words, with the case as written here.
return {
  { id = "house.kyiv", kind = "style", words = { "Kiev" },
    message = "House style: Kyiv", severity = "warning" },
  { id = "house.kharkiv", kind = "style", words = { "Kharkov" },
    message = "House style: Kharkiv", severity = "warning" },
  -- A pattern rule: PCRE2 syntax, here only in the writer's own voice.
  { id = "house.percent-sign", kind = "style", pattern = [[\d+(?:\.\d+)?\s?%]], inside = "prose",
    message = "House style: spell out \"per cent\" in copy" },
}
