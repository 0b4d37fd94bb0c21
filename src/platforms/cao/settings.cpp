#include "parley/platforms/cao/settings.hpp"

#include "parley/config/section.hpp"

namespace parley::config {

CaoSource CaoSource::read(const Section& source) {
  CaoSource cao;
  const Section webhook = source.section("webhook", {"api_keys", "allow_unauthenticated"});
  cao.webhook.api_keys = webhook.read_secrets("api_keys");
  webhook.read_bool("allow_unauthenticated", cao.webhook.allow_unauthenticated);
  webhook.require_verification(!cao.webhook.api_keys.empty(), cao.webhook.allow_unauthenticated,
                               "api_keys");

  const Section api = source.section("api", {"base_url", "api_key"});
  api.read_base_url(cao.api.base_url);
  api.read_string("api_key", cao.api.api_key);
  return cao;
}

}  // namespace parley::config
