return {
  { id = "t.same", kind = "style", words = { "a" } },
  { id = "t.other", kind = "style", words = { "b" } },
  { id = "t.same", kind = "style", words = { "c" } },
}
