-- A figure with no source in its sentence: a number the writer states in
-- their own voice, with no quote, cue ("said", "according to") or channel
-- in the same sentence to say where it came from.
local function sentence_around(text, first, last)
  local s = first
  while s > 1 and not text:sub(s - 2, s - 1):match("^[.!?][%s]$") and text:sub(s - 1, s - 1) ~= "\n" do
    s = s - 1
  end
  local e = text:find("[.!?][%s]", last) or text:find("\n", last, true) or #text
  return s, e
end

local function overlaps(a_first, a_last, b_first, b_last)
  return a_first <= b_last and b_first <= a_last
end

return {
  { id = "house.unsourced-figure", kind = "sourcing",
    message = "Figure with no source in its sentence",
    check = function(doc)
      local out = {}
      for _, m in ipairs(doc.markers) do
        if m.kind == "figure" then
          local s, e = sentence_around(doc.text, m.first, m.last)
          local sourced = doc.text:sub(s, e):find("according to", 1, true) ~= nil
          for _, q in ipairs(doc.quotes) do
            local parts = { q, q.cue, q.via, q.speaker }
            for i = 1, 4 do
              local p = parts[i]
              if p and overlaps(p.first, p.last, s, e) and q.kind ~= "term" then sourced = true end
            end
          end
          if not sourced then out[#out + 1] = { first = m.first, last = m.last } end
        end
      end
      return out
    end },
}
