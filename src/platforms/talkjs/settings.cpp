#include "parley/platforms/talkjs/settings.hpp"

#include "parley/config/section.hpp"

namespace parley::config {

TalkJsSource TalkJsSource::read(const Section& source) {
  TalkJsSource talkjs;
  const Section webhook = source.section(
      "webhook", {"secret_keys", "max_skew_seconds", "allow_unauthenticated", "roles"});
  talkjs.webhook.secret_keys = webhook.read_secrets("secret_keys");
  webhook.read_duration("max_skew_seconds", talkjs.webhook.max_skew, 1);
  webhook.read_string_map("roles", "TalkJS role names to author roles", talkjs.webhook.roles);
  for (const auto& [name, role] : talkjs.webhook.roles) {
    if (role != "customer" && role != "expert" && role != "agent" && role != "system") {
      const std::string key = child_path("roles", name);
      webhook.refuse(key, "must be customer, expert, agent or system" +
                              webhook.echo(key, ", not ", in_quotes(role)));
    }
  }
  webhook.read_bool("allow_unauthenticated", talkjs.webhook.allow_unauthenticated);
  webhook.require_verification(!talkjs.webhook.secret_keys.empty(),
                               talkjs.webhook.allow_unauthenticated, "secret_keys");

  const Section api = source.section("api", {"base_url", "app_id", "secret_key"});
  api.read_base_url(talkjs.api.base_url);
  api.read_string("app_id", talkjs.api.app_id);
  api.read_string("secret_key", talkjs.api.secret_key);
  if (talkjs.api.app_id.empty()) {
    api.refuse("app_id", "is required: TalkJS events carry the source /parley/talkjs/<app_id>" +
                             api.echo("app_id", "", ""));
  }
  return talkjs;
}

}  // namespace parley::config
