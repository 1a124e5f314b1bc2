-- A rule file with one rule of each sort (tests/lua/api.lua asserts the lines).
return {
  { id = "t.kyiv", kind = "style", words = { "Kiev" }, message = "House style: Kyiv", severity = "warning" },
  {
    id = "t.money",
    kind = "figure",
    pattern = [[\$\d[\d,.]*\s+(?:million|billion)]],
    inside = "prose",
  },
  { id = "t.said", kind = "sourcing", message = "A cue",
    check = function(doc)
      local out = {}
      for _, q in ipairs(doc.quotes) do
        if q.cue then out[#out + 1] = { first = q.cue.first, last = q.cue.last } end
      end
      return out
    end },
}
