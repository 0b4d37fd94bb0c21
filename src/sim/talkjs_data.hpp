#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

/// A Message object as the REST API and webhooks write it.
void append_talkjs_message(std::string& out, const TalkJsMessage& message);

/// A User object as webhooks write it (`data.sender`).
void append_talkjs_user(std::string& out, const TalkJsUser& user);

/// The Conversation object; with `lastMessage` as the REST API writes it, without as
/// webhooks carry it in `data.conversation`. `added` messages were appended through
/// /_sim/talkjs/conversations/{id}/messages.
void append_talkjs_conversation(std::string& out, const TalkJsConversation& conversation,
                                bool with_last_message, std::size_t added = 0);

/// The body of GET /v1/{app}/conversations/{id}/messages: `{"data":[...]}`, newest first,
/// at most `limit` of the conversation's messages plus `added` more.
std::string talkjs_messages_json(const TalkJsConversation& conversation, std::size_t limit,
                                 std::size_t added = 0);

}  // namespace parley::sim
