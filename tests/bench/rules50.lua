-- 50 rules for `make bench` (the row "built-in + 50 Lua rules"): a newsroom's
-- house style as it grows, 30 word lists, 10 patterns and 10 function rules.
return {
  { id = "bench.kiev", kind = "style", words = { "Kiev" }, message = "House style: Kyiv" },
  { id = "bench.kharkov", kind = "style", words = { "Kharkov" }, message = "House style: Kharkiv" },
  { id = "bench.odessa", kind = "style", words = { "Odessa" }, message = "House style: Odesa" },
  { id = "bench.lvov", kind = "style", words = { "Lvov" }, message = "House style: Lviv" },
  { id = "bench.burma", kind = "style", words = { "Burma" }, message = "House style: Myanmar" },
  { id = "bench.bombay", kind = "style", words = { "Bombay" }, message = "House style: Mumbai" },
  { id = "bench.peking", kind = "style", words = { "Peking" }, message = "House style: Beijing" },
  { id = "bench.calcutta", kind = "style", words = { "Calcutta" }, message = "House style: Kolkata" },
  { id = "bench.madras", kind = "style", words = { "Madras" }, message = "House style: Chennai" },
  { id = "bench.swaziland", kind = "style", words = { "Swaziland" }, message = "House style: Eswatini" },
  { id = "bench.ceylon", kind = "style", words = { "Ceylon" }, message = "House style: Sri Lanka" },
  { id = "bench.zaire", kind = "style", words = { "Zaire" }, message = "House style: Congo" },
  { id = "bench.byelorussia", kind = "style", words = { "Byelorussia" }, message = "House style: Belarus" },
  { id = "bench.kirghizia", kind = "style", words = { "Kirghizia" }, message = "House style: Kyrgyzstan" },
  { id = "bench.turkey-name", kind = "style", words = { "Turkiye" }, message = "House style: Turkey" },
  { id = "bench.alright", kind = "style", words = { "alright" }, message = "House style: all right" },
  { id = "bench.towards", kind = "style", words = { "towards" }, message = "House style: toward" },
  { id = "bench.amongst", kind = "style", words = { "amongst" }, message = "House style: among" },
  { id = "bench.whilst", kind = "style", words = { "whilst" }, message = "House style: while" },
  { id = "bench.upto", kind = "style", words = { "upto" }, message = "House style: up to" },
  { id = "bench.irregardless", kind = "style", words = { "irregardless" }, message = "House style: regardless" },
  { id = "bench.firstly", kind = "style", words = { "firstly" }, message = "House style: first" },
  { id = "bench.utilize", kind = "style", words = { "utilize" }, message = "House style: use" },
  { id = "bench.commence", kind = "style", words = { "commence" }, message = "House style: begin" },
  { id = "bench.prior-to", kind = "style", words = { "prior to" }, message = "House style: before" },
  { id = "bench.in-order-to", kind = "style", words = { "in order to" }, message = "House style: to" },
  { id = "bench.at-this-time", kind = "style", words = { "at this point in time" }, message = "House style: now" },
  { id = "bench.email", kind = "style", words = { "e-mail" }, message = "House style: email" },
  { id = "bench.website", kind = "style", words = { "web site" }, message = "House style: website" },
  { id = "bench.percent", kind = "style", words = { "percent" }, message = "House style: per cent" },
  { id = "bench.money", kind = "style", pattern = [==[\$\d[\d,.]*\s+(?:million|billion|trillion)]==], inside = "prose" },
  { id = "bench.percent-num", kind = "style", pattern = [==[\b\d+(?:\.\d+)?\s?%]==], inside = "prose" },
  { id = "bench.year", kind = "style", pattern = [==[\b(?:19|20)\d\d\b]==], inside = "prose" },
  { id = "bench.time", kind = "style", pattern = [==[\b\d{1,2}:\d\d\s?(?:a\.m\.|p\.m\.)]==], inside = "prose" },
  { id = "bench.allcaps", kind = "style", pattern = [==[\b[A-Z]{6,}\b]==], inside = "prose" },
  { id = "bench.exclaim", kind = "style", pattern = [==[!{2,}]==], inside = "prose" },
  { id = "bench.ellipsis", kind = "style", pattern = [==[\.\.\.|…]==], inside = "prose" },
  { id = "bench.double-space", kind = "style", pattern = [==[[.] {2,}[A-Z]]==], inside = "prose" },
  { id = "bench.ordinal", kind = "style", pattern = [==[\b\d+(?:st|nd|rd|th)\b]==], inside = "prose" },
  { id = "bench.dash", kind = "style", pattern = [==[\s--\s]==], inside = "prose" },
  { id = "bench.quotes-without-speaker", kind = "sourcing", check = function(doc)
      local out = {}
      for _, q in ipairs(doc.quotes) do if not q.speaker and q.kind ~= "term" then out[#out + 1] = { first = q.first, last = q.last } end end
      return out
    end },
  { id = "bench.long-quote", kind = "sourcing", check = function(doc)
      local out = {}
      for _, q in ipairs(doc.quotes) do if q.last - q.first > 400 then out[#out + 1] = { first = q.first, last = q.last } end end
      return out
    end },
  { id = "bench.anonymous", kind = "sourcing", check = function(doc)
      local out = {}
      for _, e in ipairs(doc.entities) do if e.anonymous and e.mentions[1] then out[#out + 1] = { first = e.mentions[1].first, last = e.mentions[1].last } end end
      return out
    end },
  { id = "bench.many-quotes", kind = "sourcing", check = function(doc)
      local out = {}
      for _, e in ipairs(doc.entities) do if #e.quotes > 5 and e.mentions[1] then out[#out + 1] = { first = e.mentions[1].first, last = e.mentions[1].last } end end
      return out
    end },
  { id = "bench.via", kind = "sourcing", check = function(doc)
      local out = {}
      for _, q in ipairs(doc.quotes) do if q.via then out[#out + 1] = { first = q.via.first, last = q.via.last } end end
      return out
    end },
  { id = "bench.figure-count", kind = "sourcing", check = function(doc)
      local out = {}
      local n = 0 for _, m in ipairs(doc.markers) do if m.kind == "figure" then n = n + 1 end end if n > 50 then out[1] = { first = 1, last = 1 } end
      return out
    end },
  { id = "bench.hedge-in-quote", kind = "sourcing", check = function(doc)
      local out = {}
      local j, quotes = 1, doc.quotes for _, m in ipairs(doc.markers) do if m.kind == "hedge" then while quotes[j] and quotes[j].last < m.first do j = j + 1 end local q = quotes[j] if q and q.first <= m.first and m.last <= q.last then out[#out + 1] = { first = m.first, last = m.last } end end end
      return out
    end },
  { id = "bench.said-count", kind = "sourcing", check = function(doc)
      local out = {}
      local n = 0 for _ in doc.text:gmatch("said") do n = n + 1 end if n > 1000 then out[1] = { first = 1, last = 1 } end
      return out
    end },
  { id = "bench.title", kind = "sourcing", check = function(doc)
      local out = {}
      for _, e in ipairs(doc.entities) do if e.title and #e.title > 60 and e.mentions[1] then out[#out + 1] = { first = e.mentions[1].first, last = e.mentions[1].last } end end
      return out
    end },
  { id = "bench.partial", kind = "sourcing", check = function(doc)
      local out = {}
      for _, q in ipairs(doc.quotes) do if q.kind == "partial" and not q.parent then out[#out + 1] = { first = q.first, last = q.last } end end
      return out
    end },
}
