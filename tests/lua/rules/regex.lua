return {
  { id = "t.backtrack", kind = "style", pattern = [[(a+)+$]] },
  { id = "t.kyiv", kind = "style", words = { "Kiev" } },
}
