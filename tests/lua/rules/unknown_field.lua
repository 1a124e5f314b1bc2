return {
  { id = "t.a", kind = "style", words = { "a" } },
  { id = "t.colour", kind = "style", words = { "colour" },
    colour = "red" },
}
