-- TalkJS message.sent deliveries, pre-signed by run.sh (wrk's Lua has no HMAC): each line
-- of $PARLEY_TALKJS_BODIES is "<timestamp>\t<signature>\t<body>" with a distinct event id.
dofile(os.getenv("PARLEY_LOAD_DIR") .. "/common.lua")
local requests = {}
local next_index = 1
function init(args)
  for line in io.lines(os.getenv("PARLEY_TALKJS_BODIES")) do
    local ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/v1/webhooks/talkjs",
      {["Content-Type"] = "application/json", ["X-TalkJS-Timestamp"] = ts,
       ["X-TalkJS-Signature"] = sig}, body)
  end
  next_index = (id * 7919) % #requests + 1
end
function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end
