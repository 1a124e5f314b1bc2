-- The require("newsmark") API, run unchanged under lua5.4 (newsmark.core)
-- and luajit (FFI). Run from the repo root (tests/test_lua.sh does), so the
-- rule-file paths in messages are the relative ones asserted here.
local H = require("harness")
local nm = require("newsmark")
local eq, case = H.eq, H.case

local GOOD = "tests/lua/rules/good.lua"

-- Markers of user rules only (built-in markers depend on the lexicons).
local function user_markers(doc, prefix)
  prefix = prefix or "t."
  local out = {}
  for _, m in ipairs(doc.markers) do
    if m.rule:sub(1, #prefix) == prefix then
      out[#out + 1] = { rule = m.rule, kind = m.kind, first = m.first, last = m.last, text = m.text,
                        message = m.message, severity = m.severity }
    end
  end
  return out
end

local function spans(list)
  local out = {}
  for i, m in ipairs(list) do out[i] = { m.rule, m.first, m.last, m.text } end
  return out
end

local function engine_or_error(opts)
  local e, err = nm.engine(opts)
  if not e then error(err, 2) end
  return e
end

local function load_or_error(path)
  local r, err = nm.load_rules(path)
  if not r then error(err, 2) end
  return r
end

-- An error raised from a call, without the "file:line: " position prefix.
local function raised(fn)
  local ok, err = pcall(fn)
  if ok then return "(no error)" end
  return (tostring(err):gsub("^[^:]*:%d+: ", ""))
end

---------------------------------------------------------------------------
case("module", function()
  eq("version is the library's", type(nm.version) == "string" and nm.version:match("^%d+%.%d+%.%d+$") ~= nil, true)
  eq("backend", nm.backend, H.runtime == "luajit" and "ffi" or "core")
end)

case("built-in rules", function()
  local e = engine_or_error()
  local list = e:rules()
  local bad = {}
  for _, r in ipairs(list) do
    if type(r.id) ~= "string" or type(r.kind) ~= "string" or r.origin ~= "built-in" or r.enabled ~= true then
      bad[#bad + 1] = H.show(r)
    end
  end
  eq("every built-in rule has id, kind, origin built-in, enabled", bad, {})
end)

---------------------------------------------------------------------------
-- A rule file with a words, a pattern and a check rule.
local TEXT = "In Kiev, officials said the deal was worth $1.85 billion. “It cost $5 million,” she said. Kievan Rus is old."

case("load_rules origins", function()
  local rules = load_or_error(GOOD)
  local got = {}
  for i, r in ipairs(rules) do got[i] = { r.id, r.origin } end
  eq("load_rules: each rule's origin is FILE:LINE of its table",
    got, { { "t.kyiv", GOOD .. ":3" }, { "t.money", GOOD .. ":4" }, { "t.said", GOOD .. ":10" } })
end)

case("load_rules origins in a tricky file", function()
  local got = {}
  for i, r in ipairs(load_or_error("tests/lua/rules/tricky.lua")) do got[i] = { r.id, r.origin } end
  eq("braces in comments and strings, a rule built before the list", got, {
    { "x.kyiv", "tests/lua/rules/tricky.lua:7" }, { "x.long", "tests/lua/rules/tricky.lua:10" },
    { "x.fn", "tests/lua/rules/tricky.lua:12" } })
end)

case("user rules", function()
  local e = engine_or_error({ rules = load_or_error(GOOD) })
  local listed = {}
  for _, r in ipairs(e:rules()) do
    if r.id:sub(1, 2) == "t." then listed[#listed + 1] = { r.id, r.kind, r.origin, r.enabled } end
  end
  eq("engine:rules() lists user rules with kind and origin", listed, {
    { "t.kyiv", "style", GOOD .. ":3", true },
    { "t.money", "figure", GOOD .. ":4", true },
    { "t.said", "sourcing", GOOD .. ":10", true },
  })
  local doc = assert(e:analyse(TEXT))
  eq("doc.text is the input", doc.text, TEXT)
  eq("words, pattern (prose only) and check rules mark exact 1-based spans", user_markers(doc), {
    { rule = "t.kyiv", kind = "style", first = 4, last = 7, text = "Kiev",
      message = "House style: Kyiv", severity = "warning" },
    { rule = "t.said", kind = "sourcing", first = 20, last = 23, text = "said", message = "A cue", severity = "info" },
    { rule = "t.money", kind = "figure", first = 44, last = 56, text = "$1.85 billion", message = "", severity = "info" },
    { rule = "t.said", kind = "sourcing", first = 89, last = 92, text = "said", message = "A cue", severity = "info" },
  })
  local sorted = true
  for i = 2, #doc.markers do
    if doc.markers[i].first < doc.markers[i - 1].first then sorted = false end
  end
  eq("markers stay sorted by start after function rules add theirs", sorted, true)
  local subs = true
  for _, m in ipairs(doc.markers) do
    if TEXT:sub(m.first, m.last) ~= m.text then subs = false end
  end
  eq("text:sub(first, last) is every marker's text", subs, true)
  eq("no errors", doc.errors, {})
end)

---------------------------------------------------------------------------
case("quotes and entities", function()
  local e = engine_or_error()
  local text = "“We will win,” she said."
  local doc = assert(e:analyse(text))
  local q = doc.quotes[1]
  eq("direct quote span", { #doc.quotes, q.id, q.kind, q.first, q.last, q.text }, { 1, 1, "direct", 1, 18, "“We will win,”" })
  eq("speaker span", { q.speaker.first, q.speaker.last, q.speaker.text }, { 20, 22, "she" })
  eq("cue span", { q.cue.first, q.cue.last, q.cue.text }, { 24, 27, "said" })
  eq("no via, no parent", { q.via == nil, q.parent == nil }, { true, true })
  eq("speaker.entity is the entity table", q.speaker.entity == doc.entities[1], true)
  eq("entity lists its quotes and mentions", { doc.entities[1].id, doc.entities[1].quotes[1] == q, doc.entities[1].mentions },
    { 1, true, { { first = 20, last = 22 } } })

  text = "“The drills are a provocation,” a foreign ministry spokesman told KCNA. North Korean Foreign "
    .. "Minister Choe Son Hui said the nations were “distorting and slandering” the ties."
  doc = assert(e:analyse(text))
  local got = {}
  for i, x in ipairs(doc.quotes) do
    got[i] = { x.kind, x.first, x.last, x.text, x.speaker and x.speaker.text, x.cue and x.cue.text,
               x.parent and x.parent.id or false }
  end
  eq("direct, mixed and its partial fragment", got, {
    { "direct", 1, 35, "“The drills are a provocation,”", "a foreign ministry spokesman", "told", false },
    { "mixed", 125, 181, "the nations were “distorting and slandering” the ties",
      "North Korean Foreign Minister Choe Son Hui", "said", false },
    { "partial", 142, 172, "“distorting and slandering”", "North Korean Foreign Minister Choe Son Hui", "said", 2 },
  })
  local anon = doc.quotes[1].speaker.entity
  eq("anonymous speaker's entity", { anon and anon.anonymous, anon and anon.type }, { true, "person" })
  local choe = doc.quotes[2].speaker.entity
  eq("fragment and mixed quote share the entity",
    { choe ~= nil and choe == doc.quotes[3].speaker.entity, choe and #choe.quotes, choe and choe.anonymous },
    { true, 2, false })

  text = "“The drills are a provocation,” Kim Yo Jong said in a statement carried by the official KCNA news agency."
  doc = assert(e:analyse(text))
  local via = doc.quotes[1] and doc.quotes[1].via
  eq("via span", via and { via.first, via.last, via.text }, { 80, 108, "the official KCNA news agency" })
end)

case("bytes, not characters", function()
  local e = engine_or_error({ rules = { { id = "t.kyiv", kind = "style", words = { "Kiev" } } } })
  local text = "a\0b \255\254 Kiev\r\n"
  local doc = assert(e:analyse(text))
  eq("NUL, invalid UTF-8 and CRLF keep byte offsets", spans(user_markers(doc)), { { "t.kyiv", 8, 11, "Kiev" } })
  eq("doc.text keeps every byte", doc.text, text)
end)

case("input formats", function()
  local e = engine_or_error({ rules = { { id = "t.kyiv", kind = "style", words = { "Kiev" } } } })
  local md = assert(e:analyse("# In Kiev\n\nText about Kiev.\n", { input = "markdown" }))
  eq("markdown: offsets into the original", spans(user_markers(md)), { { "t.kyiv", 6, 9, "Kiev" }, { "t.kyiv", 23, 26, "Kiev" } })
  local html = assert(e:analyse("<p>In <b>Kiev</b>.</p>", { input = "html" }))
  eq("html: offsets into the original", spans(user_markers(html)), { { "t.kyiv", 10, 13, "Kiev" } })
end)

case("misuse raises", function()
  local e = engine_or_error()
  eq("analyse(nil)", raised(function() e:analyse(nil) end), "bad argument #1 to 'analyse' (string expected, got nil)")
  eq("analyse with an unknown input", raised(function() e:analyse("x", { input = "pdf" }) end),
    "bad argument #2 to 'analyse' (input must be \"plain\", \"markdown\" or \"html\", not pdf)")
  eq("engine(\"x\")", raised(function() nm.engine("x") end), "bad argument #1 to 'engine' (table expected, got string)")
  eq("load_rules(nil)", raised(function() nm.load_rules(nil) end), "bad argument #1 to 'load_rules' (string expected, got nil)")
  local closed = engine_or_error()
  closed:close()
  eq("a closed engine", raised(function() closed:analyse("x") end), "newsmark: the engine is closed")
  closed:close()
  H.ok("close twice is harmless")
end)

case("only and disable", function()
  local rules = load_or_error(GOOD)
  local e = engine_or_error({ rules = rules, only = { "style" } })
  local doc = assert(e:analyse(TEXT))
  eq("only = style", spans(user_markers(doc)), { { "t.kyiv", 4, 7, "Kiev" } })
  local enabled = {}
  for _, r in ipairs(e:rules()) do if r.id:sub(1, 2) == "t." then enabled[r.id] = r.enabled end end
  eq("only shows in engine:rules()", enabled, { ["t.kyiv"] = true, ["t.money"] = false, ["t.said"] = false })
  e = engine_or_error({ rules = rules, disable = { "t.said", "t.kyiv" } })
  doc = assert(e:analyse(TEXT))
  eq("disable a words rule and a check rule", spans(user_markers(doc)), { { "t.money", 44, 56, "$1.85 billion" } })
  local none, err = nm.engine({ rules = rules, disable = { "t.nope" } })
  eq("disable an unknown id", { none, err }, { nil, "no rule has the id t.nope" })
end)

---------------------------------------------------------------------------
-- Bad rules: the exact messages.
case("bad rule files", function()
  local function load_err(path)
    local r, err = nm.load_rules(path)
    if r then r, err = nm.engine({ rules = r }) end
    return err
  end
  eq("syntax error: FILE:LINE: message", load_err("tests/lua/rules/syntax.lua"),
    "tests/lua/rules/syntax.lua:3: '}' expected near 'kind'")
  eq("unknown field", load_err("tests/lua/rules/unknown_field.lua"),
    "tests/lua/rules/unknown_field.lua:3: rule \"t.colour\": unknown field \"colour\" "
    .. "(a rule has check, id, inside, kind, message, pattern, severity, words)")
  eq("duplicate id in a file", load_err("tests/lua/rules/duplicate.lua"),
    "tests/lua/rules/duplicate.lua:4: rule \"t.same\": duplicate id (first at tests/lua/rules/duplicate.lua:2)")
  eq("a file that returns one rule", load_err("tests/lua/rules/one_rule.lua"),
    "tests/lua/rules/one_rule.lua:1: a rule file must return a list of rules, { {id = ...}, ... } (got one rule)")
  eq("a pattern that does not compile", load_err("tests/lua/rules/bad_pattern.lua"),
    "tests/lua/rules/bad_pattern.lua:2: rule \"t.paren\": pattern error at offset 9: missing closing parenthesis")
  eq("a missing file", load_err("tests/lua/rules/missing.lua"),
    "tests/lua/rules/missing.lua: No such file or directory")
  local all = load_or_error(GOOD)
  for _, r in ipairs(load_or_error("tests/lua/rules/regex.lua")) do all[#all + 1] = r end
  local e, err = nm.engine({ rules = all })
  eq("duplicate id across files", { e, err },
    { nil, "tests/lua/rules/regex.lua:3: rule \"t.kyiv\": duplicate id (first at tests/lua/rules/good.lua:3)" })
end)

case("bad rule tables", function()
  local builtin = engine_or_error():rules()[1]
  local cases = {
    { { kind = "style", words = { "a" } }, "rules[1]: rule 1 has no id" },
    { "x", "rules[1]: rule 1 is a string, not a table" },
    { { id = "bad id", kind = "style", words = { "a" } },
      "rules[1]: rule 1: id must be a string of letters, digits, '.', '_' and '-' (got \"bad id\")" },
    { { id = "t.x", words = { "a" } }, "rules[1]: rule \"t.x\": kind must be a word such as \"style\" (got nil)" },
    { { id = "t.x", kind = "style" }, "rules[1]: rule \"t.x\": needs one of pattern, words or check" },
    { { id = "t.x", kind = "style", words = { "a" }, pattern = "a" },
      "rules[1]: rule \"t.x\": has both pattern and words; give only one" },
    { { id = "t.x", kind = "style", words = {} },
      "rules[1]: rule \"t.x\": words must be a non-empty list of non-empty strings" },
    { { id = "t.x", kind = "style", words = { "a" }, severity = "high" },
      "rules[1]: rule \"t.x\": severity must be \"info\" or \"warning\" (got \"high\")" },
    { { id = "t.x", kind = "style", words = { "a" }, inside = "body" },
      "rules[1]: rule \"t.x\": inside must be \"quote\", \"prose\" or \"any\" (got \"body\")" },
    { { id = "t.x", kind = "style", check = function() end, inside = "quote" },
      "rules[1]: rule \"t.x\": inside applies to pattern and words rules only" },
    { { id = "t.x", kind = "style", check = "nope" }, "rules[1]: rule \"t.x\": check must be a function" },
    { { id = builtin and builtin.id or "none", kind = "style", words = { "a" } },
      string.format("rules[1]: rule %q: duplicate id (first at built-in)", builtin and builtin.id or "none") },
  }
  for i, c in ipairs(cases) do
    local e, err = nm.engine({ rules = { c[1] } })
    eq("bad rule table " .. i, { e, err }, { nil, c[2] })
  end
end)

case("function rule that raises", function()
  local e = engine_or_error({ rules = load_or_error("tests/lua/rules/raise.lua") })
  local doc = assert(e:analyse("“We will win,” she said."))
  eq("the error names the rule; the other rule still runs", { doc.errors, spans(user_markers(doc)) }, {
    { "tests/lua/rules/raise.lua:2: rule \"t.raise\" failed: tests/lua/rules/raise.lua:3: no speaker list in a table" },
    { { "t.first-byte", 1, 1, "\226" } },
  })
end)

case("function rule that loops forever", function()
  local e = engine_or_error({ rules = load_or_error("tests/lua/rules/loop.lua") })
  local t0 = os.clock()
  local doc = assert(e:analyse("Hello."))
  local seconds = os.clock() - t0
  eq("stopped by the instruction hook, named; the other rule still runs", { doc.errors, spans(user_markers(doc)) }, {
    { "tests/lua/rules/loop.lua:2: rule \"t.loop\" failed: stopped after 100000000 instructions (an endless loop?)" },
    { { "t.first-byte", 1, 1, "H" } },
  })
  eq("stopped within 5 seconds", seconds < 5, true)
  e = engine_or_error({ rules = { { id = "t.spin", kind = "x", check = function() while true do end end } },
                        limits = { instructions = 1000 } })
  doc = assert(e:analyse("Hello."))
  eq("limits.instructions", doc.errors,
    { "rules[1]: rule \"t.spin\" failed: stopped after 1000 instructions (an endless loop?)" })
  local hook_after = debug.gethook()
  eq("the hook is removed afterwards", hook_after, nil)
end)

case("rules that try to escape the hook", function()
  local e = engine_or_error({ rules = {
    { id = "t.co", kind = "x", check = function()
        local co = coroutine.wrap(function() while true do end end)
        co()
      end },
    { id = "t.callback", kind = "x", check = function(doc) doc.text:gsub(".", function() while true do end end) end },
    { id = "t.object", kind = "x", check = function()
        error(setmetatable({}, { __tostring = function() while true do end end }))
      end },
    { id = "t.create", kind = "x", check = function()
        local co = coroutine.create(function() while true do end end)
        local ok, err = coroutine.resume(co)
        error(err, 0)
      end },
  }, limits = { instructions = 100000 } })
  local create, wrap = coroutine.create, coroutine.wrap
  local doc = assert(e:analyse("Hello."))
  eq("a loop in a coroutine, in a callback, in an error object's __tostring", doc.errors, {
    "rules[1]: rule \"t.co\" failed: stopped after 100000 instructions (an endless loop?)",
    "rules[2]: rule \"t.callback\" failed: stopped after 100000 instructions (an endless loop?)",
    "rules[3]: rule \"t.object\" failed: it raised a table value, not a message",
    "rules[4]: rule \"t.create\" failed: stopped after 100000 instructions (an endless loop?)",
  })
  eq("coroutine.create and wrap are themselves again", { coroutine.create == create, coroutine.wrap == wrap }, { true, true })
  local r, err = nm.load_rules("tests/lua/rules/loop_at_load.lua")
  eq("a rule file whose own code loops", { r, err },
    { nil, "tests/lua/rules/loop_at_load.lua:1: the file's own code stopped after 100000000 instructions (an endless loop?)" })
end)

case("catastrophic regex", function()
  local e = engine_or_error({ rules = load_or_error("tests/lua/rules/regex.lua") })
  local t0 = os.clock()
  local doc = assert(e:analyse(string.rep("a", 40) .. "b in Kiev"))
  eq("stopped by the match limit, named", doc.errors, {
    "tests/lua/rules/regex.lua:2: rule \"t.backtrack\": match limit exceeded at byte 0; the rest of the text was not checked with this rule (simplify the pattern)",
  })
  eq("the other rule still runs", spans(user_markers(doc)), { { "t.kyiv", 46, 49, "Kiev" } })
  eq("within 2 seconds", os.clock() - t0 < 2, true)
end)

case("bad markers from a function rule", function()
  local e = engine_or_error({ rules = {
    { id = "t.range", kind = "x", check = function(doc) return { { first = 0, last = 2 }, { first = 1, last = 2 } } end },
    { id = "t.float", kind = "x", check = function() return { { first = 1.5, last = 2 } } end },
    { id = "t.string", kind = "x", check = function() return "x" end },
    { id = "t.whole-float", kind = "x", check = function() return { { first = 4.0, last = 10 / 2 } } end },
    { id = "t.message", kind = "x", message = "rule's", check = function()
        return { { first = 3, last = 2, message = "empty span, own message" } } end },
  } })
  local doc = assert(e:analyse("Hello."))
  eq("each bad marker is an error naming the rule", doc.errors, {
    "rules[1]: rule \"t.range\": marker 1 span 0..2 is outside the text (1..6)",
    "rules[2]: rule \"t.float\": marker 1 needs integer first and last",
    "rules[3]: rule \"t.string\" returned a string, not a list of markers",
  })
  local got = user_markers(doc)
  eq("good markers are kept; a marker's own message wins", got, {
    { rule = "t.range", kind = "x", first = 1, last = 2, text = "He", message = "", severity = "info" },
    { rule = "t.message", kind = "x", first = 3, last = 2, text = "", message = "empty span, own message", severity = "info" },
    { rule = "t.whole-float", kind = "x", first = 4, last = 5, text = "lo", message = "", severity = "info" },
  })
end)

---------------------------------------------------------------------------
-- The example rule files in lua/newsmark/rules/.
local EXAMPLES = "lua/newsmark/rules/"

case("example: house style", function()
  local e = engine_or_error({ rules = load_or_error(EXAMPLES .. "house_style.lua") })
  local doc = assert(e:analyse("In Kiev and Kharkov, prices rose 5% this year. “Up 5 %,” she said."))
  eq("Kiev, Kharkov, and a per-cent sign in prose only", spans(user_markers(doc, "house.")), {
    { "house.kyiv", 4, 7, "Kiev" }, { "house.kharkiv", 13, 19, "Kharkov" }, { "house.percent-sign", 34, 35, "5%" },
  })
end)

case("example: state media only", function()
  local e = engine_or_error({ rules = load_or_error(EXAMPLES .. "state_media_only.lua") })
  local text = "“The drills are a provocation,” Kim Yo Jong said in a statement carried by the official KCNA news agency."
  local doc = assert(e:analyse(text))
  eq("a quote carried only by KCNA", spans(user_markers(doc, "house.")),
    { { "house.state-media-only", 1, 35, "“The drills are a provocation,”" } })
  doc = assert(e:analyse("“The drills are a provocation,” Kim Yo Jong said in a statement carried by Reuters."))
  eq("not through a wire agency", spans(user_markers(doc, "house.")), {})
end)

case("example: anonymous sources", function()
  local e = engine_or_error({ rules = load_or_error(EXAMPLES .. "anonymous_sources.lua") })
  local text = "A senior US military official said the tanks had arrived. “They are here,” an aide said. "
    .. "A diplomat said talks would resume."
  local doc = assert(e:analyse(text))
  local got = {}
  for i, m in ipairs(user_markers(doc, "house.")) do got[i] = { m.first, m.last, m.text, m.message } end
  eq("three anonymous sources, each at its first mention", got, {
    { 1, 29, "A senior US military official", "Anonymous source 1 of 3: A senior US military official" },
    { 80, 86, "an aide", "Anonymous source 2 of 3: an aide" },
    { 94, 103, "A diplomat", "Anonymous source 3 of 3: A diplomat" },
  })
  doc = assert(e:analyse("An aide said talks would resume. “Soon,” a diplomat said."))
  eq("two are fine", user_markers(doc, "house."), {})
end)

case("example: unsourced figure", function()
  local e = engine_or_error({ rules = load_or_error(EXAMPLES .. "unsourced_figure.lua") })
  local text = "The army moved 50,000 troops to the border. Officials said 20,000 more would follow."
  local doc = assert(e:analyse(text))
  local figures = 0
  for _, m in ipairs(doc.markers) do if m.kind == "figure" then figures = figures + 1 end end
  if figures == 0 then
    H.skip("a figure with no source in its sentence", "the built-in figure rules mark nothing in this build")
    return
  end
  eq("a figure with no source in its sentence", spans(user_markers(doc, "house.")),
    { { "house.unsourced-figure", 16, 28, "50,000 troops" } })
end)

H.done()
