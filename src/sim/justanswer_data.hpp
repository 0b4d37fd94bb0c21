#pragma once

#include <span>
#include <string>
#include <string_view>

namespace parley::sim {

/// The question `send` uses without --conversation (the token of the seed's example).
inline constexpr std::string_view kDefaultQuestion = "e5e06b61d720437a8cd09c67b574e5e8";

/// A message appended through POST /_sim/justanswer/questions/{token}/messages.
struct AddedMessage {
  std::string text;
  bool expert = false;
};

/// The customer id JustAnswer would deliver with the question as the webhook's
/// userToken (10 hex digits derived from the token).
std::string justanswer_user_token(std::string_view question);

/// How many messages the question has before any is added: 2 to 4, alternating expert
/// (first) and customer.
std::size_t justanswer_message_count(std::string_view question);

/// "!<question>_<number>!" for the 1-based message `number`.
std::string justanswer_message_token(std::string_view question, std::size_t number);

/// The body of GET /api/v2/questions/{question}: the seed's `{status, message, data:
/// {question, messages, experts}}`, the generated messages followed by `added`. Pure.
std::string justanswer_question_json(std::string_view question,
                                     std::span<const AddedMessage> added);

}  // namespace parley::sim
