return {
  { id = "t.paren", kind = "style", pattern = [[(unclosed]] },
}
