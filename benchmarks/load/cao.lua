-- CAO ReceiveMessage with a distinct MessageId per request (ids are deterministic, so a
-- repeated one would be a suppressed duplicate).
dofile(os.getenv("PARLEY_LOAD_DIR") .. "/common.lua")
local counter = 0
function init(args) counter = id * 1000000000 end
function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/webhooks/cao/messages",
    {["Content-Type"] = "application/json", ["Authorization"] = "Basic bench-cao-key"},
    '{"VisitId":"' .. (counter % 10007) .. '","SessionId":"abc123456","ConsumerId":"128740954930930",' ..
    '"DateTime":"6/15/2015 4:13 PM","MessageId":"' .. counter .. '","Message":"that was a long message",' ..
    '"MediaURL":"https://media.cao.com/images/sbc.png","AgentName":"Sally Salesperson",' ..
    '"AgentImageURL":"https://media.cao.com/images/sally.png"}')
end
