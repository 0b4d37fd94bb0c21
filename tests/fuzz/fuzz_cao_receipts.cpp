// libFuzzer target: CAO read/delivery receipts, verify → parse → normalize → encode.
#include "fuzz_input.hpp"
#include "parley/platforms/cao/webhook.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const parley::config::CaoSource::Webhook webhook{.api_keys = {"fuzz-key"}};
  static const parley::sources::CaoReceipts source(webhook, true);
  const auto input = parley::fuzz::split(data, size);
  boost::beast::http::fields headers;
  headers.set("Authorization", input.valid_credentials ? "Basic fuzz-key" : input.header);
  parley::fuzz::drive(source, parley::fuzz::request_for(input, headers));
  return 0;
}
