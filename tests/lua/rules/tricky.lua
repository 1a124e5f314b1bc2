-- Braces in comments and strings, a rule built before the list: each origin is still its line.
-- { a comment with a brace
--[[ a long
comment { { ]]
local helper = function() return { "not", "rules" } end
local s = "{ in a string \" { "
local kyiv = { id = "x.kyiv", kind = "style", words = { "Kiev" } }
return {
  kyiv,   -- built elsewhere: line comes from its id
  { id = "x.long", kind = "style", pattern = [==[ { ]] } ]==] },

  { id = "x.fn", kind = "style",
    check = function(doc) local t = { { first = 1, last = 1 } } return t end },
}
