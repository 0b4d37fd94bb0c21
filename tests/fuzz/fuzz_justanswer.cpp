// libFuzzer target: JustAnswer webhook, verify → parse → normalize → encode.
#include "fuzz_input.hpp"
#include "parley/platforms/justanswer/webhook.hpp"

namespace {

const parley::sources::JustAnswer& source() {
  static const parley::config::JustAnswerSource::Webhook webhook{.tokens = {"fuzz-token"},
                                                                 .hmac_secrets = {"fuzz-secret"}};
  static const parley::sources::JustAnswer instance(webhook, true);
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = parley::fuzz::split(data, size);
  boost::beast::http::fields headers;
  if (input.valid_credentials) {
    headers.set("X-Parley-Token", "fuzz-token");
  } else {
    headers.set("X-Parley-Signature", input.header);
  }
  parley::fuzz::drive(source(), parley::fuzz::request_for(input, headers, input.header));
  return 0;
}
