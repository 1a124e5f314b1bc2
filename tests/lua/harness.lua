-- A tiny test harness shared by the Lua suites: one line per case,
-- "ok - NAME", "not ok - NAME: WHY" or "skip - NAME: WHY", as tests/run expects.
local H = { failed = 0 }

H.runtime = type(jit) == "table" and "luajit" or "lua5.4"

local function show(v, depth)
  depth = depth or 0
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" or depth > 2 then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. show(v[k], depth + 1) end
  return "{" .. table.concat(parts, ", ") .. "}"
end
H.show = show

local function same(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

function H.ok(name)
  print("ok - " .. H.runtime .. ": " .. name)
end

function H.fail(name, why)
  H.failed = H.failed + 1
  print("not ok - " .. H.runtime .. ": " .. name .. ": " .. tostring(why):gsub("\n", " | "))
end

function H.skip(name, why)
  print("skip - " .. H.runtime .. ": " .. name .. ": " .. why)
end

--- Deep equality: tables compare by content.
function H.eq(name, got, want)
  if same(got, want) then H.ok(name) else H.fail(name, "got " .. show(got) .. ", want " .. show(want)) end
end

--- Run fn; a raised error is a failure of that case, not of the suite.
-- NM_LUA_ONLY=text runs only the cases whose name holds that text.
function H.case(name, fn)
  local only = os.getenv("NM_LUA_ONLY")
  if only and only ~= "" and not name:find(only, 1, true) then return end
  local ok, err = pcall(fn)
  if not ok then H.fail(name, "raised: " .. tostring(err)) end
end

function H.done()
  -- Close the state, so every engine and document is finalized (and a
  -- sanitizer build checks that for leaks).
  collectgarbage()
  os.exit(H.failed == 0 and 0 or 1, true)
end

return H
