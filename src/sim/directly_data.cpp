#include "directly_data.hpp"

#include <algorithm>
#include <array>

#include "deterministic.hpp"
#include "json_out.hpp"
#include "parley/common/time.hpp"

namespace parley::sim {
namespace {

using std::chrono::milliseconds;

constexpr std::array<std::string_view, 6> kQuestions = {
    "I can't sign in to my account: the verification code never arrives.",
    "How do I change the email address on my account?",
    "My payment failed but the money left my bank account. What happens now?",
    "The app crashes every time I open the settings page.",
    "How can I cancel my subscription before the next billing date?",
    "I was charged twice for the same order this month."};

constexpr std::array<std::string_view, 5> kAnswers = {
    "Hi! I can help with that. First, check your spam folder and any email filters.",
    "Thanks for reaching out. Go to Settings > Account and choose Edit next to your email.",
    "Sorry about the trouble. A failed payment is refunded within 3 to 5 business days.",
    "That sounds frustrating. Please update the app to the latest version and try again.",
    "No problem: open Billing, select your plan and choose Cancel subscription."};

constexpr std::array<std::string_view, 4> kUserReplies = {
    "Thanks, I will try that now.", "That didn't work, I still see the same problem.",
    "Where exactly do I find that option?", "It worked, thank you so much!"};

constexpr std::array<std::string_view, 4> kExpertReplies = {
    "Could you tell me which device and app version you are using?",
    "Great, glad to hear it. Is there anything else I can help with?",
    "In that case, please sign out, clear the app's cache and sign in again.",
    "You will find it at the bottom of the page, under Advanced."};

constexpr std::string_view kNotifyingExperts = "NOTIFYING_EXPERTS_SYSTEM_MESSAGE";
constexpr std::string_view kAcceptedResponse = "ACCEPTED_RESPONSE_SYSTEM_MESSAGE";
constexpr std::string_view kQuestionExpired = "QUESTION_EXPIRED_SYSTEM_MESSAGE";
constexpr std::string_view kQuestionClosed = "QUESTION_CLOSED_SYSTEM_MESSAGE";
constexpr std::string_view kQuestionRerouted = "QUESTION_REROUTED_SYSTEM_MESSAGE";

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// `count` decimal digits at `at`, or -1.
int digits_at(std::string_view text, std::size_t at, std::size_t count) {
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::string next_id(DirectlyQuestion& question) {
  return uuid_text(question.uuid, "directly", question.next_ordinal++);
}

// Every change moves updatedAt forward, even within one millisecond, so that a poll with
// lastChecked = the previous updatedAt always sees it.
DirectlyTime touch(DirectlyQuestion& question, DirectlyTime now) {
  question.updated_at = std::max(now, question.updated_at + milliseconds(1));
  return question.updated_at;
}

void add_system_message(DirectlyQuestion& question, std::string_view type, std::string body,
                        DirectlyTime at) {
  question.system_messages.push_back(DirectlyMessage{.uuid = next_id(question),
                                                     .type = std::string(type),
                                                     .author = {.name = "System"},
                                                     .body = std::move(body),
                                                     .created_at = at});
}

DirectlyConflict conflict(const DirectlyQuestion& question, std::string_view problem) {
  return DirectlyConflict{"question " + question.uuid + ": " + std::string(problem)};
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

void append_person(std::string& out, const DirectlyPerson& person) {
  json::ObjectWriter object(out);
  if (!person.uuid.empty()) put_string(object, "uuid", person.uuid);
  put_string(object, "name", person.name);
}

void append_message(std::string& out, const DirectlyMessage& message) {
  json::ObjectWriter object(out);
  put_string(object, "uuid", message.uuid);
  if (!message.type.empty()) put_string(object, "type", message.type);
  append_person(object.key("author"), message.author);
  put_string(object, "body", message.body);
  put_string(object, "bodyHtml", "<p>" + html_escape(message.body) + "</p>");
  put_string(object, "createdAt", directly_time_text(message.created_at));
}

void append_messages(std::string& out, const std::vector<DirectlyMessage>& messages) {
  out += '[';
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) out += ',';
    append_message(out, messages[i]);
  }
  out += ']';
}

}  // namespace

void append_directly_response(std::string& out, const DirectlyResponse& response) {
  json::ObjectWriter object(out);
  put_string(object, "uuid", response.uuid);
  append_person(object.key("author"), response.expert);
  put_bool(object, "isAccepted", response.accepted);
  put_string(object, "createdAt", directly_time_text(response.created_at));
  append_messages(object.key("messages"), response.messages);
}

namespace {

Result<DirectlyChanged, DirectlyConflict> respond(DirectlyQuestion& question,
                                                  const DirectlyChange& change, DirectlyTime now) {
  const auto index = question.responses.size();
  const auto at = touch(question, now);
  DirectlyResponse response{.uuid = next_id(question), .created_at = at};
  response.expert.uuid = next_id(question);
  response.expert.name = change.name.value_or(person_name(pick(question.uuid, "expert", index)));
  response.messages.push_back(DirectlyMessage{.uuid = next_id(question),
                                              .author = response.expert,
                                              .body = change.body.value_or(std::string(choose(
                                                  kAnswers, pick(question.uuid, "answer", index)))),
                                              .created_at = at});
  std::erase_if(question.system_messages,
                [](const DirectlyMessage& message) { return message.type == kNotifyingExperts; });
  question.answered = true;
  DirectlyChanged changed{.response = response.uuid, .message = response.messages.back().uuid};
  question.responses.push_back(std::move(response));
  return changed;
}

Result<DirectlyChanged, DirectlyConflict> add_message(DirectlyQuestion& question,
                                                      const DirectlyChange& change,
                                                      DirectlyTime now) {
  if (question.responses.empty()) {
    return conflict(question, "has no response to add a message to; respond first");
  }
  const auto ordinal = question.next_ordinal;
  auto& response = question.responses.back();
  const auto text = change.from_expert
                        ? choose(kExpertReplies, pick(question.uuid, "expert-reply", ordinal))
                        : choose(kUserReplies, pick(question.uuid, "user-reply", ordinal));
  const auto at = touch(question, now);
  response.messages.push_back(
      DirectlyMessage{.uuid = next_id(question),
                      .author = change.from_expert ? response.expert : question.customer,
                      .body = change.body.value_or(std::string(text)),
                      .created_at = at});
  return DirectlyChanged{.message = response.messages.back().uuid};
}

Result<DirectlyChanged, DirectlyConflict> accept(DirectlyQuestion& question, DirectlyTime now) {
  if (question.responses.empty()) return conflict(question, "has no response to accept");
  return accept_directly_response(question, question.responses.size() - 1, now);
}

Result<DirectlyChanged, DirectlyConflict> finish(DirectlyQuestion& question, bool expire,
                                                 DirectlyTime now) {
  if (expire && !question.responses.empty()) {
    return conflict(question, "has responses; Directly expires only unanswered questions");
  }
  const auto at = touch(question, now);
  question.closed = true;
  question.status = expire ? "EXPIRED" : "CLOSED";
  if (expire) {
    add_system_message(question, kQuestionExpired,
                       "Your question expired before an expert answered it.", at);
  } else {
    add_system_message(question, kQuestionClosed, "This question has been closed.", at);
  }
  return DirectlyChanged{};
}

Result<DirectlyChanged, DirectlyConflict> reroute(DirectlyQuestion& question, DirectlyTime now) {
  if (question.rerouted) return conflict(question, "is already rerouted");
  const auto at = touch(question, now);
  question.rerouted = true;
  add_system_message(question, kQuestionRerouted,
                     "Your question has been rerouted to customer support.", at);
  return DirectlyChanged{};
}

}  // namespace

DirectlyTime directly_now() {
  return std::chrono::floor<milliseconds>(std::chrono::system_clock::now());
}

std::string directly_time_text(DirectlyTime time) {
  return format_rfc3339(time);
}

std::optional<DirectlyTime> parse_directly_time(std::string_view text) {
  constexpr std::size_t kSeconds = 19;  // "2026-11-21T10:00:00"
  if (text.size() < kSeconds + 1 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  const int year = digits_at(text, 0, 4);
  const int month = digits_at(text, 5, 2);
  const int day = digits_at(text, 8, 2);
  const int hour = digits_at(text, 11, 2);
  const int minute = digits_at(text, 14, 2);
  const int second = digits_at(text, 17, 2);
  const auto fraction = text.substr(kSeconds, text.size() - kSeconds - 1);
  int millis = 0;
  if (!fraction.empty()) {
    if (fraction.size() < 2 || fraction.size() > 10 || fraction[0] != '.') return std::nullopt;
    if (fraction.find_first_not_of("0123456789", 1) != std::string_view::npos) return std::nullopt;
    for (std::size_t i = 1; i <= 3; ++i)
      millis = millis * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (year < 0 || month < 0 || day < 0 || !date.ok() || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 59) {
    return std::nullopt;
  }
  return DirectlyTime(std::chrono::sys_days(date)) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second) + milliseconds(millis);
}

std::optional<std::string> directly_uuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string uuid;
  uuid.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !is_hex(text[i])) return std::nullopt;
    uuid.push_back(static_cast<char>(text[i] >= 'A' && text[i] <= 'F' ? text[i] | 0x20 : text[i]));
  }
  return uuid;
}

Result<DirectlyChanged, DirectlyConflict> accept_directly_response(DirectlyQuestion& question,
                                                                   std::size_t index,
                                                                   DirectlyTime now) {
  if (question.closed) {
    return conflict(question, "is " + question.status + "; a closed question cannot change");
  }
  auto& response = question.responses.at(index);
  if (response.accepted)
    return conflict(question, "response " + response.uuid + " is already accepted");
  const auto at = touch(question, now);
  response.accepted = true;
  question.status = "RESOLVED";
  add_system_message(
      question, kAcceptedResponse,
      question.customer.name + " accepted the answer from " + response.expert.name + ".", at);
  return DirectlyChanged{};
}

DirectlyQuestion asked_directly_question(std::string_view uuid, std::string text,
                                         std::string language, std::string author,
                                         DirectlyTime now) {
  auto question = new_directly_question(uuid, now);
  question.text = std::move(text);
  question.language = std::move(language);
  if (!author.empty()) question.customer.name = std::move(author);
  return question;
}

DirectlyQuestion new_directly_question(std::string_view uuid, DirectlyTime now) {
  DirectlyQuestion question{.uuid = std::string(uuid),
                            .created_at = now,
                            .updated_at = now,
                            .text = std::string(choose(kQuestions, pick(uuid, "text")))};
  question.customer =
      DirectlyPerson{.uuid = next_id(question), .name = person_name(pick(uuid, "customer"))};
  add_system_message(question, kNotifyingExperts,
                     "We are notifying our experts about your question.", now);
  return question;
}

Result<DirectlyChanged, DirectlyConflict> apply_directly_change(DirectlyQuestion& question,
                                                                const DirectlyChange& change,
                                                                DirectlyTime now) {
  if (question.closed) {
    return conflict(question, "is " + question.status + "; a closed question cannot change");
  }
  switch (change.kind) {
    case DirectlyChange::Kind::respond:
      return respond(question, change, now);
    case DirectlyChange::Kind::message:
      return add_message(question, change, now);
    case DirectlyChange::Kind::accept:
      return accept(question, now);
    case DirectlyChange::Kind::close:
      return finish(question, /*expire=*/false, now);
    case DirectlyChange::Kind::expire:
      return finish(question, /*expire=*/true, now);
    case DirectlyChange::Kind::reroute:
      return reroute(question, now);
  }
  return conflict(question, "unknown change");
}

void append_directly_question(std::string& out, const DirectlyQuestion& question) {
  json::ObjectWriter object(out);
  put_string(object, "uuid", question.uuid);
  put_string(object, "createdAt", directly_time_text(question.created_at));
  put_string(object, "updatedAt", directly_time_text(question.updated_at));
  put_string(object, "language", question.language);
  {
    json::ObjectWriter conversation(object.key("conversation"));
    put_string(conversation, "text", question.text);
    append_person(conversation.key("author"), question.customer);
    append_messages(conversation.key("messages"), question.system_messages);
    auto& responses = conversation.key("responses");
    responses += '[';
    for (std::size_t i = 0; i < question.responses.size(); ++i) {
      if (i > 0) responses += ',';
      append_directly_response(responses, question.responses[i]);
    }
    responses += ']';
    put_int(conversation, "unreadMessageCount", 0);
  }
  json::ObjectWriter state(object.key("state"));
  put_string(state, "status", question.status);
  put_bool(state, "isAnswered", question.answered);
  put_bool(state, "isClosed", question.closed);
  json::ObjectWriter reroute_status(state.key("rerouteStatus"));
  put_bool(reroute_status, "isRerouted", question.rerouted);
}

std::string directly_envelope(std::string_view data_json) {
  std::string body;
  {
    json::ObjectWriter envelope(body);
    {
      json::ObjectWriter meta(envelope.key("meta"));
      put_string(meta, "version", "v1");
    }
    put_raw(envelope, "data", data_json);
  }
  return body;
}

std::string directly_error_json(std::string_view message) {
  std::string body;
  {
    json::ObjectWriter envelope(body);
    {
      json::ObjectWriter meta(envelope.key("meta"));
      put_string(meta, "version", "v1");
    }
    put_raw(envelope, "data", "null");
    json::ObjectWriter error(envelope.key("error"));
    put_string(error, "message", message);
  }
  return body;
}

}  // namespace parley::sim
