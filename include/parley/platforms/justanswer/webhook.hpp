#pragma once

#include <vector>

#include "parley/common/cidr.hpp"
#include "parley/config/config.hpp"
#include "parley/sources/crypto.hpp"
#include "parley/sources/source.hpp"

namespace parley::sources {

/// JustAnswer's webhook `{eventType, questionId, userToken}` at POST /v1/webhooks/justanswer.
///
/// Verification: any configured method passes — a token (`X-Parley-Token` header or
/// `?token=`), an HMAC-SHA256 of the raw body (`X-Parley-Signature: sha256=<hex>`), or a
/// peer address inside `allow_cidrs` (the TCP peer; proxies' headers are not trusted).
/// Every comparison is constant-time; every secret is a list, for rotation.
///
/// Events: `parley.conversation.updated` (JustAnswer's eventType values are unconfirmed;
/// the value is kept verbatim in data.platformEvent), key `justanswer:<questionId>`,
/// id a fresh UUIDv7: the webhook carries no id, and two real notifications must stay two.
class JustAnswer final : public Source {
 public:
  /// `name`: the source's name (sources.<name>), which names its events' source, keys
  /// and metrics.
  JustAnswer(const config::JustAnswerSource::Webhook& webhook, bool include_raw,
             std::string name = std::string(config::JustAnswerSource::kPlatform));

  std::string_view name() const override { return name_; }
  std::optional<Error> verify(const http::Request& request) const override;
  Result<http::HeadProof, Error> verify_head(const http::Request& head) const override;
  Result<events::CloudEvent, Error> normalize(
      const http::Request& request, std::chrono::system_clock::time_point received) const override;
  bool deterministic_ids() const override { return false; }
  std::string accepted_body() const override;
  std::string error_body(const Error& error) const override;

 private:
  bool signed_by_any_secret(std::string_view body, const Digest& signature) const;

  SecretSet tokens_;
  std::vector<std::string> hmac_secrets_;
  std::vector<Cidr> allow_cidrs_;
  bool allow_unauthenticated_;
  bool include_raw_;
  std::string name_;
  std::string event_source_;  ///< "/parley/<name>", built once
};

}  // namespace parley::sources
