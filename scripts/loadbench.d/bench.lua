-- wrk script for scripts/loadbench.
--
--   wrk ... -s bench.lua URL -- MODE PATH EXPECT [KEY [USER_AGENT]]
--
-- MODE   `unique`: every request gets PATH followed by a fresh, never-repeated suffix
--        (run nonce, thread number, counter: 14 characters), so no cache can answer it;
--        `fixed`: every request is PATH exactly (wrk's prebuilt request, no Lua per request).
-- PATH   the request path; for `unique` it ends where the suffix goes.
-- EXPECT the status that counts as a success (200, or 401 for the keyless preview).
-- KEY    sent as `X-API-Key` when given and not `-`.
-- USER_AGENT sent as `User-Agent` when given and not `-` (the redirect scenario).
--
-- Every response's status is counted per thread; done() prints one line
--   LOADBENCH requests=.. duration_us=.. p50_us=.. p99_us=.. connect=.. read=.. write=..
--             timeout=.. expected=.. unexpected=.. statuses=200:..,401:..
-- which scripts/loadbench reads instead of wrk's human-readable summary.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

local mode, path
local head, tail -- the unique mode's request around its suffix
expect = nil   -- global, so that done() can read it with thread:get
local counter = 0
local nonce
statuses = {}  -- global, status -> count, read by done()

function init(args)
  mode, path, expect = args[1], args[2], tonumber(args[3])
  local key = args[4]
  if key and key ~= "" and key ~= "-" then
    wrk.headers["X-API-Key"] = key
  end
  local agent = args[5]
  if agent and agent ~= "" and agent ~= "-" then
    wrk.headers["User-Agent"] = agent
  end
  nonce = tonumber(os.getenv("LOADBENCH_NONCE") or "0") % 10000
  if mode == "fixed" then
    wrk.path = path
    request = nil -- static: wrk sends one prebuilt request over and over
  else
    -- The request is formatted once, around a marker where the suffix goes, and each
    -- request only joins three strings. wrk.format builds a table and formats every
    -- header on each call: 15-16 us of wrk's CPU per request against 12-14 with this
    -- (wrk -t2 -c64 on bare_actix, 2026-11-30), which the server's scenarios paid for.
    local marker = "\1SUFFIX\1"
    local template = wrk.format("GET", path .. marker)
    local at = string.find(template, marker, 1, true)
    head = string.sub(template, 1, at - 1)
    tail = string.sub(template, at + #marker)
  end
end

function request()
  counter = counter + 1
  -- 4 + 1 + 9 = 14 characters, so the payload length never changes during a run.
  return head .. string.format("%04d%d%09d", nonce, tid % 10, counter) .. tail
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  local expected_n, unexpected_n = 0, 0
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    local want = tonumber(thread:get("expect"))
    for status, n in pairs(counts) do
      merged[status] = (merged[status] or 0) + n
      if status == want then
        expected_n = expected_n + n
      else
        unexpected_n = unexpected_n + n
      end
    end
  end
  local parts = {}
  for status, n in pairs(merged) do
    table.insert(parts, status .. ":" .. n)
  end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format(
    "LOADBENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d timeout=%d expected=%d unexpected=%d statuses=%s\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, expected_n, unexpected_n,
    #parts > 0 and table.concat(parts, ",") or "none"))
end
