-- JustAnswer webhooks with a token; question ids vary so events spread over partitions.
dofile(os.getenv("PARLEY_LOAD_DIR") .. "/common.lua")
local counter = 0
function init(args) counter = id * 1000000000 end
function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/webhooks/justanswer",
    {["Content-Type"] = "application/json", ["X-Parley-Token"] = "bench-token"},
    '{"eventType":"1","questionId":"q' .. (counter % 10007) .. '","userToken":"abcde12345"}')
end
