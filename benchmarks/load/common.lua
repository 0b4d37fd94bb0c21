-- Shared by the wrk scripts. setup() numbers the threads (global `id` in each), so
-- counters and pools start at a different place per thread.
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
end

-- One JSON line with the figures the report needs.
function done(summary, latency, requests)
  local errors = summary.errors
  local non_2xx = errors.status
  io.write(string.format(
    '{"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,' ..
    '"max_ms":%.3f,"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, latency:percentile(99.9) / 1e3,
    latency.max / 1e3, non_2xx,
    errors.connect + errors.read + errors.write + errors.timeout))
end
