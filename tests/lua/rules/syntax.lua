return {
  { id = "t.a", kind = "style", words = { "a" } },
  { id = "t.b" kind = "style", words = { "b" } },
}
