#include "parley/platforms/justanswer/settings.hpp"

#include "parley/config/section.hpp"

namespace parley::config {

JustAnswerSource JustAnswerSource::read(const Section& source) {
  JustAnswerSource ja;
  const Section webhook =
      source.section("webhook", {"tokens", "hmac_secrets", "allow_cidrs", "allow_unauthenticated"});
  ja.webhook.tokens = webhook.read_secrets("tokens");
  ja.webhook.hmac_secrets = webhook.read_secrets("hmac_secrets");
  ja.webhook.allow_cidrs = webhook.read_cidrs("allow_cidrs");
  webhook.read_bool("allow_unauthenticated", ja.webhook.allow_unauthenticated);
  const bool verified = !ja.webhook.tokens.empty() || !ja.webhook.hmac_secrets.empty() ||
                        !ja.webhook.allow_cidrs.empty();
  webhook.require_verification(verified, ja.webhook.allow_unauthenticated,
                               "tokens, hmac_secrets or allow_cidrs");

  const Section api = source.section("api", {"base_url", "client_id", "client_secret", "api_key"});
  api.read_base_url(ja.api.base_url);
  api.read_string("client_id", ja.api.client_id);
  api.read_string("client_secret", ja.api.client_secret);
  api.read_string("api_key", ja.api.api_key);
  return ja;
}

}  // namespace parley::config
