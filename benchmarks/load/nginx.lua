-- The HTTP ceiling: the same POST against nginx answering a fixed 200.
dofile(os.getenv("PARLEY_LOAD_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"eventType":"1","questionId":"12345","userToken":"abcde12345"}'
