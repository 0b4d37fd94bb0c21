#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "parley/config/config.hpp"
#include "parley/sources/crypto.hpp"
#include "parley/sources/source.hpp"

namespace parley::sources {

/// TalkJS's webhook `{id, createdAt, type, data}` at POST /v1/webhooks/talkjs.
///
/// Verification: `X-TalkJS-Signature` must be the hex HMAC-SHA256 (TalkJS writes it in
/// upper case; either case is accepted) of `<X-TalkJS-Timestamp> "." <raw body>` under
/// any of `secret_keys` (a list, for rotation; every key is tried, compared in constant
/// time), and the timestamp must lie within `max_skew` of now. The timestamp's unit is
/// unconfirmed (PLATFORMS.md): values above 10^11 are read as milliseconds, others as
/// seconds. With no secret key configured, every request passes only when
/// `allow_unauthenticated` is set; otherwise every request fails (fail closed).
/// Fails (unauthorized, naming the header) on a missing or malformed header, a signature
/// that matches no key, or a timestamp too far from now.
///
/// Events: TalkJS's event type maps through a table (message.sent ->
/// parley.message.created, user.updated -> parley.user.updated, ...); a type not in the
/// table is still accepted, as parley.platform.unmapped, because TalkJS retries a
/// delivery only once and a new event type must not be lost. Ids are
/// `talkjs:<envelope id>` (deterministic), source `/parley/talkjs/<appId>`, time the
/// envelope's createdAt. Partition key and subject: `talkjs:<conversation id>` for
/// conversation-bound events, `talkjs:user:<user id>` for user events and notifications
/// without a conversation, `talkjs:event:<envelope id>` when nothing else identifies one.
/// A message whose custom.parleyCommandId is set (a message parley sent for a command)
/// carries it as data.message.externalId.
/// normalize() fails (bad_request, naming the field path) on invalid JSON, a missing
/// envelope field, a field of the wrong type, or a missing key field for the type.
///
/// Ownership: copies what it needs from the config at construction. Immutable after
/// construction and thread-safe, provided `now` is safe to call concurrently (the
/// default, system_clock::now, is).
class TalkJs final : public Source {
 public:
  /// `now` is the clock the timestamp skew is measured against (injectable for tests).
  /// `name`: the source's name (sources.<name>), which names its events' source, ids,
  /// keys and metrics.
  TalkJs(
      const config::TalkJsSource& source, bool include_raw,
      std::function<std::chrono::system_clock::time_point()> now = std::chrono::system_clock::now,
      std::string name = std::string(config::TalkJsSource::kPlatform));

  std::string_view name() const override { return name_; }
  std::optional<Error> verify(const http::Request& request) const override;
  Result<http::HeadProof, Error> verify_head(const http::Request& head) const override;
  Result<events::CloudEvent, Error> normalize(
      const http::Request& request, std::chrono::system_clock::time_point received) const override;
  bool deterministic_ids() const override { return true; }
  /// `{"status":"ok"}`: TalkJS looks only at the status code.
  std::string accepted_body() const override;
  /// `{"error":"<message>"}`.
  std::string error_body(const Error& error) const override;

 private:
  bool signature_matches(std::string_view timestamp, std::string_view body,
                         const Digest& signature) const;

  std::vector<std::string> secret_keys_;
  std::chrono::seconds max_skew_;
  bool allow_unauthenticated_;
  /// TalkJS role name -> one of events::role::* (static storage).
  std::map<std::string, std::string_view, std::less<>> roles_;
  std::string name_;
  std::string event_source_;  ///< "/parley/<name>/<appId>"
  bool include_raw_;
  std::function<std::chrono::system_clock::time_point()> now_;
};

}  // namespace parley::sources
