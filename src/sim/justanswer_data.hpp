#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::sim {

/// The question `send` uses without --conversation (the token of the seed's example).
inline constexpr std::string_view kDefaultQuestion = "e5e06b61d720437a8cd09c67b574e5e8";

/// A message appended to a question: through POST /_sim/justanswer/questions/{token}/messages
/// (`posted` nullopt: it continues the generated spacing) or by message.post (the
/// customer's, posted now).
struct AddedMessage {
  std::string text;
  bool expert = false;
  std::string author_id;               ///< empty: the question's expert or customer
  std::optional<std::int64_t> posted;  ///< unix seconds
  std::string attachments_json = "[]";
};

/// A rating posted through message.feedback.
struct JustAnswerFeedback {
  std::string text;
  std::int64_t rating = 0;
  std::int64_t created = 0;  ///< unix seconds
};

/// A question created through POST /api/v2/questions/post.
struct PostedQuestion {
  std::string customer;  ///< the UserIdToken it was posted with
  std::string text;
  std::int64_t posted = 0;  ///< unix seconds
};

/// What writes changed in one question; a default one is the generated question as is.
struct JustAnswerQuestionState {
  std::optional<PostedQuestion> posted;  ///< set: no generated history, text as posted
  std::vector<AddedMessage> added;
  std::set<std::size_t> accepted;  ///< message numbers accepted through message.accept
  std::map<std::size_t, JustAnswerFeedback> feedback;  ///< by message number
  std::size_t read_through = 0;  ///< message.view: messages 1..read_through are read
};

/// The customer id JustAnswer would deliver with the question as the webhook's
/// userToken (10 hex digits derived from the token).
std::string justanswer_user_token(std::string_view question);

/// How many messages the question has before any is added: 2 to 4, alternating expert
/// (first) and customer.
std::size_t justanswer_message_count(std::string_view question);

/// How many messages the question has now: the generated ones (none for a posted
/// question) and the added ones.
std::size_t justanswer_total_messages(std::string_view question,
                                      const JustAnswerQuestionState& state);

/// True when message `number` (1-based, at most the total) is an expert's.
bool justanswer_is_expert_message(std::string_view question, const JustAnswerQuestionState& state,
                                  std::size_t number);

/// "!<question>_<number>!" for the 1-based message `number`.
std::string justanswer_message_token(std::string_view question, std::size_t number);

/// The body of GET /api/v2/questions/{question}: the seed's `{status, message, data:
/// {question, messages, experts}}` as `state` makes it. Pure.
std::string justanswer_question_json(std::string_view question,
                                     const JustAnswerQuestionState& state);

/// The body of GET /api/v2/questions?page=&pageSize=: the page of `questions` (all of one
/// customer's, in posting order) with pageNumber, totalPages and count. Pure.
std::string justanswer_questions_json(
    std::span<const std::pair<std::string, JustAnswerQuestionState>> questions, std::size_t page,
    std::size_t page_size);

}  // namespace parley::sim
