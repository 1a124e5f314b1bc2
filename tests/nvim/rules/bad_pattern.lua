-- A rule file whose second rule does not compile.
return {
  { id = "house.ok", kind = "style", words = { "Kiev" } },
  { id = "house.broken", kind = "style",
    pattern = [[(unclosed]] },
}
