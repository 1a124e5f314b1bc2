-- More than two anonymous sources in one story: each is marked at its
-- first mention, so the editor can ask whether the story leans on them.
local LIMIT = 2

return {
  { id = "house.anonymous-count", kind = "sourcing", severity = "warning",
    message = "More than two anonymous sources in this story",
    check = function(doc)
      local anonymous = {}
      for _, entity in ipairs(doc.entities) do
        if entity.anonymous and entity.mentions[1] then anonymous[#anonymous + 1] = entity end
      end
      if #anonymous <= LIMIT then return {} end
      local out = {}
      for i, entity in ipairs(anonymous) do
        local m = entity.mentions[1]
        out[i] = { first = m.first, last = m.last,
                   message = string.format("Anonymous source %d of %d: %s", i, #anonymous, entity.name) }
      end
      return out
    end },
}
