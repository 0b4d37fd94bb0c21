// libFuzzer target: a Directly poll's answer (untrusted upstream JSON), parse → the events
// it means for a question seen for the first time and for one seen before → encode.
#include <cstddef>
#include <cstdint>
#include <string>

#include "parley/events/cloud_event.hpp"
#include "parley/platforms/directly/question.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const auto question = parley::directly::parse_question(body);
  if (!question) return 0;
  const auto known = parley::directly::remember(question.value());
  for (const auto* before :
       {static_cast<const parley::directly::KnownQuestion*>(nullptr), &known}) {
    for (const auto& event :
         parley::directly::question_events(question.value(), before, true, "directly-eu")) {
      (void)parley::events::encode(event);
    }
  }
  return 0;
}
