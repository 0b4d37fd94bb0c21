// The CAO In App Messaging API's GetTranscript as seed 002 describes it: Basic
// authentication with the API key alone, and the API version in the Accept header.
#include <openssl/evp.h>

#include <boost/beast/core/string.hpp>
#include <memory>

#include "cao_data.hpp"
#include "routes.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kTranscriptRoute = "/api/v1.0/AsyncConversation/GetTranscript/*";

// Leading zeros would not be a JSON integer, and 18 digits always fit CAO's Int (int64).
bool is_visit_id(std::string_view text) {
  return !text.empty() && text.size() <= 18 &&
         text.find_first_not_of("0123456789") == std::string_view::npos &&
         (text.size() == 1 || text.front() != '0');
}

std::string base64(std::string_view text) {
  std::string out(4 * ((text.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

/// GET /api/v1.0/AsyncConversation/GetTranscript/{VisitId}.
class TranscriptEndpoint final : public ApiEndpoint {
 public:
  explicit TranscriptEndpoint(Simulator& simulator)
      : ApiEndpoint(simulator, Platform::cao),
        // The key as the seed sends it, or encoded as real Basic credentials (with or
        // without the empty password).
        accepted_credentials_{simulator.options.credentials.cao_api_key,
                              base64(simulator.options.credentials.cao_api_key + ":"),
                              base64(simulator.options.credentials.cao_api_key)} {}

 private:
  static std::optional<std::string> visit_of(const http::Request& request) {
    const auto tail = http::Router::wildcard(kTranscriptRoute, request.path);
    if (tail.empty() || tail.find('/') != std::string_view::npos) return std::nullopt;
    return decode_segment(tail);
  }

  std::optional<Call> classify(const http::Request& request) const override {
    const auto visit = visit_of(request);
    if (!visit) return std::nullopt;
    return Call{.name = call::kCaoTranscript, .conversation = "cao:" + *visit};
  }

  bool authorized(const http::Request& request) const {
    std::string_view header = request.headers[bhttp::field::authorization];
    constexpr std::string_view kScheme = "Basic ";
    if (header.size() <= kScheme.size() ||
        !boost::beast::iequals(header.substr(0, kScheme.size()), kScheme)) {
      return false;
    }
    header.remove_prefix(kScheme.size());
    for (const auto& accepted : accepted_credentials_) {
      if (header == accepted) return true;
    }
    return false;
  }

  http::Response answer(const http::Request& request, const Call&) override {
    if (!authorized(request)) {
      return json_error(401, "Authorization: send Basic <API key> with the account's API key");
    }
    const std::string_view accept = request.headers[bhttp::field::accept];
    if (accept.find("version=2") == std::string_view::npos) {
      return json_error(406, "Accept: must contain version=2, got '" + std::string(accept) + "'");
    }
    const auto visit = *visit_of(request);
    if (!is_visit_id(visit)) {
      return json_error(400, "VisitId: must be an integer, got '" + visit + "'");
    }
    return json_ok(cao_transcript_json(visit, simulator_.state.added_count("cao:" + visit)));
  }

  const std::array<std::string, 3> accepted_credentials_;
};

}  // namespace

void add_cao_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::get, std::string(kTranscriptRoute),
             std::make_shared<TranscriptEndpoint>(simulator));
}

}  // namespace parley::sim
