-- The broker-outage run: JustAnswer load, with per-second counts of each status so the
-- report shows the 503s arriving and throughput recovering.
local thread_id = 0
local counter = 0
per_second = {}  -- a global, so done() can read every thread's table
local started = nil
local threads = {}
function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  table.insert(threads, thread)
end
function init(args) counter = id * 1000000000 end
function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/webhooks/justanswer",
    {["Content-Type"] = "application/json", ["X-Parley-Token"] = "bench-token"},
    '{"eventType":"1","questionId":"q' .. (counter % 10007) .. '","userToken":"u"}')
end
function response(status, headers, body)
  local now = os.time()
  started = started or now
  local key = (now - started) .. ":" .. status
  per_second[key] = (per_second[key] or 0) + 1
end
function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("per_second")
    for key, n in pairs(counts) do totals[key] = (totals[key] or 0) + n end
  end
  local keys = {}
  for key in pairs(totals) do keys[#keys + 1] = key end
  table.sort(keys, function(a, b)
    local sa, ca = a:match("^(%d+):(%d+)$")
    local sb, cb = b:match("^(%d+):(%d+)$")
    if tonumber(sa) ~= tonumber(sb) then return tonumber(sa) < tonumber(sb) end
    return tonumber(ca) < tonumber(cb)
  end)
  for _, key in ipairs(keys) do io.write("second:status ", key, " ", totals[key], "\n") end
end
