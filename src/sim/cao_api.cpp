// The CAO In App Messaging API's reads as seed 002 describes them (GetTranscript,
// GetConversations): Basic authentication with the API key alone, and the API version in
// the Accept header. Its writes are in cao_writes.cpp.
#include <openssl/evp.h>

#include <boost/beast/core/string.hpp>
#include <memory>

#include "cao_data.hpp"
#include "routes.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kTranscriptRoute = "/api/v1.0/AsyncConversation/GetTranscript/*";
constexpr std::string_view kConversationsRoute = "/api/v1.0/AsyncConversation/GetConversations/*";

std::string base64(std::string_view text) {
  std::string out(4 * ((text.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

// The id in the path after `route`'s "*": one segment, decoded.
std::optional<std::string> segment_after(std::string_view route, const http::Request& request) {
  const auto tail = http::Router::wildcard(route, request.path);
  if (tail.empty() || tail.find('/') != std::string_view::npos) return std::nullopt;
  return decode_segment(tail);
}

/// GET /api/v1.0/AsyncConversation/GetTranscript/{VisitId}.
class TranscriptEndpoint final : public ApiEndpoint {
 public:
  explicit TranscriptEndpoint(Simulator& simulator) : ApiEndpoint(simulator, Platform::cao) {}

 private:
  std::optional<Call> classify(const http::Request& request) const override {
    const auto visit = segment_after(kTranscriptRoute, request);
    if (!visit) return std::nullopt;
    return Call{.name = call::kCaoTranscript, .conversation = "cao:" + *visit};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    if (auto refused = refuse_cao(simulator_, request)) return std::move(*refused);
    const auto visit = *segment_after(kTranscriptRoute, request);
    if (!is_cao_visit_id(visit)) {
      return json_error(400, "VisitId: must be an integer, got '" + visit + "'");
    }
    return json_ok(cao_transcript_json(visit, simulator_.state.cao().visit(visit)));
  }
};

/// GET /api/v1.0/AsyncConversation/GetConversations/{ConsumerId}: the consumer's visits
/// that writes started or sent to (the simulator knows no others by consumer).
class ConversationsEndpoint final : public ApiEndpoint {
 public:
  explicit ConversationsEndpoint(Simulator& simulator) : ApiEndpoint(simulator, Platform::cao) {}

 private:
  std::optional<Call> classify(const http::Request& request) const override {
    if (!segment_after(kConversationsRoute, request)) return std::nullopt;
    return Call{.name = call::kCaoConversations};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    if (auto refused = refuse_cao(simulator_, request)) return std::move(*refused);
    const auto consumer = *segment_after(kConversationsRoute, request);
    return json_ok(cao_conversations_json(consumer, simulator_.state.cao().visits_of(consumer)));
  }
};

}  // namespace

bool is_cao_visit_id(std::string_view text) {
  // Leading zeros would not be a JSON integer, and 18 digits always fit CAO's Int (int64).
  return !text.empty() && text.size() <= 18 &&
         text.find_first_not_of("0123456789") == std::string_view::npos &&
         (text.size() == 1 || text.front() != '0');
}

std::optional<http::Response> refuse_cao(Simulator& simulator, const http::Request& request) {
  std::string_view header = request.headers[bhttp::field::authorization];
  constexpr std::string_view kScheme = "Basic ";
  bool authorized = false;
  if (header.size() > kScheme.size() &&
      boost::beast::iequals(header.substr(0, kScheme.size()), kScheme)) {
    header.remove_prefix(kScheme.size());
    // The key as the seed sends it, or encoded as real Basic credentials (with or without
    // the empty password).
    const auto& key = simulator.options.credentials.cao_api_key;
    authorized = header == key || header == base64(key + ":") || header == base64(key);
  }
  if (!authorized) {
    return json_error(401, "Authorization: send Basic <API key> with the account's API key");
  }
  const std::string_view accept = request.headers[bhttp::field::accept];
  if (accept.find("version=2") == std::string_view::npos) {
    return json_error(406, "Accept: must contain version=2, got '" + std::string(accept) + "'");
  }
  return std::nullopt;
}

void add_cao_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::get, std::string(kTranscriptRoute),
             std::make_shared<TranscriptEndpoint>(simulator));
  router.add(bhttp::verb::get, std::string(kConversationsRoute),
             std::make_shared<ConversationsEndpoint>(simulator));
  add_cao_write_routes(router, simulator);
}

}  // namespace parley::sim
