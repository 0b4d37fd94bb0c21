#include "justanswer_data.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "deterministic.hpp"
#include "json_out.hpp"

namespace parley::sim {
namespace {

constexpr std::array<std::string_view, 6> kQuestions = {
    "My 2012 Honda Civic makes a grinding noise when I brake. What should I check first?",
    "Can my landlord keep the whole deposit for normal wear and tear?",
    "My dog has been limping on his front leg since yesterday. Should I see a vet today?",
    "How do I report income from a small side business on my tax return?",
    "The dishwasher stops mid-cycle and shows error E24. Can I fix it myself?",
    "Is it safe to take ibuprofen together with my blood pressure medication?"};

constexpr std::array<std::string_view, 5> kExpertTexts = {
    "Thanks for your question. Could you tell me when this started and what you have tried?",
    "Based on what you describe, the most likely cause is a worn part; here is how to check it.",
    "That is a common situation. You have a few options, and I will walk you through each one.",
    "Please try the steps below and let me know what you see after each of them.",
    "Glad that helped. If anything changes, reply here and I will follow up."};

constexpr std::array<std::string_view, 5> kCustomerTexts = {
    "It started about a week ago and it gets worse every day.",
    "I tried that already, but nothing changed.",
    "Thank you, that makes sense. What would it cost to fix?",
    "OK, I did the first step. It looks fine to me.", "Great, thanks a lot for the quick answer!"};

constexpr std::array<std::string_view, 6> kExpertJobs = {
    "ASE certified master technician, 15 years",
    "Attorney, landlord-tenant law",
    "Veterinarian (DVM), small animals",
    "CPA, small business taxation",
    "Appliance repair technician",
    "Pharmacist (PharmD)"};

constexpr std::int64_t kMessageSpacing = std::int64_t{7} * 60;

struct Expert {
  std::string token;
  std::string name;
  std::string job;
  std::string avatar_small;
  std::string avatar_big;
  int rating;
  int ratings;
};

struct Message {
  std::string token;
  std::int64_t posted;
  std::string text;
  bool expert;
  std::string author_id;
  std::string attachments_json = "[]";
  bool proposed = false;
  bool accepted = false;
  bool read = false;
  std::optional<JustAnswerFeedback> feedback;
};

Expert expert_for(std::string_view question) {
  const auto topic = pick(question, "topic") % kQuestions.size();
  const auto token = hex64(pick(question, "expert", 0)) + hex64(pick(question, "expert", 1));
  const std::string avatar = "https://sim.justanswer.invalid/avatars/" + token;
  return Expert{.token = token,
                .name = person_name(pick(question, "expert-name")),
                .job = std::string(kExpertJobs[topic]),
                .avatar_small = avatar + "-small.jpg",
                .avatar_big = avatar + "-big.jpg",
                .rating = 4 + static_cast<int>(pick(question, "rating") % 2),
                .ratings = 50 + static_cast<int>(pick(question, "ratings") % 5000)};
}

std::int64_t posted_at(std::string_view question, const JustAnswerQuestionState& state) {
  if (state.posted) return state.posted->posted;
  return start_time(pick(question, "posted")) + static_cast<std::int64_t>(pick(question, "s") % 60);
}

bool is_closed(std::string_view question, const JustAnswerQuestionState& state) {
  return !state.posted && pick(question, "closed") % 3 == 0;
}

std::size_t generated_count(std::string_view question, const JustAnswerQuestionState& state) {
  return state.posted ? 0 : justanswer_message_count(question);
}

std::string customer_of(std::string_view question, const JustAnswerQuestionState& state) {
  return state.posted ? state.posted->customer : justanswer_user_token(question);
}

Message generated_message(std::string_view question, std::size_t number, std::int64_t at,
                          const Expert& expert) {
  Message message{.token = justanswer_message_token(question, number), .posted = at};
  message.expert = number % 2 == 1;
  // Each side's texts in order from a per-question offset: a conversation, not repeats.
  const auto turn = pick(question, "text") + (number - 1) / 2;
  message.text = message.expert ? choose(kExpertTexts, turn) : choose(kCustomerTexts, turn);
  message.author_id = message.expert ? expert.token : justanswer_user_token(question);
  return message;
}

// The generated messages, then the added ones, then what writes marked on them. The last
// generated expert message is the proposed answer; a closed question's customer accepted
// and rated it. Every generated message but the last has been read.
std::vector<Message> messages_of(std::string_view question, const JustAnswerQuestionState& state,
                                 const Expert& expert) {
  const std::size_t generated = generated_count(question, state);
  const std::int64_t start = posted_at(question, state);
  std::vector<Message> messages;
  for (std::size_t number = 1; number <= generated + state.added.size(); ++number) {
    const auto at = start + static_cast<std::int64_t>(number) * kMessageSpacing +
                    static_cast<std::int64_t>(pick(question, "gap", number) % 300);
    if (number <= generated) {
      messages.push_back(generated_message(question, number, at, expert));
      messages.back().read = number < generated;
      continue;
    }
    const auto& added = state.added[number - generated - 1];
    // A posted question lives in the present: a message added without a time takes the
    // previous one's rather than one spaced after it, which could lie in the future.
    const auto fallback = state.posted ? (messages.empty() ? start : messages.back().posted) : at;
    messages.push_back(Message{.token = justanswer_message_token(question, number),
                               .posted = added.posted.value_or(fallback),
                               .text = added.text,
                               .expert = added.expert,
                               .author_id = !added.author_id.empty() ? added.author_id
                                            : added.expert           ? expert.token
                                                                     : customer_of(question, state),
                               .attachments_json = added.attachments_json});
  }
  if (generated > 0) {
    const std::size_t last_expert = generated % 2 == 1 ? generated : generated - 1;
    auto& answer = messages[last_expert - 1];
    answer.proposed = true;
    answer.accepted = is_closed(question, state);
    if (answer.accepted) {
      answer.feedback = JustAnswerFeedback{.text = "That was a very useful answer, thank you.",
                                           .rating = expert.rating,
                                           .created = answer.posted + 3600};
    }
  }
  for (const auto number : state.accepted)
    messages[number - 1].accepted = true;
  for (const auto& [number, feedback] : state.feedback)
    messages[number - 1].feedback = feedback;
  for (std::size_t number = 1; number <= state.read_through; ++number)
    messages[number - 1].read = true;
  return messages;
}

void append_attachments(std::string& out, std::string_view question, bool with_photo) {
  out += '[';
  if (with_photo) {
    json::ObjectWriter attachment(out);
    put_string(
        attachment, "url",
        "https://sim.justanswer.invalid/attachments/" + std::string(question) + "/photo.jpg");
    put_string(attachment, "name", "photo.jpg");
  }
  out += ']';
}

void append_message(std::string& out, std::string_view question, const Message& message,
                    const Expert& expert) {
  json::ObjectWriter object(out);
  put_string(object, "token", message.token);
  put_string(object, "posted", justanswer_date(message.posted));
  put_string(object, "questionToken", question);
  put_string(object, "text", message.text);
  put_raw(object, "attachments", message.attachments_json);
  put_bool(object, "isExpertMessage", message.expert);
  if (message.expert) {
    json::ObjectWriter author(object.key("expert"));
    put_string(author, "token", expert.token);
    put_string(author, "name", expert.name);
    put_string(author, "getSmallestPhotoUri", expert.avatar_small);
  } else {
    put_raw(object, "expert", "null");
  }
  if (message.feedback) {
    json::ObjectWriter feedback(object.key("feedback"));
    put_string(feedback, "text", message.feedback->text);
    put_int(feedback, "ratingFeedbackNumber", message.feedback->rating);
    put_string(feedback, "dateCreated", justanswer_date(message.feedback->created));
  } else {
    put_raw(object, "feedback", "null");
  }
  put_bool(object, "hasFeedback", message.feedback.has_value());
  put_string(object, "type", message.expert ? "ExpertResponse" : "CustomerResponse");
  put_bool(object, "isMessageExpertProposedAnswer", message.proposed);
  put_bool(object, "isMessageExpertAcceptedAnswer", message.accepted);
  put_bool(object, "isMessageCustomerResponse", !message.expert);
  // Both in the seed's entity table, though not in its examples.
  put_bool(object, "isMessageRead", message.read);
  put_string(object, "authorId", message.author_id);
}

void append_question(std::string& out, std::string_view question,
                     const JustAnswerQuestionState& state, const std::vector<Message>& messages,
                     const Expert& expert) {
  json::ObjectWriter object(out);
  put_string(object, "token", question);
  put_bool(object, "isClosed", is_closed(question, state));
  if (state.posted) {
    put_string(object, "text", state.posted->text);
    put_raw(object, "attachments", "[]");
  } else {
    put_string(object, "text", choose(kQuestions, pick(question, "topic")));
    append_attachments(object.key("attachments"), question, pick(question, "photo") % 4 == 0);
  }
  put_string(object, "postedDate", justanswer_date(posted_at(question, state)));
  if (messages.empty()) {
    put_raw(object, "lastMessage", "null");
  } else {
    append_message(object.key("lastMessage"), question, messages.back(), expert);
  }
}

void append_experts(std::string& out, const Expert& expert, bool any) {
  out += '[';
  if (any) {
    json::ObjectWriter object(out);
    put_string(object, "token", expert.token);
    put_string(object, "name", expert.name);
    put_string(object, "jobDescription", expert.job);
    put_int(object, "rating", expert.rating);
    put_int(object, "totalNumberOfRatings", expert.ratings);
    put_string(object, "avatarUrlBig", expert.avatar_big);
    put_string(object, "avatarUrlSmall", expert.avatar_small);
  }
  out += ']';
}

void append_question_object(std::string& out, std::string_view question,
                            const JustAnswerQuestionState& state) {
  const auto expert = expert_for(question);
  append_question(out, question, state, messages_of(question, state, expert), expert);
}

}  // namespace

std::string justanswer_user_token(std::string_view question) {
  return hex64(pick(question, "user")).substr(0, 10);
}

std::size_t justanswer_message_count(std::string_view question) {
  return 2 + pick(question, "count") % 3;
}

std::size_t justanswer_total_messages(std::string_view question,
                                      const JustAnswerQuestionState& state) {
  return generated_count(question, state) + state.added.size();
}

bool justanswer_is_expert_message(std::string_view question, const JustAnswerQuestionState& state,
                                  std::size_t number) {
  const auto generated = generated_count(question, state);
  return number <= generated ? number % 2 == 1 : state.added[number - generated - 1].expert;
}

std::string justanswer_message_token(std::string_view question, std::size_t number) {
  return "!" + std::string(question) + "_" + std::to_string(number) + "!";
}

std::string justanswer_question_json(std::string_view question,
                                     const JustAnswerQuestionState& state) {
  const auto expert = expert_for(question);
  const auto messages = messages_of(question, state, expert);
  const bool any_expert =
      std::ranges::any_of(messages, [](const Message& message) { return message.expert; });
  std::string body;
  {
    json::ObjectWriter envelope(body);
    put_bool(envelope, "status", true);
    put_string(envelope, "message", "");
    json::ObjectWriter data(envelope.key("data"));
    append_question(data.key("question"), question, state, messages, expert);
    auto& list = data.key("messages");
    list += '[';
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (i > 0) list += ',';
      append_message(list, question, messages[i], expert);
    }
    list += ']';
    append_experts(data.key("experts"), expert, any_expert);
  }
  return body;
}

std::string justanswer_questions_json(
    std::span<const std::pair<std::string, JustAnswerQuestionState>> questions, std::size_t page,
    std::size_t page_size) {
  const std::size_t total_pages = (questions.size() + page_size - 1) / page_size;
  std::string body;
  {
    json::ObjectWriter envelope(body);
    put_bool(envelope, "status", true);
    put_string(envelope, "message", "");
    json::ObjectWriter data(envelope.key("data"));
    auto& list = data.key("questions");
    list += '[';
    const std::size_t first = (page - 1) * page_size;
    for (std::size_t i = first; i < questions.size() && i < first + page_size; ++i) {
      if (i > first) list += ',';
      append_question_object(list, questions[i].first, questions[i].second);
    }
    list += ']';
    put_int(data, "pageNumber", static_cast<long long>(page));
    put_int(data, "totalPages", static_cast<long long>(total_pages));
    put_int(data, "count", static_cast<long long>(questions.size()));
  }
  return body;
}

}  // namespace parley::sim
