return {
  { id = "t.raise", kind = "sourcing", check = function(doc)
      error("no speaker list in a " .. type(doc))
    end },
  { id = "t.first-byte", kind = "sourcing", message = "still runs",
    check = function(doc) return { { first = 1, last = 1 } } end },
}
