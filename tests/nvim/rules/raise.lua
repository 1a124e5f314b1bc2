-- A function rule that fails on every document.
return {
  { id = "house.raise", kind = "sourcing", check = function(doc)
      error("no speaker list in a " .. type(doc) .. " of " .. #doc.text .. " bytes")
    end },
}
