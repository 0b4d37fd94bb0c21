// libFuzzer target: TalkJS webhooks, signature + timestamp → parse → normalize → encode.
// With valid credentials the harness signs the fuzzed body itself, so the parser is reached;
// otherwise the header line is "<timestamp> <signature>".
#include <chrono>

#include "fuzz_input.hpp"
#include "parley/platforms/talkjs/webhook.hpp"
#include "parley/sources/crypto.hpp"

namespace {

constexpr auto kNow = std::chrono::sys_seconds(std::chrono::seconds(1732185600));

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const parley::config::TalkJsSource config = [] {
    parley::config::TalkJsSource c;
    c.webhook.secret_keys = {"fuzz-secret"};
    c.webhook.roles = {{"seller", "agent"}};
    c.api.app_id = "fuzz-app";
    return c;
  }();
  static const parley::sources::TalkJs source(config, true, [] { return kNow; });
  const auto input = parley::fuzz::split(data, size);
  boost::beast::http::fields headers;
  if (input.valid_credentials) {
    const std::string timestamp = "1732185600";
    headers.set("X-TalkJS-Timestamp", timestamp);
    headers.set(
        "X-TalkJS-Signature",
        parley::sources::to_hex(
            parley::sources::hmac_sha256("fuzz-secret", timestamp + "." + input.body), true));
  } else {
    const auto space = input.header.find(' ');
    headers.set("X-TalkJS-Timestamp", input.header.substr(0, space));
    if (space != std::string::npos)
      headers.set("X-TalkJS-Signature", input.header.substr(space + 1));
  }
  parley::fuzz::drive(source, parley::fuzz::request_for(input, headers));
  return 0;
}
