#include "talkjs_state.hpp"

#include <algorithm>

#include "deterministic.hpp"

namespace parley::sim {

void TalkJsState::put_conversation(const std::string& id, const TalkJsConversationPut& put,
                                   std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto [found, created] = conversations_.try_emplace(id);
  auto& state = found->second;
  if (created) {
    // A conversation starts with its PUT: what the id would generate never existed.
    state.created = true;
    state.created_at_ms = now_ms;
  }
  for (const auto& participant : put.participants) {
    if (std::ranges::find(state.participants, participant) == state.participants.end()) {
      state.participants.push_back(participant);
    }
  }
  if (put.subject) state.subject = put.subject;
  if (put.photo_url) state.photo_url = put.photo_url;
  for (const auto& [name, value] : put.custom)
    state.custom.insert_or_assign(name, value);
}

std::vector<TalkJsMessage> TalkJsState::post_messages(
    const TalkJsConversation& conversation, const std::vector<TalkJsPostedMessage>& posted,
    std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto& state = conversations_[conversation.id];
  const auto existing = talkjs_messages(conversation, state);
  std::int64_t last = existing.empty() ? 0 : existing.back().created_at_ms;
  std::vector<TalkJsMessage> stored;
  for (const auto& message : posted) {
    last = std::max(now_ms, last + 1);  // strictly increasing, as readers order by it
    stored.push_back(
        TalkJsMessage{.id = "msg_" + hex64(pick(conversation.id, "posted", state.extra.size())),
                      .conversation_id = conversation.id,
                      .sender_id = message.sender,
                      .text = message.text,
                      .created_at_ms = last,
                      .type = message.type,
                      .custom_json = message.custom_json});
    state.extra.push_back(stored.back());
  }
  return stored;
}

TalkJsMessage TalkJsState::add_generated(const TalkJsConversation& conversation) {
  std::lock_guard lock(mutex_);
  auto& state = conversations_[conversation.id];
  const auto generated = state.created ? 0 : talkjs_message_count(conversation.id);
  state.extra.push_back(talkjs_message(conversation, generated + state.generated_added++));
  return state.extra.back();
}

TalkJsConversationState TalkJsState::conversation(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto found = conversations_.find(id);
  return found == conversations_.end() ? TalkJsConversationState{} : found->second;
}

void TalkJsState::put_user(const std::string& id, const TalkJsUserPut& put, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto [found, created] = users_.try_emplace(id);
  auto& user = found->second;
  if (created) {
    user.id = id;
    user.created_at_ms = now_ms;
  }
  if (put.name) user.name = put.name;
  if (put.email) user.email = *put.email;
  if (put.phone) user.phone = put.phone;
  if (put.photo_url) user.photo_url = put.photo_url;
  if (put.role) user.role = put.role;
  if (put.locale) user.locale = put.locale;
  if (put.welcome_message) user.welcome_message = put.welcome_message;
  for (const auto& [name, value] : put.custom)
    user.custom.insert_or_assign(name, value);
}

std::optional<TalkJsStoredUser> TalkJsState::user(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto found = users_.find(id);
  if (found == users_.end()) return std::nullopt;
  return found->second;
}

void TalkJsState::reset() {
  std::lock_guard lock(mutex_);
  conversations_.clear();
  users_.clear();
}

}  // namespace parley::sim
