#pragma once

#include <string_view>

namespace parley::testing {

/// The CAO reference's ReceiveMessage sample (seeds/002), with the commas it lacks added.
inline constexpr std::string_view kCaoSeedMessage = R"({
"VisitId":"12617187",
"SessionId":"abc123456",
"ConsumerId":"128740954930930",
"DateTime":"2015-01-01T00:00:00 ",
"MessageId":"12345678",
"Message":"that was a long message",
"MediaURL":"https://media.cao.com/images/sbc.png",
"AgentName":"Sally Salesperson",
"AgentImageURL":"https://media.cao.com/images/sally.png"
})";

}  // namespace parley::testing
