-- A good rule file: one words rule, one pattern rule, one function rule.
return {
  { id = "house.kyiv", kind = "style", words = { "Kiev" },
    message = "House style: Kyiv", severity = "warning" },
  { id = "house.million", kind = "style", pattern = [[\$\d+ million]],
    message = "House style: spell out dollars" },
  { id = "house.no-quotes", kind = "sourcing", message = "No quotes in this story",
    check = function(doc)
      if #doc.quotes > 0 then return {} end
      return { { first = 1, last = 1 } }
    end },
}
