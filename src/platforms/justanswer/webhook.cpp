#include "parley/platforms/justanswer/webhook.hpp"

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"
#include "parley/events/ids.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"

namespace parley::sources {
namespace {

constexpr std::string_view kTokenHeader = "X-Parley-Token";
constexpr std::string_view kSignatureHeader = "X-Parley-Signature";
constexpr std::string_view kSignaturePrefix = "sha256=";

// JustAnswer has not published what its eventType values mean (PLATFORMS.md), so every
// value is "the conversation changed"; enrichment fetches what actually changed.
std::string_view parley_type_for(std::string_view /*event_type*/) {
  return events::type::kConversationUpdated;
}

Error unauthorized(std::string message) {
  return Error{sources::Errc::unauthorized, std::move(message)};
}

}  // namespace

JustAnswer::JustAnswer(const config::JustAnswerSource::Webhook& webhook, bool include_raw,
                       std::string name)
    : tokens_(webhook.tokens),
      hmac_secrets_(webhook.hmac_secrets),
      allow_cidrs_(webhook.allow_cidrs),
      allow_unauthenticated_(webhook.allow_unauthenticated),
      include_raw_(include_raw),
      name_(std::move(name)),
      event_source_("/parley/" + name_) {}

bool JustAnswer::signed_by_any_secret(std::string_view body, const Digest& signature) const {
  bool matched = false;
  for (const auto& secret : hmac_secrets_) {
    matched |= sources::signature_matches(secret, body, signature);  // no early exit
  }
  return matched;
}

std::optional<Error> JustAnswer::verify(const http::Request& request) const {
  const bool nothing_configured = tokens_.empty() && hmac_secrets_.empty() && allow_cidrs_.empty();
  if (nothing_configured && allow_unauthenticated_) return std::nullopt;

  std::string token(request.headers[kTokenHeader]);
  if (token.empty()) token = http::query_parameter(request.query, "token");
  const std::string_view signature = request.headers[kSignatureHeader];

  if (!tokens_.empty() && !token.empty() && tokens_.contains(token)) return std::nullopt;

  std::optional<Error> signature_problem;
  if (!hmac_secrets_.empty() && !signature.empty()) {
    const auto digest = signature.starts_with(kSignaturePrefix)
                            ? parse_hex_digest(signature.substr(kSignaturePrefix.size()))
                            : std::nullopt;
    if (!digest) {
      signature_problem =
          unauthorized("X-Parley-Signature: malformed, expected sha256=<64 hex digits>");
    } else if (signed_by_any_secret(request.body, *digest)) {
      return std::nullopt;
    } else {
      signature_problem =
          unauthorized("X-Parley-Signature: does not match the body under any configured secret");
    }
  }

  for (const auto& network : allow_cidrs_) {
    if (network.contains(request.peer)) return std::nullopt;
  }

  if (signature_problem) return signature_problem;
  if (!tokens_.empty() && !token.empty()) {
    return unauthorized("X-Parley-Token / ?token=: not an accepted token");
  }
  // The same words whatever is configured, and no peer address: the answer goes to anyone,
  // and must not tell which methods would get in (the log at debug has the request's peer).
  return unauthorized(
      "missing credentials: send an X-Parley-Token header (or ?token=), or X-Parley-Signature: "
      "sha256=<hex HMAC-SHA256 of the body>");
}

Result<http::HeadProof, Error> JustAnswer::verify_head(const http::Request& head) const {
  // A signature can only be checked over the body: not verified yet, unless a token or
  // the peer's network proves it already.
  const bool signed_body = !hmac_secrets_.empty() && !head.headers[kSignatureHeader].empty();
  auto refused = verify(head);
  if (!refused) return http::HeadProof::verified;
  if (signed_body) return http::HeadProof::in_body;
  return *refused;
}

Result<events::CloudEvent, Error> JustAnswer::normalize(
    const http::Request& request, std::chrono::system_clock::time_point received) const {
  auto object = parse_object(request.body);
  if (!object) return object.error();
  const FieldReader fields(object.value());
  auto event_type = fields.required_string("eventType");
  if (!event_type) return event_type.error();
  // questionId is the record key and subject; userToken goes into the UserIdToken header of
  // enrichment's requests: neither may carry control characters.
  auto question_id = fields.required_key("questionId");
  if (!question_id) return question_id.error();
  auto user_token = fields.required_key("userToken");
  if (!user_token) return user_token.error();

  events::CloudEvent event;
  event.id = events::make_uuid_v7(received);
  event.source = event_source_;
  event.type = parley_type_for(event_type.value());
  event.subject = question_id.value();
  event.time = format_rfc3339(received);  // the webhook carries no time of its own
  event.partition_key = name_ + ":" + std::string(question_id.value());
  event.data.platform = config::JustAnswerSource::kPlatform;
  event.data.source_name = name_;
  event.data.platform_event = event_type.value();
  event.data.conversation.id = question_id.value();
  event.data.conversation.customer_id = user_token.value();
  if (include_raw_) event.data.raw_json = received_json(request.body);
  return event;
}

std::string JustAnswer::accepted_body() const {
  return R"({"status":true,"message":""})";
}

std::string JustAnswer::error_body(const Error& error) const {
  std::string body = R"({"status":false,"message":)";
  json::append_string(body, error.message);
  body += "}";
  return body;
}

}  // namespace parley::sources
