#include "parley/platforms/directly/settings.hpp"

#include <string>

#include "parley/config/section.hpp"

namespace parley::config {

DirectlySource DirectlySource::read(const Section& source) {
  DirectlySource directly;
  const Section watch = source.section("watch", {"tokens", "allow_unauthenticated"});
  directly.watch.tokens = watch.read_secrets("tokens");
  watch.read_bool("allow_unauthenticated", directly.watch.allow_unauthenticated);
  watch.require_verification(!directly.watch.tokens.empty(), directly.watch.allow_unauthenticated,
                             "tokens");

  const Section api = source.section(
      "api", {"base_url", "client_id", "client_secret", "token_path", "logout_path"});
  api.read_base_url(directly.api.base_url);
  api.read_string("client_id", directly.api.client_id);
  api.read_string("client_secret", directly.api.client_secret);
  api.read_string("token_path", directly.api.token_path);
  api.read_string("logout_path", directly.api.logout_path);

  const Section poll = source.section(
      "poll",
      {"interval_ms", "max_interval_ms", "max_requests_per_second", "concurrency", "timeout_ms"});
  // Faster polling only burns Directly's rate limit; 100 ms is already far below any need.
  constexpr std::uint64_t kMinPollMs = 100;
  poll.read_duration("interval_ms", directly.poll.interval, kMinPollMs);
  poll.read_duration("max_interval_ms", directly.poll.max_interval, kMinPollMs);
  if (directly.poll.max_interval < directly.poll.interval) {
    poll.refuse(
        "max_interval_ms",
        "must be at least interval_ms" +
            poll.echo("interval_ms", " (", std::to_string(directly.poll.interval.count()) + ")"));
  }
  poll.read_integer("max_requests_per_second", directly.poll.max_requests_per_second, 1);
  poll.read_integer("concurrency", directly.poll.concurrency, 1);
  poll.read_duration("timeout_ms", directly.poll.timeout, 1);
  return directly;
}

}  // namespace parley::config
