-- A rule file that is not valid Lua (a comma is missing on line 4).
return {
  { id = "house.a", kind = "style", words = { "a" } },
  { id = "house.b" kind = "style", words = { "b" } },
}
