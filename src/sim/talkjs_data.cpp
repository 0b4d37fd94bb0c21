#include "talkjs_data.hpp"

#include <algorithm>
#include <array>

#include "deterministic.hpp"
#include "json_out.hpp"

namespace parley::sim {
namespace {

constexpr std::array<std::string_view, 5> kSubjects = {
    "Order #391: delivery date", "Question about my invoice", "Return request",
    "Custom size available?", "Booking for next week"};

constexpr std::array<std::string_view, 4> kCategories = {"order_inquiry", "billing", "returns",
                                                         "sales"};

constexpr std::array<std::string_view, 5> kCustomerTexts = {
    "Hello! When will my order arrive?", "I was charged twice for the same order.",
    "The size does not fit, can I send it back?", "Do you have this in a larger size?",
    "Thanks, that is all I needed."};

constexpr std::array<std::string_view, 5> kAgentTexts = {
    "Hi! Let me check that for you.", "It ships tomorrow and should arrive on Friday.",
    "Sorry about that, I have refunded the duplicate charge.",
    "Of course. I have emailed you a return label.", "You're welcome, have a great day!"};

constexpr std::int64_t kMessageSpacingMs = std::int64_t{7} * 60 * 1000;

TalkJsUser user_for(std::string_view conversation, std::string_view role, unsigned digits) {
  const auto hash = pick(conversation, role);
  auto name = person_name(hash);
  std::string email;
  for (const char c : name)
    email.push_back(c == ' ' ? '.' : static_cast<char>(c | 0x20));
  // Customers get 5-digit ids, agents 4-digit ones: the two never collide.
  return TalkJsUser{.id = decimal_id(hash, digits),
                    .name = std::move(name),
                    .email = email + "@example.com",
                    .role = std::string(role)};
}

}  // namespace

TalkJsConversation talkjs_conversation(std::string_view app, std::string_view id) {
  return TalkJsConversation{.id = std::string(id),
                            .subject = std::string(choose(kSubjects, pick(id, "subject"))),
                            .category = std::string(choose(kCategories, pick(id, "category"))),
                            .photo_url = "https://sim.talkjs.invalid/" + std::string(app) +
                                         "/conversations/" + std::string(id) + ".png",
                            .customer = user_for(id, "buyer", 5),
                            .agent = user_for(id, "seller", 4),
                            .created_at_ms = start_time(pick(id, "start")) * 1000};
}

std::size_t talkjs_message_count(std::string_view id) {
  return 3 + pick(id, "count") % 4;
}

TalkJsMessage talkjs_message(const TalkJsConversation& conversation, std::size_t index) {
  const std::string_view id = conversation.id;
  const bool customer = index % 2 == 0;
  // Each side's texts in order from a per-conversation offset: a dialogue, not repeats.
  const auto turn = pick(id, "text") + index / 2;
  return TalkJsMessage{
      .id = "msg_" + hex64(pick(id, "message", index)),
      .conversation_id = conversation.id,
      .sender_id = talkjs_sender(conversation, index).id,
      .text = std::string(customer ? choose(kCustomerTexts, turn) : choose(kAgentTexts, turn)),
      // The jitter (under 5 minutes) is smaller than the spacing: times strictly increase.
      .created_at_ms = conversation.created_at_ms +
                       static_cast<std::int64_t>(index + 1) * kMessageSpacingMs +
                       static_cast<std::int64_t>(pick(id, "gap", index) % 300000)};
}

const TalkJsUser& talkjs_sender(const TalkJsConversation& conversation, std::size_t index) {
  return index % 2 == 0 ? conversation.customer : conversation.agent;
}

void append_talkjs_message(std::string& out, const TalkJsMessage& message) {
  json::ObjectWriter object(out);
  put_string(object, "id", message.id);
  put_string(object, "conversationId", message.conversation_id);
  put_string(object, "senderId", message.sender_id);
  put_string(object, "text", message.text);
  put_string(object, "type", message.type);
  put_string(object, "origin", "rest");
  put_raw(object, "readBy", "[]");
  put_int(object, "createdAt", message.created_at_ms);
  put_raw(object, "editedAt", "null");
  put_raw(object, "attachment", "null");
  put_raw(object, "location", "null");
  put_raw(object, "custom", message.custom_json);
  put_raw(object, "referencedMessageId", "null");
}

void append_talkjs_user(std::string& out, const TalkJsUser& user) {
  json::ObjectWriter object(out);
  put_string(object, "id", user.id);
  put_string(object, "name", user.name);
  {
    auto& emails = object.key("email");
    emails += '[';
    json::append_string(emails, user.email);
    emails += ']';
  }
  put_raw(object, "phone", "null");
  put_raw(object, "photoUrl", "null");
  put_string(object, "role", user.role);
  put_raw(object, "locale", "null");
  put_raw(object, "custom", "{}");
}

void append_talkjs_stored_user(std::string& out, const TalkJsStoredUser& user) {
  const auto text_or_null = [](json::ObjectWriter& object, std::string_view name,
                               const std::optional<std::string>& value) {
    if (value) {
      put_string(object, name, *value);
    } else {
      put_raw(object, name, "null");
    }
  };
  const auto list = [](std::string& list_out, const std::vector<std::string>& items) {
    list_out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) list_out += ',';
      json::append_string(list_out, items[i]);
    }
    list_out += ']';
  };
  json::ObjectWriter object(out);
  put_string(object, "id", user.id);
  text_or_null(object, "name", user.name);
  list(object.key("email"), user.email);
  if (user.phone) {
    list(object.key("phone"), *user.phone);
  } else {
    put_raw(object, "phone", "null");
  }
  text_or_null(object, "photoUrl", user.photo_url);
  text_or_null(object, "role", user.role);
  text_or_null(object, "locale", user.locale);
  text_or_null(object, "welcomeMessage", user.welcome_message);
  {
    json::ObjectWriter custom(object.key("custom"));
    for (const auto& [name, value] : user.custom)
      put_string(custom, name, value);
  }
  put_int(object, "createdAt", user.created_at_ms);
}

std::vector<TalkJsMessage> talkjs_messages(const TalkJsConversation& conversation,
                                           const TalkJsConversationState& state) {
  std::vector<TalkJsMessage> messages;
  const std::size_t generated = state.created ? 0 : talkjs_message_count(conversation.id);
  messages.reserve(generated + state.extra.size());
  for (std::size_t i = 0; i < generated; ++i)
    messages.push_back(talkjs_message(conversation, i));
  messages.insert(messages.end(), state.extra.begin(), state.extra.end());
  return messages;
}

void append_talkjs_conversation(std::string& out, const TalkJsConversation& conversation,
                                const TalkJsConversationState& state, bool with_last_message) {
  json::ObjectWriter object(out);
  put_string(object, "id", conversation.id);
  put_string(object, "subject", state.subject.value_or(state.created ? "" : conversation.subject));
  put_raw(object, "topicId", "null");
  put_string(object, "photoUrl", state.photo_url.value_or(conversation.photo_url));
  {
    auto custom = state.custom;
    if (!state.created) custom.try_emplace("category", conversation.category);
    json::ObjectWriter members(object.key("custom"));
    for (const auto& [name, value] : custom)
      put_string(members, name, value);
  }
  if (with_last_message) {
    const auto messages = talkjs_messages(conversation, state);
    if (messages.empty()) {
      put_raw(object, "lastMessage", "null");
    } else {
      append_talkjs_message(object.key("lastMessage"), messages.back());
    }
  }
  {
    std::vector<std::string> ids;
    if (!state.created) ids = {conversation.customer.id, conversation.agent.id};
    for (const auto& id : state.participants) {
      if (std::ranges::find(ids, id) == ids.end()) ids.push_back(id);
    }
    json::ObjectWriter participants(object.key("participants"));
    for (const auto& id : ids) {
      json::ObjectWriter access(participants.key(id));
      put_string(access, "access", "ReadWrite");
      put_bool(access, "notify", true);
    }
  }
  put_int(object, "createdAt", state.created ? state.created_at_ms : conversation.created_at_ms);
}

std::string talkjs_messages_json(const TalkJsConversation& conversation,
                                 const TalkJsConversationState& state, std::size_t limit) {
  const auto messages = talkjs_messages(conversation, state);
  std::string body;
  {
    json::ObjectWriter object(body);
    auto& list = object.key("data");
    list += '[';
    for (std::size_t written = 0; written < messages.size() && written < limit; ++written) {
      if (written > 0) list += ',';
      append_talkjs_message(list, messages[messages.size() - 1 - written]);
    }
    list += ']';
  }
  return body;
}

}  // namespace parley::sim
