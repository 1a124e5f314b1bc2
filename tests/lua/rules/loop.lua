return {
  { id = "t.loop", kind = "sourcing", check = function(doc)
      while true do pcall(function() while true do end end) end
    end },
  { id = "t.first-byte", kind = "sourcing", message = "still runs",
    check = function(doc) return { { first = 1, last = 1 } } end },
}
