return { id = "t.alone", kind = "style", words = { "a" } }
