-- A quote whose only source is state media: the text says who spoke, but
-- only through an outlet the speaker's government runs, and nothing in the
-- text quotes that speaker through anyone else.
local STATE_MEDIA = {
  "KCNA", "Korean Central News Agency", "Rodong Sinmun", "KCTV",
  "Xinhua", "CCTV", "Global Times", "People's Daily",
  "TASS", "RIA Novosti", "Sputnik", "RT",
  "IRNA", "Press TV", "SANA",
}

local function is_state_media(text)
  for _, name in ipairs(STATE_MEDIA) do
    -- whole words only: "RT" must not match "REPORTED"
    local s, e = text:find(name, 1, true)
    while s do
      local before, after = text:sub(s - 1, s - 1), text:sub(e + 1, e + 1)
      if not before:match("[%w]") and not after:match("[%w]") then return true end
      s, e = text:find(name, e + 1, true)
    end
  end
  return false
end

return {
  { id = "house.state-media-only", kind = "sourcing", severity = "warning",
    message = "Only source is state media: look for a second source",
    check = function(doc)
      local out = {}
      for _, q in ipairs(doc.quotes) do
        local via_state = q.via and is_state_media(q.via.text)
        local entity = q.speaker and q.speaker.entity
        local elsewhere = false
        if via_state and entity then
          for _, other in ipairs(entity.quotes) do
            if other ~= q and not (other.via and is_state_media(other.via.text)) then elsewhere = true end
          end
        end
        if via_state and not elsewhere then out[#out + 1] = { first = q.first, last = q.last } end
      end
      return out
    end },
}
