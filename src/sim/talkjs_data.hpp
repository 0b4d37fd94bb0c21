#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::sim {

/// The conversation `send` uses without --conversation (TalkJS's documentation example).
inline constexpr std::string_view kDefaultTalkJsConversation = "order_391_fc";

struct TalkJsUser {
  std::string id;
  std::string name;
  std::string email;
  std::string role;  ///< "buyer" (the customer) or "seller" (the agent)
};

/// A conversation between a customer and an agent, derived from its id.
struct TalkJsConversation {
  std::string id;
  std::string subject;
  std::string category;   ///< custom.category
  std::string photo_url;  ///< names the app, as the conversation belongs to it
  TalkJsUser customer;
  TalkJsUser agent;
  std::int64_t created_at_ms;
};

/// One message: even indices are the customer's, odd ones the agent's (talkjs_sender).
struct TalkJsMessage {
  std::string id;  ///< "msg_<16 hex>"
  std::string conversation_id;
  std::string sender_id;
  std::string text;
  std::int64_t created_at_ms;
  std::string type = "UserMessage";  ///< or "SystemMessage"
  std::string custom_json = "{}";    ///< as posted
};

/// A user as PUT /v1/{appId}/users/{id} stored it (the members it was sent).
struct TalkJsStoredUser {
  std::string id;
  std::optional<std::string> name;
  std::vector<std::string> email;
  std::optional<std::vector<std::string>> phone;
  std::optional<std::string> photo_url;
  std::optional<std::string> role;
  std::optional<std::string> locale;
  std::optional<std::string> welcome_message;
  std::map<std::string, std::string> custom;
  std::int64_t created_at_ms = 0;
};

/// What writes changed in a conversation; a default one is the generated conversation.
struct TalkJsConversationState {
  bool created = false;  ///< created by conversation.put: no generated history or participants
  std::optional<std::string> subject;
  std::optional<std::string> photo_url;
  std::map<std::string, std::string> custom;  ///< over the generated category
  std::vector<std::string> participants;      ///< added by conversation.put, in order
  std::int64_t created_at_ms = 0;             ///< when created
  std::vector<TalkJsMessage> extra;           ///< after the generated ones: continuations and posts
  std::size_t generated_added = 0;            ///< continuations added through /_sim/talkjs
};

TalkJsConversation talkjs_conversation(std::string_view app, std::string_view id);

/// How many messages the conversation holds: 3 to 6.
std::size_t talkjs_message_count(std::string_view id);

/// Message `index`. Defined for every index so that webhooks sent beyond the
/// conversation's length continue the same sequence; the API returns the first
/// talkjs_message_count().
TalkJsMessage talkjs_message(const TalkJsConversation& conversation, std::size_t index);

/// The author of message `index`: the customer for even indices, else the agent.
const TalkJsUser& talkjs_sender(const TalkJsConversation& conversation, std::size_t index);

/// The conversation's messages, oldest first: the generated ones (none when created by a
/// PUT), then `state.extra`.
std::vector<TalkJsMessage> talkjs_messages(const TalkJsConversation& conversation,
                                           const TalkJsConversationState& state);

/// A Message object as the REST API and webhooks write it.
void append_talkjs_message(std::string& out, const TalkJsMessage& message);

/// A User object as webhooks write it (`data.sender`).
void append_talkjs_user(std::string& out, const TalkJsUser& user);

/// A stored User object, as GET /v1/{appId}/users/{id} and webhooks write it.
void append_talkjs_stored_user(std::string& out, const TalkJsStoredUser& user);

/// The Conversation object as `state` makes it; with `lastMessage` (null when there is no
/// message) as the REST API writes it, without as webhooks carry it in `data.conversation`.
void append_talkjs_conversation(std::string& out, const TalkJsConversation& conversation,
                                const TalkJsConversationState& state, bool with_last_message);

/// The body of GET /v1/{app}/conversations/{id}/messages: `{"data":[...]}`, newest first,
/// at most `limit` of talkjs_messages().
std::string talkjs_messages_json(const TalkJsConversation& conversation,
                                 const TalkJsConversationState& state, std::size_t limit);

}  // namespace parley::sim
